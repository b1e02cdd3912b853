"""Activation curves: derivatives against finite differences, flat regions, and the vanishing-gradient experiment."""

import math

import numpy as np
import pytest

from playground import catalog
from playground.concepts import activations, depth
from playground.figures import concepts as figures

STEP = 1e-5
# Inputs that stay clear of the kinks (ReLU, leaky ReLU, ELU at 0), where no finite difference can agree.
SAMPLES = np.array([-7.3, -4.1, -2.6, -1.3, -0.7, -0.2, 0.3, 0.8, 1.7, 2.9, 4.4, 6.6])


def central_difference(name, x, params=None):
    up, _ = activations.evaluate(name, x + STEP, params)
    down, _ = activations.evaluate(name, x - STEP, params)
    return (up - down) / (2 * STEP)


@pytest.mark.parametrize("name", catalog.ACTIVATIONS)
def test_every_plotted_derivative_matches_finite_differences(name):
    curve = activations.curve(name, -8.0, 8.0, points=161)
    # Check on the plotted grid itself, skipping the kink at 0.
    x = curve.x[np.abs(curve.x) > 1e-3]
    _, slope = activations.evaluate(name, x)
    np.testing.assert_allclose(slope, central_difference(name, x), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(curve.dy[np.abs(curve.x) > 1e-3], slope)


@pytest.mark.parametrize(("name", "params"), [("leaky_relu", {"negative_slope": 0.45}), ("elu", {"alpha": 2.5})])
def test_parameters_change_the_curve_and_its_derivative(name, params):
    value, slope = activations.evaluate(name, SAMPLES, params)
    default_value, _ = activations.evaluate(name, SAMPLES)
    np.testing.assert_allclose(slope, central_difference(name, SAMPLES, params), rtol=1e-5, atol=1e-7)
    assert not np.allclose(value, default_value)
    if name == "leaky_relu":
        np.testing.assert_allclose(slope[SAMPLES < 0], 0.45)
    else:
        np.testing.assert_allclose(value[SAMPLES < 0], 2.5 * (np.exp(SAMPLES[SAMPLES < 0]) - 1))


def test_values_are_the_textbook_functions():
    x = SAMPLES
    sigmoid, sigmoid_slope = activations.evaluate("sigmoid", x)
    np.testing.assert_allclose(sigmoid, 1 / (1 + np.exp(-x)), rtol=1e-12)
    np.testing.assert_allclose(sigmoid_slope, sigmoid * (1 - sigmoid), rtol=1e-9)
    tanh, tanh_slope = activations.evaluate("tanh", x)
    np.testing.assert_allclose(tanh_slope, 1 - np.tanh(x) ** 2, rtol=1e-9)
    softmax, _ = activations.evaluate("softmax", x)
    np.testing.assert_allclose(softmax, sigmoid, rtol=1e-9)  # softmax of (x, 0), first output


def test_sigmoid_saturates_beyond_about_four_and_relu_is_flat_below_zero():
    sigmoid = activations.curve("sigmoid", -10, 10, points=2001)
    # sigma'(x) = 0.02 at |x| = ln((1 + sqrt(1 - 0.08)) / (1 - sqrt(1 - 0.08))), about 3.9
    edge = math.log((1 + math.sqrt(0.92)) / (1 - math.sqrt(0.92)))
    assert sigmoid.flat[np.abs(sigmoid.x) > edge + 0.02].all()
    assert not sigmoid.flat[np.abs(sigmoid.x) < edge - 0.02].any()
    relu = activations.curve("relu", -5, 5, points=101)
    np.testing.assert_array_equal(relu.flat, relu.x <= 0)  # TensorFlow takes ReLU's slope at 0 to be 0
    assert not activations.curve("linear", -5, 5).flat.any()


def test_activation_figure_draws_value_and_slope_with_flat_bands():
    t = lambda key, **params: key  # noqa: E731
    curves = [activations.curve("sigmoid", -6, 6), activations.curve("elu", -6, 6, {"alpha": 2.0})]
    fig = figures.activation_figure(curves, t)
    names = [trace.name for trace in fig.data if trace.showlegend]
    assert names == ["sigmoid", "elu (alpha=2)"]
    solid = [trace for trace in fig.data if trace.name == "sigmoid"]
    np.testing.assert_allclose(solid[1].y, curves[0].dy)  # the derivative panel shows the autodiff slope
    band = [trace for trace in fig.data if trace.name == "fig_flat"][1]
    assert np.isnan(np.asarray(band.y, float)[200])  # sigmoid is not flat at 0 ...
    assert not np.isnan(np.asarray(band.y, float)[0])  # ... but is at -6


def test_sigmoid_gradients_vanish_towards_the_input_in_a_worker_process():
    runs = depth.depth_experiment_in_worker(samples=600, epochs=1, timeout=240)
    sigmoid, relu = runs["deep-sigmoid"], runs["deep-relu"]
    assert sigmoid.layers == relu.layers == 7
    # Layer 1 of the sigmoid network receives a far smaller gradient than layer 1 of its ReLU twin ...
    assert relu.grad_start[0] > 30 * sigmoid.grad_start[0]
    assert relu.grad_end[0] > 30 * sigmoid.grad_end[0]
    # ... and, through the sigmoid layers, it shrinks layer after layer on the way back.
    assert all(a < b for a, b in zip(sigmoid.grad_start, sigmoid.grad_start[1:], strict=False))
    assert relu.accuracy[-1] > sigmoid.accuracy[-1]
    assert len(relu.accuracy) == len(relu.loss) == 2  # before training, after the one epoch
