"""Models with random weights beside the plain Keras models that hold the same weights: the reference to compare with."""

import numpy as np

from playground import bundle
from playground.backend import keras
from playground.model import build_model
from playground.spec import LayerSpec, ModelSpec


def trained_for(spec: ModelSpec, seed: int = 0) -> tuple[bundle.TrainedModel, keras.Model]:
    """A TrainedModel with fresh random weights and the plain Keras model that holds the same weights."""
    keras.utils.set_random_seed(seed)
    model = build_model(spec, compile=False)
    return bundle.TrainedModel(spec, tuple(model.get_weights())), model


def image(seed: int = 0) -> np.ndarray:
    """A random 28×28 image in [0, 1)."""
    return np.random.default_rng(seed).random((28, 28)).astype(np.float32)


def tiny_spec(units: int) -> ModelSpec:
    """A small MLP; a different `units` makes a different architecture."""
    layers = (LayerSpec("Flatten"), LayerSpec("Dense", {"units": units, "activation": "relu"}),
              LayerSpec("Dense", {"units": 10, "activation": "softmax"}))  # fmt: skip
    return ModelSpec((28, 28, 1), 10, layers)
