"""The 2-D playground's engine against plain Keras: same weights after the same training, the spiral challenge, the
three-class set, reset in place, and no compilation when the architecture changes."""

import threading
from dataclasses import replace

import numpy as np
import pytest

from playground.backend import keras
from playground.model import build_model
from playground.plane import code as plane_code
from playground.plane import data as plane
from playground.plane import engine as plane_engine
from playground.plane import run as plane_run
from playground.plane import settings as plane_state
from playground.plane.settings import PlaneSettings


def make_run(chosen: PlaneSettings, seed: int = 0, resolution: int = 20) -> plane_run.PlaneRun:
    chosen = plane_state.normalized(chosen)
    data = plane.generate(chosen.dataset, chosen.points, chosen.noise, chosen.train / 100, chosen.seed, chosen.classes)
    return plane_run.PlaneRun(plane_state.network_spec(chosen), data, chosen.features, chosen.batch, resolution, seed)


def keras_twin(run: plane_run.PlaneRun, weights) -> tuple:
    """The Keras model the run's spec builds, with these weights, and the run's data as Keras takes it."""
    model = build_model(run.spec)
    model.set_weights([array for pair in weights for array in pair])
    data, loss, names = run.data, run.spec.loss, run.feature_names
    train = (plane.features(data.x_train, names), plane.targets(data.y_train, data.task, data.classes, loss))
    test = (plane.features(data.x_test, names), plane.targets(data.y_test, data.task, data.classes, loss))
    return model, train, test


def data_loss(model, x, y, loss_name: str) -> float:
    """The loss without regularization, as the playground reports it."""
    loss = keras.losses.get(loss_name)
    return float(np.mean(loss(y, model(x, training=False))))


