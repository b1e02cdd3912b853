"""Training a spec in this process, the one code path of the workers and the CLI: data, model, live records, results.

`fit(request, report, should_stop)` builds the model from the spec, feeds it a shuffled tf.data pipeline (optionally
augmented), runs Keras `fit` with several steps per execution, and reports plain numbers through `report(kind, values)`:

- "phase"  {"phase": "data" | "model" | "test"}
- "begin"  {"epochs", "initial_epoch", "steps_per_epoch", "train_samples", "val_samples", "steps_per_execution",
            "precision" (float32 or bfloat16: "auto" resolved here, on the machine that trains), ...}
- "step"   per batch group: {"epoch", "step", "global_step", "step_epoch", "loss", "accuracy", "elapsed"}
- "epoch"  {"epoch", "loss", "accuracy", "val_loss", "val_accuracy", "samples_per_second", "elapsed", "partial"}
- "end"    {"outcome": "finished" | "stopped" | "diverged", "fault", "epochs_done", "global_step"}
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from playground import data, layers
from playground import spec as specs
from playground.backend import keras, tf
from playground.data import augment
from playground.model import build_model
from playground.spec import ModelSpec
from playground.training import precision as precisions
from playground.training import snapshots as replay_snapshots
from playground.training.runs import FitRequest, FitResult, TrainSettings, group_mean, learning_rate

PROBE_SIZE = 16  # the fixed probe batch: the first test images
TEST_BATCH_SIZE = 256
TARGET_EXECUTION_S = 0.3  # one execution (a group of steps) should take about this long: stop latency, live curves
MAX_STEPS_PER_EXECUTION = 16
FLOPS_PER_SECOND = 20e9  # a rough CPU rate for choosing steps_per_execution, measured on the seed CNN
STEP_OVERHEAD_S = 0.004  # Keras's per-step cost on CPU besides the arithmetic

Report = Callable[[str, dict], None]


# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class Prepared:
    """The data of one training: a tf.data training pipeline, validation and test arrays."""

    train: tf.data.Dataset
    validation: tuple[np.ndarray, np.ndarray] | None
    test: tuple[np.ndarray, np.ndarray]
    train_samples: int
    steps_per_epoch: int


def split_indices(count: int, validation_split: float, seed: int, train_samples: int | None = None):
    """(training rows, validation rows): a seeded shuffle, the validation share first, optionally fewer training rows."""
    order = np.random.default_rng(seed).permutation(count)
    validation = int(round(count * validation_split))
    train = order[validation:]
    if train_samples:
        train = train[:train_samples]
    return np.sort(train), np.sort(order[:validation])


def _train_pipeline(images, labels, settings: TrainSettings) -> tf.data.Dataset:
    pipeline = tf.data.Dataset.from_tensor_slices((images, labels))
    pipeline = pipeline.shuffle(len(images), seed=settings.seed, reshuffle_each_iteration=True)
    pipeline = pipeline.batch(settings.batch_size)
    if settings.augmented:
        rng = np.random.default_rng(settings.seed + 1)

        def augment_batch(batch):
            return augment.random_augment(
                batch, rng, settings.augment_shift, settings.augment_rotation, settings.augment_stroke
            )

        def mapped(x, y):
            x = tf.cast(x, tf.float32) / 255.0
            x = tf.numpy_function(augment_batch, [x], tf.float32, stateful=True)
            return tf.reshape(x, (-1, *images.shape[1:], 1)), y
    else:

        def mapped(x, y):
            return tf.cast(x, tf.float32)[..., None] / 255.0, y

    options = tf.data.Options()
    options.deterministic = True
    return pipeline.map(mapped).prefetch(2).with_options(options)


def prepare(spec: ModelSpec, settings: TrainSettings) -> Prepared:
    """The dataset loaded, split and encoded for the spec's loss; raises DatasetUnavailable or SpecError."""
    dataset = data.load(settings.dataset)
    mismatch = specs.matches_dataset(spec, dataset.input_shape, dataset.num_classes)
    if mismatch:
        raise specs.SpecError([mismatch])
    train, validation = split_indices(
        len(dataset.x_train), settings.validation_split, settings.seed, settings.train_samples
    )
    labels = data.encode_labels(dataset.y_train, spec.loss, spec.num_classes)
    pipeline = _train_pipeline(dataset.x_train[train], labels[train], settings)
    held_out = None
    if len(validation):
        held_out = (data.images_as_input(dataset.x_train[validation]), labels[validation])
    test = (data.images_as_input(dataset.x_test), data.encode_labels(dataset.y_test, spec.loss, spec.num_classes))
    return Prepared(pipeline, held_out, test, len(train), math.ceil(len(train) / settings.batch_size))


