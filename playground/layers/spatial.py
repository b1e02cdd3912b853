"""The layer kinds that need an image (height, width, channels): Conv2D, the poolings, GlobalAveragePooling2D."""

import math

import numpy as np

from playground.catalog import ACTIVATION, INITIALIZER, PADDING, REGULARIZER, Param
from playground.layers.kind import Inferred, LayerKind, Weight, keras_layer, pair, window_shape


def _conv_infer(shape, args) -> Inferred:
    filters = args["filters"]
    kernel = pair(args["kernel_size"])
    out = window_shape("Conv2D", shape, kernel, args["strides"], args["padding"], filters)
    return Inferred(out, kernel[0] * kernel[1] * shape[2] * filters + filters)


def _conv_weights(shape, args):
    kernel, filters = pair(args["kernel_size"]), args["filters"]
    return (Weight((*kernel, shape[-1], filters)), Weight((filters,)))


def _conv_cost(shape, output, args) -> int:
    kernel = pair(args["kernel_size"])
    return math.prod(output) * kernel[0] * kernel[1] * shape[-1]


def _conv_filters(kernel: np.ndarray, input_shape) -> np.ndarray:
    return np.moveaxis(kernel.mean(axis=2), -1, 0)  # (height, width, channels, filters) → (filters, height, width)


CONV2D = LayerKind(
    name="Conv2D",
    family="conv",
    arithmetic="convolution",
    params=(
        Param("filters", "int", 32, low=1, high=512, required=True),
        Param("kernel_size", "pair", (3, 3), low=1, high=15, required=True),  # Keras has no default size
        Param("strides", "pair", (1, 1), low=1, high=8),
        PADDING,
        ACTIVATION,
        INITIALIZER,
        REGULARIZER,
    ),
    infer=_conv_infer,
    build=keras_layer("Conv2D"),
    weights=_conv_weights,
    cost=_conv_cost,
    positional=("filters", "kernel_size"),
    needs_image=True,
    output="maps",
    new_layer={"filters": 32, "kernel_size": (3, 3), "activation": "relu"},
    colour="#0072B2",
    filters=_conv_filters,
    filter_caption="conv",
)

_POOL_PARAMS = (
    Param("pool_size", "pair", (2, 2), low=1, high=8),
    Param("strides", "pair", None, low=1, high=8),
    PADDING,
)


def _pooling(name: str, arithmetic: str) -> LayerKind:
    def infer(shape, args) -> Inferred:
        window = pair(args["pool_size"])
        return Inferred(window_shape(name, shape, window, args["strides"], args["padding"], shape[2]))

    return LayerKind(
        name=name,
        family="pool",
        arithmetic=arithmetic,
        params=_POOL_PARAMS,
        infer=infer,
        build=keras_layer(name),
        needs_image=True,
        output="maps",
        new_layer={"pool_size": (2, 2)},
        colour="#56B4E9",
    )


MAX_POOLING2D = _pooling("MaxPooling2D", "max_window")
AVERAGE_POOLING2D = _pooling("AveragePooling2D", "mean_window")

GLOBAL_AVERAGE_POOLING2D = LayerKind(
    name="GlobalAveragePooling2D",
    family="pool",
    arithmetic="global_average",
    params=(),
    infer=lambda shape, args: Inferred((shape[2],)),
    build=keras_layer("GlobalAveragePooling2D"),
    needs_image=True,
    output="vector",
    colour="#56B4E9",
)
