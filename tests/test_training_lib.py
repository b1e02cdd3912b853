"""Library tests of training without worker processes: curves, run history, augmentation, figures, in-process fit."""

import math

import numpy as np
import pytest

from playground import presets
from playground.data import augment
from playground.figures import training as figures
from playground.spec import LayerSpec, ModelSpec, OptimizerSpec
from playground.text.train import CATALOGUE
from playground.training import runs
from playground.training.runs import History, RunRecord, TrainSettings

T_EN = CATALOGUE.translator("en")
T_ZH = CATALOGUE.translator("zh")


# ---------------------------------------------------------------- curves


def test_per_step_values_recover_each_groups_mean_from_running_means():
    groups = [(64, 2.0), (64, 1.0), (32, 0.5), (8, 4.0)]  # (samples, the group's own mean)
    running, seen, total, count = [], [], 0.0, 0
    for size, mean in groups:
        total, count = total + size * mean, count + size
        running.append(total / count)
        seen.append(count)
    assert runs.per_step_values(running, seen) == pytest.approx([mean for _, mean in groups])


def test_smoothing_keeps_a_constant_and_starts_at_the_first_value():
    assert runs.smooth([0.7] * 5) == pytest.approx([0.7] * 5)
    values = [1.0, 0.0, 0.0, 0.0]
    smoothed = runs.smooth(values, 0.5)
    assert smoothed[0] == pytest.approx(1.0)  # bias-corrected, not pulled towards 0
    assert smoothed[1] < 1.0 and all(a > b for a, b in zip(smoothed[1:], smoothed[2:], strict=False))
    assert math.isnan(runs.smooth([1.0, float("nan"), 1.0])[1])


def test_downsampling_bounds_the_points_and_keeps_the_live_end_exact():
    xs, ys = list(range(5000)), [float(x % 7) for x in range(5000)]
    small_x, small_y = runs.downsample(xs, ys, limit=400)
    assert len(small_x) == len(small_y) == 400
    assert small_x == sorted(small_x) and small_x[-100:] == xs[-100:] and small_y[-100:] == ys[-100:]
    assert runs.downsample([1, 2], [3.0, 4.0], limit=400) == ([1, 2], [3.0, 4.0])


def _record(run_id: int, **changes) -> RunRecord:
    history = History()
    history.add_epoch(1, {"loss": 0.5, "accuracy": 0.8, "val_loss": 0.6, "val_accuracy": 0.75})
    return RunRecord(run_id, presets.preset("mlp"), TrainSettings(**changes), history, "finished", 0.4, 0.85)


def test_differences_list_only_what_differed_then_the_outcomes():
    rows = dict(runs.differences([_record(1), _record(2, batch_size=128, seed=3)]))
    assert rows["fact_batch_size"] == ["32", "128"]
    assert rows["fact_seed"] == ["0", "3"]
    assert "fact_optimizer" not in rows and "fact_dataset" not in rows
    assert rows["fact_test_accuracy"] == ["0.85", "0.85"]
    same = dict(runs.differences([_record(1), _record(2)]))
    assert set(same) == set(runs.OUTCOME_FACTS)


def test_fault_message_names_the_place_the_cause_and_a_fix():
    fault = {"value": "NaN", "epoch": 2, "step": 130, "optimizer": "SGD", "learning_rate": 5.0, "loss": "x"}
    assert runs.describe_fault(fault, T_EN) == (
        "The loss became NaN at epoch 2, step 130: learning rate 5 is too high for SGD — try 0.01–0.1."
    )
    assert "学习率 5 太大了" in runs.describe_fault(fault, T_ZH)
    calm = runs.describe_fault({**fault, "optimizer": "Adam", "learning_rate": 0.001}, T_EN)
    assert "usual range for Adam" in calm and "BatchNormalization" in calm


def test_settings_round_trip_through_plain_data():
    settings = TrainSettings("mnist", 7, 64, 0.2, 5, 1000, 2, 10.0)
    assert TrainSettings.from_dict(settings.to_dict() | {"unknown": 1}) == settings
    assert settings.augmented and not TrainSettings().augmented


# ---------------------------------------------------------------- augmentation


def test_rotation_by_a_right_angle_matches_numpy_and_shifts_move_pixels():
    image = np.zeros((1, 28, 28), np.float32)
    image[0, 5:10, 14] = 1.0
    rotated = augment.transform(image, np.array([90.0]), np.zeros((1, 2)))
    np.testing.assert_allclose(rotated[0], np.rot90(image[0]), atol=1e-5)
    shifted = augment.transform(image, np.array([0.0]), np.array([[2.0, -3.0]]))
    np.testing.assert_allclose(shifted[0], np.roll(np.roll(image[0], 2, axis=0), -3, axis=1), atol=1e-5)
    np.testing.assert_allclose(augment.transform(image, np.zeros(1), np.zeros((1, 2))), image)


