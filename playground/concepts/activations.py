"""Activation functions and their derivatives, as Keras computes them (derivatives by automatic differentiation)."""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from playground import catalog
from playground.backend import tf
from playground.model import make_activation

# The parameters a learner can change, with Keras's own defaults (keras.activations.leaky_relu, elu).
ACTIVATION_PARAMS: dict[str, tuple[catalog.Param, ...]] = {
    "leaky_relu": (catalog.Param("negative_slope", "float", 0.2, low=0.0, high=1.0),),
    "elu": (catalog.Param("alpha", "float", 1.0, low=0.0, high=3.0),),
}

# Below this slope an activation passes almost no gradient back: "flat" (saturated or dead).
FLAT_SLOPE = 0.02


@dataclass(frozen=True)
class Curve:
    """One activation over a range of inputs: values, derivatives, and where it is flat."""

    name: str
    params: Mapping[str, float]
    x: np.ndarray
    y: np.ndarray
    dy: np.ndarray

    @property
    def flat(self) -> np.ndarray:
        """True where the derivative is so small that little gradient passes back."""
        return np.abs(self.dy) < FLAT_SLOPE


def default_params(name: str) -> dict[str, float]:
    """The Keras default for each parameter the activation takes ({} when it takes none)."""
    return {param.name: param.default for param in ACTIVATION_PARAMS.get(name, ())}


def _apply(name: str, params: Mapping[str, float], x):
    function = make_activation(name, **params)
    if name == "softmax":
        # Softmax needs a vector: plot its first output for the pair of scores (x, 0); this is sigmoid(x).
        pair = tf.stack([x, tf.zeros_like(x)], axis=-1)
        return function(pair)[..., 0]
    return function(x)


def evaluate(name: str, x: np.ndarray, params: Mapping[str, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(f(x), f'(x)) of the named Keras activation, the derivative by automatic differentiation (float64)."""
    params = dict(default_params(name) | dict(params or {}))
    inputs = tf.constant(np.asarray(x, dtype=np.float64))
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        outputs = _apply(name, params, inputs)
    # Every activation here acts on each input separately, so the gradient of the sum is the derivative.
    slope = tape.gradient(outputs, inputs)
    return outputs.numpy(), slope.numpy()


def curve(name: str, low: float, high: float, params: Mapping[str, float] | None = None, points: int = 401) -> Curve:
    """The activation and its derivative on `points` evenly spaced inputs from low to high."""
    params = default_params(name) | dict(params or {})
    x = np.linspace(low, high, points)
    y, dy = evaluate(name, x, params)
    return Curve(name, params, x, y, dy)
