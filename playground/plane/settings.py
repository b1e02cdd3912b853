"""Everything a learner sets on the 2-D playground, as one frozen value: its model spec, presets, and its link.

The share link is the settings as compact query parameters (only those that differ from the defaults), plus
`lock=` (controls a teacher fixes) and `hide=1` (hide them too). Reading a link never raises: every value that
cannot be read falls back to its default and is named in the result, so the page shows one line about it.
"""

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

from playground import catalog, links
from playground.plane import data as plane
from playground.plane import rule
from playground.spec import LayerSpec, ModelSpec, OptimizerSpec

MAX_LAYERS = 6
MAX_NEURONS = 16
HIDDEN_ACTIVATIONS = tuple(a for a in catalog.ACTIVATIONS if a != "softmax")
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
REGULARIZATIONS = ("none", "l1", "l2")
REGULARIZATION_RATES = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
DROPOUT_RATES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
LOSSES = {"mse": "mean_squared_error", "ce": "categorical_crossentropy"}
NOISE_LEVELS = tuple(round(0.05 * i, 2) for i in range(11))  # 0 to 50 %
SPEEDS = (1, 2, 5, 10, 20, 50)  # epochs per frame
POINT_COUNTS = (100, 200, 300, 400, 500, 600, 700, 800, 900, 1000)
TRAIN_PERCENTS = (10, 20, 30, 40, 50, 60, 70, 80, 90)
MAX_SEED = 2**31 - 1
SOURCES = ("builtin", "place", "table", "rule")  # where the points come from: a generator, or the learner's own
TARGETS = ("classes", "regression")  # what a placed or uploaded set's labels are
FLIP_RATES = NOISE_LEVELS  # share of a rule's labels swapped, 0 to 50 %


@dataclass(frozen=True)
class PlaneSettings:
    """The data, the network and the training settings of the 2-D playground."""

    source: str = "builtin"
    dataset: str = "circle"
    classes: int = 3  # the multi-class set's clouds; for placed and uploaded classes, their number (2–5)
    target: str = "classes"  # placed and uploaded sets: classes or a regression value
    rule: str = ""  # the formula of a rule set
    flip: float = 0.0  # a rule set's label-flip rate (its jitter is `noise`)
    noise: float = 0.0
    train: int = 50  # percent of the points used for training
    points: int = 500
    seed: int = 0
    features: tuple[str, ...] = ("x1", "x2")
    layers: tuple[tuple[int, str], ...] = ((4, "tanh"), (2, "tanh"))
    regularization: str = "none"
    rate: float = 0.0
    dropout: float = 0.0
    optimizer: str = "SGD"
    lr: float = 0.03
    batch: int = 10
    loss: str = "mse"
    speed: int = 5
    test: bool = False  # show the test points
    discretize: bool = False


DEFAULTS = PlaneSettings()
# What reset must restart from: changing anything else (learning rate, batch, speed, view) keeps training going.
DATA_FIELDS = ("source", "dataset", "classes", "target", "rule", "flip", "noise", "train", "points", "seed", "features")
NETWORK_FIELDS = ("layers", "regularization", "rate", "dropout", "optimizer", "loss")
# The controls a teacher can lock (field names, plus the seed's regenerate button under "seed").
CONTROLS = tuple(f.name for f in fields(PlaneSettings))


@functools.lru_cache(maxsize=64)
def _rule_task(formula: str) -> str:
    try:
        return "regression" if rule.parse_rule(formula).task == "regression" else "binary"
    except rule.RuleError:
        return "binary"  # no data set until the rule is mended; the page says why


def task(settings: PlaneSettings) -> str:
    """'binary', 'multiclass' or 'regression' for the chosen dataset, rule, or placed or uploaded set."""
    if settings.source == "builtin":
        return plane.DATASETS[settings.dataset].task
    if settings.source == "rule":
        return _rule_task(settings.rule)
    if settings.target == "regression":
        return "regression"
    return "binary" if settings.classes == 2 else "multiclass"


def class_count(settings: PlaneSettings) -> int:
    """How many classes the network tells apart (0 for regression)."""
    if settings.source == "builtin":
        return plane.class_count(settings.dataset, settings.classes)
    return {"binary": 2, "multiclass": settings.classes, "regression": 0}[task(settings)]


