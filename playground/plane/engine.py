"""The Keras side of the 2-D playground: compiled engines that train any playground network, frame by frame.

Why not one Keras model per architecture, as one would write it: measured in this server process,
- Streamlit clears TensorFlow's kernel cache after every run, fragment runs included, so a plain tf.function
  training loop re-instantiates its kernels on every frame (~0.5 s a frame);
- an XLA-compiled function survives that (~20 ms a frame), but its executable is never freed: ~14 MB for each
  architecture a learner tries (561 → 1,483 MB over 60), with or without a least-recently-used cache.
So an `Engine` is the largest playground network (7 inputs, 6 hidden layers of 16, 5 outputs) whose unused
neurons, layers and features are masked out: masked weights get zero gradients and stay out of every sum, which
makes its arithmetic that of the smaller network (tests hold it equal to `model.fit` on the Keras model the spec
builds). Activations, the loss, the optimizer and its update rule are Keras's, through playground.model. One engine
is compiled per optimizer, once per process, and is shared: a session's weights and optimizer state are plain
arrays it owns, loaded into a free engine for one frame and read back after. Changing the architecture costs no
compilation, and memory stays flat however many networks and sessions come and go.
"""

import gc
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from playground import layers
from playground import model as models
from playground.backend import keras, tf
from playground.plane import data as plane
from playground.plane.settings import HIDDEN_ACTIVATIONS, MAX_LAYERS, MAX_NEURONS
from playground.spec import ModelSpec, OptimizerSpec, check, layer_arg

WIDTH = MAX_NEURONS  # every layer of the engine is this wide; features fill the first slots of the input
DEPTH = MAX_LAYERS
MAX_OUTPUTS = plane.MAX_CLASSES
MAX_FEATURES = len(plane.FEATURES)
CAPACITY = plane.MAX_POINTS  # rows of the padded train and test sets
MAX_BATCH = 30
ENGINES_PER_OPTIMIZER = 2  # a second session training with the same optimizer at the same moment gets its own

# Streamlit runs two full garbage collections after every run, fragment runs included (clear_session and
# runner.postScriptGC): with TensorFlow's ~400,000 objects loaded, ~0.1–0.4 s a frame. The objects alive when this
# module is first imported are mostly TensorFlow's, Keras's and the app's modules, which live as long as the
# process: moving them out of the collector's sight makes those collections cost next to nothing. (Anything else
# alive at that moment is never collected: a one-time, bounded cost. The app could do this once at start-up.)
gc.collect()
gc.freeze()


@dataclass(frozen=True)
class Architecture:
    """What the engine needs to know of a playground network spec."""

    features: int
    hidden: tuple[tuple[int, str], ...]
    outputs: int
    output_activation: str  # "tanh" (one output) or "softmax"
    loss: str
    optimizer: str
    l1: float = 0.0
    l2: float = 0.0
    dropout: float = 0.0


def architecture(spec: ModelSpec) -> Architecture:
    """The playground architecture a (validated) spec describes; ValueError when it is not one."""
    check(spec)
    families = [layers.get(layer.kind).family for layer in spec.layers]
    dense = [layer for layer, family in zip(spec.layers, families, strict=True) if family == "dense"]
    others = set(families) - {"dense", "regularize"}
    dropouts = {
        layer_arg(layer, "rate") for layer, family in zip(spec.layers, families, strict=True) if family == "regularize"
    }
    regularizers = {repr(layer_arg(layer, "kernel_regularizer")) for layer in dense}
    features, hidden = spec.input_shape[0], [(layer_arg(x, "units"), layer_arg(x, "activation")) for x in dense[:-1]]
    output = dense[-1]
    output_activation = layer_arg(output, "activation")
    if (
        others or len(dropouts) > 1 or len(regularizers) > 1 or len(spec.input_shape) != 1
        or not 1 <= features <= MAX_FEATURES or len(hidden) > DEPTH
        or any(units > WIDTH or activation not in HIDDEN_ACTIVATIONS for units, activation in hidden)
        or output_activation not in ("tanh", "softmax") or spec.num_classes > MAX_OUTPUTS
        or (output_activation == "tanh") != (spec.num_classes == 1)
    ):  # fmt: skip
        raise ValueError("not a 2-D playground network: Dense layers (≤ 6 × 16) with Dropout, a tanh or softmax output")
    regularizer = layer_arg(output, "kernel_regularizer") or {}
    return Architecture(
        features, tuple(hidden), spec.num_classes, output_activation, spec.loss, spec.optimizer.kind,
        float(regularizer.get("l1", 0.0)), float(regularizer.get("l2", 0.0)), float(next(iter(dropouts), 0.0)),
    )  # fmt: skip


