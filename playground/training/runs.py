"""Training runs as plain data: settings, live curves, finished-run records and what differed between runs."""

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields

import numpy as np

from playground import spec as specs
from playground.spec import ModelSpec
from playground.training.replay import Replay

# Typical learning-rate ranges per optimizer, used to explain a diverged run.
LEARNING_RATE_RANGES: dict[str, tuple[float, float]] = {
    "SGD": (0.01, 0.1),
    "Adam": (0.0001, 0.003),
    "AdamW": (0.0001, 0.003),
    "RMSprop": (0.0001, 0.003),
    "Adagrad": (0.01, 0.1),
    "Adadelta": (0.1, 1.0),
    "Adamax": (0.0005, 0.005),
    "Nadam": (0.0001, 0.003),
    "Lion": (0.00001, 0.0003),
}


PRECISIONS = ("auto", "float32", "bfloat16")  # what training may compute in (training.precision applies them)


@dataclass(frozen=True)
class TrainSettings:
    """How to train: data, epochs, batch size, validation share, seed, augmentation and precision (the optimizer is
    the spec's)."""

    dataset: str = "mnist-sample"
    epochs: int = 5
    batch_size: int = 32
    validation_split: float = 0.1
    seed: int = 0
    train_samples: int | None = None  # None: every training example left after the validation split
    augment_shift: int = 0  # pixels; 0 with rotation 0 means no augmentation
    augment_rotation: float = 0.0  # degrees
    augment_stroke: int = 0  # pixels either way a stroke's width may change (augment.restroke)
    precision: str = "float32"  # auto, float32 or bfloat16 (training.precision); a run record keeps the one used

    @property
    def augmented(self) -> bool:
        """True when training images are randomly shifted, rotated or given other stroke widths."""
        return self.augment_shift > 0 or self.augment_rotation > 0 or self.augment_stroke > 0

    def to_dict(self) -> dict:
        """The settings as JSON-ready data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "TrainSettings":
        """Settings from to_dict() output; unknown keys, and a precision that is not one of PRECISIONS, are ignored."""
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        if values.get("precision", PRECISIONS[1]) not in PRECISIONS:
            del values["precision"]
        return cls(**values)


@dataclass(frozen=True)
class FitRequest:
    """Everything a training needs, as plain data (it travels to a worker process)."""

    spec: ModelSpec
    settings: TrainSettings
    initial_epoch: int = 0  # epochs already trained (a Continue starts here)
    initial_step: int = 0  # global steps already trained
    weights: tuple[np.ndarray, ...] | None = None  # start from these instead of fresh initial weights
    optimizer_state: tuple[np.ndarray, ...] | None = None
    steps_per_execution: int | None = None  # None: chosen from the model's cost
    replay: Replay | None = None  # the run's snapshots so far (a Continue appends to them)


@dataclass(frozen=True)
class FitResult:
    """How a training ended, with the trained weights and optimizer state as arrays."""

    outcome: str  # finished, stopped, diverged
    epochs_done: int  # counting the epochs before a Continue
    steps_done: int  # global step
    weights: tuple[np.ndarray, ...]
    optimizer_state: tuple[np.ndarray, ...]
    test_loss: float | None
    test_accuracy: float | None
    probe_predictions: np.ndarray | None  # the model's outputs on the probe batch, computed where it was trained
    samples_per_second: float
    steps_per_execution: int
    fault: dict | None = None
    cpu_seconds: float = 0.0  # the worker's CPU time (all threads) during fit(): a load-independent cost
    precision: str = "float32"  # the precision it trained in: float32 or bfloat16 ("auto" resolved by the worker)
    replay: Replay | None = None  # the whole run's snapshots (a Continue's earlier ones first), thinned


def as_float_arrays(arrays) -> tuple[np.ndarray, ...]:
    """Arrays with integer ones (the optimizer's step counter) as float64, as a bundle stores them."""
    return tuple(array if array.dtype.kind == "f" else array.astype(np.float64) for array in map(np.asarray, arrays))


@dataclass
class History:
    """The curves of one run: per batch group (global step) and per epoch; appended as training goes."""

    step: list[int] = field(default_factory=list)  # global step (batches since the run began) at the group's end
    step_epoch: list[float] = field(default_factory=list)  # the same position in epochs, e.g. 1.5
    step_loss: list[float] = field(default_factory=list)  # mean loss of the group's batches (not a running mean)
    step_accuracy: list[float] = field(default_factory=list)
    epoch: list[int] = field(default_factory=list)  # 1-based
    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float | None] = field(default_factory=list)
    val_accuracy: list[float | None] = field(default_factory=list)
    samples_per_second: list[float] = field(default_factory=list)
    elapsed: list[float] = field(default_factory=list)  # seconds of training when the epoch ended
    partial: list[bool] = field(default_factory=list)  # the epoch was cut short by a stop

    def copy(self) -> "History":
        """An independent copy (the lists are copied)."""
        return History(**{f.name: list(getattr(self, f.name)) for f in fields(self)})

    def add_step(self, step: int, step_epoch: float, loss: float, accuracy: float) -> None:
        """Append one batch group's values."""
        self.step.append(step)
        self.step_epoch.append(step_epoch)
        self.step_loss.append(loss)
        self.step_accuracy.append(accuracy)

    def add_epoch(self, epoch: int, values: dict) -> None:
        """Append one epoch's values (keys: loss, accuracy, val_loss, val_accuracy, samples_per_second, elapsed)."""
        self.epoch.append(epoch)
        self.loss.append(values.get("loss"))
        self.accuracy.append(values.get("accuracy"))
        self.val_loss.append(values.get("val_loss"))
        self.val_accuracy.append(values.get("val_accuracy"))
        self.samples_per_second.append(values.get("samples_per_second", 0.0))
        self.elapsed.append(values.get("elapsed", 0.0))
        self.partial.append(bool(values.get("partial", False)))

    def record(self, kind: str, values: dict) -> None:
        """Take a training report ("step" or "epoch"; others are ignored) into the curves."""
        if kind == "step":
            self.add_step(values["global_step"], values["step_epoch"], values["loss"], values["accuracy"])
        elif kind == "epoch":
            self.add_epoch(values["epoch"], values)

    @property
    def epochs_done(self) -> int:
        """How many epochs have a record (a stopped epoch counts)."""
        return len(self.epoch)

    @property
    def last_step(self) -> int:
        """The global step of the latest batch group, 0 before any."""
        return self.step[-1] if self.step else 0

    def per_epoch(self) -> dict[str, list]:
        """Per-epoch lists as Keras's History.history has them: loss, accuracy, val_loss, val_accuracy."""
        return {
            "loss": list(self.loss),
            "accuracy": list(self.accuracy),
            "val_loss": list(self.val_loss),
            "val_accuracy": list(self.val_accuracy),
        }

    def epoch_curves(self) -> "History":
        """A copy with the per-epoch curves only (what a bundle keeps: the per-step ones can run to megabytes)."""
        return History(**{name: list(getattr(self, name)) for name in EPOCH_CURVES})

    def to_dict(self) -> dict:
        """Every curve as JSON-ready lists."""
        return {f.name: list(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Mapping[str, list]) -> "History":
        """A History from to_dict() output, or from per-epoch lists alone as Keras's History.history and bundles
        written before the per-step curves have them ({"loss": [...], "accuracy": [...], ...}): epochs are
        numbered from 1, and each per-epoch curve has one value per epoch (None, 0 or False where missing)."""
        curves = {f.name: list(data.get(f.name) or []) for f in fields(cls)}
        count = len(curves["epoch"]) if "epoch" in data else len(curves["loss"])
        if "epoch" not in data:
            curves["epoch"] = list(range(1, count + 1))
        for name, missing in _EPOCH_DEFAULTS.items():
            values = curves[name][:count]
            curves[name] = values + [missing] * (count - len(values))
        curves["partial"] = [bool(value) for value in curves["partial"]]
        return cls(**curves)


EPOCH_CURVES = ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "samples_per_second", "elapsed", "partial")
_EPOCH_DEFAULTS = {"loss": None, "accuracy": None, "val_loss": None, "val_accuracy": None,
                   "samples_per_second": 0.0, "elapsed": 0.0, "partial": False}  # fmt: skip


