"""The optimizer race: first steps on a quadratic worked by hand, divergence, and who reaches Rosenbrock's minimum."""

import math

import numpy as np
import pytest

from playground.concepts import optimizers
from playground.concepts.optimizers import SURFACES, trajectory
from playground.figures import concepts as figures

# The elongated bowl is the quadratic f(x, y) = x²/2 + 10 y², so its gradient is (x, 20 y).
START = (1.0, 1.0)
LR = 0.01
EPS = 1e-7  # Keras's epsilon for RMSprop, Adagrad and Adam


def grad(w):
    return np.array([w[0], 20.0 * w[1]])


def by_hand(racer: str, steps: int = 3) -> list[np.ndarray]:
    """The points after each step, worked out from the textbook update rules."""
    w, v, s, m = np.array(START), np.zeros(2), np.zeros(2), np.zeros(2)
    accumulator = np.full(2, 0.1)  # Adagrad's initial_accumulator_value
    points = []
    for t in range(1, steps + 1):
        g = grad(w)
        if racer == "gd":
            w = w - LR * g
        elif racer == "momentum":  # v ← μv − ηg; w ← w + v
            v = 0.9 * v - LR * g
            w = w + v
        elif racer == "nesterov":  # v ← μv − ηg; w ← w + μv − ηg (look-ahead form)
            v = 0.9 * v - LR * g
            w = w + 0.9 * v - LR * g
        elif racer == "rmsprop":  # s ← ρs + (1 − ρ)g²; w ← w − ηg / √(s + ε)
            s = 0.9 * s + 0.1 * g**2
            w = w - LR * g / np.sqrt(s + EPS)
        elif racer == "adagrad":  # a ← a + g²; w ← w − ηg / √(a + ε)
            accumulator = accumulator + g**2
            w = w - LR * g / np.sqrt(accumulator + EPS)
        elif racer == "adam":  # bias-corrected moments
            m = 0.9 * m + 0.1 * g
            s = 0.999 * s + 0.001 * g**2
            step = LR * math.sqrt(1 - 0.999**t) / (1 - 0.9**t)
            w = w - step * m / (np.sqrt(s) + EPS)
        points.append(w.copy())
    return points


@pytest.mark.parametrize("racer", ["gd", "momentum", "nesterov", "rmsprop", "adagrad", "adam"])
def test_first_steps_on_a_quadratic_follow_the_update_rule_worked_by_hand(racer):
    path = trajectory("bowl", racer, LR, start=START, steps=3)
    np.testing.assert_allclose(path.points[0], START)
    np.testing.assert_allclose(path.points[1:], by_hand(racer), rtol=2e-5, atol=1e-6)


def test_the_hand_worked_numbers_themselves():
    assert by_hand("gd", 2)[-1] == pytest.approx([0.9801, 0.64])
    assert by_hand("momentum", 2)[-1] == pytest.approx([0.9711, 0.46])
    assert by_hand("adam", 1)[0] == pytest.approx([0.99, 0.99], abs=1e-6)  # Adam's first step is η per coordinate


def test_sgd_is_gd_plus_mini_batch_noise():
    gd = trajectory("bowl", "gd", 0.05, steps=20)
    quiet = trajectory("bowl", "sgd", 0.05, steps=20, noise=0.0)
    noisy = trajectory("bowl", "sgd", 0.05, steps=20, noise=1.0)
    np.testing.assert_allclose(quiet.points, gd.points)
    assert not np.allclose(noisy.points, gd.points)
    np.testing.assert_allclose(trajectory("bowl", "sgd", 0.05, steps=20, noise=1.0).points, noisy.points)  # seeded


@pytest.mark.parametrize("key", list(SURFACES))
def test_the_first_step_uses_the_surface_gradient(key):
    surface = SURFACES[key]
    lr, h = 1e-3, 1e-5
    x, y = surface.start
    numeric = np.array([surface.loss((x + h, y)) - surface.loss((x - h, y)),
                        surface.loss((x, y + h)) - surface.loss((x, y - h))]) / (2 * h)  # fmt: skip
    path = trajectory(key, "gd", lr, steps=1)
    np.testing.assert_allclose(path.points[1], np.array(surface.start) - lr * numeric, rtol=1e-4, atol=1e-5)


def test_a_learning_rate_too_high_diverges_and_a_safe_one_does_not():
    # On x²/2 + 10y², gradient descent is stable in y only while η·20 < 2.
    assert trajectory("bowl", "gd", 0.09).diverged_at is None
    too_high = trajectory("bowl", "gd", 0.2)
    assert too_high.diverged_at is not None
    assert np.isnan(too_high.points[too_high.diverged_at :]).all()
    point, loss = too_high.final()
    assert np.isfinite(point).all() and loss > 1e6


def test_adam_reaches_rosenbrocks_minimum_sooner_than_plain_gradient_descent():
    rates = SURFACES["rosenbrock"].learning_rates
    adam = trajectory("rosenbrock", "adam", rates["adam"])
    gd = trajectory("rosenbrock", "gd", rates["gd"])
    assert adam.reached_at is not None and gd.reached_at is None
    assert adam.final()[1] < 1e-4 < gd.final()[1]


@pytest.mark.parametrize("key", list(SURFACES))
def test_every_default_race_runs_and_someone_arrives(key):
    paths = [trajectory(key, racer, SURFACES[key].learning_rates[racer]) for racer in optimizers.RACERS]
    assert all(path.diverged_at is None for path in paths)
    assert any(path.reached_at is not None for path in paths)
    lowest = SURFACES[key].lowest
    assert all(np.nanmin(path.losses) >= lowest - 1e-6 for path in paths)


def test_race_figure_animates_every_path():
    t = lambda key, **params: key  # noqa: E731
    surface = SURFACES["saddle"]
    paths = [trajectory("saddle", racer, surface.learning_rates[racer], steps=30) for racer in ("gd", "adam")]
    labels = {racer: racer for racer in optimizers.RACERS}
    fig = figures.race_figure(surface, optimizers.surface_grid("saddle", 21), paths, labels, t)
    assert [frame.name for frame in fig.frames] == [str(step) for step in range(31)]
    last = fig.frames[-1]
    np.testing.assert_allclose(last.data[0].x, paths[0].points[:, 0])  # gd's path, whole
    np.testing.assert_allclose(fig.frames[5].data[0].y, paths[0].points[:6, 1])  # and up to step 5
    np.testing.assert_allclose(last.data[2].y, paths[0].losses - surface.lowest, atol=1e-12)
    assert figures.frame_steps(800)[-1] == 800 and len(figures.frame_steps(800)) == figures.MAX_FRAMES


def test_a_reused_compiled_racer_starts_each_race_afresh_even_after_clear_session():
    from playground.backend import keras

    first = trajectory("himmelblau", "adagrad", 0.5, steps=40)
    trajectory("himmelblau", "adagrad", 2.0, start=(4.0, 4.0), steps=70, noise=2.0)  # leaves its state behind
    keras.backend.clear_session()  # Streamlit calls this after every script run
    again = trajectory("himmelblau", "adagrad", 0.5, steps=40)
    np.testing.assert_array_equal(again.points, first.points)
