"""Back-propagation on a 2-2-1 network and one example: forward values, gradients by autodiff and by finite differences."""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from playground.backend import keras, tf
from playground.model import make_activation, make_loss, make_optimizer
from playground.spec import OptimizerSpec

# w1, w2: inputs → h1; w3, w4: inputs → h2; b1, b2: hidden biases; w5, w6: hidden → output; b3: output bias.
WEIGHTS = ("w1", "w2", "w3", "w4", "b1", "b2", "w5", "w6", "b3")
# The numbers of the classic worked example (Matt Mazur's), so a learner can check them on paper.
DEFAULT_WEIGHTS = {"w1": 0.15, "w2": 0.20, "w3": 0.25, "w4": 0.30, "b1": 0.35, "b2": 0.35, "w5": 0.40, "w6": 0.45, "b3": 0.60}  # fmt: skip
DEFAULT_INPUTS = (0.05, 0.10)
DEFAULT_TARGET = 0.01
HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu")
LOSSES = ("mean_squared_error", "binary_crossentropy")
NODES = ("z_h1", "h1", "z_h2", "h2", "z_o", "o")
EPSILON = 1e-6  # central difference step


@dataclass(frozen=True)
class Example:
    """The one training example and the network's fixed choices."""

    inputs: tuple[float, float] = DEFAULT_INPUTS
    target: float = DEFAULT_TARGET
    activation: str = "sigmoid"  # hidden layer; the output neuron is always sigmoid
    loss: str = "mean_squared_error"


@dataclass(frozen=True)
class Pass:
    """One forward and backward pass: every node's value, the loss, and every gradient."""

    nodes: Mapping[str, float]  # pre-activations z_* and activations h1, h2, o
    loss: float
    deltas: Mapping[str, float]  # d loss / d node, for every node
    gradients: Mapping[str, float]  # d loss / d weight, by automatic differentiation
    numeric: Mapping[str, float]  # the same by central finite differences ({} when not checked)


def _forward(weights: Mapping, example: Example) -> tuple[dict, tf.Tensor]:
    act = make_activation(example.activation)
    x1, x2 = (tf.constant(v, tf.float64) for v in example.inputs)
    w = weights
    nodes = {"z_h1": w["w1"] * x1 + w["w2"] * x2 + w["b1"]}
    nodes["h1"] = act(nodes["z_h1"])
    nodes["z_h2"] = w["w3"] * x1 + w["w4"] * x2 + w["b2"]
    nodes["h2"] = act(nodes["z_h2"])
    nodes["z_o"] = w["w5"] * nodes["h1"] + w["w6"] * nodes["h2"] + w["b3"]
    nodes["o"] = keras.activations.sigmoid(nodes["z_o"])
    target = tf.constant([[example.target]], tf.float64)
    loss = make_loss(example.loss)(target, tf.reshape(nodes["o"], (1, 1)))[0]
    return nodes, loss


def loss_at(weights: Mapping[str, float], example: Example) -> float:
    """The loss of the network with these weights on the example."""
    return float(_forward({k: tf.constant(v, tf.float64) for k, v in weights.items()}, example)[1])


def finite_differences(weights: Mapping[str, float], example: Example, epsilon: float = EPSILON) -> dict[str, float]:
    """d loss / d weight estimated as (L(w + ε) - L(w - ε)) / 2ε, one weight at a time."""
    numeric = {}
    for name in WEIGHTS:
        up = loss_at({**weights, name: weights[name] + epsilon}, example)
        down = loss_at({**weights, name: weights[name] - epsilon}, example)
        numeric[name] = (up - down) / (2 * epsilon)
    return numeric


def propagate(weights: Mapping[str, float], example: Example, check: bool = True) -> Pass:
    """Forward values, loss and gradients by autodiff (and, when check, by finite differences) for the example."""
    tensors = {name: tf.constant(float(weights[name]), tf.float64) for name in WEIGHTS}
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(list(tensors.values()))
        nodes, loss = _forward(tensors, example)
        # Watch the nodes as well: their gradients are the "deltas" back-propagation passes backwards.
    gradients = tape.gradient(loss, tensors)
    deltas = tape.gradient(loss, nodes)
    del tape
    return Pass(
        nodes={name: float(value) for name, value in nodes.items()},
        loss=float(loss),
        deltas={name: float(value) for name, value in deltas.items()},
        gradients={name: float(value) for name, value in gradients.items()},
        numeric=finite_differences(weights, example) if check else {},
    )


def sgd_step(weights: Mapping[str, float], gradients: Mapping[str, float], learning_rate: float) -> dict[str, float]:
    """The weights after one keras.optimizers.SGD step: w - learning_rate × gradient."""
    variables = [keras.Variable(np.float64(weights[name]), dtype="float64") for name in WEIGHTS]
    optimizer = make_optimizer(OptimizerSpec("SGD", {"learning_rate": float(learning_rate)}))
    optimizer.apply_gradients(
        [(tf.constant(gradients[name], tf.float64), v) for name, v in zip(WEIGHTS, variables, strict=True)]
    )
    return {name: float(v.numpy()) for name, v in zip(WEIGHTS, variables, strict=True)}


def descend(
    weights: Mapping[str, float], example: Example, learning_rate: float, steps: int
) -> tuple[dict[str, float], list[float]]:
    """The weights after `steps` keras.optimizers.SGD steps on the example, and the loss after each step."""
    variables = {name: keras.Variable(np.float64(weights[name]), dtype="float64") for name in WEIGHTS}
    optimizer = make_optimizer(OptimizerSpec("SGD", {"learning_rate": float(learning_rate)}))
    losses = []
    for _ in range(steps):
        with tf.GradientTape() as tape:
            _, loss = _forward({name: v.value for name, v in variables.items()}, example)
        gradients = tape.gradient(loss, [v.value for v in variables.values()])
        optimizer.apply_gradients(zip(gradients, variables.values(), strict=True))
        losses.append(loss_at({name: float(v.numpy()) for name, v in variables.items()}, example))
    return {name: float(v.numpy()) for name, v in variables.items()}, losses
