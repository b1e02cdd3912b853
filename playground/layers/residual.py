"""The residual block: two 3×3 convolutions with batch normalisation, and the input added back (ResNet's idea).

    x ─┬─ Conv2D 3×3 ─ BatchNorm ─ ReLU ─ Conv2D 3×3 ─ BatchNorm ─┬─ Add ─ ReLU ─→
       └──────────── (1×1 Conv2D when the shape changes) ────────┘

With `skip` off it is the same two convolutions without the path around them (the "plain" network a ResNet is
compared with). Built from Keras's own layers with the functional API, so a saved model needs no custom objects.
"""

import math

from playground.catalog import ACTIVATIONS, Param
from playground.layers.kind import Inferred, LayerKind, Weight, pair, spatial_out

# Keras's 0.99 lets the statistics used for predictions lag for hundreds of steps; the lessons here are a few
# epochs of a few thousand digits, so they follow faster.
MOMENTUM = 0.9
PARTS = ("conv1", "bn1", "act1", "conv2", "bn2", "skip", "add", "out")  # Keras layer name suffixes


def _out_shape(shape, args) -> tuple[int, int, int]:
    strides = pair(args["strides"])
    return (spatial_out(shape[0], 3, strides[0], "same"), spatial_out(shape[1], 3, strides[1], "same"), args["filters"])


def projects(shape, args) -> bool:
    """True when the skip path needs a 1×1 convolution: the block changes the channels or the size."""
    return bool(args["skip"]) and (shape[-1] != args["filters"] or pair(args["strides"]) != (1, 1))


def _weights(shape, args) -> tuple[Weight, ...]:
    channels, filters = shape[-1], args["filters"]

    def batch_norm():
        return (Weight((filters,)), Weight((filters,)), Weight((filters,), False), Weight((filters,), False))

    weights = (Weight((3, 3, channels, filters)), Weight((filters,)), *batch_norm())
    weights += (Weight((3, 3, filters, filters)), Weight((filters,)), *batch_norm())
    if projects(shape, args):
        weights += (Weight((1, 1, channels, filters)), Weight((filters,)))
    return weights


def _infer(shape, args) -> Inferred:
    weights = _weights(shape, args)
    trainable = sum(math.prod(w.shape) for w in weights if w.trainable)
    frozen = sum(math.prod(w.shape) for w in weights if not w.trainable)
    return Inferred(_out_shape(shape, args), trainable, frozen)


def _cost(shape, output, args) -> int:
    per_pixel = 9 * shape[-1] * args["filters"] + 9 * args["filters"] ** 2
    skip = shape[-1] * args["filters"] if projects(shape, args) else 0
    return math.prod(output[:2]) * (per_pixel + skip + 8 * args["filters"])


def _build(args, name, builder):
    args = RESIDUAL_BLOCK.full_args(args)

    def apply(x):
        filters, strides, activation = args["filters"], pair(args["strides"]), args["activation"]
        y = builder.layer(
            "Conv2D", filters=filters, kernel_size=3, strides=strides, padding="same", name=f"{name}_conv1"
        )(x)
        y = builder.layer("BatchNormalization", momentum=MOMENTUM, name=f"{name}_bn1")(y)
        y = builder.layer("Activation", activation=activation, name=f"{name}_act1")(y)
        y = builder.layer("Conv2D", filters=filters, kernel_size=3, padding="same", name=f"{name}_conv2")(y)
        y = builder.layer("BatchNormalization", momentum=MOMENTUM, name=f"{name}_bn2")(y)
        if args["skip"]:
            shortcut = x
            if projects(tuple(x.shape[1:]), args):
                shortcut = builder.layer(
                    "Conv2D", filters=filters, kernel_size=1, strides=strides, name=f"{name}_skip"
                )(x)
            y = builder.layer("Add", name=f"{name}_add")([y, shortcut])
        return builder.layer("Activation", activation=activation, name=f"{name}_out")(y)

    return apply


def _code_lines(args, shape, call) -> list[str]:
    filters, strides, activation = args["filters"], pair(args["strides"]), args["activation"]
    first = {"kernel_size": (3, 3), "padding": "same"} | ({"strides": strides} if strides != (1, 1) else {})
    lines = ["shortcut = x"] if args["skip"] else []
    lines += [
        f"x = {call('Conv2D', {'filters': filters, **first}, ('filters', 'kernel_size'))}(x)",
        f"x = {call('BatchNormalization', {'momentum': MOMENTUM})}(x)",
        f"x = {call('Activation', {'activation': activation}, ('activation',))}(x)",
        f"x = {call('Conv2D', {'filters': filters, 'kernel_size': (3, 3), 'padding': 'same'}, ('filters', 'kernel_size'))}(x)",
        f"x = {call('BatchNormalization', {'momentum': MOMENTUM})}(x)",
    ]
    if projects(shape, args):
        skip = {"filters": filters, "kernel_size": (1, 1)} | ({"strides": strides} if strides != (1, 1) else {})
        lines.append(f"shortcut = {call('Conv2D', skip, ('filters', 'kernel_size'))}(shortcut)  # match the shape")
    if args["skip"]:
        lines.append(f"x = {call('Add', {})}([x, shortcut])")
    return [*lines, f"x = {call('Activation', {'activation': activation}, ('activation',))}(x)"]


RESIDUAL_BLOCK = LayerKind(
    name="ResidualBlock",
    family="block",
    params=(
        Param("filters", "int", 16, low=1, high=256, required=True),
        Param("strides", "pair", (1, 1), low=1, high=2),
        Param("skip", "bool", True),
        Param("activation", "activation", "relu", choices=ACTIVATIONS),
    ),
    infer=_infer,
    build=_build,
    weights=_weights,
    cost=_cost,
    code_lines=_code_lines,
    needs_image=True,
    output="maps",
    new_layer={"filters": 16},
    colour="#E69F00",
    inner=lambda name: tuple((part, f"{name}_{part}") for part in PARTS),
    output_layer=lambda name: f"{name}_out",
)
