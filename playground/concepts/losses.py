"""Loss functions as Keras computes them: values and gradients for a classification and a regression example."""

import threading
from dataclasses import dataclass

import numpy as np

from playground.backend import keras, tf
from playground.model import make_loss

CLASSIFICATION_LOSSES = ("mean_squared_error", "mean_absolute_error", "categorical_crossentropy", "categorical_hinge")
REGRESSION_LOSSES = ("mean_squared_error", "mean_absolute_error")
NUM_CLASSES = 10
# Keras clips probabilities to [epsilon, 1 - epsilon] inside cross-entropy; curves start just above it.
LOWEST_PROBABILITY = 1e-3


def spread_vector(p_true: float, true_class: int, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """A probability vector with p_true on the true class and the rest shared equally by the others."""
    rest = (1.0 - p_true) / (num_classes - 1)
    vector = np.full(num_classes, rest)
    vector[true_class] = p_true
    return vector


def normalise(weights) -> np.ndarray:
    """Non-negative weights scaled to sum to one (uniform when they are all zero)."""
    weights = np.clip(np.asarray(weights, dtype=np.float64), 0.0, None)
    total = weights.sum()
    return weights / total if total > 0 else np.full(len(weights), 1.0 / len(weights))


def one_hot(true_class: int, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """The target vector: 1 on the true class, 0 elsewhere."""
    return np.eye(num_classes)[true_class]


@dataclass(frozen=True)
class LossPoint:
    """One loss at one prediction: its value and its gradient with respect to each predicted probability."""

    name: str
    value: float
    gradient: np.ndarray


def loss_points(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, LossPoint]:
    """Every classification loss's value and gradient for one prediction, by loss name."""
    target = tf.constant(np.asarray(y_true, dtype=np.float64)[None])
    points = {}
    for name in CLASSIFICATION_LOSSES:
        prediction = tf.constant(np.asarray(y_pred, dtype=np.float64)[None])
        with tf.GradientTape() as tape:
            tape.watch(prediction)
            value = make_loss(name)(target, prediction)[0]
        points[name] = LossPoint(name, float(value), tape.gradient(value, prediction).numpy()[0])
    return points


def loss_along_spread(true_class: int, probabilities: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per loss: (values, d loss / d p_true) as the true class's probability p_true sweeps `probabilities`.

    The other classes share 1 - p_true equally, so each value is the loss of spread_vector(p_true).
    """
    p = tf.constant(np.asarray(probabilities, dtype=np.float64))
    target = tf.constant(np.tile(one_hot(true_class), (len(probabilities), 1)))
    curves = {}
    for name in CLASSIFICATION_LOSSES:
        with tf.GradientTape() as tape:
            tape.watch(p)
            vector = target * p[:, None] + (1.0 - target) * ((1.0 - p[:, None]) / (NUM_CLASSES - 1))
            values = make_loss(name)(target, vector)
        # Each row depends on its own p only, so the gradient of the sum is the per-row derivative.
        curves[name] = (values.numpy(), tape.gradient(values, p).numpy())
    return curves


# --- regression: a straight line through points, one of which the learner drags away ---

REGRESSION_SEED = 3
REGRESSION_POINTS = 12
TRUE_SLOPE, TRUE_INTERCEPT = 0.8, 1.0
OUTLIER_X = 8.5
FIT_STEPS = 3000


def regression_data(outlier_y: float, seed: int = REGRESSION_SEED) -> tuple[np.ndarray, np.ndarray]:
    """(x, y): points near y = 0.8 x + 1 and a last point at x = 8.5 whose y is outlier_y."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0.0, 10.0, REGRESSION_POINTS - 1)
    y = TRUE_SLOPE * x + TRUE_INTERCEPT + rng.normal(0.0, 0.4, x.shape)
    return np.append(x, OUTLIER_X), np.append(y, outlier_y)


def line_loss(name: str, x, y, line) -> tf.Tensor:
    """The named Keras loss of the line (slope, intercept) over the points."""
    prediction = line[0] * x + line[1]
    return make_loss(name)(y[None], prediction[None])[0]


class _CompiledFit:
    """Adam fitting a line under one loss, traced once and reset for each new set of points.

    Every traced graph stays in memory for good, so fits reuse this object instead of tracing again.
    """

    def __init__(self, name: str, steps: int = FIT_STEPS):
        self.name = name
        self.line = keras.Variable(np.zeros(2, np.float32), dtype="float32")
        # A decaying rate: large steps to find the valley, tiny ones so MAE's constant-size gradient settles.
        schedule = keras.optimizers.schedules.ExponentialDecay(0.2, decay_steps=steps // 6, decay_rate=0.3)
        self.optimizer = keras.optimizers.Adam(learning_rate=schedule)
        self.optimizer.build([self.line])
        self.fresh = [variable.numpy() for variable in self.optimizer.variables]
        self.lock = threading.Lock()  # sessions are threads: one fit at a time on these variables
        points = tf.TensorSpec([None], tf.float32)
        self.loop = tf.function(self._fit).get_concrete_function(points, points, tf.TensorSpec([], tf.int32))

    def _fit(self, x, y, count):
        for _ in tf.range(count):
            with tf.GradientTape() as tape:
                loss = line_loss(self.name, x, y, self.line.value)
            self.optimizer.apply_gradients([(tape.gradient(loss, self.line.value), self.line)])
        return self.line.value

    def run(self, x: np.ndarray, y: np.ndarray, steps: int) -> tuple[float, float]:
        """(slope, intercept) after `steps` Adam steps from a flat line through the mean."""
        with self.lock:
            for variable, value in zip(self.optimizer.variables, self.fresh, strict=True):
                variable.assign(value)
            self.line.assign(np.array([0.0, np.mean(y)], np.float32))
            slope, intercept = self.loop(tf.constant(x, tf.float32), tf.constant(y, tf.float32), tf.constant(steps))
            return float(slope), float(intercept)


_COMPILED: dict[str, _CompiledFit] = {}
_COMPILING = threading.Lock()


def fit_line(name: str, x: np.ndarray, y: np.ndarray, steps: int = FIT_STEPS) -> tuple[float, float]:
    """(slope, intercept) minimising the named loss, found by keras.optimizers.Adam in one compiled loop."""
    with _COMPILING:
        if name not in _COMPILED:
            _COMPILED[name] = _CompiledFit(name)
    return _COMPILED[name].run(np.asarray(x), np.asarray(y), steps)


def point_pulls(name: str, x: np.ndarray, y: np.ndarray, line: tuple[float, float]) -> np.ndarray:
    """How hard each point pulls on the fitted line: |d loss / d prediction| per point (automatic differentiation)."""
    prediction = tf.constant(line[0] * np.asarray(x, np.float64) + line[1])
    target = tf.constant(np.asarray(y, np.float64))
    with tf.GradientTape() as tape:
        tape.watch(prediction)
        loss = make_loss(name)(target[None], prediction[None])[0]
    return np.abs(tape.gradient(loss, prediction).numpy())
