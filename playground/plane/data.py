"""Two-dimensional toy data for the neural playground: generators, input features, targets and the plane's grid.

Pure numpy. The generators follow TensorFlow Playground's (points in the square [-6, 6]², noise 0–0.5) and are
self-contained functions, so the code export can print them as they are.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

EXTENT = 6.0  # the plane shown is [-EXTENT, EXTENT]²
MAX_NOISE = 0.5
MIN_POINTS, MAX_POINTS = 20, 1000
MIN_CLASSES, MAX_CLASSES = 3, 5


# ---------------------------------------------------------------- generators: (n, noise, rng, classes) -> points, labels


def circle(n, noise, rng, classes=2):
    """A disc of class 1 inside a ring of class 0; noise jitters the points before they are labelled."""
    radius = 5.0
    inner = n // 2
    r = np.concatenate([rng.uniform(0, radius * 0.5, inner), rng.uniform(radius * 0.7, radius, n - inner)])
    angle = rng.uniform(0, 2 * np.pi, n)
    points = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    jitter = rng.uniform(-radius, radius, (n, 2)) * noise
    labels = (np.linalg.norm(points + jitter, axis=1) < radius * 0.5).astype(np.int64)
    return points, labels


def xor(n, noise, rng, classes=2):
    """Four quadrants: class 1 where x₁ and x₂ have the same sign, class 0 where they differ."""
    points = rng.uniform(-5, 5, (n, 2))
    points += np.where(points > 0, 0.3, -0.3)  # a small gap along the axes
    jitter = rng.uniform(-5, 5, (n, 2)) * noise
    noisy = points + jitter
    labels = (noisy[:, 0] * noisy[:, 1] >= 0).astype(np.int64)
    return points, labels


def gauss(n, noise, rng, classes=2):
    """Two Gaussian clouds, class 1 around (2, 2) and class 0 around (−2, −2); noise widens them."""
    std = np.sqrt(0.5 + 7.0 * noise)
    half = n // 2
    labels = np.concatenate([np.ones(half, np.int64), np.zeros(n - half, np.int64)])
    centres = np.where(labels[:, None] == 1, 2.0, -2.0)
    return centres + rng.normal(0, std, (n, 2)), labels


def spiral(n, noise, rng, classes=2):
    """Two interleaved spiral arms, class 1 and class 0, each turning 1.75 times around the centre."""
    half = n // 2
    labels = np.concatenate([np.ones(half, np.int64), np.zeros(n - half, np.int64)])
    i = np.concatenate([np.arange(half) / half, np.arange(n - half) / (n - half)])
    r = i * 5.0
    t = 1.75 * i * 2 * np.pi + np.where(labels == 1, 0.0, np.pi)
    points = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
    return points + rng.uniform(-1, 1, (n, 2)) * noise, labels


def blobs(n, noise, rng, classes=3):
    """`classes` Gaussian clouds evenly spaced on a circle of radius 4, one class each; noise widens them."""
    labels = np.arange(n, dtype=np.int64) % classes
    angle = np.pi / 2 + 2 * np.pi * labels / classes
    centres = 4.0 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return centres + rng.normal(0, 0.5 + 2.0 * noise, (n, 2)), labels


def plane(n, noise, rng, classes=2):
    """A tilted plane: the value grows from −1 at the bottom left to +1 at the top right."""
    points = rng.uniform(-6, 6, (n, 2))
    noisy = points + rng.uniform(-6, 6, (n, 2)) * noise
    return points, np.clip(noisy.sum(axis=1) / 10.0, -1, 1)


def multi_gauss(n, noise, rng, classes=2):
    """Six bumps of value +1 or −1 on a 3×2 layout, fading to 0 between them."""
    bumps = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]])
    points = rng.uniform(-6, 6, (n, 2))
    noisy = points + rng.uniform(-6, 6, (n, 2)) * noise
    distance = np.linalg.norm(noisy[:, None, :] - bumps[None, :, :2], axis=2)
    values = bumps[None, :, 2] * np.clip(1 - distance / 2, 0, 1)
    strongest = np.abs(values).argmax(axis=1)
    return points, values[np.arange(n), strongest]


@dataclass(frozen=True)
class DatasetKind:
    """A dataset's generator and its task: 'binary', 'multiclass' or 'regression'."""

    name: str
    generate: object
    task: str


DATASETS: dict[str, DatasetKind] = {
    kind.name: kind
    for kind in (
        DatasetKind("circle", circle, "binary"),
        DatasetKind("xor", xor, "binary"),
        DatasetKind("gauss", gauss, "binary"),
        DatasetKind("spiral", spiral, "binary"),
        DatasetKind("blobs", blobs, "multiclass"),
        DatasetKind("plane", plane, "regression"),
        DatasetKind("multi_gauss", multi_gauss, "regression"),
    )
}


