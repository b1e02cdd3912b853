"""A dataset as the playground trains on it: uint8 images and integer labels, split into train and test."""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Dataset:
    """Read-only uint8 images (N, H, W) and integer labels, split into train and test."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """The model input shape: height, width, one channel."""
        return (*self.x_train.shape[1:3], 1)

    @property
    def num_classes(self) -> int:
        """How many classes the labels have."""
        return len(self.class_names)

    def class_counts(self) -> dict[str, tuple[int, int]]:
        """Per class name: (train count, test count)."""
        train = np.bincount(self.y_train, minlength=self.num_classes)
        test = np.bincount(self.y_test, minlength=self.num_classes)
        return {name: (int(train[i]), int(test[i])) for i, name in enumerate(self.class_names)}
