"""How was this number computed: the arithmetic behind any activation the Draw page shows, for any registry kind.

Everything comes from what the one compiled call already returned (an Inspection: every layer's output, a composite
kind's inner outputs too) and the layer's trained arrays (weights.by_layer): a layer's input is the previous layer's
output, or the image. The kind's `arithmetic` names the numpy function that recomputes one value
(inspection.arithmetic); a composite kind is opened up part by part: its build function is run with a recorder in
place of Keras, which tells each inner layer's class, arguments and inputs, and each part is explained as the
registry kind its Keras layer is.
"""

from dataclasses import dataclass

import numpy as np

from playground import layers
from playground.bundle import TrainedModel
from playground.inspection import arithmetic, weights
from playground.inspection.arithmetic import Arithmetic
from playground.inspection.inspector import Inspection, part_name
from playground.model import layer_name, output_layer_name

# The Keras layers a composite kind may use beside registry kinds, and how each computes.
KERAS_ONLY = {"Activation": arithmetic.activation, "Add": arithmetic.sum_of}


@dataclass(frozen=True)
class Source:
    """An array one value is computed from: a spec layer's output (position 0: the model's input) or a part of it."""

    position: int
    part: str = ""


@dataclass(frozen=True)
class Target:
    """One output a learner can ask about: a spec layer's, or an inner part of a composite one."""

    position: int  # 1-based spec layer
    kind: str
    part: str  # "" for the layer's own output
    shape: tuple[int, ...]


@dataclass(frozen=True)
class Explanation:
    """The arithmetic behind one output value, beside the model's own value."""

    target: Target
    index: tuple[int, ...]  # (row, column, channel) or (unit,), 0-based
    value: float  # what the model computed there (the Inspection's number)
    sources: tuple[Source, ...]  # the arrays the arithmetic reads, in its order (a sum: main path, then skip)
    numbers: Arithmetic
    output: bool = False  # the model's last layer: its values are the probabilities shown


@dataclass(frozen=True)
class _Part:
    class_name: str
    name: str  # its Keras layer name
    args: dict
    inputs: tuple[str, ...]  # Keras names of the layers feeding it ("" : the composite's input)


class _Symbol:
    """Stands in for a Keras tensor while a composite kind's build is recorded."""

    def __init__(self, name: str, shape: tuple | None):
        self.name, self.shape = name, shape


class _Recorder:
    """Stands in for model.Builder: records every Keras layer a composite kind builds and what feeds it."""

    def __init__(self):
        self.parts: list[_Part] = []

    def layer(self, class_name: str, **args):
        """A callable that records this layer when it is applied to a symbol (or a list of them)."""
        name = args.pop("name")

        def call(inputs):
            given = inputs if isinstance(inputs, list | tuple) else [inputs]
            self.parts.append(_Part(class_name, name, args, tuple(symbol.name for symbol in given)))
            return _Symbol(name, None)  # only the composite's input has a known shape

        return call


def targets(inspection: Inspection) -> tuple[Target, ...]:
    """Every output that can be explained, in the model's order: each layer, then a composite's parts."""
    found = []
    for a in inspection.activations:
        found.append(Target(a.position, a.kind, "", a.values.shape))
        found += [Target(a.position, a.kind, part, values.shape) for part, values in a.parts]
    return tuple(found)


def values_of(source: Source, image: np.ndarray, inspection: Inspection) -> np.ndarray:
    """The array a source names: the model's input (height, width, channels), a layer's output or a part's."""
    if source.position == 0:
        return image
    activation = inspection.activations[source.position - 1]
    return dict(activation.parts)[source.part] if source.part else activation.values


def explain(
    trained: TrainedModel, image: np.ndarray, inspection: Inspection, position: int, index, part: str = ""
) -> Explanation | None:
    """How the value at `index` of layer `position` (or of its inner `part`) was computed; None when its kind has no
    arithmetic to show. `image` is the input the inspection was made from; IndexError for an index off the array."""
    spec = trained.spec
    layer = spec.layers[position - 1]
    kind = layers.get(layer.kind)
    image = np.asarray(image, dtype=np.float32).reshape(spec.input_shape)
    target = next(t for t in targets(inspection) if (t.position, t.part) == (position, part))
    index = tuple(int(i) for i in index)
    if len(index) != len(target.shape) or not all(0 <= i < n for i, n in zip(index, target.shape, strict=True)):
        raise IndexError(f"{index} is outside {target.shape}")
    value = float(values_of(Source(position, part), image, inspection)[index])
    arrays = weights.by_layer(trained)[position - 1]
    previous = Source(position - 1)
    if kind.composite:
        found = _explain_part(trained, image, inspection, position, part, index, arrays)
        if found is None:
            return None
        sources, numbers = found
    elif kind.arithmetic in arithmetic.BY_ARITHMETIC:
        x = values_of(previous, image, inspection)
        sources, numbers = (previous,), arithmetic.BY_ARITHMETIC[kind.arithmetic](kind.full_args(layer.args), x,
                                                                                  arrays, index)  # fmt: skip
    else:
        return None
    return Explanation(target, index, value, sources, numbers, output=position == len(spec.layers) and not part)


def _explain_part(trained, image, inspection, position: int, part: str, index, arrays):
    # A composite kind's part (its output layer for part ""): recorded from the kind's build, then explained as the
    # registry kind (or Keras-only layer) it is, its arrays cut from the layer's by the registry's weight shapes.
    layer = trained.spec.layers[position - 1]
    kind, name, last = layers.get(layer.kind), layer_name(position, layer), output_layer_name(position, layer)
    x = values_of(Source(position - 1), image, inspection)

    def source(keras: str) -> Source:
        if keras == "":
            return Source(position - 1)
        return Source(position) if keras == last else Source(position, part_name(layer.kind, name, keras))

    recorder = _Recorder()
    kind.build(dict(layer.args), name, recorder)(_Symbol("", (None, *x.shape)))
    start = 0
    for recorded in recorder.parts:
        sources = tuple(source(keras) for keras in recorded.inputs)
        inputs = [values_of(s, image, inspection) for s in sources]
        registered = layers.REGISTRY.get(recorded.class_name)
        args = registered.full_args(recorded.args) if registered else dict(recorded.args)
        count = len(registered.weights(inputs[0].shape, args)) if registered else 0
        if source(recorded.name) == Source(position, part):
            own = tuple(arrays[start : start + count])
            if registered is not None:
                function, given = arithmetic.BY_ARITHMETIC.get(registered.arithmetic), inputs[0]
            else:
                function, given = KERAS_ONLY.get(recorded.class_name), inputs if len(inputs) > 1 else inputs[0]
            return None if function is None else (sources, function(args, given, own, index))
        start += count
    return None