@dataclass(frozen=True)
class RunRecord:
    """One run of a session: what was trained, how, its curves and how it ended."""

    run_id: int
    spec: ModelSpec
    settings: TrainSettings
    history: History
    state: str  # finished, stopped or failed
    test_loss: float | None = None
    test_accuracy: float | None = None
    replay: Replay | None = None  # how the filters, the probe's maps and its prediction changed

    @property
    def label(self) -> str:
        """A short name for legends and table columns, e.g. 'Run 3'."""
        return f"#{self.run_id}"

    def final(self, name: str) -> float | None:
        """The last recorded per-epoch value of a curve (loss, accuracy, val_loss, val_accuracy)."""
        values = [v for v in getattr(self.history, name) if v is not None]
        return values[-1] if values else None


# ---------------------------------------------------------------- describing a model and a run


def spec_summary(spec: ModelSpec) -> str:
    """The layer stack in one line, e.g. 'Conv2D 32 → MaxPooling2D → Flatten → Dense 10'."""
    parts = []
    for layer in spec.layers:
        size = layer.args.get("filters", layer.args.get("units", layer.args.get("rate")))
        parts.append(f"{layer.kind} {size}" if size is not None else layer.kind)
    return " → ".join(parts)


def parameter_count(spec: ModelSpec) -> int | None:
    """The model's parameter count, or None when the spec is invalid."""
    report = specs.validate(spec)
    return report.total_params if report.ok else None