# ---------------------------------------------------------------- steps per execution


def forward_flops(spec: ModelSpec) -> int:
    """Multiply-adds ×2 of one sample's forward pass, from the inferred shapes (no Keras)."""
    report = specs.check(spec)
    previous, total = tuple(spec.input_shape), 0
    for layer, shape in zip(spec.layers, report.shapes, strict=True):
        kind = layers.get(layer.kind)
        total += kind.cost(previous, shape.output_shape, kind.full_args(layer.args))
        previous = shape.output_shape
    return 2 * total


def choose_steps_per_execution(spec: ModelSpec, batch_size: int, steps_per_epoch: int) -> int:
    """Steps per Keras execution: as many as fit in about TARGET_EXECUTION_S, at least 4 groups per epoch, ≤ 16."""
    step_s = STEP_OVERHEAD_S + 3 * forward_flops(spec) * batch_size / FLOPS_PER_SECOND  # forward + backward ≈ 3×
    by_time = int(TARGET_EXECUTION_S / step_s)
    by_epoch = max(1, steps_per_epoch // 4)
    return max(1, min(MAX_STEPS_PER_EXECUTION, by_time, by_epoch))


# ---------------------------------------------------------------- the recording callback


class Recorder(keras.callbacks.Callback):
    """Reports per-group and per-epoch numbers, stops on request within one execution, and guards against NaN."""

    def __init__(self, request: FitRequest, prepared: Prepared, report: Report, should_stop: Callable[[], bool],
                 snapshots: replay_snapshots.Snapshots | None = None):  # fmt: skip
        super().__init__()
        self.snapshots = snapshots
        self.request, self.report, self.should_stop = request, report, should_stop
        self.batch_size = request.settings.batch_size
        self.train_samples, self.steps_per_epoch = prepared.train_samples, prepared.steps_per_epoch
        self.global_step = request.initial_step
        self.stop_requested = False
        self.fault: dict | None = None
        self.epochs_done = request.initial_epoch
        self.samples_trained = 0
        self.train_seconds = 0.0
        self.cpu_seconds = 0.0

    # Keras 3 batch logs are running means over the epoch: keep the previous one to recover each group's own mean.
    def on_train_begin(self, logs=None):
        self.started = time.perf_counter()
        if self.snapshots is not None and self.request.initial_epoch == 0:
            self.snapshots.take(0.0, self.global_step)  # the untrained start

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_started = time.perf_counter()
        self.epoch_train_end = self.epoch_started
        self.previous = (0, 0.0, 0.0)  # samples seen, running loss, running accuracy
        self.steps_in_epoch = 0

    def _seen(self, end_step: int) -> int:
        return min((end_step + 1) * self.batch_size, self.train_samples)

    def on_train_batch_end(self, end_step, logs=None):
        logs = logs or {}
        now = time.perf_counter()
        end_step = min(end_step, self.steps_per_epoch - 1)  # Keras does not clamp the last group of an epoch
        seen, loss = self._seen(end_step), float(logs.get("loss", math.nan))
        accuracy = float(logs.get("accuracy", math.nan))
        self.global_step += end_step + 1 - self.steps_in_epoch
        self.steps_in_epoch = end_step + 1
        self.epoch_train_end = now
        if not math.isfinite(loss):
            self._diverged(loss)
            return
        previous_seen, previous_loss, previous_accuracy = self.previous
        self.report(
            "step",
            {
                "epoch": self.epochs_done + 1,
                "step": self.steps_in_epoch,
                "global_step": self.global_step,
                "step_epoch": self.epochs_done + self.steps_in_epoch / self.steps_per_epoch,
                "loss": group_mean(loss, seen, previous_loss, previous_seen),
                "accuracy": group_mean(accuracy, seen, previous_accuracy, previous_seen),
                "elapsed": now - self.started,
                "samples_per_second": seen / max(now - self.epoch_started, 1e-9),
            },
        )
        self.previous = (seen, loss, accuracy)
        if self.snapshots is not None:
            self.snapshots.moment(self.epochs_done, self.steps_in_epoch / self.steps_per_epoch, self.global_step)
        if self.should_stop():
            self.stop_requested = True
            self.model.stop_training = True

    def _diverged(self, loss: float) -> None:
        optimizer = self.request.spec.optimizer
        self.fault = {
            "kind": "diverged",
            "value": "NaN" if math.isnan(loss) else "inf",
            "epoch": self.epochs_done + 1,
            "step": self.steps_in_epoch,
            "optimizer": optimizer.kind,
            "learning_rate": learning_rate(self.request.spec),
            "loss": self.request.spec.loss,
        }
        self.model.stop_training = True

    def _cut_validation(self):
        # After a stop or a NaN, validation of the cut epoch would only delay the stop: evaluate one batch at most.
        if self.fault:
            self.model.stop_evaluating = True
        elif self.stop_requested or self.should_stop():
            self.stop_requested = True
            self.model.stop_training = True
            self.model.stop_evaluating = True

    def on_test_begin(self, logs=None):
        self._cut_validation()

    def on_test_batch_end(self, batch, logs=None):
        self._cut_validation()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        train_seconds = max(self.epoch_train_end - self.epoch_started, 1e-9)
        seen = self._seen(self.steps_in_epoch - 1)
        self.samples_trained += seen
        self.train_seconds += train_seconds
        self.epochs_done += 1
        if self.fault:
            return
        if self.snapshots is not None:
            position = self.epochs_done - 1 + self.steps_in_epoch / self.steps_per_epoch
            self.snapshots.moment(self.epochs_done, 1.0, self.global_step, epoch_end=True, position=position)
        complete = not self.stop_requested
        self.report(
            "epoch",
            {
                "epoch": self.epochs_done,
                "loss": _number(logs.get("loss")),
                "accuracy": _number(logs.get("accuracy")),
                "val_loss": _number(logs.get("val_loss")) if complete else None,
                "val_accuracy": _number(logs.get("val_accuracy")) if complete else None,
                "samples_per_second": seen / train_seconds,
                "elapsed": time.perf_counter() - self.started,
                "partial": self.steps_in_epoch < self.steps_per_epoch,
            },
        )

    @property
    def outcome(self) -> str:
        """finished, stopped or diverged."""
        if self.fault:
            return "diverged"
        return "stopped" if self.stop_requested else "finished"

    def on_train_end(self, logs=None):
        # Reported here, not after fit() returns: fit() can take seconds longer to come back.
        self.report(
            "end",
            {
                "outcome": self.outcome,
                "fault": self.fault,
                "epochs_done": self.epochs_done,
                "global_step": self.global_step,
            },
        )


def _number(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


# ---------------------------------------------------------------- fit


def _restore(model: keras.Model, request: FitRequest) -> None:
    if request.weights is not None:
        model.set_weights(list(request.weights))
    if request.optimizer_state:
        model.optimizer.build(model.trainable_variables)
        variables = model.optimizer.variables
        if len(variables) != len(request.optimizer_state):
            raise ValueError(
                f"the optimizer state has {len(request.optimizer_state)} arrays, the optimizer {len(variables)}"
            )
        for variable, value in zip(variables, request.optimizer_state, strict=True):
            variable.assign(np.asarray(value).astype(variable.dtype))  # a bundle stores the step count as float


def optimizer_state(model: keras.Model) -> tuple[np.ndarray, ...]:
    """The optimizer's variables (step count, learning rate, moments) as arrays, in the optimizer's order."""
    return tuple(np.array(variable) for variable in model.optimizer.variables)


def fit(
    request: FitRequest, report: Report = lambda kind, values: None, should_stop: Callable[[], bool] = lambda: False
) -> FitResult:
    """Train the request's spec on its dataset; returns the result with weights, test metrics and probe outputs."""
    precision = precisions.resolve(request.settings.precision)  # "auto": measured once per machine, then cached
    with precisions.applied(precision):  # the policy holds for this training only: the process keeps float32
        return _fit(request, report, should_stop, precision)


def _fit(request: FitRequest, report: Report, should_stop: Callable[[], bool], precision: str) -> FitResult:
    settings = request.settings
    keras.utils.set_random_seed(settings.seed + request.initial_epoch)  # first: the shuffling depends on it too
    report("phase", {"phase": "data"})
    prepared = prepare(request.spec, settings)
    report("phase", {"phase": "model"})
    steps = request.steps_per_execution or choose_steps_per_execution(
        request.spec, settings.batch_size, prepared.steps_per_epoch
    )
    model = build_model(request.spec, steps_per_execution=steps)
    _restore(model, request)
    snapshots = None
    if replay_snapshots.enabled():
        probe = np.round(prepared.test[0][0, ..., 0] * 255).astype(np.uint8)
        label = np.asarray(prepared.test[1][0])
        label = int(label.argmax()) if label.ndim else int(label)
        snapshots = replay_snapshots.Snapshots(model, request.spec, probe, label, request.replay)
    recorder = Recorder(request, prepared, report, should_stop, snapshots)
    total_epochs = request.initial_epoch + settings.epochs
    report(
        "begin",
        {
            "epochs": total_epochs,
            "initial_epoch": request.initial_epoch,
            "steps_per_epoch": prepared.steps_per_epoch,
            "train_samples": prepared.train_samples,
            "val_samples": 0 if prepared.validation is None else len(prepared.validation[0]),
            "steps_per_execution": steps,
            "batch_size": settings.batch_size,
            "precision": precision,
        },
    )
    if should_stop():  # stopped while the worker was starting: keep what we came with
        recorder.stop_requested = True
        recorder.on_train_end()
    else:
        cpu_started = time.process_time()
        model.fit(
            prepared.train,
            validation_data=prepared.validation,
            epochs=total_epochs,
            initial_epoch=request.initial_epoch,
            callbacks=[recorder],
            shuffle=False,
            verbose=0,
        )
        recorder.cpu_seconds = time.process_time() - cpu_started
    replay = snapshots.replay() if snapshots is not None else request.replay
    return replace(_result(model, recorder, prepared, request, steps), precision=precision, replay=replay)


def _result(model, recorder: Recorder, prepared: Prepared, request: FitRequest, steps: int) -> FitResult:
    trained = recorder.samples_trained > 0
    if recorder.fault or (not trained and request.weights is None):
        return FitResult(
            recorder.outcome,
            recorder.epochs_done,
            recorder.global_step,
            (),
            (),
            None,
            None,
            None,
            0.0,
            steps,
            recorder.fault,
        )
    recorder.report("phase", {"phase": "test"})
    x_test, y_test = prepared.test
    scores = model.evaluate(x_test, y_test, batch_size=TEST_BATCH_SIZE, verbose=0, return_dict=True)
    probe = np.asarray(model(x_test[:PROBE_SIZE], training=False))
    speed = recorder.samples_trained / recorder.train_seconds if recorder.train_seconds else 0.0
    return FitResult(
        outcome=recorder.outcome,
        epochs_done=recorder.epochs_done,
        steps_done=recorder.global_step,
        weights=tuple(np.asarray(w) for w in model.get_weights()),
        optimizer_state=optimizer_state(model),
        test_loss=_number(scores.get("loss")),
        test_accuracy=_number(scores.get("accuracy")),
        probe_predictions=probe,
        samples_per_second=speed,
        steps_per_execution=steps,
        fault=None,
        cpu_seconds=recorder.cpu_seconds,
    )
