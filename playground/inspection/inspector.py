"""Looking inside a trained model: one compiled multi-output function per architecture, weights swapped in.

Every Keras model traced in a process leaks memory that TensorFlow never returns, so the server must
not build a model per trained weight set. Instead it keeps a few Inspectors (an LRU keyed by the
architecture), each holding a built model and its tf.functions, and assigns a trained model's
weights into it with set_weights, which retraces nothing. One call returns the probabilities, every
layer's activation and the saliency map for an image.
"""

import hashlib
import json
import os
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from playground import layers
from playground.backend import keras, tf
from playground.bundle import TrainedModel
from playground.model import build_model, keras_layers, layer_name, output_layer_name
from playground.spec import ModelSpec, layer_arg

CACHED_ARCHITECTURES = 4
# See Inspector.__init__; PLAYGROUND_XLA=0 turns it off (benchmarks/inference_memory.py measures both ways).
USE_XLA = os.environ.get("PLAYGROUND_XLA", "1") != "0"
PREDICT_BATCH = 500  # test images per compiled call when a whole test split is predicted


@dataclass(frozen=True)
class Activation:
    """One layer's output for one input: (height, width, channels) feature maps or a (units,) vector."""

    position: int  # 1-based, as on the Build page
    kind: str
    values: np.ndarray
    # A composite kind's inner Keras layers' outputs but its last (that one is `values`): (part, values) in the
    # model's order, each part named as the kind's `inner` names it (else by its Keras name after the layer's).
    parts: tuple[tuple[str, np.ndarray], ...] = field(default=())

    @property
    def is_feature_maps(self) -> bool:
        """True for a spatial output worth showing as a grid of maps."""
        return self.values.ndim == 3 and layers.get(self.kind).output == "maps"

    @property
    def is_vector(self) -> bool:
        """True for a Dense-like output worth showing as bars."""
        return self.values.ndim == 1 and layers.get(self.kind).output == "vector"


@dataclass(frozen=True)
class Inspection:
    """What the model makes of one input: class probabilities, every layer's activation, saliency."""

    probabilities: np.ndarray  # (classes,)
    activations: tuple[Activation, ...]
    saliency: np.ndarray  # (height, width): d(score of the predicted class) / d(input pixel)

    @property
    def prediction(self) -> int:
        """The most probable class."""
        return int(np.argmax(self.probabilities))


def architecture_key(spec: ModelSpec) -> str:
    """What identifies an architecture: the spec's JSON without its training settings."""
    layers = [layer.to_dict() for layer in spec.layers]
    return json.dumps({"input_shape": list(spec.input_shape), "num_classes": spec.num_classes, "layers": layers})


def _score_layer(spec: ModelSpec) -> int | None:
    """Index of the layer whose pre-activation is the class score (a Dense at the end), when there is one."""
    for index in range(len(spec.layers) - 1, -1, -1):
        kind = layers.get(spec.layers[index].kind)
        if kind.class_scores:
            return index
        if not kind.identity_at_inference:
            return None
    return None


def part_name(kind: str, name: str, keras_name: str) -> str:
    """What a composite kind calls its inner Keras layer `keras_name` (the spec layer's Keras name is `name`)."""
    named = {keras: part for part, keras in layers.get(kind).inner(name)}
    return named.get(keras_name, keras_name.removeprefix(name + "_"))


def _inner_outputs(model, spec: ModelSpec) -> list[tuple[int, str, object]]:
    # (spec layer index, part, Keras tensor) of every composite kind's inner layers but its output layer.
    found = []
    for position, layer in enumerate(spec.layers, start=1):
        if layers.get(layer.kind).composite:
            last, name = output_layer_name(position, layer), layer_name(position, layer)
            found += [(position - 1, part_name(layer.kind, name, keras_layer.name), keras_layer.output)
                      for keras_layer in keras_layers(model, position, layer) if keras_layer.name != last]  # fmt: skip
    return found