def layer_sizes(arch: Architecture) -> list[int]:
    """Units of each layer from the inputs to the outputs."""
    return [arch.features, *(units for units, _ in arch.hidden), arch.outputs]


def initial_weights(arch: Architecture, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Keras's default start for each Dense layer: Glorot-uniform kernel, zero bias (numpy, reproducible by seed)."""
    rng = np.random.default_rng(seed)
    sizes = layer_sizes(arch)
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        weights.append(
            (rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32), np.zeros(fan_out, np.float32))
        )
    return weights


def configuration(arch: Architecture, feature_slots: list[int], learning_rate: float) -> dict:
    """The masks and switches that make the engine compute this architecture, as tensors."""
    units = np.zeros((DEPTH + 1, WIDTH), np.float32)
    units[0, feature_slots] = 1
    activations = np.zeros((DEPTH, len(HIDDEN_ACTIVATIONS)), np.float32)  # one-hot per layer
    for index, (width, activation) in enumerate(arch.hidden):
        units[index + 1, :width] = 1
        activations[index, HIDDEN_ACTIVATIONS.index(activation)] = 1
    outputs = np.zeros(MAX_OUTPUTS, np.float32)
    outputs[: arch.outputs] = 1
    values = {
        "units": units, "activations": activations, "depth": np.int32(len(arch.hidden)), "outputs": outputs,
        "softmax": np.float32(arch.output_activation == "softmax"),
        "cross_entropy": np.float32(arch.loss == "categorical_crossentropy"),
        "l1": np.float32(arch.l1), "l2": np.float32(arch.l2), "dropout": np.float32(arch.dropout),
        "learning_rate": np.float32(learning_rate),
    }  # fmt: skip
    return {name: tf.constant(value) for name, value in values.items()}


