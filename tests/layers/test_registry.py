"""The layer registry: a new kind, composite or not, is one object; nothing outside the registry names a kind."""

import ast
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from playground import bundle, codegen, layers, presets
from playground import spec as specs
from playground.catalog import ACTIVATION, Param
from playground.layers.kind import Inferred, LayerKind, LayerProblem, Weight
from playground.spec import LayerSpec, ModelSpec

ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------- a throw-away composite kind


def _twin_infer(shape, args) -> Inferred:
    if len(shape) != 3:
        raise LayerProblem("needs_image_flat_input", kind="TwinConv", size=math.prod(shape))
    channels, filters = shape[-1], args["filters"]
    convs = 9 * channels * filters + filters + 9 * filters * filters + filters
    skip = channels * filters + filters if channels != filters else 0
    return Inferred((*shape[:2], filters), convs + skip)


def _twin_weights(shape, args):
    channels, filters = shape[-1], args["filters"]
    weights = [
        Weight((3, 3, channels, filters)),
        Weight((filters,)),
        Weight((3, 3, filters, filters)),
        Weight((filters,)),
    ]
    if channels != filters:
        weights += [Weight((1, 1, channels, filters)), Weight((filters,))]
    return tuple(weights)


def _twin_build(args, name, builder):
    def apply(x):
        shortcut = x
        y = builder.layer("Conv2D", filters=args["filters"], kernel_size=3, padding="same",
                          activation=args["activation"], name=f"{name}_a")(x)  # fmt: skip
        y = builder.layer("Conv2D", filters=args["filters"], kernel_size=3, padding="same", name=f"{name}_b")(y)
        if x.shape[-1] != args["filters"]:
            shortcut = builder.layer("Conv2D", filters=args["filters"], kernel_size=1, name=f"{name}_skip")(x)
        return builder.layer("Add", name=f"{name}_sum")([y, shortcut])

    return apply


def _twin_code(args, shape, call):
    return [
        "shortcut = x",
        f"x = {call('Conv2D', {'filters': args['filters'], 'kernel_size': 3, 'padding': 'same', 'activation': args['activation']})}(x)",
        f"x = {call('Conv2D', {'filters': args['filters'], 'kernel_size': 3, 'padding': 'same'})}(x)",
        f"if shortcut.shape[-1] != {args['filters']}:",
        f"    shortcut = {call('Conv2D', {'filters': args['filters'], 'kernel_size': 1})}(shortcut)",
        f"x = {call('Add', {})}([x, shortcut])",
    ]


TWIN = LayerKind(
    name="TwinConv",
    family="block",
    params=(Param("filters", "int", 8, low=1, high=64, required=True), ACTIVATION),
    infer=lambda shape, args: _twin_infer(shape, args),
    build=lambda args, name, builder: _twin_build(layers.get("TwinConv").full_args(args), name, builder),
    weights=lambda shape, args: _twin_weights(shape, args),
    code_lines=lambda args, shape, call: _twin_code(layers.get("TwinConv").full_args(args), shape, call),
    needs_image=True,
    output="maps",
    output_layer=lambda name: f"{name}_sum",
    inner=lambda name: (("first convolution", f"{name}_a"), ("second convolution", f"{name}_b")),
)


@pytest.fixture
def twin():
    layers.register(TWIN)
    yield TWIN
    layers.unregister("TwinConv")


def twin_spec() -> ModelSpec:
    seed = presets.preset("seed-cnn")
    stack = [LayerSpec("Conv2D", {"filters": 4, "kernel_size": (3, 3), "activation": "relu"}),
             LayerSpec("TwinConv", {"filters": 6, "activation": "relu"}), LayerSpec("MaxPooling2D"),
             LayerSpec("Flatten"), LayerSpec("Dense", {"units": 10, "activation": "softmax"})]  # fmt: skip
    return seed.with_layers(stack)


