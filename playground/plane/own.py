"""A learner's own 2-D data (from a rule or a table): the PlaneData it becomes, its original units and its errors.

Shared by plane.rule and plane.table. Pure numpy, no Streamlit.
"""

from dataclasses import dataclass, field

import numpy as np

from playground.plane.data import EXTENT, PlaneData
from playground.text.plane import CATALOGUE as MESSAGES

MIN_PER_CLASS = 2  # one to train on, one to test


class PlaneDataError(ValueError):
    """Own data that cannot become a data set: a key of the plane catalogue and its values."""

    def __init__(self, key: str, **params: object):
        self.key, self.params = key, params
        super().__init__(self.message("en"))

    def message(self, language: str = "en") -> str:
        """The reason as one sentence in the given language."""
        return MESSAGES.text(language, self.key, **self.params)


@dataclass(frozen=True)
class Axis:
    """How plane coordinates map back to original units: `low` sits at −extent, `high` at +extent."""

    name: str
    low: float
    high: float
    extent: float = EXTENT  # EXTENT for the two input axes, 1.0 for a regression value

    def to_plane(self, values: np.ndarray) -> np.ndarray:
        """Original values placed on [−extent, extent]."""
        return (np.asarray(values, np.float64) - self.low) / (self.high - self.low) * 2 * self.extent - self.extent

    def original(self, values: np.ndarray) -> np.ndarray:
        """Plane coordinates (or ±1 values) in original units, e.g. for axis tick labels."""
        return self.low + (np.asarray(values, np.float64) + self.extent) / (2 * self.extent) * (self.high - self.low)


@dataclass(frozen=True, eq=False)
class OwnPlaneData(PlaneData):
    """PlaneData from a rule or a table, with the original names and units of its axes, value and classes."""

    axes: tuple[Axis, Axis] = (Axis("x1", -EXTENT, EXTENT), Axis("x2", -EXTENT, EXTENT))
    value: Axis | None = None  # regression only: the original values at −1 and +1
    class_names: tuple[str, ...] = field(default=())  # classes only: the name of class 0, 1, …


def split(
    points: np.ndarray, labels: np.ndarray, train_fraction: float, rng: np.random.Generator, stratify: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, y_train, x_test, y_test), shuffled; at least one point of each class (or of all) in each part."""
    if not 0 < train_fraction < 1:
        raise ValueError("train fraction must lie strictly between 0 and 1")
    groups = [np.flatnonzero(labels == label) for label in np.unique(labels)] if stratify else [np.arange(len(labels))]
    train, test = [], []
    for group in groups:
        if len(group) < 2:
            raise ValueError("every class needs two points")  # callers refuse this earlier with a clear message
        group = rng.permutation(group)
        n_train = min(len(group) - 1, max(1, round(len(group) * train_fraction)))
        train.append(group[:n_train])
        test.append(group[n_train:])
    train, test = rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))
    points = points.astype(np.float32)
    return points[train], labels[train], points[test], labels[test]
