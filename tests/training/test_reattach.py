"""Re-attaching to a running job from another replica: the scheduler follows a job it did not start from its first
message (a scripted backend), and on Ray a replica that is killed mid-training leaves a job that another replica
finds by its actor's name and sees through to its result."""

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from playground import presets
from playground.training.backends import ray as ray_backend
from playground.training.limits import Limits
from playground.training.runs import FitRequest, History, TrainSettings
from playground.training.scheduler import Scheduler
from tests.training.test_backends import STEPS, ScriptedBackend, ScriptedWorker
from tests.training.test_scheduler import settle, wait_until

ROOT = Path(__file__).resolve().parent.parent.parent


class AttachingBackend(ScriptedBackend):
    """A scripted backend whose jobs started elsewhere can be found by name."""

    def __init__(self, running: dict[str, FitRequest]):
        super().__init__()
        self.running = running

    def attach(self, handle: str):
        request = self.running.get(handle)
        if request is None:
            return None
        worker = ScriptedWorker()
        worker.start(request, 1)
        return request, worker


def scheduler_with(backend) -> Scheduler:
    return Scheduler(Limits(max_running=2, cores=2, spare="off", max_epochs=10**6), backend)


def test_a_reattached_job_is_followed_from_its_first_message_and_holds_a_slot_here():
    request = FitRequest(presets.preset("logistic"), TrainSettings(epochs=3))
    scheduler = scheduler_with(AttachingBackend({"job-a": request}))
    try:
        assert scheduler.reattach("job-b") is None  # gone, or never ours: nothing to follow
        job = scheduler.reattach("job-a", run_id=7)
        assert job is not None and job.run_id == 7
        snap = settle(job, 30)
    finally:
        scheduler.shutdown()
    assert snap.state == "finished" and snap.history.epochs_done == 3
    assert len(snap.history.step) == 3 * STEPS and job.result is not None  # every step since the start, not just new
    assert not scheduler.running()


def test_a_reattached_continuation_goes_on_from_the_runs_earlier_curves():
    earlier = History()
    for epoch in (1, 2):
        earlier.record("epoch", {"epoch": epoch, "loss": 1.0 / epoch, "accuracy": 0.5, "partial": False})
    going_on = FitRequest(presets.preset("logistic"), TrainSettings(epochs=1), initial_epoch=2, initial_step=2 * STEPS)
    fresh = FitRequest(presets.preset("logistic"), TrainSettings(epochs=1))
    scheduler = scheduler_with(AttachingBackend({"continued": going_on, "fresh": fresh}))
    try:
        continued = settle(scheduler.reattach("continued", earlier, run_id=3), 30)
        # The stored run of that number is an earlier run, not this one's past: a fresh job starts empty.
        started = settle(scheduler.reattach("fresh", earlier, run_id=3), 30)
    finally:
        scheduler.shutdown()
    assert continued.history.epochs_done == 3 and continued.history.loss[:2] == [1.0, 0.5]
    assert started.history.epochs_done == 1


REPLICA = textwrap.dedent(
    """
    import sys, time
    from playground import presets
    from playground.training.backends import ray as ray_backend
    from playground.training.job import TrainingJob
    from playground.training.limits import Limits
    from playground.training.runs import FitRequest, TrainSettings
    from playground.training.scheduler import Scheduler

    limits = Limits(max_running=1, cores=2, spare="off")
    scheduler = Scheduler(limits, ray_backend.RayBackend(limits, sys.argv[1]))
    settings = TrainSettings(epochs=8, batch_size=8, train_samples=400)
    job = scheduler.submit(TrainingJob(FitRequest(presets.preset("logistic"), settings), run_id=4))
    while len(job.snapshot().history.step) < 2:
        time.sleep(0.05)
    print(job.worker.handle, flush=True)
    time.sleep(600)  # killed by the test long before
    """
)


@pytest.mark.cluster
def test_a_job_outlives_the_killed_replica_that_started_it_and_another_replica_sees_it_through(ray_head):
    replica = subprocess.Popen([sys.executable, "-c", REPLICA, ray_head.address], cwd=ROOT, text=True,
                               stdout=subprocess.PIPE)  # fmt: skip
    try:
        handle = replica.stdout.readline().strip()
        assert ray_backend.is_job_name(handle), f"the replica printed {handle!r}"
        replica.send_signal(signal.SIGKILL)  # a replica lost with its machine: no shutdown, no goodbye
        replica.wait(10)
        limits = Limits(max_running=1, cores=2, spare="off")
        other = Scheduler(limits, ray_backend.RayBackend(limits, ray_head.address))
        try:
            job = other.reattach(handle, run_id=4)
            assert job is not None, "the job's actor was not found by its name"
            snap = settle(job, 180)
        finally:
            other.shutdown()
    finally:
        replica.kill()
    assert snap.state == "finished" and snap.history.epochs_done == 8, snap.message
    # Followed from the first group of steps (50 an epoch), before the replica died, and every epoch since.
    assert snap.history.step[0] <= 50 and snap.history.epoch == list(range(1, 9)) and snap.history.step[-1] == 400
    assert job.result is not None and job.result.weights and job.run_id == 4
    assert job.request.spec == presets.preset("logistic")
    # Read to the end here, the actor was ended by this replica: nothing keeps the node's memory.
    wait_until(lambda: handle not in ray_backend.live_job_actors(), 30, "the actor to end")
    assert other.reattach(handle) is None  # and a late reload finds nothing to follow
