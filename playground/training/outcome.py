"""What a finished fit becomes, and back: the trained model that pages, bundles and the CLI use, and the run record
an uploaded model stands for.

The app (a job's result) and the CLI (a fit in its own process) both go through trained_model, so a bundle says the
same things whichever wrote it.
"""

from playground import bundle
from playground.bundle import TrainedModel
from playground.training.runs import FitRequest, FitResult, History, RunRecord, as_float_arrays


def trained_model(request: FitRequest, result: FitResult, history: History, run_id: int | None = None) -> TrainedModel:
    """The model a fit trained: spec, weights, optimizer state (as a bundle stores it), curves, dataset, metadata."""
    metadata = {
        "epochs": result.epochs_done,
        "test_accuracy": result.test_accuracy,
        "test_loss": result.test_loss,
        "samples_per_second": result.samples_per_second,
        "settings": {**request.settings.to_dict(), "precision": result.precision},  # the one used, not "auto"
        "state": result.outcome,
    }
    if run_id is not None:
        metadata = {"run_id": run_id, **metadata}
    return TrainedModel(
        request.spec,
        result.weights,
        as_float_arrays(result.optimizer_state),
        history.copy(),
        request.settings.dataset,
        metadata,
        result.replay,
    )


def run_record(trained: TrainedModel, run_id: int) -> RunRecord:
    """The finished run a trained model stands for (an uploaded bundle): its settings, curves and test metrics as
    far as its metadata tells."""
    test = trained.metadata
    return RunRecord(run_id, trained.spec, bundle.train_settings(trained), trained.history, "finished",
                     _number(test.get("test_loss")), _number(test.get("test_accuracy")), trained.replay)  # fmt: skip


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