# One batch of all 20 training points per epoch: the mean gradient does not depend on the shuffle, so the engine
# and model.fit must take exactly the same steps.
CASES = {
    "sgd-tanh-mse": PlaneSettings(dataset="circle", layers=((4, "tanh"), (2, "tanh")), optimizer="SGD", lr=0.1),
    "adam-relu-sigmoid-l2": PlaneSettings(
        dataset="spiral",
        features=("x1", "x2", "sinx1"),
        layers=((5, "relu"), (3, "sigmoid")),
        optimizer="Adam",
        lr=0.03,
        regularization="l2",
        rate=0.01,
    ),  # fmt: skip
    "rmsprop-softmax-ce-l1": PlaneSettings(
        dataset="blobs",
        classes=4,
        layers=((6, "elu"),),
        optimizer="RMSprop",
        lr=0.01,
        loss="ce",
        regularization="l1",
        rate=0.003,
    ),  # fmt: skip
    "adamw-no-hidden-layer": PlaneSettings(dataset="xor", features=("x1x2",), layers=(), optimizer="AdamW", lr=0.03),
    "lion-three-layers-regression": PlaneSettings(
        dataset="plane", layers=((3, "leaky_relu"), (3, "gelu"), (2, "silu")), optimizer="Lion", lr=0.001
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_engine_takes_exactly_the_steps_model_fit_takes(name):
    run = make_run(replace(CASES[name], points=40, batch=20), seed=3)
    start = run.keras_weights()
    run.step(5)
    model, (x, y), (x_test, y_test) = keras_twin(run, start)
    model.fit(x, y, batch_size=20, epochs=5, shuffle=False, verbose=0)
    theirs_all = model.get_weights()
    pairs = zip(run.keras_weights(), zip(theirs_all[0::2], theirs_all[1::2], strict=True), strict=True)
    for (ours, bias), (theirs, their_bias) in pairs:
        assert ours.shape == theirs.shape
        assert np.allclose(ours, theirs, atol=1e-5) and np.allclose(bias, their_bias, atol=1e-5)
    assert run.frame.test_loss == pytest.approx(data_loss(model, x_test, y_test, run.spec.loss), rel=1e-4, abs=1e-6)


def test_the_spiral_challenge_beats_005_test_mse_like_plain_keras_fit():
    # The preset the page offers as "spiral challenge": 2×8 tanh on x1, x2, sin x1, sin x2.
    challenge = plane_state.PRESETS["spiral_challenge"]
    assert challenge.layers == ((8, "tanh"), (8, "tanh")) and challenge.loss == "mse"
    epochs = 200
    run = make_run(challenge, seed=0)
    start = run.keras_weights()
    run.step(epochs)
    model, (x, y), (x_test, y_test) = keras_twin(run, start)
    model.fit(x, y, batch_size=challenge.batch, epochs=epochs, shuffle=True, verbose=0)
    keras_test = data_loss(model, x_test, y_test, run.spec.loss)
    assert run.frame.test_loss < 0.05, run.history["test"][-5:]
    assert keras_test < 0.1
    # Same network, same start, same epochs; only the order of the mini-batches differs.
    assert abs(run.frame.test_loss - keras_test) < 0.05


def test_three_classes_with_softmax_and_cross_entropy_colour_three_regions():
    run = make_run(plane_state.PRESETS["three_classes"], seed=1, resolution=30)
    assert run.spec.loss == "categorical_crossentropy" and run.spec.layers[-1].args["activation"] == "softmax"
    first = run.frame.test_loss
    run.step(60)
    assert run.frame.test_loss < first / 3
    # Points far inside each class, beyond its cloud's centre, fall in that class's region.
    angles = np.pi / 2 + 2 * np.pi * np.arange(3) / 3
    deep = 5.5 * np.stack([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32)
    model, _, _ = keras_twin(run, run.keras_weights())
    predicted = plane.predicted_class(np.asarray(model(plane.features(deep, run.feature_names), training=False)))
    assert predicted.tolist() == [0, 1, 2]
    # The picture's regions: every class wins somewhere on the grid.
    assert set(np.unique(run.frame.output.argmax(axis=1))) == {0, 1, 2}
    assert np.allclose(run.frame.output.sum(axis=1), 1, atol=1e-5)


def test_a_frame_has_every_picture_the_page_draws():
    run = make_run(PlaneSettings(features=("x1", "x2", "x1x2"), layers=((5, "relu"), (3, "tanh"))), resolution=12)
    frame = run.step(2)
    assert frame.epoch == 2 and run.history["epoch"] == [0, 2]
    assert frame.output.shape == (144, 1) and np.abs(frame.output).max() <= 1
    assert [h.shape for h in frame.hidden] == [(144, 5), (144, 3)] and frame.hidden[0].min() >= 0  # relu
    assert [w.shape for pair in frame.weights for w in pair] == [(3, 5), (5,), (5, 3), (3,), (3, 1), (1,)]
    assert frame.train_output.shape == (len(run.data.x_train), 1) and frame.test_output.shape == (
        len(run.data.x_test),
        1,
    )


def test_reset_starts_again_in_place_and_replays_exactly():
    chosen = PlaneSettings(layers=((6, "tanh"),), optimizer="Adam", lr=0.03)
    run = make_run(chosen, seed=5)
    engines = plane_engine.POOL.size()
    fresh = [w.copy() for pair in run.keras_weights() for w in pair]
    first = run.step(3).test_loss
    run.step(4)
    run.reset(5)
    assert run.epoch == 0 and run.history["epoch"] == [0]
    assert all(
        np.array_equal(a, b) for a, b in zip(fresh, [w for pair in run.keras_weights() for w in pair], strict=True)
    )
    assert run.step(3).test_loss == pytest.approx(first, abs=1e-6)  # fresh optimizer state and shuffle too
    assert plane_engine.POOL.size() == engines


def test_changing_the_architecture_compiles_nothing_new():
    make_run(PlaneSettings(optimizer="SGD")).step(1)
    engines = plane_engine.POOL.size()
    for layers in (((16, "relu"),) * 6, (), ((1, "sigmoid"), (9, "selu"))):
        for dataset, loss in (("circle", "mse"), ("blobs", "ce"), ("multi_gauss", "mse")):
            make_run(PlaneSettings(dataset=dataset, layers=layers, loss=loss, features=tuple(plane.FEATURES))).step(1)
    assert plane_engine.POOL.size() == engines


def test_dropout_trains_with_noise_and_evaluates_without():
    run = make_run(PlaneSettings(layers=((8, "tanh"),), dropout=0.5, optimizer="Adam", lr=0.03), seed=2)
    assert [layer.kind for layer in run.spec.layers] == ["Dense", "Dropout", "Dense"]
    run.step(30)
    once, again = run.refresh(), run.refresh()
    assert np.array_equal(once.output, again.output)  # evaluation uses every neuron, deterministically
    model, _, (x_test, y_test) = keras_twin(run, run.keras_weights())
    assert once.test_loss == pytest.approx(data_loss(model, x_test, y_test, run.spec.loss), rel=1e-4)
    assert once.test_loss < run.history["test"][0]


def test_a_blown_up_network_is_reported_and_reset_recovers():
    run = make_run(PlaneSettings(layers=((8, "relu"), (8, "relu")), dataset="plane"))
    assert not run.diverged
    run.set_weights([(kernel * 1e30, bias) for kernel, bias in run.keras_weights()])  # as a huge learning rate would
    run.step(1)
    assert run.diverged and not np.isfinite(run.frame.train_loss)
    run.reset(1)
    assert not run.diverged and np.isfinite(run.frame.test_loss)


def test_the_exported_script_rebuilds_the_same_data_and_network():
    chosen = plane_state.PRESETS["three_classes"]
    run = make_run(chosen)
    namespace = {"__name__": "exported"}  # not "__main__": define, do not train
    exec(compile(plane_code.plane_source(chosen), "playground_2d.py", "exec"), namespace)  # our own generated code
    assert np.array_equal(namespace["x_train"], plane.features(run.data.x_train, chosen.features))
    assert np.array_equal(namespace["y_test"], plane.targets(run.data.y_test, "multiclass", 3, run.spec.loss))
    assert namespace["model"].count_params() == build_model(run.spec).count_params()


class FakeEngine:
    made = 0

    def __init__(self, optimizer):
        FakeEngine.made += 1


def test_the_pool_lends_at_most_two_engines_per_optimizer(monkeypatch):
    monkeypatch.setattr(plane_engine, "Engine", FakeEngine)
    FakeEngine.made = 0
    pool = plane_engine.EnginePool(per_optimizer=2)
    inside, peak, lock = [0], [0], threading.Lock()
    release = threading.Event()

    def frame():
        with pool.engine("Adam"):
            with lock:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
            release.wait(2)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=frame) for _ in range(5)]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(5)
    assert peak[0] <= 2 and pool.size() == 2 and FakeEngine.made == 2
    with pool.engine("SGD"):
        assert pool.size() == 3
