"""Any number explained (playground.inspection.explain): the arithmetic of every registry kind gives Keras's own values."""

import dataclasses

import numpy as np
import pytest

from playground import bundle, catalog, layers
from playground.backend import keras
from playground.inspection import arithmetic, explain, inspector
from playground.model import layer_name, output_layer_name
from playground.spec import LayerSpec, ModelSpec
from tests.inspection.models import image, trained_for

# Every single kind, with strides, 'same' padding that hangs over the edge, several activations and both
# BatchNormalization inputs (maps and a vector).
SPATIAL = ModelSpec((28, 28, 1), 10, (
    LayerSpec("Conv2D", {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same", "activation": "relu"}),
    LayerSpec("BatchNormalization"),
    LayerSpec("MaxPooling2D", {"pool_size": 3, "strides": 2, "padding": "same"}),
    LayerSpec("Conv2D", {"filters": 6, "kernel_size": 2, "activation": "gelu"}),
    LayerSpec("AveragePooling2D", {"pool_size": 3, "strides": 2, "padding": "same"}),
    LayerSpec("Dropout", {"rate": 0.5}),
    LayerSpec("Flatten"),
    LayerSpec("Dense", {"units": 12, "activation": "selu"}),
    LayerSpec("BatchNormalization"),
    LayerSpec("Dense", {"units": 10, "activation": "softmax"}),
))  # fmt: skip
GLOBAL = ModelSpec((28, 28, 1), 10, (
    LayerSpec("Conv2D", {"filters": 3, "kernel_size": 5, "activation": "elu"}),
    LayerSpec("AveragePooling2D", {"pool_size": 2}),
    LayerSpec("GlobalAveragePooling2D"),
    LayerSpec("Dropout", {"rate": 0.2}),
    LayerSpec("Dense", {"units": 10, "activation": "softmax"}),
))  # fmt: skip
# A block that projects its skip (channels and size change), one that adds its input back, one without a skip.
RESIDUAL = ModelSpec((28, 28, 1), 10, (
    LayerSpec("Conv2D", {"filters": 4, "kernel_size": 3, "padding": "same", "activation": "relu"}),
    LayerSpec("ResidualBlock", {"filters": 6, "strides": 2}),
    LayerSpec("ResidualBlock", {"filters": 6, "activation": "tanh"}),
    LayerSpec("ResidualBlock", {"filters": 5, "skip": False}),
    LayerSpec("GlobalAveragePooling2D"),
    LayerSpec("Dense", {"units": 10, "activation": "softmax"}),
))  # fmt: skip


def _trained(spec: ModelSpec, seed: int = 0):
    """Random weights everywhere (biases and BatchNormalization's statistics too), as a TrainedModel and in Keras."""
    _, model = trained_for(spec, seed)
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        arrays = layer.get_weights()
        if not arrays:
            continue
        arrays = [rng.normal(0, 0.4, a.shape).astype(np.float32) for a in arrays]
        if isinstance(layer, keras.layers.BatchNormalization):
            arrays[3] = np.abs(arrays[3]) + 0.3  # a variance
        layer.set_weights(arrays)
    return bundle.TrainedModel(spec, tuple(model.get_weights())), model


def _keras_values(model, spec: ModelSpec, target: explain.Target, x: np.ndarray) -> np.ndarray:
    """The output of the target's Keras layer, from a Keras model cut there."""
    layer = spec.layers[target.position - 1]
    name = layer_name(target.position, layer)
    keras_name = f"{name}_{target.part}" if target.part else output_layer_name(target.position, layer)
    cut = keras.Model(model.inputs[0], model.get_layer(keras_name).output)
    return np.asarray(cut(x[None, ..., None], training=False))[0]


def _indices(shape: tuple[int, ...], rng) -> list[tuple[int, ...]]:
    # The first and last cell (where padding shows) and a few random ones.
    picked = [tuple(0 for _ in shape), tuple(n - 1 for n in shape)]
    picked += [tuple(int(rng.integers(n)) for n in shape) for _ in range(4)]
    return picked


@pytest.mark.parametrize("spec", [SPATIAL, GLOBAL, RESIDUAL], ids=["spatial", "global", "residual"])
def test_every_value_of_every_layer_and_part_equals_keras(spec):
    trained, model = _trained(spec)
    x = image(7)
    inspection = inspector.inspect(trained, x)
    rng = np.random.default_rng(1)
    explained_kinds = set()
    for target in explain.targets(inspection):
        expected = _keras_values(model, spec, target, x)
        assert expected.shape == target.shape, target
        for index in _indices(target.shape, rng):
            found = explain.explain(trained, x, inspection, target.position, index, target.part)
            assert found is not None, target
            assert found.value == pytest.approx(float(expected[index]), abs=1e-5), (target, index)
            assert found.numbers.computed == pytest.approx(float(expected[index]), rel=1e-4, abs=1e-5), (target, index)
        explained_kinds.add(target.kind)
    assert explained_kinds == {layer.kind for layer in spec.layers}


def test_all_registry_kinds_are_covered_here():
    kinds = {layer.kind for spec in (SPATIAL, GLOBAL, RESIDUAL) for layer in spec.layers}
    assert kinds == set(layers.names())
    assert all(layers.get(k).arithmetic in arithmetic.BY_ARITHMETIC or layers.get(k).composite for k in kinds)


def test_a_convolution_shows_its_patch_kernel_products_sum_bias_and_activation():
    trained, model = _trained(SPATIAL)
    x = image(8)
    inspection = inspector.inspect(trained, x)
    found = explain.explain(trained, x, inspection, 4, (2, 3, 5))  # the second Conv2D: 2×2 kernel, stride 1
    numbers = found.numbers
    assert found.sources == (explain.Source(3),) and numbers.window == (2, 3, 2, 2)
    previous = _keras_values(model, SPATIAL, explain.Target(3, "MaxPooling2D", "", ()), x)
    np.testing.assert_allclose(numbers.patch, previous[2:4, 3:5, :], atol=1e-6)
    kernel, bias = trained.weights[6], trained.weights[7]  # after Conv2D (2) and BatchNormalization (4)
    np.testing.assert_allclose(numbers.weights, kernel[..., 5], atol=1e-7)
    np.testing.assert_allclose(numbers.products, numbers.patch * numbers.weights)
    assert numbers.terms["sum"] == pytest.approx(float(numbers.products.sum()))
    assert numbers.terms["bias"] == pytest.approx(float(bias[5]))
    assert numbers.terms["pre_activation"] == pytest.approx(numbers.terms["sum"] + numbers.terms["bias"])
    assert numbers.activation == "gelu"
    assert numbers.computed == pytest.approx(float(arithmetic.activate("gelu", numbers.terms["pre_activation"])))


def test_same_padding_reads_zeros_for_a_convolution_and_skips_the_cells_for_pooling():
    trained, _ = _trained(SPATIAL)
    x = image(9)
    inspection = inspector.inspect(trained, x)
    first = explain.explain(trained, x, inspection, 1, (0, 0, 0)).numbers  # 28 → 14 by stride 2: pads after only
    assert first.window == (0, 0, 3, 3) and np.all(first.patch[:, :, 0] == x[:3, :3])
    last = explain.explain(trained, x, inspection, 1, (13, 13, 0)).numbers
    assert last.window == (26, 26, 3, 3) and np.all(last.patch[2, :] == 0) and np.all(last.patch[:, 2] == 0)
    pooled = explain.explain(trained, x, inspection, 5, (2, 2, 1)).numbers  # 6 → 3: the last window hangs over
    assert pooled.terms["count"] == 4 and np.isnan(pooled.patch).sum() == 5
    maximum = explain.explain(trained, x, inspection, 3, (0, 0, 2)).numbers  # 14 → 7: the one padding cell comes after
    assert maximum.window[:2] == (0, 0) and maximum.patch[maximum.chosen] == maximum.computed


def test_flatten_says_where_a_value_came_from_and_dense_lists_its_largest_contributions():
    trained, _ = _trained(SPATIAL)
    x = image(10)
    inspection = inspector.inspect(trained, x)
    maps = inspection.activations[5].values  # Dropout's output, (3, 3, 6)
    flat = explain.explain(trained, x, inspection, 7, (17,)).numbers
    assert flat.source_index == (0, 2, 5) and flat.computed == maps[0, 2, 5]
    dense = explain.explain(trained, x, inspection, 8, (4,)).numbers
    top = np.abs(dense.products[dense.units])
    assert len(dense.units) == arithmetic.TOP and np.all(top[:-1] >= top[1:])
    assert top[0] == np.abs(dense.products).max()
    shown = float(dense.products[dense.units].sum())
    assert shown + dense.terms["rest"] == pytest.approx(dense.terms["sum"])


def test_the_output_layer_shows_the_logits_and_the_softmax_that_gives_the_probabilities_shown():
    trained, _ = _trained(SPATIAL)
    x = image(11)
    inspection = inspector.inspect(trained, x)
    found = explain.explain(trained, x, inspection, 10, (inspection.prediction,))
    assert found.output and found.numbers.activation == "softmax"
    np.testing.assert_allclose(found.numbers.probabilities, inspection.probabilities, atol=1e-5)
    logits = found.numbers.logits
    np.testing.assert_allclose(np.exp(logits) / np.exp(logits).sum(), inspection.probabilities, atol=1e-5)
    assert found.numbers.terms["pre_activation"] == pytest.approx(logits[inspection.prediction])


def test_batch_normalization_shows_its_four_statistics_and_the_formula():
    trained, _ = _trained(SPATIAL)
    x = image(12)
    inspection = inspector.inspect(trained, x)
    numbers = explain.explain(trained, x, inspection, 2, (5, 6, 3)).numbers
    gamma, beta, mean, variance = (float(a[3]) for a in trained.weights[2:6])
    terms = numbers.terms
    shown = (terms["gamma"], terms["beta"], terms["mean"], terms["variance"])
    assert shown == pytest.approx((gamma, beta, mean, variance))
    assert terms["input"] == pytest.approx(float(inspection.activations[0].values[5, 6, 3]))
    expected = gamma * (terms["input"] - mean) / np.sqrt(variance + terms["epsilon"]) + beta
    assert numbers.computed == pytest.approx(expected)


def test_a_residual_block_is_opened_up_its_sum_is_main_path_plus_skip_path():
    trained, _ = _trained(RESIDUAL)
    x = image(13)
    inspection = inspector.inspect(trained, x)
    parts = [t.part for t in explain.targets(inspection) if t.position == 2]
    assert parts == ["", "conv1", "bn1", "act1", "conv2", "bn2", "skip", "add"]
    assert [t.part for t in explain.targets(inspection) if t.position == 4] == ["", "conv1", "bn1", "act1", "conv2",
                                                                                "bn2"]  # fmt: skip
    projected = explain.explain(trained, x, inspection, 2, (3, 4, 1), "add")
    assert projected.sources == (explain.Source(2, "bn2"), explain.Source(2, "skip"))
    main, skip = (dict(inspection.activations[1].parts)[p][3, 4, 1] for p in ("bn2", "skip"))
    assert projected.numbers.terms == pytest.approx({"term_0": main, "term_1": skip})
    added = explain.explain(trained, x, inspection, 3, (3, 4, 1), "add")  # same shape: the block's input is added
    assert added.sources == (explain.Source(3, "bn2"), explain.Source(2))
    out = explain.explain(trained, x, inspection, 3, (3, 4, 1))
    assert out.sources == (explain.Source(3, "add"),) and out.numbers.activation == "tanh"
    skip_conv = explain.explain(trained, x, inspection, 2, (3, 4, 1), "skip").numbers
    assert skip_conv.window == (6, 8, 1, 1) and skip_conv.patch.shape == (1, 1, 4)


def test_a_kind_without_arithmetic_is_not_explained():
    kind = layers.get("Dropout")
    layers.register(dataclasses.replace(kind, arithmetic=""))
    try:
        spec = GLOBAL
        trained, _ = _trained(spec)
        x = image(14)
        inspection = inspector.inspect(trained, x)
        assert explain.explain(trained, x, inspection, 4, (0,)) is None
    finally:
        layers.register(kind)


def test_an_index_off_the_array_is_refused():
    trained, _ = _trained(GLOBAL)
    x = image(15)
    inspection = inspector.inspect(trained, x)
    with pytest.raises(IndexError):
        explain.explain(trained, x, inspection, 1, (24, 0, 0))


@pytest.mark.parametrize("name", catalog.ACTIVATIONS)
def test_each_activation_is_computed_as_keras_computes_it(name):
    z = np.linspace(-4, 4, 17).astype(np.float32)
    expected = np.asarray(keras.activations.get(name)(keras.ops.convert_to_tensor(z[None])))[0]
    np.testing.assert_allclose(arithmetic.activate(name, z), expected, rtol=1e-5, atol=1e-6)
