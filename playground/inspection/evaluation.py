"""A trained model on a dataset's test split: every prediction, the confusion matrix, per-class accuracy, mistakes."""

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from playground import data
from playground.bundle import TrainedModel
from playground.inspection import inspector

CACHED_EVALUATIONS = 8


@dataclass(frozen=True)
class Evaluation:
    """The model on a dataset's test split: every prediction, the confusion matrix, per-class accuracy."""

    labels: np.ndarray  # (N,) true classes
    predictions: np.ndarray  # (N,)
    probabilities: np.ndarray  # (N, classes)
    class_names: tuple[str, ...]

    @property
    def confusion(self) -> np.ndarray:
        """counts[true, predicted]."""
        classes = len(self.class_names)
        pairs = self.labels.astype(np.int64) * classes + self.predictions
        return np.bincount(pairs, minlength=classes * classes).reshape(classes, classes)

    @property
    def accuracy(self) -> float:
        """The fraction of test images classified correctly."""
        return float(np.mean(self.labels == self.predictions))

    def per_class_accuracy(self) -> np.ndarray:
        """Recall of every class: correct / test images of that class (NaN for a class with none)."""
        confusion = self.confusion
        totals = confusion.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(totals > 0, np.diag(confusion) / totals, np.nan)

    def examples(self, true: int, predicted: int) -> np.ndarray:
        """Indices of the test images of class `true` that the model called `predicted`."""
        return np.flatnonzero((self.labels == true) & (self.predictions == predicted))

    def mistakes(self) -> np.ndarray:
        """Indices of the misclassified test images."""
        return np.flatnonzero(self.labels != self.predictions)


_evaluations: OrderedDict[tuple[str, str], Evaluation] = OrderedDict()
_evaluations_lock = threading.Lock()


def evaluate(trained: TrainedModel, dataset: data.Dataset) -> Evaluation:
    """The trained model's predictions on the dataset's test split (remembered for the last few models)."""
    key = (inspector.weights_digest(trained) + inspector.architecture_key(trained.spec), dataset.name)
    with _evaluations_lock:
        if key in _evaluations:
            _evaluations.move_to_end(key)
            return _evaluations[key]
    probabilities = inspector.predict(trained, data.images_as_input(dataset.x_test))
    evaluation = Evaluation(dataset.y_test, probabilities.argmax(axis=1), probabilities, dataset.class_names)
    with _evaluations_lock:
        _evaluations[key] = evaluation
        while len(_evaluations) > CACHED_EVALUATIONS:
            _evaluations.popitem(last=False)
    return evaluation
