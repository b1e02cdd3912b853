"""What one layer kind is: its catalogue arguments, shape rule, weights, Keras build, code form, cost and display.

A kind never imports Keras itself: its `build` gets a Builder (playground.model's) that turns names into Keras
objects, so the Build page and the first page stay free of TensorFlow.
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from playground.catalog import Param

Shape = tuple[int, ...]
Args = Mapping[str, object]


class LayerProblem(ValueError):
    """Why a layer cannot take its input: a catalogue key of the spec messages and its values."""

    def __init__(self, code: str, **params: object):
        self.code, self.params = code, params
        super().__init__(code)


@dataclass(frozen=True)
class Inferred:
    """A layer's output shape and parameters, as Keras will count them."""

    shape: Shape
    trainable: int = 0
    non_trainable: int = 0


@dataclass(frozen=True)
class Weight:
    """One array of a layer's weights, in Keras's get_weights() order."""

    shape: Shape
    trainable: bool = True


def _no_weights(shape: Shape, args: Args) -> tuple[Weight, ...]:
    return ()


def _elementwise_cost(shape: Shape, output: Shape, args: Args) -> int:
    return math.prod(shape)


@dataclass(frozen=True)
class LayerKind:
    """One layer kind, everything the playground knows about it in one place."""

    name: str  # the Keras class name a spec uses, e.g. "Conv2D"
    family: str  # "dense", "conv", "pool", "reshape", "regularize", "normalize" or "block"
    params: tuple[Param, ...]
    # The rules below get every argument (full_args: the catalogue's defaults filled in).
    infer: Callable[[Shape, Args], Inferred]  # raises LayerProblem when the input does not suit the layer
    # (the layer's own args, name, builder) -> a function of one Keras tensor (the functional API); a composite
    # kind fills in its defaults itself (full_args), a single Keras layer keeps Keras's own.
    build: Callable
    weights: Callable[[Shape, Args], tuple[Weight, ...]] = _no_weights
    cost: Callable[[Shape, Shape, Args], int] = _elementwise_cost  # multiply-adds of one sample's forward pass
    positional: tuple[str, ...] = ()  # arguments the generated code writes without their name
    # Composite kinds: (args, input shape, call_source) -> source lines that transform the variable x with the
    # functional API; call_source(class_name, args, positional) writes one Keras layer's constructor call.
    code_lines: Callable | None = None
    needs_image: bool = False  # its input must be (height, width, channels)
    output: str = "none"  # how the Draw page shows its output: "maps", "vector" or "none"
    identity_at_inference: bool = False  # Dropout: skipped when looking for the layer that makes the class scores
    keeps_activation: bool = False  # the output keeps the previous layer's activation (for the loss warnings)
    class_scores: bool = False  # its pre-activation can be the class scores (Dense)
    new_layer: Mapping[str, object] = field(default_factory=dict)  # what the Build page adds
    colour: str = "#999999"  # in the architecture diagram
    filters: Callable | None = None  # (first weight array, model input shape) -> images (n, h, w), or None
    filter_caption: str = ""  # which caption explains those filters ("conv", "dense")
    inner: Callable[[str], tuple[tuple[str, str], ...]] = lambda name: ()  # composite: (part, Keras layer) names
    output_layer: Callable[[str], str] = lambda name: name  # the Keras layer whose output is the kind's output
    # How the Draw page explains one output value: a key of inspection.arithmetic.BY_ARITHMETIC ("": not explained;
    # a composite kind is explained part by part, each part as the registry kind its Keras layer is).
    arithmetic: str = ""

    @property
    def composite(self) -> bool:
        """True when the kind is several Keras layers (the generated code then uses the functional API)."""
        return self.code_lines is not None

    def param(self, name: str) -> Param:
        """The argument called `name`."""
        return {param.name: param for param in self.params}[name]

    def arg(self, args: Args, name: str) -> object:
        """The value of an argument: the layer's own, else the catalogue default."""
        return args[name] if name in args else self.param(name).default

    def full_args(self, args: Args) -> dict[str, object]:
        """Every argument of the kind: the layer's own values, the catalogue defaults for the rest."""
        return {**{param.name: param.default for param in self.params}, **args}


# ---------------------------------------------------------------- shape helpers the kinds share


def pair(value: object) -> tuple[int, int]:
    """(n, n) for one int, else the pair as a tuple."""
    return (value, value) if isinstance(value, int) and not isinstance(value, bool) else tuple(value)


def describe(shape: Shape) -> str:
    """A shape as people write it, e.g. '28×28×1'."""
    return "×".join(str(n) for n in shape)


def spatial_out(size: int, window: int, stride: int, padding: str) -> int:
    """The output length of a window sliding over `size` cells (Keras's rule for 'valid' and 'same')."""
    if padding == "same":
        return math.ceil(size / stride)
    return (size - window) // stride + 1


def window_shape(kind: str, shape: Shape, window: tuple[int, int], strides, padding: str, channels: int) -> Shape:
    """The output of a sliding-window layer; LayerProblem when the window does not fit."""
    height, width = shape[:2]
    strides = window if strides is None else pair(strides)
    out = (spatial_out(height, window[0], strides[0], padding), spatial_out(width, window[1], strides[1], padding))
    if min(out) < 1:
        raise LayerProblem("shrinks_to_zero", kind=kind, size=describe((height, width)), window=describe(window))
    return (*out, channels)


def keras_layer(class_name: str) -> Callable:
    """A build function that makes one Keras layer of this class from the spec's arguments."""

    def build(args: Args, name: str, builder):
        return builder.layer(class_name, name=name, **args)

    return build
