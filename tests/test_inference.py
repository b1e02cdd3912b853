"""Inference for the Draw page (playground.inference) against plain Keras, plus its figures and the demo model."""

import threading

import numpy as np
import pytest

from playground import bundle, data, presets
from playground.backend import keras
from playground.data import images as drawing
from playground.data import strokes
from playground.figures import inspection as figures
from playground.inspection import inspector as inference
from playground.model import build_model
from playground.spec import LayerSpec, ModelSpec


def trained_for(spec: ModelSpec, seed: int = 0) -> tuple[bundle.TrainedModel, keras.Model]:
    """A TrainedModel with fresh random weights and the plain Keras model that holds the same weights."""
    keras.utils.set_random_seed(seed)
    model = build_model(spec, compile=False)
    return bundle.TrainedModel(spec, tuple(model.get_weights())), model


def image(seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((28, 28)).astype(np.float32)


def tiny_spec(units: int) -> ModelSpec:
    layers = (LayerSpec("Flatten"), LayerSpec("Dense", {"units": units, "activation": "relu"}),
              LayerSpec("Dense", {"units": 10, "activation": "softmax"}))  # fmt: skip
    return ModelSpec((28, 28, 1), 10, layers)


@pytest.mark.parametrize("name", ["seed-cnn", "lenet-5", "mlp"])
def test_probabilities_match_plain_keras_predict(name):
    trained, model = trained_for(presets.preset(name))
    x = image(1)
    inspection = inference.inspect(trained, x)
    expected = model.predict(x[None, ..., None], verbose=0)[0]
    np.testing.assert_allclose(inspection.probabilities, expected, atol=1e-6)
    assert inspection.prediction == int(np.argmax(expected))


def test_every_layer_activation_matches_a_keras_model_cut_at_that_layer():
    trained, model = trained_for(presets.preset("seed-cnn"))
    x = image(2)
    inspection = inference.inspect(trained, x)
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
    inspection = inference.inspect(trained, image(3))
    kernel = trained.weights[0]  # (784, 10): the score of class c is x · kernel[:, c] + bias
    np.testing.assert_allclose(inspection.saliency, kernel[:, inspection.prediction].reshape(28, 28), atol=1e-6)


def test_saliency_matches_finite_differences_of_the_class_score():
    spec = presets.preset("lenet-5")  # tanh everywhere: smooth, so central differences are accurate
    trained, model = trained_for(spec)
    x = image(4)
    inspection = inference.inspect(trained, x)
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
    inspector = inference.inspector(spec)
    x = image(5)
    for seed in range(4):
        trained, model = trained_for(spec, seed)
        expected = model.predict(x[None, ..., None], verbose=0)[0]
        np.testing.assert_allclose(inference.inspect(trained, x).probabilities, expected, atol=1e-6)
        inference.predict(trained, x[None, ..., None])
    assert inference.inspector(spec) is inspector
    assert inspector.traces == 2  # one trace of the inspection function, one of the batch prediction


def test_the_architecture_key_ignores_training_settings():
    spec = presets.preset("mlp")
    other = ModelSpec(spec.input_shape, spec.num_classes, spec.layers, loss="mean_squared_error")
    assert inference.architecture_key(spec) == inference.architecture_key(other)
    assert inference.architecture_key(spec) != inference.architecture_key(presets.preset("logistic"))


def test_the_cache_holds_a_bounded_number_of_architectures():
    for units in range(1, inference.CACHED_ARCHITECTURES + 3):
        inference.inspector(tiny_spec(units))
    assert inference.cached_architectures() == inference.CACHED_ARCHITECTURES


def test_sessions_asking_for_a_new_architecture_at_once_share_one_build():
    spec = tiny_spec(77)
    found = []
    threads = [threading.Thread(target=lambda: found.append(inference.inspector(spec))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 4 and all(each is found[0] for each in found)


def test_warm_up_compiles_in_the_background_and_the_page_then_reuses_it():
    spec = tiny_spec(78)
    inference.warm_up(spec)
    built = inference.inspector(spec)  # waits for the warm-up's build instead of building again
    trained, model = trained_for(spec)
    np.testing.assert_allclose(
        inference.inspect(trained, image(7)).probabilities,
        model.predict(image(7)[None, ..., None], verbose=0)[0],
        atol=1e-6,
    )
    assert inference.inspector(spec) is built and built.traces == 1


def test_sessions_inspecting_different_weights_at_once_each_get_their_own_answer():
    spec = presets.preset("logistic")
    models = [trained_for(spec, seed) for seed in range(2)]
    x = image(6)
    expected = [model.predict(x[None, ..., None], verbose=0)[0] for _, model in models]
    failures = []

    def session(which: int) -> None:
        for _ in range(30):
            got = inference.inspect(models[which][0], x).probabilities
            if not np.allclose(got, expected[which], atol=1e-6):
                failures.append(which)

    threads = [threading.Thread(target=session, args=(which,)) for which in (0, 1, 0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures


def test_evaluation_counts_the_confusion_matrix_and_per_class_accuracy():
    labels = np.array([0, 0, 1, 1, 2, 2, 2])
    predictions = np.array([0, 1, 1, 1, 2, 0, 2])
    evaluation = inference.Evaluation(labels, predictions, np.zeros((7, 3)), ("a", "b", "c"))
    np.testing.assert_array_equal(evaluation.confusion, [[1, 1, 0], [0, 2, 0], [1, 0, 2]])
    np.testing.assert_allclose(evaluation.per_class_accuracy(), [0.5, 1.0, 2 / 3])
    assert evaluation.accuracy == pytest.approx(5 / 7)
    np.testing.assert_array_equal(evaluation.examples(2, 0), [5])
    np.testing.assert_array_equal(evaluation.mistakes(), [1, 5])


def test_evaluate_predicts_every_test_image_like_keras():
    sample = data.load("mnist-sample")
    small = data.Dataset("tiny-test", sample.x_train[:10], sample.y_train[:10], sample.x_test[:600],
                         sample.y_test[:600], sample.class_names)  # fmt: skip
    trained, model = trained_for(presets.preset("logistic"))
    evaluation = inference.evaluate(trained, small)
    expected = model.predict(data.images_as_input(small.x_test), verbose=0).argmax(axis=1)
    np.testing.assert_array_equal(evaluation.predictions, expected)
    assert evaluation.confusion.sum() == 600
    assert inference.evaluate(trained, small) is evaluation  # remembered


def test_first_layer_filters_are_conv_kernels_or_dense_weight_images():
    trained, _ = trained_for(presets.preset("seed-cnn"))
    caption, kernels = inference.first_layer_filters(trained)
    assert caption == "conv" and kernels.shape == (32, 3, 3)
    np.testing.assert_allclose(kernels[5], trained.weights[0][:, :, 0, 5])
    caption, images = inference.first_layer_filters(trained_for(presets.preset("logistic"))[0])
    assert caption == "dense" and images.shape == (10, 28, 28)


def test_the_demo_model_is_a_valid_seed_cnn_bundle_with_its_regeneration_command():
    demo = inference.demo_model()
    assert demo.spec == presets.preset("seed-cnn")
    assert demo.metadata["command"] == "python scripts/make_demo_model.py"
    assert bundle.from_bytes(inference.DEMO_PATH.read_bytes()).spec == demo.spec
    assert inference.DEMO_PATH.stat().st_size < 1_000_000


@pytest.mark.parametrize("style", strokes.STYLES, ids=lambda style: style.name)
def test_the_demo_model_reads_digits_drawn_the_ways_people_draw(style):
    demo = inference.demo_model()
    predicted = [inference.inspect(demo, drawing.prepare(strokes.drawing(d, style))).prediction for d in range(10)]
    assert predicted == list(range(10))


def test_the_demo_model_scores_well_on_the_sample_test_set():
    evaluation = inference.evaluate(inference.demo_model(), data.load("mnist-sample"))
    assert evaluation.accuracy > 0.95


# ---------------------------------------------------------------- figures


def test_probabilities_bar_highlights_the_predicted_class_and_outlines_the_true_one():
    probabilities = np.array([0.1, 0.7, 0.2])
    fig = figures.probabilities_bar(probabilities, ("a", "b", "c"), "Title", "probability", true_class=2)
    bar = fig.data[0]
    assert list(bar.x) == ["a", "b", "c"] and list(bar.y) == [0.1, 0.7, 0.2]
    assert list(bar.marker.color) == [figures.MUTED, figures.HIGHLIGHT, figures.MUTED]
    assert list(bar.marker.line.width) == [0, 0, 3]
    assert fig.layout.title.text == "Title" and fig.layout.yaxis.title.text == "probability"


def test_mosaic_tiles_maps_with_gaps_and_remembers_which_tile_is_where():
    tiles = np.arange(5 * 2 * 3, dtype=np.float32).reshape(5, 2, 3)
    grid, index = figures.mosaic(tiles, columns=3, gap=1)
    assert grid.shape == (2 * 2 + 1, 3 * 3 + 2)
    np.testing.assert_array_equal(grid[3:5, 4:7], tiles[4])
    assert np.isnan(grid[2, 0]) and index[2, 0] == -1 and index[3, 4] == 4
    assert np.isnan(grid[3:5, 8:]).all()  # the sixth cell is empty


def test_feature_maps_are_one_heatmap_with_one_colour_scale():
    values = np.random.default_rng(0).random((13, 13, 32)).astype(np.float32)
    fig = figures.feature_maps(values, "maps", "Map")
    assert len(fig.data) == 1 and fig.data[0].type == "heatmap"
    assert np.nanmax(np.array(fig.data[0].z, dtype=float)) == pytest.approx(values.max())
    assert fig.layout.yaxis.autorange == "reversed"


def test_filters_and_saliency_are_centred_at_zero():
    kernels = np.array([[[1.0, -3.0]], [[0.5, 2.0]]])
    fig = figures.filters(kernels, "filters", "Filter")
    assert (fig.data[0].zmin, fig.data[0].zmax, fig.data[0].zmid) == (-3.0, 3.0, 0.0)
    gradient = np.zeros((28, 28))
    gradient[3, 4] = -0.2
    fig = figures.saliency(np.zeros((28, 28)), gradient, "saliency", "gradient")
    assert (fig.data[0].zmin, fig.data[0].zmax) == pytest.approx((-0.2, 0.2))
    assert fig.data[1].type == "contour"


def test_confusion_matrix_shows_counts_coloured_by_row_share_with_clickable_cells():
    confusion = np.array([[8, 2], [1, 9]])
    fig = figures.confusion_matrix(confusion, ("0", "1"), "confusion", "true", "predicted")
    heatmap, cells = fig.data
    np.testing.assert_array_equal(heatmap.text, confusion)
    np.testing.assert_allclose(heatmap.z, [[0.8, 0.2], [0.1, 0.9]])
    assert len(cells.x) == 4 and cells.mode == "markers"
    assert fig.layout.xaxis.title.text == "predicted" and fig.layout.yaxis.title.text == "true"


def test_dense_bars_and_per_class_accuracy_have_one_bar_each():
    fig = figures.dense_bars(np.array([0.5, -1.0, 2.0]), "dense", "activation", "Neuron")
    assert list(fig.data[0].x) == [1, 2, 3]
    fig = figures.per_class_accuracy(np.array([1.0, np.nan]), ("0", "1"), "per class", "accuracy")
    assert list(fig.data[0].y) == [1.0, 0.0]
