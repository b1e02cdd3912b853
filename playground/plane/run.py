"""A live run of the 2-D playground: one network learning one dataset, frame by frame, on a shared engine.

The run owns its state as plain arrays (weights, optimizer state, random state); each frame borrows an engine
from the pool, trains and evaluates there, and keeps what the page draws (see engine.py for why).
"""

from dataclasses import dataclass, field

import numpy as np

from playground.backend import tf
from playground.plane import data as plane
from playground.plane.engine import (
    DEPTH,
    MAX_OUTPUTS,
    POOL,
    WIDTH,
    EnginePool,
    RunState,
    architecture,
    configuration,
    feature_slots,
    initial_weights,
    padded_data,
)
from playground.spec import ModelSpec


@dataclass(frozen=True, eq=False)
class Frame:
    """What one redraw shows: epoch, losses, outputs over the grid and on the data, hidden neurons, weights."""

    epoch: int
    train_loss: float
    test_loss: float
    output: np.ndarray  # (resolution², output units)
    hidden: tuple[np.ndarray, ...]  # per hidden layer: (resolution², units)
    weights: tuple[tuple[np.ndarray, np.ndarray], ...]  # per Dense layer: (kernel, bias), as the Keras model has them
    train_output: np.ndarray
    test_output: np.ndarray


@dataclass(eq=False)
class PlaneRun:
    """One network learning one dataset: its state, epoch count, loss history and last frame."""

    spec: ModelSpec
    data: plane.PlaneData
    feature_names: tuple[str, ...]
    batch_size: int = 10
    resolution: int = 50
    seed: int = 0
    pool: EnginePool = field(default_factory=lambda: POOL)
    epoch: int = 0
    history: dict = field(default_factory=lambda: {"epoch": [], "train": [], "test": []})
    frame: Frame | None = None

    def __post_init__(self):
        self.arch = architecture(self.spec)
        if len(self.feature_names) != self.arch.features:
            raise ValueError("the spec's input size must equal the number of features")
        self._data = padded_data(self.data, self.feature_names, self.spec.loss, self.resolution)
        self.learning_rate = float(self.spec.optimizer.args.get("learning_rate", 0.001))
        self.reset(self.seed)

    def _config(self) -> dict:
        return configuration(self.arch, feature_slots(self.feature_names), self.learning_rate)

    def set_weights(self, weights) -> None:
        """Start from these (kernel, bias) pairs, shaped as the Keras model's Dense layers."""
        kernels = np.zeros((DEPTH, WIDTH, WIDTH), np.float32)
        biases = np.zeros((DEPTH, WIDTH), np.float32)
        output_kernel = np.zeros((WIDTH, MAX_OUTPUTS), np.float32)
        output_bias = np.zeros(MAX_OUTPUTS, np.float32)
        previous = feature_slots(self.feature_names)
        *hidden, (last_kernel, last_bias) = weights
        for layer, (kernel, bias) in enumerate(hidden):
            kernels[layer][np.ix_(previous, range(kernel.shape[1]))] = kernel
            biases[layer, : len(bias)] = bias
            previous = list(range(kernel.shape[1]))
        output_kernel[np.ix_(previous, range(last_kernel.shape[1]))] = last_kernel
        output_bias[: len(last_bias)] = last_bias
        rng = tf.random.Generator.from_seed(self.seed).state.numpy()
        self.state = RunState([kernels, biases, output_kernel, output_bias], None, rng)

    def reset(self, seed: int | None = None) -> Frame:
        """Start over from Keras's default initial weights drawn with `seed` (else the run's own), at epoch 0."""
        self.seed = self.seed if seed is None else seed
        self.set_weights(initial_weights(self.arch, self.seed))
        self.epoch = 0
        self.history = {"epoch": [], "train": [], "test": []}
        return self.refresh()

    def use_data(self, data: plane.PlaneData) -> Frame:
        """Go on training the same network on other points of the same task (a placed point added or erased)."""
        if (data.task, data.classes) != (self.data.task, self.data.classes):
            raise ValueError("the new points must pose the same task")
        self.data = data
        self._data = padded_data(data, self.feature_names, self.spec.loss, self.resolution)
        return self.refresh()

    def step(self, epochs: int) -> Frame:
        """Train `epochs` more epochs and return the new frame."""
        return self._run(epochs)

    def refresh(self) -> Frame:
        """Evaluate the network as it is now, record the losses and return the frame."""
        return self._run(0)

    def _run(self, epochs: int) -> Frame:
        config = self._config()
        with self.pool.engine(self.arch.optimizer) as engine:
            result = engine.run(self.state, self._data, max(epochs, 0), self.batch_size, config)
        self.epoch += max(epochs, 0)
        return self._record(*result)

    def keras_weights(self) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
        """The current (kernel, bias) of each Dense layer, shaped as in the Keras model the spec builds."""
        kernels, biases, output_kernel, output_bias = self.state.weights
        previous = feature_slots(self.feature_names)
        pairs = []
        for layer, (width, _) in enumerate(self.arch.hidden):
            pairs.append((kernels[layer][np.ix_(previous, range(width))].copy(), biases[layer, :width].copy()))
            previous = list(range(width))
        outputs = self.arch.outputs
        pairs.append((output_kernel[np.ix_(previous, range(outputs))].copy(), output_bias[:outputs].copy()))
        return tuple(pairs)

    def _record(self, train_loss, test_loss, train_output, test_output, grid_output, hidden) -> Frame:
        if not self.history["epoch"] or self.history["epoch"][-1] != self.epoch:
            for key, value in (("epoch", self.epoch), ("train", train_loss), ("test", test_loss)):
                self.history[key].append(value)
        outputs = self.arch.outputs
        self.frame = Frame(
            self.epoch, train_loss, test_loss, grid_output[:, :outputs],
            tuple(hidden[i][:, :units] for i, (units, _) in enumerate(self.arch.hidden)),
            self.keras_weights(), train_output[: self._data.train_count, :outputs],
            test_output[: self._data.test_count, :outputs],
        )  # fmt: skip
        return self.frame

    @property
    def diverged(self) -> bool:
        """True when training has blown up (the loss is no longer a finite number)."""
        return self.frame is not None and not np.isfinite(self.frame.train_loss)
