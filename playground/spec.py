"""Frozen, JSON-serializable model specs and their validation by shape inference (no Keras)."""

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from playground import catalog, layers
from playground.bounded import BoundedError, cut, jsontext
from playground.layers.kind import LayerProblem, describe
from playground.text.spec import CATALOGUE as MESSAGES


@dataclass(frozen=True)
class LayerSpec:
    """One layer: a Keras class name from the catalog and its Keras arguments."""

    kind: str
    args: Mapping[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The layer as JSON-ready data: {"kind": ..., **args}."""
        return {"kind": self.kind, **{name: _jsonable(value) for name, value in self.args.items()}}


@dataclass(frozen=True)
class OptimizerSpec:
    """An optimizer: a Keras class name from the catalog and its arguments."""

    kind: str = "Adam"
    args: Mapping[str, object] = field(default_factory=lambda: {"learning_rate": 0.001})

    def to_dict(self) -> dict:
        """The optimizer as JSON-ready data."""
        return {"kind": self.kind, **{name: _jsonable(value) for name, value in self.args.items()}}


@dataclass(frozen=True)
class ModelSpec:
    """A whole model: input, layers and compile settings. The Keras model is derived from it."""

    input_shape: tuple[int, ...]
    num_classes: int
    layers: tuple[LayerSpec, ...]
    loss: str = "categorical_crossentropy"
    optimizer: OptimizerSpec = field(default_factory=OptimizerSpec)
    metrics: tuple[str, ...] = ("accuracy",)

    def to_dict(self) -> dict:
        """The spec as JSON-ready data."""
        return {
            "input_shape": list(self.input_shape),
            "num_classes": self.num_classes,
            "layers": [layer.to_dict() for layer in self.layers],
            "loss": self.loss,
            "optimizer": self.optimizer.to_dict(),
            "metrics": list(self.metrics),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The spec as a JSON string."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def with_layers(self, layers) -> "ModelSpec":
        """A copy with another layer stack."""
        return replace(self, layers=tuple(layers))


@dataclass(frozen=True)
class Problem:
    """An error or warning found in a spec: a message key, its values and where it is."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)
    position: int | None = None  # 1-based layer position, when the problem is in a layer
    field: str | None = None  # "loss", "optimizer", "json", ... otherwise

    def message(self, language: str = "en") -> str:
        """The problem as one sentence naming what is wrong and how to fix it (values from the input cut short)."""
        params = {name: cut(value) if isinstance(value, str) else value for name, value in self.params.items()}
        text = MESSAGES.text(language, self.code, **params)
        if self.position is not None:
            kind = cut(self.params.get("kind", "?"))
            return MESSAGES.text(language, "where_layer", position=self.position, kind=kind) + text
        if self.field is not None:
            return f"{self.field}: {text}"
        return text


# What one spec may ask for (a class shares one server): every preset fits with room for deeper teaching networks.
MAX_LAYERS = 100
MAX_INPUT_VALUES = 128 * 128 * 4  # the input's values, e.g. 128×128 colour images with alpha
MAX_CLASSES = 1000
MAX_SPEC_CHARS = 1_000_000  # a spec file or pasted JSON
MAX_SPEC_DEPTH = 8  # nesting of lists and objects (a spec needs 4)


class SpecError(ValueError):
    """A spec that cannot be read or built; carries the problems found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(problem.message() for problem in self.problems))

    @property
    def key(self) -> str:
        """The first problem's message key (e.g. "too_many_layers")."""
        return self.problems[0].code if self.problems else "malformed"


@dataclass(frozen=True)
class LayerShape:
    """The inferred output shape and parameter counts of one layer."""

    position: int
    kind: str
    output_shape: tuple[int, ...]
    params: int
    trainable: int
    non_trainable: int


@dataclass(frozen=True)
class Report:
    """What validation found: per-layer shapes (up to the first error), errors and warnings."""

    shapes: tuple[LayerShape, ...]
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """True when the spec can be built and trained."""
        return not self.errors

    @property
    def total_params(self) -> int:
        """All parameters of the inferred layers."""
        return sum(shape.params for shape in self.shapes)

    @property
    def trainable_params(self) -> int:
        """Parameters that training changes."""
        return sum(shape.trainable for shape in self.shapes)

    @property
    def non_trainable_params(self) -> int:
        """Parameters training leaves alone (BatchNormalization's moving statistics)."""
        return sum(shape.non_trainable for shape in self.shapes)

    def problems_at(self, position: int) -> list[Problem]:
        """Errors and warnings concerning the layer at this 1-based position."""
        return [p for p in (*self.errors, *self.warnings) if p.position == position]


# ---------------------------------------------------------------- reading JSON


def _jsonable(value: object) -> object:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Mapping):
        return dict(value)
    return value


