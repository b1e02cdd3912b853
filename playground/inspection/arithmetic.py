"""The arithmetic behind one output value, one function per way a layer computes (pure numpy, no Keras).

Each function gets the layer's arguments (catalogue defaults filled in), its input for one sample ((height, width,
channels) maps or a (units,) vector; a list of them for a sum), its own trained arrays in Keras's get_weights()
order and the output index, and returns the numbers that make the value. A layer kind names its function in
`LayerKind.arithmetic`; inspection.explain finds the arrays and says which layer they belong to.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from playground.layers.kind import pair

EPSILON = 1e-3  # keras.layers.BatchNormalization's default epsilon (the playground never changes it)
LEAKY_SLOPE = 0.2  # keras.activations.leaky_relu's default negative slope
SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805
TOP = 8  # Dense: the largest contributions listed one by one


@dataclass(frozen=True)
class Arithmetic:
    """How one value came about: what was read, what multiplied it, what was added, the activation, the result."""

    how: str  # the BY_ARITHMETIC key (or "activation", "sum" for a composite's Keras-only parts)
    computed: float  # the value this arithmetic gives (the model's own, to float precision)
    window: tuple[int, int, int, int] | None = None  # (top, left, height, width) read in the input maps
    channels: tuple[int, ...] = ()  # the input channels read
    patch: np.ndarray | None = None  # the inputs read: (h, w, c) window (0 in padding; NaN if padding is skipped)
    weights: np.ndarray | None = None  # the weights that multiply them, same shape as patch
    products: np.ndarray | None = None  # patch × weights
    units: np.ndarray | None = None  # Dense: the input units of the largest contributions, largest first
    source_index: tuple[int, ...] | None = None  # the one input value this output copies or transforms
    chosen: tuple[int, int] | None = None  # max pooling: (row, column) of the maximum inside the window
    terms: dict[str, float] = field(default_factory=dict)  # sum, bias, pre_activation, mean, variance, …
    activation: str = ""  # the activation applied last ("" or "linear": none)
    logits: np.ndarray | None = None  # softmax: the pre-activations of every unit it normalises
    probabilities: np.ndarray | None = None  # softmax: what it turns them into


# ---------------------------------------------------------------- activations, as Keras computes them


def activate(name: str | None, z: np.ndarray) -> np.ndarray:
    """The catalogue activation `name` applied to pre-activations z (softmax over the last axis)."""
    z = np.asarray(z, dtype=np.float64)
    if name in (None, "", "linear"):
        return z
    if name == "softmax":
        exp = np.exp(z - z.max(axis=-1, keepdims=True))
        return exp / exp.sum(axis=-1, keepdims=True)
    functions = {
        "relu": lambda v: np.maximum(v, 0.0),
        "sigmoid": lambda v: 1.0 / (1.0 + np.exp(-v)),
        "tanh": np.tanh,
        "elu": lambda v: np.where(v > 0, v, np.expm1(np.minimum(v, 0.0))),
        "selu": lambda v: SELU_SCALE * np.where(v > 0, v, SELU_ALPHA * np.expm1(np.minimum(v, 0.0))),
        "gelu": lambda v: 0.5 * v * (1.0 + np.vectorize(math.erf)(v / math.sqrt(2.0))),
        "silu": lambda v: v / (1.0 + np.exp(-v)),
        "leaky_relu": lambda v: np.where(v > 0, v, LEAKY_SLOPE * v),
        "softplus": lambda v: np.logaddexp(0.0, v),
    }
    return functions[name](z)


def _activated(name: str | None, z_all: np.ndarray, unit: int) -> tuple[float, dict]:
    # The activation of one unit; softmax needs every unit it normalises, so those come back too.
    out = activate(name, z_all)
    extra = {"logits": z_all, "probabilities": out} if name == "softmax" else {}
    return float(out[unit]), extra


# ---------------------------------------------------------------- windows


def pad_before(size: int, window: int, stride: int, padding: str) -> int:
    """Cells of padding before the first row (or column): TensorFlow's rule for 'same', none for 'valid'."""
    if padding != "same":
        return 0
    total = max((math.ceil(size / stride) - 1) * stride + window - size, 0)
    return total // 2