def learning_rate(spec: ModelSpec) -> float:
    """The optimizer's learning rate (its catalog default when the spec does not set one)."""
    from playground import catalog

    if "learning_rate" in spec.optimizer.args:
        return float(spec.optimizer.args["learning_rate"])
    return float(catalog.optimizer_params(spec.optimizer.kind)["learning_rate"].default)


def _format(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "✓" if value else "–"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


_PLAIN = {"stroke_fact": "stroke ±{pixels}px"}  # run_facts's words without a translator


def run_facts(record: RunRecord, t: Callable[..., str] | None = None) -> dict[str, str]:
    """What characterises a run, by catalogue key: model, optimizer, hyper-parameters and outcome.

    With t (the train page's translator), words such as the end state are translated.
    """
    t = t or (lambda key, **params: _PLAIN.get(key, key.removeprefix("name_")).format(**params))
    settings = record.settings
    augmentation = f"±{settings.augment_shift}px ±{settings.augment_rotation:g}°" if settings.augmented else None
    if settings.augment_stroke:
        augmentation += " " + t("stroke_fact", pixels=settings.augment_stroke)
    return {
        "fact_model": spec_summary(record.spec),
        "fact_params": f"{parameter_count(record.spec) or 0:,}",
        "fact_loss": record.spec.loss,
        "fact_optimizer": record.spec.optimizer.kind,
        "fact_learning_rate": _format(learning_rate(record.spec)),
        "fact_dataset": settings.dataset,
        "fact_train_samples": _format(settings.train_samples) if settings.train_samples else t("all"),
        "fact_batch_size": _format(settings.batch_size),
        "fact_validation_split": _format(settings.validation_split),
        "fact_seed": _format(settings.seed),
        "fact_augmentation": _format(augmentation),
        "fact_precision": settings.precision,
        "fact_epochs": _format(record.history.epochs_done),
        "fact_state": t("name_" + record.state),
        "fact_final_loss": _format(record.final("loss")),
        "fact_final_val_accuracy": _format(record.final("val_accuracy")),
        "fact_test_accuracy": _format(record.test_accuracy),
        "fact_test_loss": _format(record.test_loss),
    }


OUTCOME_FACTS = (
    "fact_epochs",
    "fact_state",
    "fact_final_loss",
    "fact_final_val_accuracy",
    "fact_test_accuracy",
    "fact_test_loss",
)


def differences(records: list[RunRecord], t: Callable[..., str] | None = None) -> list[tuple[str, list[str]]]:
    """(fact key, one value per run) for every setting that differs between the runs, then the outcomes."""
    facts = [run_facts(record, t) for record in records]
    if not facts:
        return []
    rows = []
    for key in facts[0]:
        values = [fact[key] for fact in facts]
        if key in OUTCOME_FACTS or len(set(values)) > 1:
            rows.append((key, values))
    return rows


# ---------------------------------------------------------------- curves


def group_mean(running: float, seen: int, previous_running: float, previous_seen: int) -> float:
    """A group of steps' own mean from the epoch's running means (Keras 3 batch logs) after it and before it."""
    group = seen - previous_seen
    return (running * seen - previous_running * previous_seen) / group if group > 0 else running


def smooth(values: list[float], weight: float = 0.8) -> list[float]:
    """An exponential moving average with bias correction (TensorBoard's smoothing); NaN values are skipped."""
    smoothed, average, count = [], 0.0, 0
    for value in values:
        if value is None or not math.isfinite(value):
            smoothed.append(float("nan"))
            continue
        count += 1
        average = weight * average + (1 - weight) * value
        smoothed.append(average / (1 - weight**count))
    return smoothed


def downsample(xs: list, ys: list, limit: int = 600) -> tuple[list, list]:
    """At most `limit` points: bucket means of the older points, the newest points kept as they are."""
    if len(xs) <= limit:
        return list(xs), list(ys)
    keep = limit // 4  # the live end of the curve stays exact
    head_x, head_y = xs[:-keep], ys[:-keep]
    buckets = limit - keep
    size = len(head_x) / buckets
    out_x, out_y = [], []
    for bucket in range(buckets):
        lo, hi = int(bucket * size), max(int((bucket + 1) * size), int(bucket * size) + 1)
        chunk = [y for y in head_y[lo:hi] if y is not None and math.isfinite(y)]
        out_x.append(head_x[hi - 1])
        out_y.append(sum(chunk) / len(chunk) if chunk else float("nan"))
    return out_x + list(xs[-keep:]), out_y + list(ys[-keep:])


def describe_fault(fault: dict, t: Callable[..., str]) -> str:
    """A diverged run explained: where the loss broke, the likely cause and a fix (t: the train page's translator)."""
    low, high = LEARNING_RATE_RANGES.get(fault["optimizer"], (0.0001, 0.01))
    params = {**fault, "low": f"{low:g}", "high": f"{high:g}", "learning_rate": f"{fault['learning_rate']:g}"}
    if fault["learning_rate"] > high:
        return t("fault_lr_too_high", **params)
    return t("fault_diverged", **params)
