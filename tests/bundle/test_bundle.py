"""Model bundles: a round trip predicts exactly as before, the .keras export matches plain Keras, and malformed
bundles (wrong shapes, pickles, zip bombs, wrong specs, truncated files …) are refused with a clear message."""

import dataclasses
import json

import numpy as np
import pytest
from bundles import SPEC, malformed, members, rezip

from playground import bundle, catalog, data
from playground.backend import keras
from playground.inspection import demo, inspector
from playground.model import build_model
from playground.spec import OptimizerSpec
from playground.training.runs import History


def test_a_round_trip_keeps_every_array_and_predicts_exactly_as_before(trained):
    loaded = bundle.from_bytes(bundle.to_bytes(trained))
    assert loaded.spec == trained.spec and loaded.dataset == "mnist-sample"
    for before, after in zip((*trained.weights, *trained.optimizer_state), (*loaded.weights, *loaded.optimizer_state),
                             strict=True):  # fmt: skip
        np.testing.assert_array_equal(before, after)
        assert before.dtype == after.dtype
    assert loaded.history == trained.history
    x = data.images_as_input(data.load("mnist-sample").x_test[:64])
    np.testing.assert_array_equal(inspector.predict(loaded, x), inspector.predict(trained, x))


def test_the_metadata_says_what_wrote_the_bundle(trained):
    metadata = bundle.from_bytes(bundle.to_bytes(trained)).metadata
    assert metadata["format"] == bundle.FORMAT
    assert set(metadata["versions"]) >= {"playground", "python", "numpy", "keras", "tensorflow"}
    assert metadata["versions"]["keras"] == keras.__version__
    assert metadata["class_names"] == list(data.DIGITS)
    assert metadata["run_id"] == 1 and metadata["exported"]


def test_the_keras_file_loads_in_plain_keras_and_predicts_the_same(trained, tmp_path):
    path = tmp_path / "model.keras"
    path.write_bytes(bundle.to_keras_file(trained))
    model = keras.models.load_model(path)  # plain Keras, the learner's side
    x = data.images_as_input(data.load("mnist-sample").x_test[:64])
    reference = build_model(trained.spec, compile=False)
    reference.set_weights(list(trained.weights))
    expected = reference.predict(x, verbose=0)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=0, atol=1e-6)
    assert [layer.__class__.__name__ for layer in model.layers] == [
        "InputLayer",
        *(x.kind for x in trained.spec.layers),
    ]
    assert model.optimizer.__class__.__name__ == "Adam"
    assert int(model.optimizer.iterations.numpy()) == int(trained.optimizer_state[0])  # training can go on


def test_settings_and_curves_come_back_from_the_metadata(trained):
    settings = bundle.train_settings(trained)
    assert (settings.dataset, settings.epochs, settings.batch_size) == ("mnist-sample", 2, 32)
    history = bundle.from_bytes(bundle.to_bytes(trained)).history
    assert history.epoch == [1, 2] and history.loss == trained.history.loss
    hostile = dataclasses.replace(trained, metadata={"settings": {"epochs": "many", "batch_size": -3, "seed": 1.5}})
    assert bundle.train_settings(hostile) == bundle.train_settings(dataclasses.replace(trained, metadata={}))
    strokes = [dataclasses.replace(trained, metadata={"settings": {"augment_stroke": n}}) for n in (2, 3)]
    assert [bundle.train_settings(one).augment_stroke for one in strokes] == [2, 0]  # 3: out of range, dropped


@pytest.mark.parametrize(
    ("kind", "args"),
    [(kind, {}) for kind in catalog.OPTIMIZERS] + [("SGD", {"momentum": 0.9}), ("RMSprop", {"momentum": 0.5})],
    ids=lambda value: str(value),
)
def test_the_optimizer_state_shapes_match_keras(kind, args):
    spec = dataclasses.replace(SPEC, optimizer=OptimizerSpec(kind, args))
    model = build_model(spec)
    model.optimizer.build(model.trainable_variables)
    found = sorted(tuple(variable.shape) for variable in model.optimizer.variables)
    assert bundle.expected_optimizer_shapes(spec) == found