def test_random_augmentation_is_seeded_and_bounded():
    images = np.random.default_rng(0).random((4, 28, 28), dtype=np.float32)
    first = augment.random_augment(images, np.random.default_rng(1), 2, 10)
    again = augment.random_augment(images, np.random.default_rng(1), 2, 10)
    np.testing.assert_array_equal(first, again)
    assert first.dtype == np.float32 and first.min() >= 0 and first.max() <= 1 + 1e-6
    assert not np.allclose(first, images)
    sheet = augment.preview_sheet((images * 255).astype(np.uint8), 2, 10, scale=2)
    assert sheet.dtype == np.uint8 and sheet.shape == (2 * (2 * 28 + 2), 2 * 4 * 30)


# ---------------------------------------------------------------- figures


def _history() -> History:
    history = History()
    for step in range(1, 11):
        history.add_step(step * 9, step / 5, 2.0 / step, step / 10)
    history.add_epoch(1, {"loss": 1.0, "accuracy": 0.5, "val_loss": 1.1, "val_accuracy": 0.45})
    history.add_epoch(2, {"loss": 0.5, "accuracy": 0.8, "val_loss": None, "val_accuracy": None, "partial": True})
    return history


def test_step_figure_draws_raw_and_smoothed_loss_and_accuracy():
    history = _history()
    fig = figures.step_figure(history, T_EN)
    names = [trace.name for trace in fig.data]
    assert names == ["each group of steps", "smoothed"] * 2
    assert list(fig.data[0].y) == pytest.approx(history.step_loss)
    weight = figures.smoothing_for(len(history.step))
    assert 0.3 <= weight < figures.smoothing_for(1000) <= 0.95
    assert list(fig.data[3].y) == pytest.approx(runs.smooth(history.step_accuracy, weight))
    assert list(fig.data[0].x) == history.step
    assert "步数（批次）" in figures.step_figure(history, T_ZH).layout.xaxis.title.text


def test_epoch_figure_compares_training_and_validation():
    fig = figures.epoch_figure(_history(), T_EN)
    assert [trace.name for trace in fig.data] == ["training", "validation"] * 2
    assert list(fig.data[1].y) == [1.1, None]
    no_validation = History()
    no_validation.add_epoch(1, {"loss": 1.0, "accuracy": 0.5})
    assert [trace.name for trace in figures.epoch_figure(no_validation, T_EN).data] == ["training"] * 2


@pytest.mark.parametrize("make", [figures.step_figure, figures.epoch_figure], ids=["steps", "epochs"])
def test_live_figures_built_unvalidated_are_what_plotly_would_validate(make):
    # The live figures skip Plotly's per-property validation for speed: validating them must change nothing.
    import plotly.graph_objects as go

    for t in (T_EN, T_ZH):
        fig = make(_history(), t)
        assert go.Figure(fig.to_dict()).to_dict() == fig.to_dict()
    layout = make(_history(), T_EN).to_dict()["layout"]
    assert layout["xaxis2"]["domain"][0] > layout["xaxis"]["domain"][1]  # two panels side by side
    assert layout["template"]["layout"]  # the template travels as data, as a validated figure's does


def test_overlay_draws_one_curve_per_run():
    fig = figures.overlay_figure([_record(1), _record(4)], "val_accuracy", T_EN)
    assert [trace.name for trace in fig.data] == ["Run 1", "Run 4"]
    assert list(fig.data[1].y) == [0.75]
    assert fig.data[0].line.color != fig.data[1].line.color


# ---------------------------------------------------------------- in-process fit (Keras)


@pytest.fixture(scope="module")
def fitting():
    from playground.training import fit as fitting

    return fitting


def test_split_is_seeded_disjoint_and_can_use_fewer_examples(fitting):
    train, validation = fitting.split_indices(1000, 0.1, seed=3)
    assert len(train) == 900 and len(validation) == 100 and not set(train) & set(validation)
    again, _ = fitting.split_indices(1000, 0.1, seed=3)
    np.testing.assert_array_equal(train, again)
    fewer, same_validation = fitting.split_indices(1000, 0.1, seed=3, train_samples=200)
    assert len(fewer) == 200 and set(fewer) <= set(train)
    np.testing.assert_array_equal(validation, same_validation)