class Inspector:
    """One architecture's model and compiled functions; any trained weights of that architecture load in."""

    def __init__(self, spec: ModelSpec):
        self.spec = spec
        self.model = build_model(spec, compile=False)
        outputs = [self.model.get_layer(output_layer_name(p, layer)).output for p, layer in enumerate(spec.layers, 1)]
        # A composite kind's inner outputs come after every spec layer's, from the same one compiled call.
        inner = _inner_outputs(self.model, spec)
        self._parts = [(index, part) for index, part, _ in inner]
        self._layers_model = keras.Model(self.model.inputs[0], outputs + [tensor for _, _, tensor in inner])
        self._score_index = _score_layer(spec)
        self._lock = threading.Lock()
        self._loaded: str | None = None
        self.traces = 0  # how often a function was traced: stays 2 however many weight sets load
        signature = [tf.TensorSpec((None, *spec.input_shape), tf.float32)]
        # XLA-compiled: Streamlit runs keras.backend.clear_session() after every script run, which empties
        # TensorFlow's kernel cache and makes a plain tf.function pay ~100 ms per call to re-create kernels;
        # an XLA executable survives it (~2 ms per call).
        self._inspect = tf.function(self._inspect_graph, input_signature=signature, jit_compile=USE_XLA)
        self._predict = tf.function(self._predict_graph, input_signature=signature)

    def _scores(self, x, outputs):
        if self._score_index is None or layer_arg(self.spec.layers[self._score_index], "activation") == "linear":
            return outputs[len(self.spec.layers) - 1]
        dense = self.model.get_layer(layer_name(self._score_index + 1, self.spec.layers[self._score_index]))
        features = outputs[self._score_index - 1] if self._score_index > 0 else x
        return keras.ops.matmul(features, dense.kernel) + dense.bias

    def _inspect_graph(self, x):
        self.traces += 1  # a Python side effect: runs only while tracing
        with tf.GradientTape() as tape:
            tape.watch(x)
            outputs = self._layers_model(x, training=False)
            outputs = outputs if isinstance(outputs, list | tuple) else [outputs]
            scores = self._scores(x, outputs)
            predicted = tf.argmax(outputs[len(self.spec.layers) - 1], axis=-1)
            chosen = tf.gather(scores, predicted, batch_dims=1)
        return list(outputs), tape.gradient(chosen, x)

    def _predict_graph(self, x):
        self.traces += 1
        return self.model(x, training=False)

    def _load(self, trained: TrainedModel) -> None:
        digest = weights_digest(trained)
        if digest != self._loaded:
            self.model.set_weights(trained.weights)
            self._loaded = digest

    def warm_up(self) -> None:
        """Trace and compile the inspection function now, so the first drawing does not wait for it."""
        with self._lock:
            self._inspect(tf.zeros((1, *self.spec.input_shape), tf.float32))

    def inspect(self, trained: TrainedModel, image: np.ndarray) -> Inspection:
        """Probabilities, every layer's activation and the saliency map for one (H, W) or (H, W, C) image."""
        x = np.asarray(image, dtype=np.float32).reshape((1, *self.spec.input_shape))
        with self._lock:
            self._load(trained)
            outputs, gradient = self._inspect(tf.constant(x))
            values = [np.asarray(output)[0] for output in outputs]
            saliency = np.asarray(gradient)[0]
        count = len(self.spec.layers)
        parts: list[list] = [[] for _ in range(count)]
        for (index, part), value in zip(self._parts, values[count:], strict=True):
            parts[index].append((part, value))
        activations = tuple(
            Activation(position, layer.kind, value, tuple(inner))
            for position, (layer, value, inner) in enumerate(
                zip(self.spec.layers, values[:count], parts, strict=True), start=1
            )
        )
        saliency = saliency[..., 0] if saliency.ndim == 3 else saliency
        return Inspection(values[count - 1], activations, saliency)

    def predict(self, trained: TrainedModel, x: np.ndarray, batch: int = PREDICT_BATCH) -> np.ndarray:
        """Class probabilities (N, classes) for model inputs x (N, H, W, C), in batches."""
        x = np.asarray(x, dtype=np.float32).reshape((-1, *self.spec.input_shape))
        parts = []
        with self._lock:
            self._load(trained)
            for start in range(0, len(x), batch):
                parts.append(np.asarray(self._predict(tf.constant(x[start : start + batch]))))
        return np.concatenate(parts) if parts else np.zeros((0, self.spec.num_classes), np.float32)


_inspectors: OrderedDict[str, Inspector] = OrderedDict()
_building: dict[str, threading.Event] = {}  # architectures some thread is building right now
_inspectors_lock = threading.Lock()


def shared(spec: ModelSpec) -> Inspector:
    """The shared Inspector of this architecture, built once and kept while it is among the recent few."""
    key = architecture_key(spec)
    while True:
        with _inspectors_lock:
            found = _inspectors.get(key)
            if found is not None:
                _inspectors.move_to_end(key)
                return found
            building = _building.get(key)
            if building is None:
                _building[key] = threading.Event()
                break
        building.wait()  # another session (or the warm-up) is building it: use theirs, never build twice
    try:
        built = Inspector(spec)  # outside the lock: building takes a while and must not block other sessions
        with _inspectors_lock:
            _inspectors[key] = built
            while len(_inspectors) > CACHED_ARCHITECTURES:
                _inspectors.popitem(last=False)
        return built
    finally:
        with _inspectors_lock:
            _building.pop(key).set()


def warm_up(spec: ModelSpec) -> None:
    """Build and compile this architecture's Inspector in a background thread, ahead of the first drawing."""
    key = architecture_key(spec)
    with _inspectors_lock:
        if key in _inspectors or key in _building:
            return
    threading.Thread(target=lambda: shared(spec).warm_up(), name="inspector-warm-up", daemon=True).start()


_digests: "weakref.WeakKeyDictionary[TrainedModel, str]" = weakref.WeakKeyDictionary()


def weights_digest(trained: TrainedModel) -> str:
    """A fingerprint of the trained weights, computed once per TrainedModel."""
    digest = _digests.get(trained)
    if digest is None:
        hasher = hashlib.blake2b(digest_size=16)
        for array in trained.weights:
            hasher.update(str(array.shape).encode())
            hasher.update(np.ascontiguousarray(array, dtype=np.float32).tobytes())
        digest = _digests[trained] = hasher.hexdigest()
    return digest


def inspect(trained: TrainedModel, image: np.ndarray) -> Inspection:
    """What the trained model makes of one image: probabilities, activations, saliency (one call)."""
    return shared(trained.spec).inspect(trained, image)


def predict(trained: TrainedModel, x: np.ndarray) -> np.ndarray:
    """Class probabilities (N, classes) for model inputs (N, H, W, C)."""
    return shared(trained.spec).predict(trained, x)