def _normalize_args(args: Mapping[str, object]) -> dict[str, object]:
    # JSON has lists, not tuples; a pair may also be given as one int, as Keras allows.
    normal = {}
    for name, value in args.items():
        if isinstance(value, list):
            value = tuple(value)
        normal[name] = value
    return normal


def _parse_error(detail: str) -> SpecError:
    return SpecError([Problem("malformed", {"detail": detail}, field="spec")])


def from_dict(data: object) -> ModelSpec:
    """A ModelSpec from JSON-like data; raises SpecError when its structure is wrong."""
    if not isinstance(data, Mapping):
        raise _parse_error("the spec must be a JSON object")
    for key in ("input_shape", "num_classes", "layers"):
        if key not in data:
            raise _parse_error(f"missing field '{key}'")
    shape, layers = data["input_shape"], data["layers"]
    if not isinstance(shape, list | tuple) or not all(_is_int(n) and n > 0 for n in shape) or not shape:
        raise _parse_error("'input_shape' must be a list of positive integers, e.g. [28, 28, 1]")
    if not _is_int(data["num_classes"]) or data["num_classes"] < 1:
        raise _parse_error("'num_classes' must be a positive integer")
    if not isinstance(layers, list | tuple) or not all(isinstance(x, Mapping) and "kind" in x for x in layers):
        raise _parse_error("'layers' must be a list of objects, each with a 'kind'")
    if len(layers) > MAX_LAYERS:  # refused before a spec of them is made: a link or file may hold thousands
        raise SpecError([Problem("too_many_layers", {"count": len(layers), "cap": MAX_LAYERS}, field="layers")])
    optimizer = data.get("optimizer", {"kind": "Adam", "learning_rate": 0.001})
    if isinstance(optimizer, str):
        optimizer = {"kind": optimizer}
    if not isinstance(optimizer, Mapping) or "kind" not in optimizer:
        raise _parse_error("'optimizer' must be an object with a 'kind', e.g. {\"kind\": \"Adam\"}")
    metrics = data.get("metrics", ["accuracy"])
    if not isinstance(metrics, list | tuple) or not all(isinstance(m, str) for m in metrics):
        raise _parse_error("'metrics' must be a list of names")
    return ModelSpec(
        input_shape=tuple(int(n) for n in shape),
        num_classes=int(data["num_classes"]),
        layers=tuple(
            LayerSpec(str(x["kind"]), _normalize_args({k: v for k, v in x.items() if k != "kind"})) for x in layers
        ),
        loss=str(data.get("loss", "categorical_crossentropy")),
        optimizer=OptimizerSpec(
            str(optimizer["kind"]), _normalize_args({k: v for k, v in optimizer.items() if k != "kind"})
        ),
        metrics=tuple(metrics),
    )


def from_json(text: str | bytes) -> ModelSpec:
    """A ModelSpec from JSON text (bytes: UTF-8); SpecError for text that is not JSON, too large or too deep."""
    try:
        data = jsontext.loads(text, max_chars=MAX_SPEC_CHARS, max_depth=MAX_SPEC_DEPTH, what="the spec")
    except BoundedError as error:
        raise SpecError([Problem("malformed_json", {"detail": str(error)}, field="spec")]) from None
    return from_dict(data)


