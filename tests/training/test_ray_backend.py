"""What only the Ray backend does (a loopback head from the `ray_head` fixture): the address chooses it, an unreachable
cluster fails the job at once, an actor whose replica is gone ends by itself, and one line for all replicas. The
job behaviours both backends share run on Ray in test_scheduler.py."""

import time

import pytest

from playground import presets
from playground.text.train import CATALOGUE
from playground.training.backends import ray as ray_backend
from playground.training.job import TrainingJob
from playground.training.limits import Limits
from playground.training.runs import FitRequest, TrainSettings
from playground.training.scheduler import Scheduler, backend_for
from tests.training.test_scheduler import running_steps, settle, wait_until

pytestmark = pytest.mark.cluster
T = CATALOGUE.translator("en")
LONG = TrainSettings(epochs=40, batch_size=8, train_samples=400)  # 50 steps an epoch, minutes in all: always stopped
SHORT = TrainSettings(epochs=1, train_samples=256)


def job_for(spec_name: str = "logistic", settings: TrainSettings = LONG, **request) -> TrainingJob:
    return TrainingJob(FitRequest(presets.preset(spec_name), settings, **request))


def test_the_address_chooses_the_backend(monkeypatch):
    monkeypatch.delenv(ray_backend.ADDRESS_ENV, raising=False)
    assert type(backend_for(Limits())).__name__ == "LocalBackend"
    monkeypatch.setenv(ray_backend.ADDRESS_ENV, "127.0.0.1:1")  # nothing is contacted before a job starts
    backend = backend_for(Limits(threads_per_worker=3))
    assert isinstance(backend, ray_backend.RayBackend) and backend.address == "127.0.0.1:1" and backend.cpus == 3


def test_a_cluster_that_does_not_answer_fails_the_job_at_once():
    # ray.init would retry for minutes, holding the job's slot: the backend checks the head's port first.
    from scripts import services

    address = f"127.0.0.1:{services.free_port()}"
    limits = Limits(max_running=1, cores=2, spare="off")
    scheduler = Scheduler(limits, ray_backend.RayBackend(limits, address))
    try:
        snap = settle(scheduler.submit(job_for()), 30)
    finally:
        scheduler.shutdown()
    assert snap.state == "failed" and snap.message[0] == "error_cluster"
    assert T(snap.message[0], **snap.message[1]).startswith(f"The training cluster cannot be reached (no Ray cluster "
                                                            f"answers at {address}: ")  # fmt: skip


def test_an_actor_nobody_polls_stops_and_ends_by_itself(ray_head):
    # The replica that started it is gone: nobody reads its messages. The actor stops and ends on its own.
    limits = Limits(max_running=1, cores=2, spare="off")
    worker = ray_backend.RayBackend(limits, ray_head.address, orphan_s=3.0).worker()
    worker.start(job_for().request, 1)
    messages = worker.messages()
    assert next(messages)[0] == "warm"  # created and warm; from now on nobody polls
    wait_until(lambda: worker.name in ray_backend.live_job_actors(), 10, "the actor to be listed")
    wait_until(lambda: worker.name not in ray_backend.live_job_actors(), 60, "the orphaned actor to end itself")


def test_the_line_goes_by_submission_caps_the_cluster_and_forgets_silent_replicas():
    from playground.training.backends.ray_line import STALE_S, LineAuthority

    now = [0.0]
    authority = LineAuthority(clock=lambda: now[0])
    assert authority.report("a", [(2.0, "a-1")], []) == ["a-1"]
    assert authority.report("b", [(1.0, "b-1"), (3.0, "b-2")], []) == ["b-1", "a-1", "b-2"]
    assert not authority.claim("a", "a-1", cap=1)  # b-1 was submitted first
    assert authority.claim("b", "b-1", cap=1)
    assert authority.report("a", [(2.0, "a-1")], []) == ["a-1", "b-2"]
    assert not authority.claim("a", "a-1", cap=1)  # its turn, but the cluster is full
    now[0] = STALE_S + 1  # replica b went silent (it died): its running and waiting jobs no longer count
    assert authority.report("a", [(2.0, "a-1")], []) == ["a-1"]
    assert authority.claim("a", "a-1", cap=1)


def test_one_line_for_every_replica_with_a_cluster_cap(ray_head):
    # Two schedulers stand for two replicas; with a cluster cap of 1 they share one line through the authority actor.
    made = []
    for _ in range(2):
        limits = Limits(max_running=2, cores=2, spare="off")
        made.append(Scheduler(limits, ray_backend.RayBackend(limits, ray_head.address, cluster_max_jobs=1)))
    first, second = made
    try:
        running = first.submit(job_for())
        running_steps(running)
        waiting = second.submit(job_for(settings=SHORT))
        wait_until(lambda: waiting.snapshot().message == ("state_queued", {"position": 1, "total": 1}), 10, "a place")
        later = first.submit(job_for(settings=SHORT))  # this replica has a free slot, but the other's job came first
        wait_until(lambda: later.snapshot().message == ("state_queued", {"position": 2, "total": 2}), 10, "place 2")
        running.stop()
        most = 0
        while not later.settled:
            most = max(most, len(first.running()) + len(second.running()))
            time.sleep(0.02)
        assert most == 1  # the cluster's cap held across both replicas
        assert settle(waiting).state == settle(later).state == "finished"
        assert running.dispatched < waiting.dispatched < later.dispatched  # in the order they were submitted
    finally:
        for scheduler in made:
            scheduler.shutdown()
    wait_until(lambda: not ray_backend.live_job_actors(), 30, "the job actors to end")