def test_steps_per_execution_fit_the_model_cost(fitting):
    cheap = fitting.choose_steps_per_execution(presets.preset("logistic"), 32, 113)
    costly = fitting.choose_steps_per_execution(presets.preset("seed-cnn"), 256, 113)
    assert cheap == fitting.MAX_STEPS_PER_EXECUTION
    assert 1 <= costly < cheap
    assert fitting.choose_steps_per_execution(presets.preset("logistic"), 32, 8) == 2  # four groups per epoch


def _events():
    events = []
    return events, lambda kind, values: events.append((kind, values))


def test_group_means_average_to_the_epoch_loss_keras_reports(fitting):
    events, report = _events()
    settings = TrainSettings(epochs=1, batch_size=24, train_samples=250, seed=1)  # 250 = 10 batches + 10 left
    fitting.fit(fitting.FitRequest(presets.preset("logistic"), settings, steps_per_execution=3), report)
    steps = [values for kind, values in events if kind == "step"]
    epoch = next(values for kind, values in events if kind == "epoch")
    assert [s["step"] for s in steps] == [3, 6, 9, 11]
    sizes = [3 * 24, 3 * 24, 3 * 24, 24 + 10]
    weighted = sum(s["loss"] * n for s, n in zip(steps, sizes, strict=True)) / 250
    assert weighted == pytest.approx(epoch["loss"], rel=1e-4)
    accuracy = sum(s["accuracy"] * n for s, n in zip(steps, sizes, strict=True)) / 250
    assert accuracy == pytest.approx(epoch["accuracy"], abs=1e-4)


def test_nan_guard_stops_with_the_place_and_no_weights(fitting):
    exploding = ModelSpec(
        (28, 28, 1),
        10,
        (LayerSpec("Flatten"), LayerSpec("Dense", {"units": 10})),
        "mean_squared_error",
        OptimizerSpec("SGD", {"learning_rate": 10.0}),
    )
    events, report = _events()
    result = fitting.fit(
        fitting.FitRequest(exploding, TrainSettings(epochs=3, train_samples=500), steps_per_execution=1), report
    )
    assert result.outcome == "diverged" and result.weights == ()
    fault = result.fault
    assert fault["epoch"] == 1 and 1 <= fault["step"] <= 16 and fault["value"] in ("NaN", "inf")
    assert fault["optimizer"] == "SGD" and fault["learning_rate"] == 10.0
    assert [values["outcome"] for kind, values in events if kind == "end"] == ["diverged"]
    assert "too high for SGD" in runs.describe_fault(fault, T_EN)


def test_stop_takes_effect_within_one_group_and_skips_validation(fitting):
    events, report = _events()

    def should_stop():  # the stop arrives during the second group of steps
        return sum(kind == "step" for kind, _ in events) >= 2

    settings = TrainSettings(epochs=2, train_samples=1000)
    result = fitting.fit(
        fitting.FitRequest(presets.preset("logistic"), settings, steps_per_execution=4), report, should_stop
    )
    steps = [values for kind, values in events if kind == "step"]
    epochs = [values for kind, values in events if kind == "epoch"]
    assert result.outcome == "stopped" and len(steps) == 2 and steps[-1]["step"] == 8
    assert len(epochs) == 1 and epochs[0]["partial"] and epochs[0]["val_loss"] is None
    assert result.weights and result.test_accuracy is not None  # a stopped run keeps its weights


def test_continuing_restores_weights_and_optimizer_state_exactly(fitting):
    spec = presets.preset("small-cnn")
    first = fitting.fit(fitting.FitRequest(spec, TrainSettings(epochs=1, train_samples=256), steps_per_execution=4))
    assert first.optimizer_state[0] == first.steps_done == 8  # Adam's iteration counter
    resumed = fitting.FitRequest(
        spec,
        TrainSettings(epochs=0, train_samples=256),
        initial_epoch=1,
        initial_step=first.steps_done,
        weights=first.weights,
        optimizer_state=first.optimizer_state,
    )
    untouched = fitting.fit(resumed)  # zero more epochs: what was restored comes straight back
    for restored, original in zip(
        untouched.weights + untouched.optimizer_state, first.weights + first.optimizer_state, strict=True
    ):
        np.testing.assert_array_equal(restored, original)
    events, report = _events()
    more = fitting.fit(
        fitting.FitRequest(
            spec,
            TrainSettings(epochs=1, train_samples=256),
            initial_epoch=1,
            initial_step=8,
            weights=first.weights,
            optimizer_state=first.optimizer_state,
            steps_per_execution=4,
        ),
        report,
    )
    assert more.optimizer_state[0] == 16 and more.epochs_done == 2 and more.steps_done == 16
    steps = [values for kind, values in events if kind == "step"]
    assert steps[0]["global_step"] == 12 and steps[0]["epoch"] == 2 and steps[0]["step_epoch"] == 1.5


