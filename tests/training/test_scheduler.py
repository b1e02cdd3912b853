"""The job suite, on both backends: local worker processes and Ray actors on a loopback head (`ray` parameters carry
the `cluster` marker; tests/cluster_services.py starts the head). Live curves, stop, continue, NaN guard, errors,
cap and queue, gone sessions, wall time, killed workers, uploaded image sets, shutdown. A pre-warmed spare and
workers exiting with a killed server are the local backend's own; the Ray backend's own are in test_ray_backend.py.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from playground import presets
from playground.data import kept as kept_sets
from playground.data.dataset import Dataset
from playground.data.own import OwnData, adapt_spec
from playground.spec import LayerSpec, ModelSpec, OptimizerSpec
from playground.text.train import CATALOGUE
from playground.training import runs
from playground.training import scheduler as training
from playground.training.backends import ray as ray_backend
from playground.training.backends.local import LocalBackend
from playground.training.job import Snapshot, TrainingJob
from playground.training.limits import JobRejected, Limits
from playground.training.runs import FitRequest, TrainSettings
from playground.training.scheduler import Scheduler

ROOT = Path(__file__).resolve().parent.parent.parent
T = CATALOGUE.translator("en")
LONG = TrainSettings(epochs=40, batch_size=8, train_samples=2000)  # minutes of work: it is always stopped early
SHORT = TrainSettings(epochs=1, train_samples=300)
BACKENDS = ["local", pytest.param("ray", marks=pytest.mark.cluster)]


def wait_until(predicate, timeout: float = 90.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def settle(job: TrainingJob, timeout: float = 120.0) -> Snapshot:
    assert job.wait(timeout), f"job {job.id} did not settle: {job.snapshot().message}"
    return job.snapshot()


def running_steps(job: TrainingJob, count: int = 2) -> None:
    wait_until(lambda: len(job.snapshot().history.step) >= count, what=f"{count} step groups of job {job.id}")


@pytest.fixture(params=BACKENDS)
def make_scheduler(request):
    """A factory of schedulers on the parameter's backend (small limits, no spare unless asked); all shut down after,
    and on Ray no job's actor is left holding a node's memory."""
    head = request.getfixturevalue("ray_head") if request.param == "ray" else None
    made = []

    def make(**limits) -> Scheduler:
        limits = Limits(**{"max_running": 2, "cores": 2, "spare": "off", **limits})
        backend = ray_backend.RayBackend(limits, head.address) if head else LocalBackend(limits)
        made.append(Scheduler(limits, backend))
        return made[-1]

    yield make
    for scheduler in made:
        scheduler.shutdown()
    if head:
        wait_until(lambda: not ray_backend.live_job_actors(), 30, "the job actors to end")


local_only = pytest.mark.parametrize("make_scheduler", ["local"], indirect=True)


def on_ray(scheduler: Scheduler) -> bool:
    return isinstance(scheduler.backend, ray_backend.RayBackend)


def job_for(spec_name: str = "logistic", settings: TrainSettings = LONG, **request) -> TrainingJob:
    return TrainingJob(FitRequest(presets.preset(spec_name), settings, **request))


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # a zombie has exited


def test_curves_arrive_live_then_stop_lands_within_a_few_steps(make_scheduler):
    scheduler = make_scheduler()
    # 1024 samples: 32 steps an epoch, in groups of 4.
    job = scheduler.submit(job_for("small-cnn", TrainSettings(epochs=10, train_samples=1024), steps_per_execution=4))
    running_steps(job, 3)  # live: groups of steps arrive while the worker trains
    assert job.worker_info["streamlit"] is False  # a worker of its own, without the app's modules
    if on_ray(scheduler):
        assert job.worker_info["node"] and ray_backend.live_job_actors() == [job.worker.name]
    wait_until(lambda: job.snapshot().history.epoch == [1], what="the first epoch")
    assert job.state == "running"  # the epoch's point arrived while training goes on
    at_stop = job.snapshot().history.last_step
    job.stop()
    assert job.state == "stopping"
    snap = settle(job)
    assert snap.state == "stopped" and snap.message[0] == "stopped_user"
    # The group in flight, and a margin of two groups for messages not yet read when Stop was pressed.
    assert job.result.steps_done - at_stop <= 3 * 4
    assert snap.history.partial[-1] and snap.history.epoch == [1, 2]
    assert snap.history.step == list(range(4, job.result.steps_done + 1, 4))  # every group arrived, in order
    assert T(*snap.message[:1], **snap.message[1]).startswith("Stopped at epoch 2, step ")
    assert job.result.weights and job.result.test_accuracy is not None


def test_continue_keeps_weights_and_optimizer_state_and_the_curves_go_on(make_scheduler):
    from playground.backend import keras  # the server side of the check: rebuild the model from the arrays
    from playground.model import build_model

    scheduler = make_scheduler()
    spec = presets.preset("mlp")
    first = scheduler.submit(
        TrainingJob(FitRequest(spec, TrainSettings(epochs=1, train_samples=512), steps_per_execution=4))
    )
    first_snap = settle(first)
    assert first_snap.state == "finished" and first.result.steps_done == 16
    second = scheduler.submit(training.continuation(first, 1))
    snap = settle(second)
    assert snap.state == "finished" and snap.run_id == first.run_id
    assert snap.history.epoch == [1, 2]
    assert snap.history.step == first_snap.history.step + [20, 24, 28, 32]
    assert int(second.result.optimizer_state[0]) == 32  # Adam's step counter went on from 16 in a new worker
    # The weights were kept: the continued run starts where the first ended, far below a fresh network's loss.
    assert snap.history.step_loss[4] < 0.8 * first_snap.history.step_loss[0]

    model = build_model(spec, compile=False)
    model.set_weights(list(second.result.weights))
    from playground import data
    from playground.training import fit as fitting

    probe = data.images_as_input(data.load("mnist-sample").x_test[: fitting.PROBE_SIZE])
    np.testing.assert_allclose(np.asarray(model(probe, training=False)), second.result.probe_predictions, atol=1e-5)
    keras.backend.clear_session()


def test_a_diverging_run_fails_with_the_cause_and_a_fix(make_scheduler):
    exploding = ModelSpec(
        (28, 28, 1),
        10,
        (LayerSpec("Flatten"), LayerSpec("Dense", {"units": 10})),
        "mean_squared_error",
        OptimizerSpec("SGD", {"learning_rate": 5.0}),
    )
    job = make_scheduler().submit(
        TrainingJob(FitRequest(exploding, TrainSettings(epochs=3, train_samples=500), steps_per_execution=1))
    )
    snap = settle(job)
    assert snap.state == "failed" and snap.message[0] == "failed_diverged"
    text = runs.describe_fault(snap.fault, T)
    assert text.startswith("The loss became ") and "at epoch 1, step " in text
    assert "learning rate 5 is too high for SGD — try 0.01–0.1" in text


def test_a_worker_exception_becomes_a_readable_failure(make_scheduler):
    job = make_scheduler().submit(job_for(settings=TrainSettings(dataset="no-such-data")))
    snap = settle(job)
    assert snap.state == "failed" and snap.message[0] == "error_dataset"
    assert "unknown dataset 'no-such-data'" in T(snap.message[0], **snap.message[1])


def test_the_cap_holds_and_extra_jobs_wait_in_line(make_scheduler):
    scheduler = make_scheduler(max_running=1)
    first = scheduler.submit(job_for(settings=SHORT))
    second = scheduler.submit(job_for(settings=SHORT))
    third = scheduler.submit(job_for())
    assert second.snapshot().message == ("state_queued", {"position": 1, "total": 2})
    assert third.snapshot().queue_position == 2
    third.stop()  # a queued job is cancelled at once
    assert third.settled and third.snapshot().message[0] == "stopped_cancelled"
    assert second.snapshot().message == ("state_queued", {"position": 1, "total": 1})
    most = 0
    while not second.settled:
        most = max(most, len(scheduler.running()))
        time.sleep(0.02)
    assert most == 1
    assert first.snapshot().state == second.snapshot().state == "finished"


def test_a_gone_session_stops_its_job_but_a_hidden_tab_does_not(make_scheduler):
    scheduler = make_scheduler(abandon_after_s=1.5)
    gone = scheduler.submit(TrainingJob(FitRequest(presets.preset("logistic"), LONG), session_probe=lambda: False))
    hidden = scheduler.submit(TrainingJob(FitRequest(presets.preset("logistic"), LONG), session_probe=lambda: True))
    snap = settle(gone)
    assert snap.state == "stopped" and snap.message[0] == "stopped_abandoned"
    assert hidden.active  # never touched by a page either, but its browser session is still connected
    hidden.stop()
    assert settle(hidden).message[0] in ("stopped_user", "stopped_early")  # it may still have been starting
    unwatched = scheduler.submit(job_for(settings=SHORT))  # a script's job
    time.sleep(2)
    assert unwatched.active and not unwatched.watched  # no session owns it: it is not abandoned
    assert settle(unwatched).state == "finished"


def test_the_wall_time_limit_stops_a_long_run(make_scheduler):
    job = make_scheduler(max_wall_s=1.0).submit(job_for())
    snap = settle(job)
    assert snap.state == "stopped" and snap.message[0] == "stopped_wall_time"


def test_the_epoch_budget_rejects_longer_runs(make_scheduler):
    with pytest.raises(JobRejected, match="at most 10 epochs"):
        make_scheduler(max_epochs=10).submit(job_for(settings=TrainSettings(epochs=11)))


def test_a_killed_worker_fails_only_its_own_job(make_scheduler):
    scheduler = make_scheduler(max_running=2)
    victim, bystander = scheduler.submit(job_for()), scheduler.submit(job_for())
    running_steps(victim)
    running_steps(bystander)
    if on_ray(scheduler):
        import ray

        ray.kill(victim.worker.actor)
    else:
        os.kill(victim.worker.pid, signal.SIGKILL)
    snap = settle(victim, 30)
    text = T(snap.message[0], **snap.message[1])
    assert snap.state == "failed"
    if on_ray(scheduler):
        assert snap.message[0] == "failed_actor_lost"
        assert text.startswith("The cluster worker training this run was lost (")
        assert "ray.kill" in snap.message[1]["detail"]  # Ray's cause, not its generic "died unexpectedly"
    else:
        assert snap.message == ("failed_killed", {"signal": 9}) and "killed (signal 9)" in text
    steps_then = len(bystander.snapshot().history.step)
    wait_until(lambda: len(bystander.snapshot().history.step) > steps_then, what="the other job to go on")
    bystander.stop()
    assert settle(bystander).state == "stopped" and bystander.result.weights


def test_an_uploaded_image_set_reaches_the_worker(make_scheduler, monkeypatch):
    scheduler = make_scheduler()
    rng = np.random.default_rng(0)
    name = "own-" + "0123456789ab" * 2
    images = lambda n: rng.integers(0, 256, (n, 16, 16), dtype=np.uint8)  # noqa: E731
    labels = lambda n: np.arange(n, dtype=np.uint8) % 3  # noqa: E731
    own = OwnData(Dataset(name, images(90), labels(90), images(30), labels(30), ("a", "b", "c")), "shapes.zip", ())
    if on_ray(scheduler):
        # Kept in this process only: an actor that looked in the session store instead would not find it. The set
        # travels through Ray's object store.
        monkeypatch.setattr(kept_sets, "_keeper", kept_sets.InMemory({name: kept_sets.to_bytes(own)}))
    else:  # a local worker reads it by name from the session store, as the app keeps it
        from playground import store

        assert store.default_store().save_image_set(store.new_token(), name, own.title, kept_sets.to_bytes(own))
    spec = adapt_spec(presets.preset("logistic"), (16, 16, 1), 3)
    job = scheduler.submit(TrainingJob(FitRequest(spec, TrainSettings(dataset=name, epochs=1))))
    snap = settle(job)
    assert snap.state == "finished", snap.message
    assert job.result.test_accuracy is not None and len(job.result.probe_predictions[0]) == 3


@local_only
def test_a_prewarmed_spare_becomes_the_next_jobs_process(make_scheduler):
    scheduler = make_scheduler(spare="on")
    scheduler.prewarm()
    spare = scheduler.worker_pids()
    assert len(spare) == 1
    job = scheduler.submit(job_for(settings=TrainSettings(epochs=1, train_samples=200)))
    assert job.worker.pid == spare[0]
    assert settle(job).state == "finished"
    assert not alive(spare[0])  # one job per process: its memory went back to the system


def test_shutdown_stops_every_job_and_ends_every_worker(make_scheduler):
    scheduler = make_scheduler(spare="on")  # local: a pre-warmed spare as well
    job = scheduler.submit(job_for())
    running_steps(job, 1)
    pids = scheduler.worker_pids()
    actors = ray_backend.live_job_actors() if on_ray(scheduler) else []
    if on_ray(scheduler):
        assert actors == [job.worker.name]
    else:
        assert job.worker.pid in pids
    scheduler.shutdown()
    assert job.settled and job.snapshot().message[0] == "stopped_shutdown"
    wait_until(lambda: not any(alive(pid) for pid in pids), 10, "the workers to exit")
    if actors:
        wait_until(lambda: not ray_backend.live_job_actors(), 30, "the actor to end")


SERVER = """
import sys, time
from playground import presets
from playground.training.job import TrainingJob
from playground.training.limits import Limits
from playground.training.runs import FitRequest, TrainSettings
from playground.training.scheduler import Scheduler

if __name__ == "__main__":
    scheduler = Scheduler(Limits(spare="on"))
    job = scheduler.submit(TrainingJob(FitRequest(presets.preset("logistic"), TrainSettings(epochs=40, batch_size=8))))
    while not job.snapshot().history.step:
        time.sleep(0.05)
    scheduler.prewarm()
    print(*scheduler.worker_pids(), flush=True)
    time.sleep(600)
"""


def test_workers_exit_by_themselves_when_the_server_is_killed(tmp_path):
    script = tmp_path / "server.py"
    script.write_text(SERVER)
    server = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        pids = [int(pid) for pid in server.stdout.readline().split()]
        assert len(pids) == 2 and all(alive(pid) for pid in pids)  # the job's worker and a spare
    finally:
        server.kill()
        server.wait()
    wait_until(lambda: not any(alive(pid) for pid in pids), 15, "the orphaned workers to exit")