class Engine:
    """The largest playground network and one Keras optimizer, with a compiled training loop and evaluation."""

    def __init__(self, optimizer: str):
        # The hidden layers' weights stacked, so that one loop body (compiled once) runs every layer.
        self.kernels = keras.Variable(np.zeros((DEPTH, WIDTH, WIDTH), np.float32), name="hidden_kernels")
        self.biases = keras.Variable(np.zeros((DEPTH, WIDTH), np.float32), name="hidden_biases")
        self.output_kernel = keras.Variable(np.zeros((WIDTH, MAX_OUTPUTS), np.float32), name="output_kernel")
        self.output_bias = keras.Variable(np.zeros(MAX_OUTPUTS, np.float32), name="output_bias")
        self.weights = [self.kernels, self.biases, self.output_kernel, self.output_bias]
        self.optimizer = models.make_optimizer(OptimizerSpec(optimizer, {"learning_rate": 0.01}))
        self.optimizer.build(self.weights)
        learning_rate = getattr(self.optimizer, "_learning_rate", None)
        self._optimizer_state = [v for v in self.optimizer.variables if v is not learning_rate]
        self._optimizer_start = [np.array(v.numpy()) for v in self._optimizer_state]
        self._rng = tf.random.Generator.from_seed(0)
        self._activations = [models.make_activation(name) for name in HIDDEN_ACTIVATIONS]
        self._cross_entropy = models.make_loss("categorical_crossentropy")
        self._squared_error = models.make_loss("mean_squared_error")
        self._state = [*self.weights, *self._optimizer_state, self._rng.state]
        # One XLA-compiled call per frame, state in and state out: its executable survives Streamlit's kernel-cache
        # clearing (see the module docstring), and no eager op runs between frames (each would pay that clearing).
        self._frame = tf.function(self._frame_graph, jit_compile=True)

    # ------------------------------------------------------------ the network

    def _forward(self, x, config, training: bool):
        """(output, softmax probabilities, every hidden layer's output) of the masked network for x (rows, WIDTH)."""
        units = config["units"]
        first = x * units[0]
        hidden = tf.TensorArray(tf.float32, size=DEPTH)
        h = first
        for layer in tf.range(DEPTH):
            kernel = self.kernels[layer] * (units[layer][:, None] * units[layer + 1][None, :])
            z = tf.matmul(h, kernel) + self.biases[layer] * units[layer + 1]
            # Every activation, weighted by a one-hot choice: straight-line code compiles far faster than a
            # switch, and 0 × (any finite value) adds exactly nothing.
            choice = config["activations"][layer]
            h = tf.add_n([choice[k] * f(z) for k, f in enumerate(self._activations)]) * units[layer + 1]
            if training:  # Keras's Dropout: drop with probability `rate`, scale the rest by 1 / (1 − rate)
                keep = tf.cast(self._rng.uniform(tf.shape(h)) >= config["dropout"], tf.float32)
                h = h * keep / (1.0 - config["dropout"])
            hidden = hidden.write(layer, h)
        layers = hidden.stack()
        depth = config["depth"]
        last = tf.gather(tf.concat([first[None], layers], axis=0), depth)
        kernel = self.output_kernel * (tf.gather(units, depth)[:, None] * config["outputs"][None, :])
        logits = tf.matmul(last, kernel) + self.output_bias * config["outputs"]
        probabilities = tf.nn.softmax(logits + (1.0 - config["outputs"]) * -1e9)
        output = tf.where(config["softmax"] > 0, probabilities, tf.tanh(logits) * config["outputs"])
        return output, probabilities, layers

    def _row_losses(self, y, output, probabilities, config):
        # Keras's own loss functions; cross-entropy reads the softmax's logits as it does for a Keras model.
        cross_entropy = self._cross_entropy(y, probabilities)
        squared = self._squared_error(y, output) * MAX_OUTPUTS / tf.reduce_sum(config["outputs"])
        return tf.where(config["cross_entropy"] > 0, cross_entropy, squared)

    def _penalty(self, config):
        # Keras's L1L2 kernel regularizer on every Dense layer, counting only the weights the network has.
        units = config["units"]
        hidden = self.kernels * (units[:-1][:, :, None] * units[1:][:, None, :])
        output = self.output_kernel * (tf.gather(units, config["depth"])[:, None] * config["outputs"][None, :])
        total = tf.constant(0.0)
        for kernel in (hidden, output):
            total += config["l1"] * tf.reduce_sum(tf.abs(kernel)) + config["l2"] * tf.reduce_sum(tf.square(kernel))
        return total

    def _step(self, x, y, rows, config):
        with tf.GradientTape() as tape:
            output, probabilities, _ = self._forward(x, config, training=True)
            losses = self._row_losses(y, output, probabilities, config)
            loss = tf.reduce_sum(losses * rows) / tf.reduce_sum(rows) + self._penalty(config)
        gradients = tape.gradient(loss, self.weights)
        optimizer, learning_rate = self.optimizer, self.optimizer.learning_rate
        if optimizer.weight_decay is not None:  # AdamW: what Keras applies before the update
            decay = optimizer.weight_decay * tf.cast(learning_rate, tf.float32)
            for variable in self.weights:
                variable.assign(variable - variable * decay)
        # The optimizer's own update rule, per variable. Not `optimizer.apply`: inside a tf.function it keeps
        # the traced graph alive after the function is gone (TensorFlow's distribution-strategy path).
        for gradient, variable in zip(gradients, self.weights, strict=True):
            optimizer.update_step(gradient, variable, learning_rate)
        optimizer.iterations.assign_add(1)
        return loss

    def _train_graph(self, x, y, count, epochs, batch, config):
        self.optimizer.learning_rate.assign(config["learning_rate"])
        valid = tf.range(CAPACITY) < count
        batches = (count + batch - 1) // batch
        epoch_loss = tf.constant(0.0)
        # `while` loops, not `for … in tf.range(n)`: XLA recompiles a range-bounded loop for new bounds.
        epoch = tf.constant(0)
        while epoch < epochs:
            keys = tf.where(valid, self._rng.uniform([CAPACITY]), 2.0)  # a shuffle of the valid rows, first
            order = tf.concat([tf.argsort(keys), tf.zeros([MAX_BATCH], tf.int32)], axis=0)
            total = tf.constant(0.0)
            index = tf.constant(0)
            while index < batches:
                start = index * batch
                rows = tf.cast(tf.range(MAX_BATCH) < tf.minimum(batch, count - start), tf.float32)
                chosen = tf.slice(order, [start], [MAX_BATCH])
                total += self._step(tf.gather(x, chosen), tf.gather(y, chosen), rows, config)
                index += 1
            epoch_loss = total / tf.cast(batches, tf.float32)
            epoch += 1
        return epoch_loss

    def _evaluate_graph(self, x_train, y_train, train_count, x_test, y_test, test_count, grid, config):
        # One forward pass over train, test and grid rows together: one copy of the network to compile.
        output, probabilities, hidden = self._forward(tf.concat([x_train, x_test, grid], axis=0), config, False)
        rows = tf.range(CAPACITY)
        results = []
        for start, y, count in ((0, y_train, train_count), (CAPACITY, y_test, test_count)):
            part = slice(start, start + CAPACITY)
            losses = self._row_losses(y, output[part], probabilities[part], config)
            valid = tf.cast(rows < count, tf.float32)
            results.append(tf.reduce_sum(losses * valid) / tf.reduce_sum(valid))
        grid_part = slice(2 * CAPACITY, None)
        return (
            results[0], results[1], output[:CAPACITY], output[CAPACITY : 2 * CAPACITY], output[grid_part],
            hidden[:, grid_part],
        )  # fmt: skip

    def _frame_graph(
        self, state, x_train, y_train, train_count, x_test, y_test, test_count, grid, epochs, batch, config
    ):
        for variable, value in zip(self._state, state, strict=True):
            variable.assign(value)
        self._train_graph(x_train, y_train, train_count, epochs, batch, config)
        results = self._evaluate_graph(x_train, y_train, train_count, x_test, y_test, test_count, grid, config)
        return [tf.convert_to_tensor(variable) for variable in self._state], results

    # ------------------------------------------------------------ public

    def run(self, state: "RunState", data: "PaddedData", epochs: int, batch_size: int, config: dict) -> tuple:
        """Load the run's state, train `epochs` epochs (0: none), evaluate; the state is updated in place.

        Returns train loss, test loss, train / test / grid outputs and every hidden layer on the grid (numpy).
        """
        batch = min(batch_size, MAX_BATCH, data.train_count)
        values = [*state.weights, *(state.optimizer or self._optimizer_start), state.rng]
        new_state, results = self._frame(
            values, data.x_train, data.y_train, tf.constant(data.train_count), data.x_test, data.y_test,
            tf.constant(data.test_count), data.grid, tf.constant(epochs), tf.constant(batch), config,
        )  # fmt: skip
        new_state = [value.numpy() for value in new_state]
        weights = len(self.weights)
        state.weights, state.optimizer, state.rng = new_state[:weights], new_state[weights:-1], new_state[-1]
        return tuple(float(v) if v.shape.rank == 0 else v.numpy() for v in results)


