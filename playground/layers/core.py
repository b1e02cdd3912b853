"""The layer kinds that work on any shape: Dense, Flatten, Dropout and BatchNormalization."""

import math

import numpy as np

from playground.catalog import ACTIVATION, INITIALIZER, REGULARIZER, Param
from playground.layers.kind import Inferred, LayerKind, LayerProblem, Weight, describe, keras_layer


def _dense_infer(shape, args) -> Inferred:
    if len(shape) != 1:
        raise LayerProblem("dense_needs_flat", kind="Dense", shape=describe(shape))
    units = args["units"]
    return Inferred((units,), shape[0] * units + units)


def _dense_weights(shape, args):
    units = args["units"]
    return (Weight((shape[-1], units)), Weight((units,)))


def _dense_cost(shape, output, args) -> int:
    return shape[-1] * output[-1]


def _dense_filters(kernel: np.ndarray, input_shape) -> np.ndarray | None:
    # Each unit's weights over the flattened image, shown as an image: only when the layer sees the image itself.
    if kernel.shape[0] != math.prod(input_shape) or len(input_shape) != 3:
        return None
    return kernel.T.reshape((-1, *input_shape)).mean(axis=-1)


DENSE = LayerKind(
    name="Dense",
    family="dense",
    arithmetic="dense",
    params=(Param("units", "int", 64, low=1, high=4096, required=True), ACTIVATION, INITIALIZER, REGULARIZER),
    infer=_dense_infer,
    build=keras_layer("Dense"),
    weights=_dense_weights,
    cost=_dense_cost,
    positional=("units",),
    output="vector",
    class_scores=True,
    new_layer={"units": 64, "activation": "relu"},
    colour="#D55E00",
    filters=_dense_filters,
    filter_caption="dense",
)

FLATTEN = LayerKind(
    name="Flatten",
    family="reshape",
    arithmetic="flatten",
    params=(),
    infer=lambda shape, args: Inferred((math.prod(shape),)),
    build=keras_layer("Flatten"),
    colour="#F0E442",
)

DROPOUT = LayerKind(
    name="Dropout",
    family="regularize",
    arithmetic="identity",
    params=(Param("rate", "float", 0.25, low=0.0, high=0.95, required=True),),  # Keras has no default rate
    infer=lambda shape, args: Inferred(shape),
    build=keras_layer("Dropout"),
    positional=("rate",),
    identity_at_inference=True,
    keeps_activation=True,
    new_layer={"rate": 0.25},
    colour="#CC79A7",
)


def _batch_norm_weights(shape, args):
    channels = (shape[-1],)  # gamma, beta, then the moving mean and variance
    return (Weight(channels), Weight(channels), Weight(channels, False), Weight(channels, False))


BATCH_NORMALIZATION = LayerKind(
    name="BatchNormalization",
    family="normalize",
    arithmetic="normalize",
    params=(),
    infer=lambda shape, args: Inferred(shape, 2 * shape[-1], 2 * shape[-1]),
    build=keras_layer("BatchNormalization"),
    weights=_batch_norm_weights,
    output="maps",
    keeps_activation=True,
    colour="#009E73",
)
