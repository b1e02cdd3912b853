"""The residual block: shapes and parameters as Keras counts them, readable code, and a .keras file plain Keras loads."""

import runpy

import numpy as np
import pytest

from playground import bundle, codegen
from playground import spec as specs
from playground.layers import residual
from playground.spec import LayerSpec, ModelSpec

keras_model = pytest.importorskip("playground.model")


def resnet(skip: bool = True) -> ModelSpec:
    stack = (
        LayerSpec("Conv2D", {"filters": 8, "kernel_size": (3, 3), "padding": "same", "activation": "relu"}),
        LayerSpec("ResidualBlock", {"filters": 8, "skip": skip}),
        LayerSpec("ResidualBlock", {"filters": 12, "strides": (2, 2), "skip": skip}),
        LayerSpec("GlobalAveragePooling2D"),
        LayerSpec("Dense", {"units": 10, "activation": "softmax"}),
    )
    return ModelSpec((12, 12, 1), 10, stack)


@pytest.mark.parametrize("skip", [True, False], ids=["with skips", "plain"])
def test_shapes_parameters_and_weights_agree_with_keras(skip):
    spec = resnet(skip)
    report = specs.check(spec)
    model = keras_model.build_model(spec, compile=False)
    assert model.count_params() == report.total_params
    assert [s.output_shape for s in report.shapes][1:3] == [(12, 12, 8), (6, 6, 12)]
    assert [tuple(w.shape) for w in model.get_weights()] == bundle.expected_weight_shapes(spec)
    non_trainable = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    assert non_trainable == report.non_trainable_params
    names = {layer.name for layer in model.layers}
    assert ("residualblock_3_skip" in names) == skip  # a projection only where the shape changes, only with skips
    assert "residualblock_2_skip" not in names
    assert ("residualblock_2_add" in names) == skip


def test_the_generated_code_is_keras_functional_api_and_runs_on_its_own(tmp_path):
    spec = resnet()
    source = codegen.model_source(spec)
    assert "keras.Model(inputs, x)" in source and "layers.Add()([x, shortcut])" in source
    path = tmp_path / "model.py"
    path.write_text(source)
    model = runpy.run_path(str(path))["model"]
    assert model.count_params() == specs.check(spec).total_params


def test_the_keras_file_loads_in_plain_keras_without_custom_objects(tmp_path):
    from playground.backend import keras

    spec = resnet()
    model = keras_model.build_model(spec)
    trained = bundle.TrainedModel(spec, tuple(model.get_weights()))
    path = tmp_path / "resnet.keras"
    path.write_bytes(bundle.to_keras_file(trained))
    loaded = keras.models.load_model(path, safe_mode=True)  # no custom_objects
    x = np.random.default_rng(0).random((3, 12, 12, 1)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


def test_the_block_needs_an_image_and_names_its_parts():
    flat = ModelSpec((64,), 10, (LayerSpec("ResidualBlock", {"filters": 4}), LayerSpec("Flatten")))
    assert [p.code for p in specs.validate(flat).errors] == ["needs_image_after_flat"]
    parts = dict(residual.RESIDUAL_BLOCK.inner("residualblock_2"))
    assert parts["skip"] == "residualblock_2_skip" and parts["out"] == "residualblock_2_out"