def _window(maps: np.ndarray, top: int, left: int, height: int, width: int, fill: float) -> np.ndarray:
    # The (height, width, channels) cells of maps from (top, left), `fill` where the window hangs over the edge.
    out = np.full((height, width, maps.shape[2]), fill, dtype=np.float64)
    rows = slice(max(top, 0), min(top + height, maps.shape[0]))
    cols = slice(max(left, 0), min(left + width, maps.shape[1]))
    out[rows.start - top : rows.stop - top, cols.start - left : cols.stop - left] = maps[rows, cols]
    return out


def _placed(maps: np.ndarray, args, index, window: tuple[int, int], strides) -> tuple[int, int]:
    strides = window if strides is None else pair(strides)
    row, col = index[0], index[1]
    top = row * strides[0] - pad_before(maps.shape[0], window[0], strides[0], args["padding"])
    left = col * strides[1] - pad_before(maps.shape[1], window[1], strides[1], args["padding"])
    return top, left


# ---------------------------------------------------------------- one function per way of computing


def convolution(args, x: np.ndarray, arrays, index) -> Arithmetic:
    """Conv2D: the window it sees × that filter's kernel, summed, plus the bias, through the activation."""
    kernel = np.asarray(arrays[0], dtype=np.float64)  # (kh, kw, in channels, filters)
    bias = np.asarray(arrays[1], dtype=np.float64) if len(arrays) > 1 else np.zeros(kernel.shape[-1])
    size = pair(args["kernel_size"])
    top, left = _placed(x, args, index, size, args["strides"])
    patch = _window(x, top, left, *size, fill=0.0)  # 'same' pads with zeros
    channel = index[2]
    products = patch * kernel[..., channel]
    total = float(products.sum())
    z_all = np.tensordot(patch, kernel, axes=3) + bias
    value, extra = _activated(args["activation"], z_all, channel)
    terms = {"sum": total, "bias": float(bias[channel]), "pre_activation": total + float(bias[channel])}
    return Arithmetic("convolution", value, (top, left, *size), tuple(range(x.shape[2])), patch,
                      kernel[..., channel], products, terms=terms, activation=args["activation"] or "", **extra)  # fmt: skip


def max_window(args, x: np.ndarray, arrays, index) -> Arithmetic:
    """MaxPooling2D: the largest value in the window (padding never wins)."""
    size = pair(args["pool_size"])
    top, left = _placed(x, args, index, size, args["strides"])
    channel = index[2]
    patch = _window(x[..., channel : channel + 1], top, left, *size, fill=np.nan)[..., 0]
    chosen = np.unravel_index(int(np.nanargmax(patch)), patch.shape)
    terms = {"count": float(np.count_nonzero(~np.isnan(patch)))}
    return Arithmetic("max_window", float(np.nanmax(patch)), (top, left, *size), (channel,), patch,
                      chosen=(int(chosen[0]), int(chosen[1])), terms=terms)  # fmt: skip


def mean_window(args, x: np.ndarray, arrays, index) -> Arithmetic:
    """AveragePooling2D: the mean of the window's values (padding cells are left out of the count)."""
    size = pair(args["pool_size"])
    top, left = _placed(x, args, index, size, args["strides"])
    channel = index[2]
    patch = _window(x[..., channel : channel + 1], top, left, *size, fill=np.nan)[..., 0]
    count = int(np.count_nonzero(~np.isnan(patch)))
    total = float(np.nansum(patch))
    return Arithmetic("mean_window", total / count, (top, left, *size), (channel,), patch,
                      terms={"sum": total, "count": float(count)})  # fmt: skip


def global_average(args, x: np.ndarray, arrays, index) -> Arithmetic:
    """GlobalAveragePooling2D: the mean of one whole map."""
    channel = index[0]
    values = np.asarray(x[..., channel], dtype=np.float64)
    total = float(values.sum())
    return Arithmetic("global_average", total / values.size, (0, 0, *values.shape), (channel,), values,
                      terms={"sum": total, "count": float(values.size)})  # fmt: skip