@pytest.fixture(scope="module")
def cases(trained, tmp_path_factory):
    marker = tmp_path_factory.mktemp("pickles") / "unpickled"
    return malformed(trained, marker), marker


def test_there_are_at_least_twenty_malformed_cases(cases):
    assert len(cases[0]) >= 20


@pytest.mark.parametrize(
    "case",
    [
        "empty file", "not a zip", "truncated", "larger than the cap", "a .keras file", "no weights", "no spec",
        "spec not JSON", "unknown layer kind", "too many parameters", "spec of another shape",
        "a weight array missing", "a transposed kernel", "integer weights", "NaN weights", "pickled object array",
        "pickle instead of npz", "pickled optimizer state", "named instead of numbered arrays",
        "optimizer state of another optimizer", "zip bomb", "npz bomb", "too many files", "huge spec.json",
        "history not an object", "history of strings", "metadata not an object",
    ],
)  # fmt: skip
def test_a_malformed_bundle_is_refused_with_a_clear_message_in_both_languages(cases, case):
    bundles, marker = cases
    raw, key = bundles[case]
    with pytest.raises(bundle.BundleError) as caught:
        bundle.from_bytes(raw)
    error = caught.value
    assert error.key == key, str(error)
    english, chinese = error.message("en"), error.message("zh")
    assert english == str(error) and english.endswith((".", ")")) and "{" not in english
    assert chinese != english and "{" not in chinese
    assert not marker.exists()  # nothing was ever unpickled


def test_a_shape_error_names_the_array_and_both_shapes(cases):
    error = pytest.raises(bundle.BundleError, bundle.from_bytes, cases[0]["a transposed kernel"][0]).value
    assert "(10, 676)" in str(error) and "(676, 10)" in str(error)


def test_an_optimizer_that_never_stepped_is_dropped_rather_than_refused(trained):
    unbuilt = dataclasses.replace(trained, optimizer_state=(np.float32(0), np.float32(0.001)))
    assert bundle.from_bytes(bundle.to_bytes(unbuilt)).optimizer_state == ()


def test_the_demo_model_still_loads():
    shipped = bundle.from_bytes(demo.PATH.read_bytes())
    assert shipped.spec.num_classes == 10
    # Written before bundles kept a run's History: its per-epoch lists become one, numbered from epoch 1.
    assert shipped.history.epoch == list(range(1, 13)) and shipped.history.epochs_done == bundle.epochs_trained(shipped)
    assert len(shipped.history.val_accuracy) == 12 and shipped.history.partial == [False] * 12


def test_a_bundle_keeps_the_runs_epoch_curves_and_reads_the_older_per_epoch_lists(trained):
    history = History()
    for step in (4, 8, 10):
        history.add_step(step, step / 8, 1.0 / step, 0.5)
    history.add_epoch(1, {"loss": 0.9, "accuracy": 0.7, "val_loss": 0.8, "val_accuracy": 0.75, "elapsed": 2.0})
    history.add_epoch(2, {"loss": 0.6, "accuracy": 0.8, "val_loss": None, "val_accuracy": None, "partial": True})
    loaded = bundle.from_bytes(bundle.to_bytes(dataclasses.replace(trained, history=history))).history
    assert loaded == history.epoch_curves() and loaded.partial == [False, True] and loaded.step == []
    older = {"loss": [0.9, 0.6], "accuracy": [0.7, 0.8], "val_loss": [0.8, None], "val_accuracy": [0.75, None]}
    files = members(bundle.to_bytes(trained)) | {"history.json": json.dumps(older).encode()}
    loaded = bundle.from_bytes(rezip(files)).history
    assert loaded.per_epoch() == older and loaded.epoch == [1, 2] and loaded.elapsed == [0.0, 0.0]