def test_augmented_training_runs_through_the_same_pipeline(fitting):
    settings = TrainSettings(epochs=1, train_samples=200, augment_shift=2, augment_rotation=15.0)
    events, report = _events()
    result = fitting.fit(fitting.FitRequest(presets.preset("logistic"), settings), report)
    assert result.outcome == "finished" and 0 < result.test_accuracy <= 1
    losses = [values["loss"] for kind, values in events if kind == "step"]
    assert losses and all(math.isfinite(loss) for loss in losses)
    batch = next(iter(fitting.prepare(presets.preset("logistic"), settings).train))[0].numpy()
    assert batch.shape == (32, 28, 28, 1) and batch.dtype == np.float32 and batch.min() >= 0 and batch.max() <= 1


# ---------------------------------------------------------------- a job's state from its worker's messages


def _job(**settings):
    from playground.training.scheduler import TrainingJob

    return TrainingJob(runs.FitRequest(presets.preset("logistic"), TrainSettings(**settings)))


def _step(epoch: int, step: int, global_step: int, steps: int = 10) -> dict:
    return {
        "epoch": epoch,
        "step": step,
        "global_step": global_step,
        "step_epoch": epoch - 1 + step / steps,
        "loss": 1.0,
        "accuracy": 0.5,
        "elapsed": global_step * 0.1,
        "samples_per_second": 320.0,
    }


def test_a_jobs_messages_drive_its_state_progress_and_time_left():
    job = _job(epochs=2)
    assert job.snapshot().message == ("state_queued", {}) and job.state == "queued"
    job._set("starting", ("state_starting", {}))
    job.handle("phase", {"phase": "data"})
    assert job.snapshot().message == ("phase_data", {})
    job.handle("begin", {"epochs": 2, "steps_per_epoch": 10})
    job.handle("step", _step(1, 5, 5))
    snap = job.snapshot()
    assert snap.state == "running" and snap.fraction == pytest.approx(0.25)
    assert snap.eta_s == pytest.approx(15 * 0.1)  # 15 steps left at this job's pace of 0.1 s a step
    job.handle("end", {"outcome": "finished", "epochs_done": 2, "fault": None})
    assert job.snapshot().message == ("state_finished", {"epochs": 2}) and job.snapshot().fraction == 1.0
    assert not job.done  # the result (test metrics, weights) is still on its way
    job.handle("result", runs.FitResult("finished", 2, 20, (), (), 0.3, 0.9, None, 1.0, 4))
    assert job.done and not job.settled
    job._worker_gone(0)
    assert job.settled


def test_stop_messages_say_where_the_run_stopped_or_that_it_never_began():
    job = _job()
    job.stop_reason = "user"
    job._set("stopping", ("state_stopping", {}))
    job.handle("end", {"outcome": "stopped", "epochs_done": 0, "fault": None})
    assert job.snapshot().message == ("stopped_early", {})
    job = _job()
    job.handle("begin", {"epochs": 5, "steps_per_epoch": 10})
    job.handle("step", _step(2, 4, 14))
    job.stop_reason = "user"
    job.handle("end", {"outcome": "stopped", "epochs_done": 2, "fault": None})
    key, params = job.snapshot().message
    assert T_EN(key, **params) == "Stopped at epoch 2, step 4 of 10."


def test_a_dead_worker_fails_a_running_job_but_ends_a_stopping_one_as_stopped():
    running = _job()
    running._set("running", ("state_running", {}))
    running._worker_gone(-9)
    assert running.snapshot().message == ("failed_killed", {"signal": 9}) and running.state == "failed"
    stopping = _job()
    stopping.stop_reason = "shutdown"
    stopping._set("stopping", ("state_stopping", {}))
    stopping._worker_gone(-15)
    assert stopping.state == "stopped" and stopping.snapshot().message[0] == "stopped_shutdown"
    exited = _job()
    exited._set("starting", ("state_starting", {}))
    exited._worker_gone(1)
    assert T_EN(*exited.snapshot().message[:1], **exited.snapshot().message[1]) == (
        "The training process ended unexpectedly (exit code 1)."
    )
