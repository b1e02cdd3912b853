"""What a finished fit becomes: the trained model the app and the CLI both make from it."""

import numpy as np

from playground import presets
from playground.training import outcome
from playground.training.runs import FitRequest, FitResult, History, TrainSettings


def test_a_fit_result_becomes_the_trained_model_with_its_curves_and_metadata():
    request = FitRequest(presets.preset("logistic"), TrainSettings(dataset="mnist-sample", epochs=2, seed=5))
    weights = (np.ones((784, 10), np.float32), np.zeros(10, np.float32))
    state = (np.int64(30), np.float32(0.001))
    result = FitResult("finished", 2, 30, weights, state, 0.4, 0.9, None, 1234.5, 4)
    history = History()
    history.add_epoch(1, {"loss": 0.5, "accuracy": 0.8})
    trained = outcome.trained_model(request, result, history, run_id=3)
    assert trained.spec == request.spec and trained.weights is weights and trained.dataset == "mnist-sample"
    assert [array.dtype.kind for array in trained.optimizer_state] == ["f", "f"]  # as a bundle stores them
    assert trained.history == history and trained.history is not history
    assert trained.metadata == {
        "run_id": 3, "epochs": 2, "test_accuracy": 0.9, "test_loss": 0.4, "samples_per_second": 1234.5,
        "settings": request.settings.to_dict(), "state": "finished",
    }  # fmt: skip
    assert "run_id" not in outcome.trained_model(request, result, history).metadata  # the CLI's has no run
