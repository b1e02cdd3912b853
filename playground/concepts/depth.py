"""The vanishing-gradient experiment: one deep MLP with sigmoid and with ReLU, gradient size per layer."""

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

PRESETS = ("deep-sigmoid", "deep-relu")
GRADIENT_BATCH = 256
TEST_SAMPLES = 1000

# One experiment at a time per server: each is a whole TensorFlow process.
_ONE_AT_A_TIME = threading.BoundedSemaphore(1)


@dataclass(frozen=True)
class DepthRun:
    """What one preset did: mean |gradient| of each Dense layer's weights before and after, and accuracy."""

    preset: str
    grad_start: tuple[float, ...]  # layer 1 (nearest the input) first
    grad_end: tuple[float, ...]
    accuracy: tuple[float, ...]  # test accuracy before training, then after each epoch
    loss: tuple[float, ...]  # test loss, likewise

    @property
    def layers(self) -> int:
        """How many Dense layers were measured."""
        return len(self.grad_start)


def gradient_sizes(model, x: np.ndarray, y: np.ndarray) -> tuple[float, ...]:
    """Mean absolute gradient of the loss with respect to each Dense kernel, input side first."""
    from playground.backend import keras, tf

    loss_function = keras.losses.CategoricalCrossentropy()
    kernels = [layer.kernel for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    with tf.GradientTape() as tape:
        loss = loss_function(y, model(x, training=True))
    return tuple(float(np.mean(np.abs(g))) for g in tape.gradient(loss, kernels))


def train_and_measure(preset: str, samples: int, epochs: int, batch_size: int = 32, seed: int = 0) -> DepthRun:
    """Train the preset briefly on the bundled MNIST sample and measure its per-layer gradients (this process)."""
    from playground import data, presets
    from playground.backend import keras
    from playground.model import build_model

    spec = presets.preset(preset)
    dataset = data.load("mnist-sample")
    x = data.images_as_input(dataset.x_train[:samples])
    y = data.encode_labels(dataset.y_train[:samples], spec.loss, dataset.num_classes)
    x_test = data.images_as_input(dataset.x_test[:TEST_SAMPLES])
    y_test = data.encode_labels(dataset.y_test[:TEST_SAMPLES], spec.loss, dataset.num_classes)
    keras.utils.set_random_seed(seed)  # both presets start from the same draw of random numbers
    model = build_model(spec)
    batch = (x[:GRADIENT_BATCH], y[:GRADIENT_BATCH])
    grad_start = gradient_sizes(model, *batch)
    losses, accuracies = [], []
    for epoch in range(epochs + 1):
        if epoch:
            model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=True, verbose=0)
        loss, accuracy = model.evaluate(x_test, y_test, batch_size=500, verbose=0)
        losses.append(float(loss))
        accuracies.append(float(accuracy))
    return DepthRun(preset, grad_start, gradient_sizes(model, *batch), tuple(accuracies), tuple(losses))


def depth_experiment(samples: int = 3000, epochs: int = 3, batch_size: int = 32, seed: int = 0) -> dict[str, DepthRun]:
    """Both presets trained alike, by preset name (runs in this process)."""
    return {name: train_and_measure(name, samples, epochs, batch_size, seed) for name in PRESETS}


def depth_experiment_in_worker(
    samples: int = 3000, epochs: int = 3, batch_size: int = 32, seed: int = 0, timeout: float = 300
) -> dict[str, DepthRun]:
    """depth_experiment run in a fresh spawned process, so the models it trains never stay in this one."""
    with (
        _ONE_AT_A_TIME,
        ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool,
    ):
        return pool.submit(depth_experiment, samples, epochs, batch_size, seed).result(timeout=timeout)