def normalized(settings: PlaneSettings) -> PlaneSettings:
    """The settings with combinations that cannot work fixed: regression always uses MSE; the multi-class
    generator makes at least 3 clouds (2 classes are for own data)."""
    if settings.source == "builtin" and settings.classes < plane.MIN_CLASSES:
        settings = replace(settings, classes=plane.MIN_CLASSES)
    if task(settings) == "regression" and settings.loss != "mse":
        return replace(settings, loss="mse")
    return settings


def network_spec(settings: PlaneSettings) -> ModelSpec:
    """The Keras model the settings describe, as a ModelSpec: input = the chosen features, output by task."""
    settings = normalized(settings)
    data_task = task(settings)
    loss = LOSSES[settings.loss]
    units = plane.output_units(data_task, class_count(settings), loss)
    regularizer = (
        {settings.regularization: settings.rate} if settings.regularization != "none" and settings.rate else None
    )
    extra = {"kernel_regularizer": regularizer} if regularizer else {}
    layers = []
    for width, activation in settings.layers:
        layers.append(LayerSpec("Dense", {"units": width, "activation": activation, **extra}))
        if settings.dropout:
            layers.append(LayerSpec("Dropout", {"rate": settings.dropout}))
    output_activation = "tanh" if units == 1 else "softmax"
    layers.append(LayerSpec("Dense", {"units": units, "activation": output_activation, **extra}))
    # Keras's "accuracy" reads one tanh unit against ±1 targets wrongly: only softmax outputs report it.
    metrics = ("accuracy",) if units > 1 else ()
    optimizer = OptimizerSpec(settings.optimizer, {"learning_rate": settings.lr})
    return ModelSpec((len(settings.features),), units, tuple(layers), loss, optimizer, metrics)


def data_key(settings: PlaneSettings) -> tuple:
    """What the generated points depend on: equal keys mean the same dataset."""
    return tuple(getattr(settings, name) for name in DATA_FIELDS)


def network_key(settings: PlaneSettings) -> tuple:
    """What the network's architecture depends on (features included: they are its inputs)."""
    return (settings.features, task(settings), class_count(settings), *(getattr(settings, n) for n in NETWORK_FIELDS))


# ---------------------------------------------------------------- presets


PRESETS: dict[str, PlaneSettings] = {
    "default": DEFAULTS,
    # Found by search (tests/plane/test_run.py holds it): 2×8 tanh reaches test MSE < 0.05 on the spiral.
    "spiral_challenge": PlaneSettings(
        dataset="spiral",
        features=("x1", "x2", "sinx1", "sinx2"),
        layers=((8, "tanh"), (8, "tanh")),
        optimizer="Adam",
        lr=0.01,
        batch=10,
        speed=10,
    ),
    "three_classes": PlaneSettings(
        dataset="blobs", classes=3, noise=0.1, layers=((6, "tanh"),), optimizer="Adam", lr=0.03, loss="ce"
    ),
    "xor_one_feature": PlaneSettings(dataset="xor", features=("x1x2",), layers=(), lr=0.1),
}


# ---------------------------------------------------------------- the link


def _join(items) -> str:
    return ".".join(items)


def _layers_text(layers) -> str:
    return _join(f"{width}-{activation}" for width, activation in layers) or "none"