# ---------------------------------------------------------------- argument checks


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_value(param: catalog.Param, value: object) -> dict | None:
    """None when value suits param, else the message params explaining what is allowed."""
    if param.kind == "int":
        if not _is_int(value) or not param.low <= value <= param.high:
            return {"allowed": f"an integer from {param.low} to {param.high}"}
    elif param.kind == "float":
        if not _is_number(value) or not param.low <= value <= param.high:
            return {"allowed": f"a number from {param.low:g} to {param.high:g}"}
    elif param.kind == "pair":
        pair = (value, value) if _is_int(value) else value
        ok = isinstance(pair, tuple) and len(pair) == 2 and all(_is_int(n) for n in pair)
        if value is None and param.default is None:
            return None
        if not ok or not all(param.low <= n <= param.high for n in pair):
            return {"allowed": f"two integers from {param.low} to {param.high}, e.g. [3, 3]"}
    elif param.kind == "bool":
        if not isinstance(value, bool):
            return {"allowed": "true or false"}
    elif param.kind in ("choice", "activation", "initializer"):
        if value not in param.choices:
            return {"allowed": "one of " + ", ".join(param.choices)}
    elif param.kind == "regularizer":
        if value is None:
            return None
        ok = isinstance(value, Mapping) and set(value) <= {"l1", "l2"}
        if not ok or not all(_is_number(v) and 0 <= v <= param.high for v in value.values()):
            return {"allowed": '{"l1": a, "l2": b} with numbers from 0 to 1'}
    return None


def _check_args(kind: str, args: Mapping, params: dict[str, catalog.Param], where: dict) -> list[Problem]:
    problems = []
    for name, value in args.items():
        if name not in params:
            known = ", ".join(params) or "none"
            problems.append(Problem("unknown_arg", {"kind": kind, "name": name, "known": known}, **where))
            continue
        bad = _check_value(params[name], value)
        if bad:
            problems.append(Problem("bad_arg", {"kind": kind, "name": name, "value": value, **bad}, **where))
    for param in params.values():
        if param.required and param.name not in args:
            problems.append(Problem("missing_arg", {"kind": kind, "name": param.name}, **where))
    return problems


def layer_arg(layer: LayerSpec, name: str) -> object:
    """The layer's value for an argument, or the catalogue default when it is not given."""
    return layers.get(layer.kind).arg(layer.args, name)


# ---------------------------------------------------------------- shape inference


def _infer_layer(layer: LayerSpec, shape: tuple[int, ...], seen_flat: bool) -> layers.Inferred:
    """The output shape and parameters of one layer whose arguments are valid; LayerProblem when it cannot be."""
    kind = layers.get(layer.kind)
    if kind.needs_image and len(shape) != 3:
        code = "needs_image_after_flat" if seen_flat else "needs_image_flat_input"
        raise LayerProblem(code, kind=layer.kind, size=math.prod(shape))
    return kind.infer(shape, kind.full_args(layer.args))


def _final_activation(spec: ModelSpec) -> str | None:
    for layer in reversed(spec.layers):
        kind = layers.get(layer.kind)
        if kind.class_scores:
            return layer_arg(layer, "activation")
        if not kind.keeps_activation:
            return None
    return None


def _compile_problems(spec: ModelSpec) -> list[Problem]:
    problems = []
    if spec.loss not in catalog.LOSSES:
        problems.append(Problem("unknown_loss", {"name": spec.loss, "known": ", ".join(catalog.LOSSES)}, field="loss"))
    kind = spec.optimizer.kind
    if kind not in catalog.OPTIMIZERS:
        known = ", ".join(catalog.OPTIMIZERS)
        problems.append(Problem("unknown_optimizer", {"name": kind, "known": known}, field="optimizer"))
    else:
        params = catalog.optimizer_params(kind)
        problems += _check_args(kind, spec.optimizer.args, params, {"field": "optimizer"})
    for metric in spec.metrics:
        if metric not in catalog.METRICS:
            known = ", ".join(catalog.METRICS)
            problems.append(Problem("unknown_metric", {"name": metric, "known": known}, field="metrics"))
    return problems


def _warnings(spec: ModelSpec) -> list[Problem]:
    warnings = []
    last = _final_activation(spec)
    if spec.loss in catalog.REGRESSION_STYLE_LOSSES and last == "softmax" and spec.num_classes > 1:
        warnings.append(Problem("warn_softmax_mse", {"loss": spec.loss}, field="loss"))
    if spec.loss in catalog.CROSS_ENTROPY_LOSSES and last is not None and last != "softmax" and spec.num_classes > 1:
        warnings.append(Problem("warn_ce_without_softmax", {"activation": last}, field="loss"))
    sigmoid_layers = sum(
        1
        for layer in spec.layers[:-1]
        if layers.get(layer.kind).class_scores and layer_arg(layer, "activation") == "sigmoid"
    )
    if sigmoid_layers >= 4:
        warnings.append(Problem("warn_deep_sigmoid", {"count": sigmoid_layers}, field="layers"))
    return warnings


