"""A dataset as the playground trains on it: uint8 images and integer labels, split into train and test."""

from dataclasses import dataclass

import numpy as np

IMAGE_SIZES = (16, 20, 24, 28, 32, 40, 48, 64)  # the sides an own image set can be made at (My models page, CLI)


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


def size_for(input_shape: tuple[int, ...]) -> int:
    """The side an own image set is made at for a model of this input shape: the model's own when it takes grey
    squares of one of IMAGE_SIZES, else 28."""
    shape = tuple(input_shape)
    fits = len(shape) == 3 and shape[0] == shape[1] and shape[2] == 1 and shape[0] in IMAGE_SIZES
    return shape[0] if fits else 28
