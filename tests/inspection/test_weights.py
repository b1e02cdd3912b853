"""A trained model's weights by layer and its first-layer filters (playground.inspection.weights)."""

import numpy as np
import pytest

from playground import presets
from playground.inspection import weights
from playground.model import keras_layers
from playground.spec import LayerSpec, ModelSpec
from tests.inspection.models import trained_for

NORMALISED = ModelSpec((28, 28, 1), 10, (LayerSpec("Conv2D", {"filters": 4, "kernel_size": 3}),
                                         LayerSpec("BatchNormalization"), LayerSpec("GlobalAveragePooling2D"),
                                         LayerSpec("Dense", {"units": 10, "activation": "softmax"})))  # fmt: skip


@pytest.mark.parametrize("spec", [presets.preset("seed-cnn"), NORMALISED], ids=["seed-cnn", "batch-norm"])
def test_each_layers_arrays_are_the_ones_keras_holds_for_that_layer(spec):
    trained, model = trained_for(spec)
    groups = weights.by_layer(trained)
    assert len(groups) == len(trained.spec.layers)
    for position, (layer, arrays) in enumerate(zip(trained.spec.layers, groups, strict=True), start=1):
        expected = [array for part in keras_layers(model, position, layer) for array in part.get_weights()]
        assert len(arrays) == len(expected), layer.kind
        for got, want in zip(arrays, expected, strict=True):
            np.testing.assert_array_equal(got, want)
    counts = {"Conv2D": 2, "Dense": 2, "BatchNormalization": 4}  # kernel and bias; gamma, beta, mean, variance
    assert [len(arrays) for arrays in groups] == [counts.get(layer.kind, 0) for layer in spec.layers]


def test_first_layer_filters_are_conv_kernels_or_dense_weight_images():
    trained, _ = trained_for(presets.preset("seed-cnn"))
    caption, kernels = weights.first_layer_filters(trained)
    assert caption == "conv" and kernels.shape == (32, 3, 3)
    np.testing.assert_allclose(kernels[5], trained.weights[0][:, :, 0, 5])
    caption, images = weights.first_layer_filters(trained_for(presets.preset("logistic"))[0])
    assert caption == "dense" and images.shape == (10, 28, 28)
