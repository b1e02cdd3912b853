"""The Draw page's one compiled call (playground.inspection.inspector) against plain Keras, and its shared cache."""

import threading

import numpy as np
import pytest

from playground import presets
from playground.backend import keras
from playground.inspection import inspector
from playground.spec import ModelSpec
from tests.inspection.models import image, tiny_spec, trained_for


@pytest.mark.parametrize("name", ["seed-cnn", "lenet-5", "mlp"])
def test_probabilities_match_plain_keras_predict(name):
    trained, model = trained_for(presets.preset(name))
    x = image(1)
    inspection = inspector.inspect(trained, x)
    expected = model.predict(x[None, ..., None], verbose=0)[0]
    np.testing.assert_allclose(inspection.probabilities, expected, atol=1e-6)
    assert inspection.prediction == int(np.argmax(expected))


def test_every_layer_activation_matches_a_keras_model_cut_at_that_layer():
    trained, model = trained_for(presets.preset("seed-cnn"))
    x = image(2)
    inspection = inspector.inspect(trained, x)
    assert [a.kind for a in inspection.activations] == [layer.kind for layer in trained.spec.layers]
    for activation, layer in zip(inspection.activations, model.layers[1:], strict=True):  # [0]: the input
        cut = keras.Model(model.inputs[0], layer.output)
        expected = np.asarray(cut(x[None, ..., None], training=False))[0]
        np.testing.assert_allclose(activation.values, expected, atol=1e-5)
    kinds = {a.kind for a in inspection.activations if a.is_feature_maps}
    assert kinds == {"Conv2D", "MaxPooling2D"}
    assert [a.values.shape for a in inspection.activations if a.is_vector] == [(64,), (10,)]


def test_saliency_of_a_linear_model_is_the_predicted_class_weights():
    trained, _ = trained_for(presets.preset("logistic"))
    inspection = inspector.inspect(trained, image(3))
    kernel = trained.weights[0]  # (784, 10): the score of class c is x · kernel[:, c] + bias
    np.testing.assert_allclose(inspection.saliency, kernel[:, inspection.prediction].reshape(28, 28), atol=1e-6)


def test_saliency_matches_finite_differences_of_the_class_score():
    spec = presets.preset("lenet-5")  # tanh everywhere: smooth, so central differences are accurate
    trained, model = trained_for(spec)
    x = image(4)
    inspection = inspector.inspect(trained, x)
    kernel, bias = trained.weights[-2:]
    features = keras.Model(model.inputs[0], model.layers[-2].output)

    def score(pixels: np.ndarray) -> float:
        hidden = np.asarray(features(pixels[None, ..., None].astype(np.float32)), dtype=np.float64)[0]
        return float(hidden @ kernel[:, inspection.prediction] + bias[inspection.prediction])

    step = 1e-2
    for row, col in [(14, 14), (10, 17), (20, 8)]:
        up, down = x.copy(), x.copy()
        up[row, col] += step
        down[row, col] -= step
        numeric = (score(up) - score(down)) / (2 * step)
        assert inspection.saliency[row, col] == pytest.approx(numeric, rel=0.05, abs=1e-4)


def test_many_weight_sets_share_one_compiled_function_per_architecture():
    spec = presets.preset("small-cnn")
    shared = inspector.shared(spec)
    x = image(5)
    for seed in range(4):
        trained, model = trained_for(spec, seed)
        expected = model.predict(x[None, ..., None], verbose=0)[0]
        np.testing.assert_allclose(inspector.inspect(trained, x).probabilities, expected, atol=1e-6)
        inspector.predict(trained, x[None, ..., None])
    assert inspector.shared(spec) is shared
    assert shared.traces == 2  # one trace of the inspection function, one of the batch prediction


def test_the_architecture_key_ignores_training_settings():
    spec = presets.preset("mlp")
    other = ModelSpec(spec.input_shape, spec.num_classes, spec.layers, loss="mean_squared_error")
    assert inspector.architecture_key(spec) == inspector.architecture_key(other)
    assert inspector.architecture_key(spec) != inspector.architecture_key(presets.preset("logistic"))


def test_the_cache_keeps_the_most_recent_architectures_and_builds_older_ones_anew():
    specs = [tiny_spec(units) for units in range(1, inspector.CACHED_ARCHITECTURES + 3)]
    built = [inspector.shared(spec) for spec in specs]
    kept = [inspector.shared(spec) is one for spec, one in zip(specs[2:], built[2:], strict=True)]
    assert kept == [True] * inspector.CACHED_ARCHITECTURES  # asked again first: no eviction yet
    assert [inspector.shared(spec) is one for spec, one in zip(specs[:2], built[:2], strict=True)] == [False, False]


def test_sessions_asking_for_a_new_architecture_at_once_share_one_build():
    spec = tiny_spec(77)
    found = []
    threads = [threading.Thread(target=lambda: found.append(inspector.shared(spec))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 4 and all(each is found[0] for each in found)


def test_warm_up_compiles_in_the_background_and_the_page_then_reuses_it():
    spec = tiny_spec(78)
    inspector.warm_up(spec)
    built = inspector.shared(spec)  # waits for the warm-up's build instead of building again
    trained, model = trained_for(spec)
    np.testing.assert_allclose(
        inspector.inspect(trained, image(7)).probabilities,
        model.predict(image(7)[None, ..., None], verbose=0)[0],
        atol=1e-6,
    )
    assert inspector.shared(spec) is built and built.traces == 1


def test_sessions_inspecting_different_weights_at_once_each_get_their_own_answer():
    spec = presets.preset("logistic")
    models = [trained_for(spec, seed) for seed in range(2)]
    x = image(6)
    expected = [model.predict(x[None, ..., None], verbose=0)[0] for _, model in models]
    failures = []

    def session(which: int) -> None:
        for _ in range(30):
            got = inspector.inspect(models[which][0], x).probabilities
            if not np.allclose(got, expected[which], atol=1e-6):
                failures.append(which)

    threads = [threading.Thread(target=session, args=(which,)) for which in (0, 1, 0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