def encode(value: object, name: str) -> str:
    """One setting as its link text."""
    if name == "layers":
        return _layers_text(value)
    if name == "features":
        return _join(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def to_query(settings: PlaneSettings, lock: tuple[str, ...] = (), hide: bool = False) -> dict[str, str]:
    """The settings as query parameters: only those that differ from the defaults, plus lock and hide."""
    query = {
        f.name: encode(getattr(settings, f.name), f.name)
        for f in fields(PlaneSettings)
        if getattr(settings, f.name) != getattr(DEFAULTS, f.name)
    }
    if lock:
        query["lock"] = _join(name for name in CONTROLS if name in lock)
        if hide:
            query["hide"] = "1"
    return query


def _number(text: str, kind, allowed=None, low=None, high=None):
    value = kind(text)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(text)
    if allowed is not None:
        matches = [a for a in allowed if math.isclose(a, value, rel_tol=1e-9, abs_tol=1e-12)]
        if not matches:
            raise ValueError(text)
        return matches[0]
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(text)
    return value


def _features(text: str) -> tuple[str, ...]:
    names = [part for part in text.replace(",", ".").split(".") if part]
    if not names or any(name not in plane.FEATURES for name in names) or len(set(names)) != len(names):
        raise ValueError(text)
    return tuple(name for name in plane.FEATURES if name in names)  # the canonical order


def _layers(text: str) -> tuple[tuple[int, str], ...]:
    if text in ("", "none", "0"):
        return ()
    layers = []
    for token in text.replace(",", ".").split("."):
        width, _, activation = token.partition("-")
        width = int(width)
        if not 1 <= width <= MAX_NEURONS or activation not in HIDDEN_ACTIVATIONS:
            raise ValueError(token)
        layers.append((width, activation))
    if len(layers) > MAX_LAYERS:
        raise ValueError(text)
    return tuple(layers)


def _choice(allowed):
    def read(text: str) -> str:
        if text not in allowed:
            raise ValueError(text)
        return text

    return read


def _rule_text(text: str) -> str:
    if len(text) > rule.MAX_LENGTH:
        raise ValueError(text)
    return text  # checked when the data set is made: a broken rule is named on the page, in one line


READERS = {
    "source": _choice(SOURCES),
    "dataset": _choice(tuple(plane.DATASETS)),
    "classes": lambda t: _number(t, int, low=2, high=plane.MAX_CLASSES),
    "target": _choice(TARGETS),
    "rule": _rule_text,
    "flip": lambda t: _number(t, float, allowed=FLIP_RATES),
    "noise": lambda t: _number(t, float, allowed=NOISE_LEVELS),
    "train": lambda t: _number(t, int, allowed=TRAIN_PERCENTS),
    "points": lambda t: _number(t, int, allowed=POINT_COUNTS),
    "seed": lambda t: _number(t, int, low=0, high=MAX_SEED),
    "features": _features,
    "layers": _layers,
    "regularization": _choice(REGULARIZATIONS),
    "rate": lambda t: _number(t, float, allowed=REGULARIZATION_RATES),
    "dropout": lambda t: _number(t, float, allowed=DROPOUT_RATES),
    "optimizer": _choice(tuple(catalog.OPTIMIZERS)),
    "lr": lambda t: _number(t, float, allowed=LEARNING_RATES),
    "batch": lambda t: _number(t, int, low=1, high=30),
    "loss": _choice(tuple(LOSSES)),
    "speed": lambda t: _number(t, int, allowed=SPEEDS),
    "test": links.flag,
    "discretize": links.flag,
}


@dataclass(frozen=True)
class Link:
    """What a link says: the settings, the locked controls, whether to hide them, and what could not be read."""

    settings: PlaneSettings = DEFAULTS
    lock: tuple[str, ...] = ()
    hide: bool = False
    unreadable: tuple[str, ...] = field(default_factory=tuple)


def from_query(query: Mapping[str, str]) -> Link:
    """The link's settings; unreadable values fall back to their defaults and are listed in `unreadable`."""
    try:
        params = links.readable(query, (*READERS, "lock", "hide"))
    except links.LinkError:
        return Link(unreadable=("link",))
    values, unreadable = {}, []
    for name, read in READERS.items():
        if name not in params:
            continue
        try:
            values[name] = read(params[name])
        except (ValueError, TypeError, OverflowError):  # links.LinkError is a ValueError
            unreadable.append(name)
    lock_text = params.get("lock", "").replace(",", ".")
    lock = tuple(name for name in CONTROLS if name in lock_text.split("."))
    unknown_locks = [name for name in lock_text.split(".") if name and name not in CONTROLS]
    if unknown_locks:
        unreadable.append("lock")
    try:
        hide = links.flag(params.get("hide", "0"))
    except links.LinkError:
        hide = False
        unreadable.append("hide")
    return Link(normalized(PlaneSettings(**values)), lock, hide and bool(lock), tuple(unreadable))
