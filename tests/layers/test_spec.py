"""Spec reading, validation messages and warnings (pure Python: no Keras)."""

import json
import sys

import pytest

from playground import presets
from playground import spec as specs
from playground.spec import LayerSpec


def seed():
    return presets.preset("seed-cnn")


def layers_of(*layers):
    return seed().with_layers(layers)


def test_seed_cnn_has_the_articles_shapes_and_93322_parameters():
    report = specs.validate(seed())
    assert report.ok
    assert report.total_params == 93_322
    assert [s.output_shape for s in report.shapes] == [
        (26, 26, 32),
        (13, 13, 32),
        (11, 11, 64),
        (5, 5, 64),
        (3, 3, 64),
        (576,),
        (64,),
        (10,),
    ]
    assert [s.params for s in report.shapes] == [320, 0, 18_496, 0, 36_928, 0, 36_928, 650]


def test_json_round_trip_keeps_the_spec_equal():
    for preset in presets.PRESETS.values():
        assert specs.from_json(preset.to_json()) == preset


CONV = LayerSpec("Conv2D", {"filters": 8, "kernel_size": (3, 3)})
FLAT = LayerSpec("Flatten")
OUT = LayerSpec("Dense", {"units": 10, "activation": "softmax"})

BROKEN = {
    "conv after flatten": (
        layers_of(FLAT, CONV, OUT),
        "Layer 2 (Conv2D) needs an image but gets a flat vector of 784 values: move it before Flatten",
    ),
    "pool after dense": (
        layers_of(FLAT, OUT, LayerSpec("MaxPooling2D")),
        "Layer 3 (MaxPooling2D) needs an image but gets a flat vector of 10 values",
    ),
    "shrinks to zero": (
        layers_of(*[LayerSpec("MaxPooling2D", {"pool_size": (2, 2)})] * 5, FLAT, OUT),
        "Layer 5 (MaxPooling2D) gets a 1×1 image but its window is 2×2: the output would have no pixels left",
    ),
    "output size": (layers_of(FLAT, LayerSpec("Dense", {"units": 7})), "has 7 units, but the data has 10 classes"),
    "no layers": (layers_of(), "the model has no layers"),
    "unknown kind": (layers_of(FLAT, LayerSpec("Conv3D"), OUT), "Layer 2 (Conv3D) is not a layer kind I know"),
    "unknown activation": (
        layers_of(FLAT, LayerSpec("Dense", {"units": 10, "activation": "swish2"})),
        "Layer 2 (Dense) has activation = 'swish2', but it must be one of relu",
    ),
    "out of range": (layers_of(FLAT, LayerSpec("Dropout", {"rate": 1.5}), OUT), "rate = 1.5, but it must be a number"),
    "too many params": (
        layers_of(FLAT, LayerSpec("Dense", {"units": 4096}), LayerSpec("Dense", {"units": 4096}), OUT),
        "more than the 5,000,000 this playground allows",
    ),
    "dense on image": (layers_of(LayerSpec("Dense", {"units": 10})), "Layer 1 (Dense) gets an image of 28×28×1"),
    "missing argument": (layers_of(FLAT, LayerSpec("Dense", {})), "Layer 2 (Dense) needs a value for 'units'"),
    "unknown argument": (
        layers_of(FLAT, LayerSpec("Dense", {"units": 10, "neurons": 3})),
        "does not take an argument 'neurons'",
    ),
}


@pytest.mark.parametrize("name", BROKEN)
def test_broken_specs_are_rejected_with_a_message_naming_the_problem(name):
    broken, expected = BROKEN[name]
    report = specs.validate(broken)
    assert not report.ok
    assert expected in report.errors[0].message()


def test_unknown_loss_names_the_field():
    from dataclasses import replace

    report = specs.validate(replace(seed(), loss="crossentropy"))
    assert report.errors[0].message().startswith("loss: unknown name 'crossentropy'")


def test_malformed_json_and_structure_raise_spec_errors():
    with pytest.raises(specs.SpecError, match="not valid JSON"):
        specs.from_json("{layers: [")
    with pytest.raises(specs.SpecError, match="'layers' must be a list"):
        specs.from_json(json.dumps({"input_shape": [28, 28, 1], "num_classes": 10, "layers": 3}))
    with pytest.raises(specs.SpecError, match="input_shape"):
        specs.from_dict({"input_shape": "big", "num_classes": 10, "layers": []})


def test_teaching_warnings_explain_without_blocking():
    from dataclasses import replace

    mse = specs.validate(replace(seed(), loss="mean_squared_error"))
    assert mse.ok and "Cross-entropy is the loss made for probabilities" in mse.warnings[0].message()
    linear_out = layers_of(FLAT, LayerSpec("Dense", {"units": 10}))
    ce = specs.validate(linear_out)
    assert ce.ok and "use softmax on the output layer" in ce.warnings[0].message()
    assert "vanishing gradients" in specs.validate(presets.preset("deep-sigmoid")).warnings[0].message()
    assert not specs.validate(presets.preset("deep-relu")).warnings


def test_messages_exist_in_chinese():
    report = specs.validate(BROKEN["conv after flatten"][0])
    assert report.errors[0].message("zh").startswith("第 2 层（Conv2D）需要图像输入")


def test_batch_normalization_counts_non_trainable_parameters():
    report = specs.validate(layers_of(CONV, LayerSpec("BatchNormalization"), FLAT, OUT))
    assert report.shapes[1].params == 32 and report.shapes[1].non_trainable == 16
    assert report.non_trainable_params == 16


def test_dataset_mismatch_is_explained():
    assert specs.matches_dataset(seed(), (28, 28, 1), 10) is None
    problem = specs.matches_dataset(seed(), (32, 32, 1), 5)
    assert "expects 28×28×1 → 10" in problem.message()


def test_the_build_side_of_the_library_never_imports_tensorflow():
    import subprocess

    code = (
        "import sys; import playground.spec, playground.presets, playground.codegen, playground.data, "
        "playground.figures.architecture, playground.links, playground.layers, playground.bundle, playground.cli; "
        "from playground import presets, spec; spec.validate(presets.preset('seed-cnn')); "
        "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
