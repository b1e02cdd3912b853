"""The validator agrees with Keras: every spec it accepts builds and trains one step in Keras with the counted
parameters; every spec Keras refuses, it refuses with a message of its own.

Specs are drawn valid-looking, then one argument of a layer or of the optimizer is dropped, mistyped, pushed out
of range or invented, using the kinds and arguments the registry and the catalogue declare.
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from playground import catalog, layers
from playground import spec as specs
from playground.spec import LayerSpec, ModelSpec, OptimizerSpec

keras_model = pytest.importorskip("playground.model")

pairs = st.integers(1, 3).map(lambda n: (n, n)) | st.tuples(st.integers(1, 3), st.integers(1, 3))
image_layer = st.one_of(
    st.builds(
        lambda f, k: LayerSpec("Conv2D", {"filters": f, "kernel_size": k, "activation": "relu"}),
        st.integers(1, 4),
        pairs,
    ),  # fmt: skip
    st.builds(lambda k: LayerSpec("MaxPooling2D", {"pool_size": k, "padding": "same"}), pairs),
    st.builds(lambda k: LayerSpec("AveragePooling2D", {"pool_size": k, "padding": "same"}), pairs),
    st.just(LayerSpec("BatchNormalization")),
    st.just(LayerSpec("Dropout", {"rate": 0.1})),
    st.builds(
        lambda f, skip: LayerSpec("ResidualBlock", {"filters": f, "skip": skip}), st.integers(1, 4), st.booleans()
    ),
)
flat_layer = st.one_of(
    st.builds(lambda u: LayerSpec("Dense", {"units": u, "activation": "relu"}), st.integers(1, 8)),
    st.just(LayerSpec("Dropout", {"rate": 0.2})),
    st.just(LayerSpec("BatchNormalization")),
)


def _wrong_values(param: catalog.Param) -> list:
    """Values of the wrong type or out of the declared range for this argument."""
    wrong = ["text", [1, 2, 3], {"a": 1}, None]
    if param.kind in ("int", "pair"):
        wrong += [1.5, True, (param.low or 1) - 1, (param.high or 10) + 1, -3]
    if param.kind == "float":
        wrong += [True, (param.low or 0) - 1, (param.high or 1) * 2 + 1, math.nan, math.inf]
    if param.kind == "bool":
        wrong += [1, "true"]
    if param.kind in ("choice", "activation", "initializer"):
        wrong += ["nonsense", 3]
    if param.kind == "regularizer":
        wrong += [{"l3": 0.1}, {"l1": -1.0}, {"l2": "x"}]
    return wrong


@st.composite
def mutation(draw, args: dict, params: tuple[catalog.Param, ...]) -> dict:
    """The arguments with one of them dropped, changed to a wrong value, or an unknown one added."""
    action = draw(st.sampled_from(["drop", "wrong", "invent", "none"] if params else ["invent", "none"]))
    args = dict(args)
    if action == "drop" and args:
        args.pop(draw(st.sampled_from(sorted(args))))
    elif action == "wrong":
        param = draw(st.sampled_from(params))
        args[param.name] = draw(st.sampled_from(_wrong_values(param)))
    elif action == "invent":
        args[draw(st.sampled_from(["foo", "units2", "name"]))] = 1
    return args


@st.composite
def mutated_specs(draw) -> ModelSpec:
    side, classes = draw(st.integers(6, 10)), draw(st.integers(2, 4))
    stack = [*draw(st.lists(image_layer, max_size=3)), LayerSpec("Flatten"), *draw(st.lists(flat_layer, max_size=2))]
    stack.append(LayerSpec("Dense", {"units": classes, "activation": "softmax"}))
    optimizer = draw(st.sampled_from(sorted(catalog.OPTIMIZERS)))
    opt_params = catalog.OPTIMIZERS[optimizer]
    opt_args = {param.name: param.default for param in opt_params if draw(st.booleans())}
    if draw(st.booleans()):  # mutate a layer
        index = draw(st.integers(0, len(stack) - 1))
        kind = layers.get(stack[index].kind)
        stack[index] = LayerSpec(stack[index].kind, draw(mutation(stack[index].args, kind.params)))
    else:  # mutate the optimizer
        opt_args = draw(mutation(opt_args, opt_params))
    return ModelSpec((side, side, 1), classes, tuple(stack), optimizer=OptimizerSpec(optimizer, opt_args))


def _trains(model_spec: ModelSpec) -> tuple[int, list]:
    """Build, compile and train one step in Keras; (parameters, output shapes per spec layer)."""
    from playground.backend import keras

    keras.backend.clear_session()
    model = keras_model.build_model(model_spec)
    x = np.random.default_rng(0).random((2, *model_spec.input_shape)).astype("float32")
    y = np.eye(model_spec.num_classes, dtype="float32")[[0, 1]]
    model.fit(x, y, epochs=1, batch_size=2, verbose=0)
    names = [keras_model.output_layer_name(p, layer) for p, layer in enumerate(model_spec.layers, start=1)]
    return model.count_params(), [tuple(model.get_layer(name).output.shape[1:]) for name in names]


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(mutated_specs())
def test_what_the_validator_accepts_trains_in_keras_and_what_it_refuses_it_explains(model_spec):
    report = specs.validate(model_spec)
    if report.ok:
        count, shapes = _trains(model_spec)  # must not raise: Keras takes everything the validator took
        assert count == report.total_params
        assert shapes == [shape.output_shape for shape in report.shapes]
    else:
        for problem in report.errors:
            for language in ("en", "zh"):
                message = problem.message(language)
                assert message and "\n" not in message and len(message) < 600


def test_keras_refuses_what_the_validator_refuses_for_its_required_arguments():
    # The registry's required arguments are the ones Keras has no default for.
    from playground.backend import keras

    for kind in (kind for kind in layers.REGISTRY.values() if not kind.composite):  # one Keras class each
        required = [param.name for param in kind.params if param.required]
        for name in required:
            args = {param.name: param.default for param in kind.params if param.required and param.name != name}
            with pytest.raises(TypeError):
                getattr(keras.layers, kind.name)(**args)