def test_a_composite_kind_is_validated_built_written_and_saved(twin, tmp_path):
    from playground.backend import keras
    from playground.model import build_model, output_layer_name

    spec = twin_spec()
    report = specs.check(spec)
    assert report.shapes[1].output_shape == (26, 26, 6)
    expected_params = 9 * 4 * 6 + 6 + 9 * 6 * 6 + 6 + 4 * 6 + 6
    assert report.shapes[1].params == expected_params
    model = build_model(spec, compile=False)
    assert model.count_params() == report.total_params
    assert model.get_layer(output_layer_name(2, spec.layers[1])).output.shape[1:] == (26, 26, 6)
    assert [tuple(w.shape) for w in model.get_weights()] == bundle.expected_weight_shapes(spec)
    # the generated script runs on its own (no playground, no registry) and builds the same model
    script = tmp_path / "model.py"
    script.write_text(codegen.model_source(spec))
    probe = f"import runpy; model = runpy.run_path({str(script)!r})['model']; print(model.count_params())"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert int(result.stdout.strip().splitlines()[-1]) == report.total_params
    # saved and loaded as a bundle
    keras.utils.set_random_seed(1)
    trained = bundle.TrainedModel(spec, tuple(model.get_weights()))
    loaded = bundle.from_bytes(bundle.to_bytes(trained))
    assert loaded.spec == spec
    for before, after in zip(trained.weights, loaded.weights, strict=True):
        np.testing.assert_array_equal(before, after)


def test_the_draw_page_opens_up_a_composite_kind(twin, app_test):
    from playground.model import build_model

    spec = twin_spec()
    model = build_model(spec, compile=False)
    trained = bundle.TrainedModel(spec, tuple(model.get_weights()))
    app = app_test("views/draw.py", timeout=120)
    app.session_state["trained_model"] = trained
    app.run()
    app.segmented_control(key="draw_source").set_value("test").run()
    assert not app.exception, app.exception
    offered = app.selectbox(key="draw_layer").options  # the feature-map layer picker of "Inside the network"
    assert any("TwinConv" in option for option in offered), offered
    app.selectbox(key="draw_layer").set_value(next(o for o in offered if "TwinConv" in o)).run()
    assert not app.exception, app.exception
    assert app.get("plotly_chart")


def test_a_composite_kind_refuses_what_it_cannot_take(twin):
    flat = ModelSpec((784,), 10, (LayerSpec("TwinConv", {"filters": 3}), LayerSpec("Flatten")))
    report = specs.validate(flat)
    assert [problem.code for problem in report.errors] == ["needs_image_after_flat"]
    assert report.errors[0].position == 1


def test_every_kind_declares_what_the_playground_asks_of_it():
    for kind in layers.REGISTRY.values():
        assert kind.family in ("dense", "conv", "pool", "reshape", "regularize", "normalize", "block")
        assert kind.output in ("maps", "vector", "none")
        assert set(kind.new_layer) <= {param.name for param in kind.params}
        assert kind.colour.startswith("#")


# ---------------------------------------------------------------- one place


def _kind_names_used(tree: ast.AST) -> list[tuple[int, str]]:
    """String constants naming a layer kind, except as the kind of a LayerSpec(...) being built."""
    allowed = set()
    for node in ast.walk(tree):
        called = isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", ""))
        if called == "LayerSpec" and node.args and isinstance(node.args[0], ast.Constant):
            allowed.add(id(node.args[0]))
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):  # docstrings
            allowed.add(id(node.value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in layers.REGISTRY and id(node) not in allowed
    ]


def test_no_layer_kind_is_named_outside_the_registry():
    found = []
    for path in [*(ROOT / "playground").rglob("*.py"), *(ROOT / "views").glob("*.py"), ROOT / "app.py"]:
        relative = path.relative_to(ROOT)
        if relative.parts[:2] in (("playground", "layers"), ("playground", "text")):
            continue
        found += [f"{relative}:{line} {name}" for line, name in _kind_names_used(ast.parse(path.read_text()))]
    assert found == []


def test_the_registry_check_finds_a_kind_compared_by_name():
    assert _kind_names_used(ast.parse('if layer.kind == "Conv2D": pass')) == [(1, "Conv2D")]
    assert _kind_names_used(ast.parse('KINDS = {"Dense", "Dropout"}')) == [(1, "Dense"), (1, "Dropout")]
    assert _kind_names_used(ast.parse('LayerSpec("Dense", {"units": 3})')) == []
