"""Back-propagation on the 2-2-1 network: the chain rule by hand, finite differences, and the SGD step."""

import math

import numpy as np
import pytest

from playground.concepts import backprop
from playground.concepts.backprop import DEFAULT_WEIGHTS, WEIGHTS, Example
from playground.figures import concepts as figures


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def test_forward_and_backward_pass_match_the_chain_rule_worked_by_hand():
    w, (x1, x2), target = DEFAULT_WEIGHTS, (0.05, 0.10), 0.01
    h1 = sigmoid(w["w1"] * x1 + w["w2"] * x2 + w["b1"])
    h2 = sigmoid(w["w3"] * x1 + w["w4"] * x2 + w["b2"])
    o = sigmoid(w["w5"] * h1 + w["w6"] * h2 + w["b3"])
    # Keras's MSE of one output is (target - o)², so dL/do = 2 (o - target).
    delta_o = 2 * (o - target) * o * (1 - o)
    delta_h1 = delta_o * w["w5"] * h1 * (1 - h1)
    delta_h2 = delta_o * w["w6"] * h2 * (1 - h2)
    expected = {"w1": delta_h1 * x1, "w2": delta_h1 * x2, "b1": delta_h1, "w3": delta_h2 * x1, "w4": delta_h2 * x2,
                "b2": delta_h2, "w5": delta_o * h1, "w6": delta_o * h2, "b3": delta_o}  # fmt: skip
    step = backprop.propagate(w, Example())
    assert step.nodes["h1"] == pytest.approx(h1) and step.nodes["o"] == pytest.approx(o)
    assert step.nodes["o"] == pytest.approx(0.75136507, abs=1e-8)  # the classic worked example's output
    assert step.loss == pytest.approx((target - o) ** 2)
    for name in WEIGHTS:
        assert step.gradients[name] == pytest.approx(expected[name], rel=1e-10), name
    assert step.deltas["z_o"] == pytest.approx(delta_o) and step.deltas["z_h2"] == pytest.approx(delta_h2)


@pytest.mark.parametrize("activation", backprop.HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("loss", backprop.LOSSES)
def test_autodiff_gradients_agree_with_finite_differences(activation, loss):
    weights = {name: value * (-1) ** i for i, (name, value) in enumerate(DEFAULT_WEIGHTS.items())}
    example = Example((0.7, -0.4), 0.9, activation, loss)
    step = backprop.propagate(weights, example)
    for name in WEIGHTS:
        assert step.gradients[name] == pytest.approx(step.numeric[name], rel=1e-6, abs=1e-9), name
    assert backprop.propagate(weights, example, check=False).numeric == {}


def test_the_sgd_step_is_w_minus_learning_rate_times_gradient():
    step = backprop.propagate(DEFAULT_WEIGHTS, Example())
    after = backprop.sgd_step(DEFAULT_WEIGHTS, step.gradients, 0.5)
    for name in WEIGHTS:
        assert after[name] == pytest.approx(DEFAULT_WEIGHTS[name] - 0.5 * step.gradients[name], rel=1e-12)
    weights, losses = backprop.descend(DEFAULT_WEIGHTS, Example(), 0.5, 1)
    assert weights == pytest.approx(after) and losses == [pytest.approx(backprop.loss_at(after, Example()))]


def test_stepping_makes_the_loss_fall():
    weights, losses = backprop.descend(DEFAULT_WEIGHTS, Example(), 0.5, 30)
    start = backprop.loss_at(DEFAULT_WEIGHTS, Example())
    assert all(b < a for a, b in zip([start, *losses], losses, strict=False))
    assert losses[-1] < start / 5
    assert backprop.propagate(weights, Example()).nodes["o"] < 0.3  # heading for the target 0.01


def test_network_figure_labels_every_weight_with_its_gradient():
    step = backprop.propagate(DEFAULT_WEIGHTS, Example())
    fig = figures.network_figure(DEFAULT_WEIGHTS, step, Example(), lambda key, **params: key)
    texts = " ".join(annotation.text for annotation in fig.layout.annotations)
    for name in ("w1", "w6"):
        assert f"<b>{name}</b> = {DEFAULT_WEIGHTS[name]:.4f}" in texts
        assert f"∂L/∂{name} = {step.gradients[name]:.2e}" in texts
    assert f"{step.loss:.6f}" in texts
    widths = {trace.line.width for trace in fig.data if trace.mode == "lines"}
    assert max(widths) == pytest.approx(9.5)  # the edge with the largest gradient is the widest
    history = figures.loss_history_figure([0.5, 0.4, 0.3], lambda key, **params: key)
    np.testing.assert_allclose(history.data[0].y, [0.5, 0.4, 0.3])