def flatten(args, x: np.ndarray, arrays, index) -> Arithmetic:
    """Flatten: the value at one (row, column, channel) of the input, read row by row."""
    where = tuple(int(i) for i in np.unravel_index(index[0], x.shape))
    window = (where[0], where[1], 1, 1) if len(where) == 3 else None
    channels = (where[2],) if len(where) == 3 else ()
    return Arithmetic("flatten", float(x[where]), window, channels, source_index=where)


def identity(args, x: np.ndarray, arrays, index) -> Arithmetic:
    """Dropout at inference: the input value passed on unchanged (units are dropped only in training)."""
    return Arithmetic("identity", float(x[tuple(index)]), _cell(x, index), _channel(x, index), source_index=index)


def normalize(args, x: np.ndarray, arrays, index) -> Arithmetic:
    """BatchNormalization at inference: γ · (x − moving mean) / √(moving variance + ε) + β."""
    gamma, beta, mean, variance = (float(np.asarray(a, dtype=np.float64)[index[-1]]) for a in arrays)
    value = float(x[tuple(index)])
    epsilon = float(args.get("epsilon", EPSILON))
    normalised = (value - mean) / math.sqrt(variance + epsilon)
    terms = {"input": value, "mean": mean, "variance": variance, "epsilon": epsilon, "gamma": gamma, "beta": beta,
             "normalised": normalised}  # fmt: skip
    return Arithmetic("normalize", gamma * normalised + beta, _cell(x, index), _channel(x, index),
                      source_index=index, terms=terms)  # fmt: skip


def dense(args, x: np.ndarray, arrays, index) -> Arithmetic:
    """Dense: every input × its weight, summed, plus the bias, through the activation; the largest listed."""
    kernel, bias = (np.asarray(a, dtype=np.float64) for a in arrays[:2])
    unit = index[0]
    inputs = np.asarray(x, dtype=np.float64)
    products = inputs * kernel[:, unit]
    order = np.argsort(-np.abs(products), kind="stable")[:TOP]
    total = float(products.sum())
    value, extra = _activated(args["activation"], inputs @ kernel + bias, unit)
    terms = {"sum": total, "bias": float(bias[unit]), "pre_activation": total + float(bias[unit]),
             "rest": total - float(products[order].sum()), "count": float(len(products))}  # fmt: skip
    return Arithmetic("dense", value, patch=inputs, weights=kernel[:, unit], products=products, units=order,
                      terms=terms, activation=args["activation"] or "", **extra)  # fmt: skip


def activation(args, x: np.ndarray, arrays, index) -> Arithmetic:
    """An activation layer (inside a composite kind): the function applied to the value before it."""
    z_all = np.asarray(x[tuple(index[:-1])], dtype=np.float64)  # every channel at this place (softmax needs them)
    value, extra = _activated(args["activation"], z_all, index[-1])
    return Arithmetic("activation", value, _cell(x, index), _channel(x, index), source_index=index,
                      terms={"pre_activation": float(z_all[index[-1]])}, activation=args["activation"], **extra)  # fmt: skip


def sum_of(args, xs: list[np.ndarray], arrays, index) -> Arithmetic:
    """An addition (a residual block's main path + skip path): the inputs' values at the same place, summed."""
    values = [float(x[tuple(index)]) for x in xs]
    terms = {f"term_{number}": value for number, value in enumerate(values)}
    return Arithmetic("sum", float(sum(values)), _cell(xs[0], index), _channel(xs[0], index), source_index=index,
                      terms=terms)  # fmt: skip


def _cell(x: np.ndarray, index) -> tuple[int, int, int, int] | None:
    return (index[0], index[1], 1, 1) if x.ndim == 3 else None


def _channel(x: np.ndarray, index) -> tuple[int, ...]:
    return (index[-1],) if x.ndim == 3 else ()


BY_ARITHMETIC = {
    "convolution": convolution,
    "max_window": max_window,
    "mean_window": mean_window,
    "global_average": global_average,
    "flatten": flatten,
    "identity": identity,
    "normalize": normalize,
    "dense": dense,
}
