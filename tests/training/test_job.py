"""A job's state from its worker's messages, and a settled job restored from its run record and trained model."""

import pytest

from playground import presets
from playground.text.train import CATALOGUE
from playground.training import runs
from playground.training.job import TrainingJob
from playground.training.runs import TrainSettings

T_EN = CATALOGUE.translator("en")


def _job(**settings):
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
    job.set_state("starting", ("state_starting", {}))
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
    job.worker_gone(0)
    assert job.settled


def test_stop_messages_say_where_the_run_stopped_or_that_it_never_began():
    job = _job()
    job.stop_reason = "user"
    job.set_state("stopping", ("state_stopping", {}))
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
    running.set_state("running", ("state_running", {}))
    running.worker_gone(-9)
    assert running.snapshot().message == ("failed_killed", {"signal": 9}) and running.state == "failed"
    stopping = _job()
    stopping.stop_reason = "shutdown"
    stopping.set_state("stopping", ("state_stopping", {}))
    stopping.worker_gone(-15)
    assert stopping.state == "stopped" and stopping.snapshot().message[0] == "stopped_shutdown"
    exited = _job()
    exited.set_state("starting", ("state_starting", {}))
    exited.worker_gone(1)
    assert T_EN(*exited.snapshot().message[:1], **exited.snapshot().message[1]) == (
        "The training process ended unexpectedly (exit code 1)."
    )


# ---------------------------------------------------------------- a finished run brought back (reload, upload)


def _finished_run():
    import numpy as np

    from playground.bundle import TrainedModel
    from playground.training.runs import History, RunRecord

    history = History()
    history.add_step(10, 0.5, 1.2, 0.6)
    history.add_step(20, 1.0, 0.8, 0.7)
    history.add_epoch(1, {"loss": 0.9, "accuracy": 0.7, "val_loss": 0.8, "val_accuracy": 0.75})
    spec = presets.preset("logistic")
    weights = (np.ones((784, 10), np.float32), np.zeros(10, np.float32))
    optimizer = (np.float32(20), np.float32(0.001), *(np.zeros_like(w) for w in weights * 2))
    record = RunRecord(4, spec, TrainSettings(epochs=1, seed=3), history, "finished", 0.5, 0.85)
    return record, TrainedModel(spec, weights, optimizer, history.epoch_curves())


def test_a_restored_finished_job_shows_its_run_and_can_be_continued():
    from playground.training.scheduler import continuation

    record, trained = _finished_run()
    job = TrainingJob.restored(record, trained)  # a constructor: no message replayed, no private call
    snap = job.snapshot()
    assert (job.state, job.run_id, snap.message) == ("finished", 4, ("state_finished", {"epochs": 1}))
    assert job.settled and job.done and not job.active and snap.fraction == 1.0
    assert snap.history == record.history  # the per-step curves too, from the run record
    assert (snap.test_loss, snap.test_accuracy) == (0.5, 0.85)
    assert job.result.weights is trained.weights and job.result.optimizer_state is trained.optimizer_state
    assert job.request.spec == trained.spec and job.request.settings.seed == 3
    assert job.record().history == record.history and job.record().state == "finished"
    more = continuation(job, 2)
    assert (more.run_id, more.request.initial_epoch, more.request.initial_step) == (4, 1, 20)
    assert more.request.settings.epochs == 2 and more.request.weights is trained.weights
    assert more.snapshot().history == record.history


def test_a_restored_run_shows_test_metrics_only_when_it_has_both_and_a_stopped_one_stays_stopped():
    from dataclasses import replace

    record, trained = _finished_run()
    partial = TrainingJob.restored(replace(record, test_loss=None), trained).snapshot()
    assert (partial.test_loss, partial.test_accuracy) == (None, None)
    stopped = TrainingJob.restored(replace(record, state="stopped"), trained)
    assert stopped.state == "stopped" and stopped.result.outcome == "stopped" and stopped.settled
