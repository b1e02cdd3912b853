"""What a finished fit becomes: the trained model that the Draw and Models pages, bundles and the CLI use.

The app (a job's result) and the CLI (a fit in its own process) both go through trained_model, so a bundle says the
same things whichever wrote it.
"""

from playground.bundle import TrainedModel
from playground.training.runs import FitRequest, FitResult, History, as_float_arrays


def trained_model(request: FitRequest, result: FitResult, history: History, run_id: int | None = None) -> TrainedModel:
    """The model a fit trained: spec, weights, optimizer state (as a bundle stores it), curves, dataset, metadata."""
    metadata = {
        "epochs": result.epochs_done,
        "test_accuracy": result.test_accuracy,
        "test_loss": result.test_loss,
        "samples_per_second": result.samples_per_second,
        "settings": request.settings.to_dict(),
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
    )