class EnginePool:
    """Engines by optimizer, shared by every session: a frame borrows one, a second concurrent frame a second."""

    def __init__(self, per_optimizer: int = ENGINES_PER_OPTIMIZER):
        self.per_optimizer = per_optimizer
        self._free: dict[str, list[Engine]] = defaultdict(list)
        self._count: Counter = Counter()
        self._changed = threading.Condition()

    @contextmanager
    def engine(self, optimizer: str) -> Iterator[Engine]:
        """An engine for this optimizer, for the duration of the block."""
        with self._changed:
            while not self._free[optimizer] and self._count[optimizer] >= self.per_optimizer:
                self._changed.wait()
            engine = self._free[optimizer].pop() if self._free[optimizer] else None
            if engine is None:
                self._count[optimizer] += 1
        if engine is None:
            try:
                engine = Engine(optimizer)
            except BaseException:
                with self._changed:
                    self._count[optimizer] -= 1
                    self._changed.notify_all()
                raise
        try:
            yield engine
        finally:
            with self._changed:
                self._free[optimizer].append(engine)
                self._changed.notify_all()

    def size(self) -> int:
        """How many engines exist (each is compiled once)."""
        return sum(self._count.values())


POOL = EnginePool()


@dataclass(eq=False)
class PaddedData:
    """A dataset as the engine takes it: features in their slots, targets padded to fixed sizes (tensors)."""

    x_train: tf.Tensor
    y_train: tf.Tensor
    train_count: int
    x_test: tf.Tensor
    y_test: tf.Tensor
    test_count: int
    grid: tf.Tensor


def _pad(values: np.ndarray, rows: int, columns: int, slots=None) -> np.ndarray:
    padded = np.zeros((rows, columns), np.float32)
    slots = list(range(values.shape[1])) if slots is None else slots
    padded[: len(values), slots] = values
    return padded


def feature_slots(feature_names) -> list[int]:
    """Where each chosen feature sits in the engine's input."""
    return [list(plane.FEATURES).index(name) for name in feature_names]


def padded_data(data: plane.PlaneData, feature_names, loss: str, resolution: int) -> PaddedData:
    """The dataset's chosen features and encoded targets, padded for the engine."""
    slots = feature_slots(feature_names)

    def inputs(points, rows):
        return tf.constant(_pad(plane.features(points, feature_names), rows, WIDTH, slots))

    def targets(labels):
        return tf.constant(_pad(plane.targets(labels, data.task, data.classes, loss), CAPACITY, MAX_OUTPUTS))

    grid = plane.grid(resolution)
    return PaddedData(
        inputs(data.x_train, CAPACITY), targets(data.y_train), len(data.x_train),
        inputs(data.x_test, CAPACITY), targets(data.y_test), len(data.x_test), inputs(grid, len(grid)),
    )  # fmt: skip


@dataclass(eq=False)
class RunState:
    """A session's network state, as arrays: the engine's weights, the optimizer's state, the random state."""

    weights: list
    optimizer: list | None = None  # None: the optimizer's fresh state
    rng: np.ndarray | None = None
