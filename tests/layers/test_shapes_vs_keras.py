"""Property tests: the pure-Python shape and parameter inference equals what Keras builds."""

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from playground import bundle, presets
from playground import spec as specs
from playground.spec import LayerSpec, ModelSpec, OptimizerSpec

keras_model = pytest.importorskip("playground.model")

pairs = st.integers(1, 4).map(lambda n: (n, n)) | st.tuples(st.integers(1, 4), st.integers(1, 4))
padding = st.sampled_from(["valid", "same"])

conv = st.builds(
    lambda f, k, s, p, a: LayerSpec(
        "Conv2D", {"filters": f, "kernel_size": k, "strides": s, "padding": p, "activation": a}
    ),
    st.integers(1, 6),
    pairs,
    pairs,
    padding,
    st.sampled_from(["relu", "tanh", "linear"]),
)
pool = st.builds(
    lambda kind, size, p: LayerSpec(kind, {"pool_size": size, "padding": p}),
    st.sampled_from(["MaxPooling2D", "AveragePooling2D"]),
    pairs,
    padding,
)
block = st.builds(
    lambda f, s, skip: LayerSpec("ResidualBlock", {"filters": f, "strides": s, "skip": skip}),
    st.integers(1, 5),
    st.sampled_from([(1, 1), (2, 2), (1, 2)]),
    st.booleans(),
)
image_layer = (
    conv | pool | block | st.just(LayerSpec("BatchNormalization")) | st.just(LayerSpec("Dropout", {"rate": 0.1}))
)
to_flat = st.sampled_from([LayerSpec("Flatten"), LayerSpec("GlobalAveragePooling2D")])
dense = st.builds(lambda u: LayerSpec("Dense", {"units": u, "activation": "relu"}), st.integers(1, 12))
flat_layer = dense | st.just(LayerSpec("BatchNormalization")) | st.just(LayerSpec("Dropout", {"rate": 0.2}))


@st.composite
def model_specs(draw):
    """Valid-looking specs: image layers, a flattening layer, dense layers, then the output layer."""
    side = draw(st.integers(6, 16))
    classes = draw(st.integers(2, 5))
    layers = [*draw(st.lists(image_layer, max_size=4)), draw(to_flat), *draw(st.lists(flat_layer, max_size=2))]
    layers.append(LayerSpec("Dense", {"units": classes, "activation": "softmax"}))
    return ModelSpec((side, side, draw(st.sampled_from([1, 3]))), classes, tuple(layers), optimizer=OptimizerSpec())


def assert_matches_keras(model_spec: ModelSpec) -> None:
    report = specs.check(model_spec)
    model = keras_model.build_model(model_spec, compile=False)
    positions = list(enumerate(model_spec.layers, start=1))
    outputs = [model.get_layer(keras_model.output_layer_name(p, layer)).output for p, layer in positions]
    assert [tuple(output.shape[1:]) for output in outputs] == [s.output_shape for s in report.shapes]
    params = [sum(part.count_params() for part in keras_model.keras_layers(model, p, layer)) for p, layer in positions]
    assert params == [s.params for s in report.shapes]
    assert model.count_params() == report.total_params
    non_trainable = sum(int(w.numpy().size) for w in model.non_trainable_weights)
    assert non_trainable == report.non_trainable_params
    assert [tuple(w.shape) for w in model.get_weights()] == bundle.expected_weight_shapes(model_spec)


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_every_preset_matches_keras(name):
    assert_matches_keras(presets.preset(name))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(model_specs())
def test_generated_specs_match_keras(model_spec):
    assume(specs.validate(model_spec).ok)
    assert_matches_keras(model_spec)
