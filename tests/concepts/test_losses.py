"""Loss values and gradients against finite differences and textbook formulas; the outlier regression."""

import itertools
import math

import numpy as np
import pytest

from playground.concepts import losses
from playground.figures import concepts as figures
from playground.model import make_loss

STEP = 1e-6


def keras_loss(name, y_true, y_pred) -> float:
    return float(make_loss(name)(np.asarray(y_true)[None], np.asarray(y_pred, np.float64)[None])[0])


def test_spread_vector_and_normalise_make_probability_vectors():
    vector = losses.spread_vector(0.64, true_class=2)
    assert vector[2] == 0.64 and vector.sum() == pytest.approx(1.0)
    assert np.allclose(np.delete(vector, 2), 0.04)
    np.testing.assert_allclose(losses.normalise([1, 0, 3, -2]), [0.25, 0, 0.75, 0])
    np.testing.assert_allclose(losses.normalise([0, 0]), [0.5, 0.5])


@pytest.mark.parametrize("p", [0.03, 0.4, 0.9])
def test_values_are_the_textbook_formulas(p):
    points = losses.loss_points(losses.one_hot(5), losses.spread_vector(p, 5))
    rest = (1 - p) / 9
    assert points["categorical_crossentropy"].value == pytest.approx(-math.log(p), rel=1e-9)
    assert points["mean_squared_error"].value == pytest.approx(((1 - p) ** 2 + 9 * rest**2) / 10, rel=1e-9)
    assert points["mean_absolute_error"].value == pytest.approx(((1 - p) + 9 * rest) / 10, rel=1e-9)
    assert points["categorical_hinge"].value == pytest.approx(max(0.0, 1 + rest - p), rel=1e-9)


def test_every_gradient_per_class_matches_finite_differences():
    target = losses.one_hot(7)
    prediction = losses.normalise([0.05, 0.1, 0.02, 0.3, 0.04, 0.06, 0.07, 0.2, 0.1, 0.06])
    for name, point in losses.loss_points(target, prediction).items():
        numeric = []
        for index in range(10):
            up, down = prediction.copy(), prediction.copy()
            up[index] += STEP
            down[index] -= STEP
            numeric.append((keras_loss(name, target, up) - keras_loss(name, target, down)) / (2 * STEP))
        np.testing.assert_allclose(point.gradient, numeric, rtol=1e-5, atol=1e-8, err_msg=name)


def test_every_plotted_slope_along_the_slider_matches_finite_differences():
    p = np.array([0.02, 0.15, 0.5, 0.77, 0.95])
    curves = losses.loss_along_spread(1, p)
    for name, (values, slopes) in curves.items():
        up = [keras_loss(name, losses.one_hot(1), losses.spread_vector(q + STEP, 1)) for q in p]
        down = [keras_loss(name, losses.one_hot(1), losses.spread_vector(q - STEP, 1)) for q in p]
        np.testing.assert_allclose(slopes, (np.array(up) - down) / (2 * STEP), rtol=1e-5, atol=1e-8, err_msg=name)
        np.testing.assert_allclose(values, [keras_loss(name, losses.one_hot(1), losses.spread_vector(q, 1)) for q in p])


def test_cross_entropy_punishes_a_confident_mistake_far_harder_than_mse():
    confident_mistake = losses.loss_points(losses.one_hot(0), losses.spread_vector(0.01, 0))
    assert confident_mistake["categorical_crossentropy"].value > 40 * confident_mistake["mean_squared_error"].value
    curves = losses.loss_along_spread(0, np.array([0.01, 0.99]))
    ce_slope, mse_slope = curves["categorical_crossentropy"][1][0], curves["mean_squared_error"][1][0]
    assert ce_slope < 100 * mse_slope < 0  # both push p up; cross-entropy over a hundred times harder


@pytest.mark.parametrize("outlier_y", [-8.0, 7.8, 25.0])
def test_mse_line_is_least_squares_and_mae_line_is_the_exact_l1_fit(outlier_y):
    x, y = losses.regression_data(outlier_y)
    slope, intercept = losses.fit_line("mean_squared_error", x, y)
    np.testing.assert_allclose([slope, intercept], np.polyfit(x, y, 1), atol=2e-3)
    # An L1-optimal line passes through two of the points: try them all for the exact optimum.
    best = min(
        np.mean(np.abs(y - (y[i] + (y[j] - y[i]) / (x[j] - x[i]) * (x - x[i]))))
        for i, j in itertools.combinations(range(len(x)), 2)
        if x[i] != x[j]
    )
    slope, intercept = losses.fit_line("mean_absolute_error", x, y)
    assert np.mean(np.abs(y - (slope * x + intercept))) == pytest.approx(best, abs=1e-3)


def test_the_outlier_drags_the_mse_line_but_not_the_mae_line():
    x, y = losses.regression_data(25.0)
    mse = losses.fit_line("mean_squared_error", x, y)
    mae = losses.fit_line("mean_absolute_error", x, y)
    assert abs(mae[0] - losses.TRUE_SLOPE) < 0.1 < abs(mse[0] - losses.TRUE_SLOPE)
    mse_pull = losses.point_pulls("mean_squared_error", x, y, mse)
    mae_pull = losses.point_pulls("mean_absolute_error", x, y, mae)
    assert mse_pull[-1] / mse_pull.sum() > 0.3  # the outlier alone pulls a third of the MSE line
    assert mae_pull[-1] / mae_pull.sum() < 0.1  # each point pulls an MAE line alike


def test_point_pulls_match_finite_differences():
    x, y = losses.regression_data(12.0)
    line = (0.7, 1.3)
    for name in losses.REGRESSION_LOSSES:
        numeric = []
        for index in range(len(x)):
            prediction = line[0] * x + line[1]
            up, down = prediction.copy(), prediction.copy()
            up[index] += STEP
            down[index] -= STEP
            numeric.append(abs(keras_loss(name, y, up) - keras_loss(name, y, down)) / (2 * STEP))
        np.testing.assert_allclose(losses.point_pulls(name, x, y, line), numeric, rtol=1e-5, atol=1e-9)


def test_loss_figures_show_the_computed_numbers():
    t = lambda key, **params: key  # noqa: E731
    p = np.linspace(0.01, 0.99, 50)
    curves = losses.loss_along_spread(3, p)
    fig = figures.loss_sweep_figure(p, curves, 0.4, t)
    cross_entropy = [trace for trace in fig.data if trace.name == "loss_categorical_crossentropy"]
    np.testing.assert_allclose(cross_entropy[0].y, -np.log(p), rtol=1e-9)
    np.testing.assert_allclose(cross_entropy[1].y, curves["categorical_crossentropy"][1])
    points = losses.loss_points(losses.one_hot(3), losses.spread_vector(0.4, 3))
    bars = figures.prediction_figure(losses.spread_vector(0.4, 3), points, 3, t)
    assert bars.data[0].y[3] == pytest.approx(0.4)
    assert [trace.name for trace in bars.data[1:]] == ["loss_" + name for name in losses.CLASSIFICATION_LOSSES]


def test_a_reused_fit_starts_afresh():
    x, y = losses.regression_data(3.0)
    first = losses.fit_line("mean_absolute_error", x, y)
    losses.fit_line("mean_absolute_error", *losses.regression_data(-9.0))
    assert losses.fit_line("mean_absolute_error", x, y) == first