@dataclass(frozen=True, eq=False)
class PlaneData:
    """Points of the plane split into train and test, their labels, and what kind of task they pose."""

    name: str
    task: str
    classes: int  # 2 for binary, 3–5 for multiclass, 0 for regression
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def class_count(name: str, classes: int = 3) -> int:
    """How many classes the dataset has: 2 for binary sets, `classes` for the multi-class set, 0 for regression."""
    task = DATASETS[name].task
    return {"binary": 2, "multiclass": classes, "regression": 0}[task]


def generate(
    name: str, points: int = 500, noise: float = 0.0, train_fraction: float = 0.5, seed: int = 0, classes: int = 3
) -> PlaneData:
    """The named dataset with `points` points, shuffled with `seed` and split into train and test."""
    if name not in DATASETS:
        raise KeyError(f"unknown dataset '{name}': use one of {', '.join(DATASETS)}")
    if not MIN_POINTS <= points <= MAX_POINTS or not 0 <= noise <= MAX_NOISE or not 0 < train_fraction < 1:
        raise ValueError("points, noise or train fraction out of range")
    if not MIN_CLASSES <= classes <= MAX_CLASSES:
        raise ValueError(f"classes must be from {MIN_CLASSES} to {MAX_CLASSES}")
    rng = np.random.default_rng(seed)
    kind = DATASETS[name]
    xy, labels = kind.generate(points, noise, rng, classes)
    order = rng.permutation(points)
    xy, labels = xy[order].astype(np.float32), labels[order]
    n_train = min(points - 1, max(1, round(points * train_fraction)))
    if kind.task == "regression":
        labels = labels.astype(np.float32)
    return PlaneData(
        name, kind.task, class_count(name, classes), xy[:n_train], labels[:n_train], xy[n_train:], labels[n_train:]
    )


# ---------------------------------------------------------------- input features


FEATURES: dict[str, object] = {
    "x1": lambda p: p[:, 0],
    "x2": lambda p: p[:, 1],
    "x1sq": lambda p: p[:, 0] ** 2,
    "x2sq": lambda p: p[:, 1] ** 2,
    "x1x2": lambda p: p[:, 0] * p[:, 1],
    "sinx1": lambda p: np.sin(p[:, 0]),
    "sinx2": lambda p: np.sin(p[:, 1]),
}
FEATURE_SYMBOLS = {
    "x1": "x₁",
    "x2": "x₂",
    "x1sq": "x₁²",
    "x2sq": "x₂²",
    "x1x2": "x₁x₂",
    "sinx1": "sin(x₁)",
    "sinx2": "sin(x₂)",
}
# The same transforms as numpy source, for the code export.
FEATURE_SOURCE = {
    "x1": "p[:, 0]",
    "x2": "p[:, 1]",
    "x1sq": "p[:, 0] ** 2",
    "x2sq": "p[:, 1] ** 2",
    "x1x2": "p[:, 0] * p[:, 1]",
    "sinx1": "np.sin(p[:, 0])",
    "sinx2": "np.sin(p[:, 1])",
}


def features(points: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """The chosen input features of each point, as a float32 (n, len(names)) array."""
    if not names:
        raise ValueError("pick at least one input feature")
    unknown = [name for name in names if name not in FEATURES]
    if unknown:
        raise KeyError(f"unknown feature {unknown[0]!r}: use {', '.join(FEATURES)}")
    return np.stack([FEATURES[name](points) for name in names], axis=1).astype(np.float32)


# ---------------------------------------------------------------- targets


def output_units(task: str, classes: int, loss: str) -> int:
    """How many output neurons: one tanh neuron for regression and for binary MSE, else one softmax per class."""
    if task == "regression" or (task == "binary" and loss == "mean_squared_error"):
        return 1
    return classes


def targets(labels: np.ndarray, task: str, classes: int, loss: str) -> np.ndarray:
    """Labels encoded as the network's training targets: values, ±1, or one-hot rows."""
    if task == "regression":
        return labels.astype(np.float32).reshape(-1, 1)
    if output_units(task, classes, loss) == 1:
        return np.where(labels == 1, 1.0, -1.0).astype(np.float32).reshape(-1, 1)
    return np.eye(classes, dtype=np.float32)[labels]


def signed_score(output: np.ndarray) -> np.ndarray:
    """One number in [-1, 1] per point for a one-unit or two-class output: +1 is class 1, −1 class 0."""
    if output.shape[1] == 1:
        return output[:, 0]
    return output[:, 1] - output[:, 0]


def predicted_class(output: np.ndarray) -> np.ndarray:
    """The class each output row predicts (a one-unit output predicts 1 when positive)."""
    if output.shape[1] == 1:
        return (output[:, 0] > 0).astype(np.int64)
    return output.argmax(axis=1)


# ---------------------------------------------------------------- the plane's grid


def grid(resolution: int) -> np.ndarray:
    """Cell centres of a resolution × resolution grid over the plane, row by row from the top (x₂ = +6) down."""
    step = 2 * EXTENT / resolution
    centres = np.linspace(-EXTENT + step / 2, EXTENT - step / 2, resolution, dtype=np.float32)
    x1, x2 = np.meshgrid(centres, centres[::-1])
    return np.stack([x1.ravel(), x2.ravel()], axis=1)