def _size_problems(spec: ModelSpec) -> list[Problem]:
    problems = []
    if len(spec.layers) > MAX_LAYERS:
        problems.append(Problem("too_many_layers", {"count": len(spec.layers), "cap": MAX_LAYERS}, field="layers"))
    if math.prod(spec.input_shape) > MAX_INPUT_VALUES:
        params = {"shape": describe(spec.input_shape), "values": f"{MAX_INPUT_VALUES:,}"}
        problems.append(Problem("input_too_large", params, field="input_shape"))
    if spec.num_classes > MAX_CLASSES:
        problems.append(Problem("too_many_classes", {"count": spec.num_classes, "cap": MAX_CLASSES}, field="output"))
    return problems


def validate(spec: ModelSpec, max_params: int = catalog.DEFAULT_MAX_PARAMS) -> Report:
    """Each layer's inferred shape and parameters, and every error and warning, without Keras."""
    size = _size_problems(spec)
    if size:  # nothing more is inferred for a spec beyond the limits
        return Report((), tuple(size), ())
    errors = _compile_problems(spec)
    shapes: list[LayerShape] = []
    if not spec.layers:
        errors.append(Problem("no_layers", field="layers"))
        return Report((), tuple(errors), ())
    shape, seen_flat, blocked = tuple(spec.input_shape), len(spec.input_shape) == 1, False
    for position, layer in enumerate(spec.layers, start=1):
        where = {"position": position}
        if layer.kind not in layers.REGISTRY:
            known = ", ".join(layers.names())
            errors.append(Problem("unknown_kind", {"kind": layer.kind, "known": known}, **where))
            blocked = True
            continue
        params = {param.name: param for param in layers.get(layer.kind).params}
        arg_problems = _check_args(layer.kind, layer.args, params, where)
        if arg_problems:
            errors += arg_problems
            blocked = True
            continue
        if blocked:
            continue
        try:
            inferred = _infer_layer(layer, shape, seen_flat)
        except LayerProblem as problem:
            errors.append(Problem(problem.code, problem.params, position=position))
            blocked = True
            continue
        shape = inferred.shape
        seen_flat = seen_flat or len(shape) == 1
        params_count = inferred.trainable + inferred.non_trainable
        shapes.append(LayerShape(position, layer.kind, shape, params_count, inferred.trainable, inferred.non_trainable))
    if not blocked:
        errors += _output_problems(spec, shape)
        total = sum(s.params for s in shapes)
        if total > max_params:
            errors.append(Problem("too_many_params", {"count": f"{total:,}", "cap": f"{max_params:,}"}, field="layers"))
    return Report(tuple(shapes), tuple(errors), tuple(_warnings(spec)) if not errors else ())


def _output_problems(spec: ModelSpec, shape: tuple[int, ...]) -> list[Problem]:
    if len(shape) != 1:
        return [Problem("output_not_flat", {"shape": describe(shape), "classes": spec.num_classes}, field="output")]
    if shape[0] != spec.num_classes:
        params = {"kind": spec.layers[-1].kind, "units": shape[0], "classes": spec.num_classes}
        return [Problem("output_size", params, position=len(spec.layers))]
    return []


def check(spec: ModelSpec, max_params: int = catalog.DEFAULT_MAX_PARAMS) -> Report:
    """The validation report; raises SpecError when the spec has errors."""
    report = validate(spec, max_params)
    if report.errors:
        raise SpecError(list(report.errors))
    return report


def matches_dataset(spec: ModelSpec, input_shape: tuple[int, ...], num_classes: int) -> Problem | None:
    """None when the spec fits a dataset of this input shape and class count, else why not."""
    if tuple(spec.input_shape) == tuple(input_shape) and spec.num_classes == num_classes:
        return None
    params = {
        "model": f"{describe(spec.input_shape)} → {spec.num_classes}",
        "data": f"{describe(tuple(input_shape))} → {num_classes}",
    }
    return Problem("dataset_mismatch", params, field="dataset")
