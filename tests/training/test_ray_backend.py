"""Training jobs on Ray (a loopback head from the `ray_head` fixture): the job behaviours of test_scheduler.py on
the Ray backend — live curves, stop, continue, NaN guard, a killed actor, an uploaded image set, no leftover actor —
and an actor whose replica is gone ending by itself."""

import time

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
from playground.training.job import TrainingJob
from playground.training.limits import Limits
from playground.training.runs import FitRequest, TrainSettings
from playground.training.scheduler import Scheduler, backend_for
from tests.training.test_scheduler import running_steps, settle, wait_until

pytestmark = pytest.mark.cluster
T = CATALOGUE.translator("en")
LONG = TrainSettings(epochs=40, batch_size=8, train_samples=400)  # 50 steps an epoch, minutes in all: always stopped
SHORT = TrainSettings(epochs=1, train_samples=256)


@pytest.fixture
def make_scheduler(ray_head):
    made = []

    def make(orphan_s: float = ray_backend.ORPHAN_S, **limits) -> Scheduler:
        limits = Limits(**{"max_running": 2, "cores": 2, "spare": "off", **limits})
        made.append(Scheduler(limits, ray_backend.RayBackend(limits, ray_head.address, orphan_s=orphan_s)))
        return made[-1]

    yield make
    for scheduler in made:
        scheduler.shutdown()
    # Every job's actor ends with its job: none is left holding a node's memory.
    wait_until(lambda: not ray_backend.live_job_actors(), 30, "the job actors to end")


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


def test_live_curves_then_stop_and_the_actor_ends(make_scheduler):
    scheduler = make_scheduler()
    job = scheduler.submit(job_for("small-cnn", TrainSettings(epochs=10), steps_per_execution=4))
    running_steps(job, 3)  # live: groups of steps arrive while the actor trains
    assert job.worker_info["streamlit"] is False and job.worker_info["node"]  # a Ray worker, not this process
    assert ray_backend.live_job_actors() == [job.worker.name]
    at_stop = job.snapshot().history.last_step
    job.stop()
    assert job.state == "stopping"
    snap = settle(job)
    assert snap.state == "stopped" and snap.message[0] == "stopped_user"
    # The group in flight, and a margin of two groups for messages not yet read when Stop was pressed.
    assert job.result.steps_done - at_stop <= 3 * 4 and snap.history.partial[-1] and snap.history.epoch == [1]
    assert snap.history.step == list(range(4, job.result.steps_done + 1, 4))  # every group arrived, in order
    assert job.result.weights and job.result.test_accuracy is not None
    wait_until(lambda: not ray_backend.live_job_actors(), 30, "the actor to end with its job")


def test_continue_keeps_the_optimizer_state_on_ray(make_scheduler):
    scheduler = make_scheduler()
    first = scheduler.submit(
        TrainingJob(
            FitRequest(presets.preset("mlp"), TrainSettings(epochs=1, train_samples=512), steps_per_execution=4)
        )
    )
    first_snap = settle(first)
    assert first_snap.state == "finished" and first.result.steps_done == 16
    second = scheduler.submit(training.continuation(first, 1))
    snap = settle(second)
    assert snap.state == "finished" and snap.history.epoch == [1, 2]
    assert snap.history.step == first_snap.history.step + [20, 24, 28, 32]
    assert int(second.result.optimizer_state[0]) == 32  # Adam's step counter went on from 16 in a new actor
    assert snap.history.step_loss[4] < 0.8 * first_snap.history.step_loss[0]


def test_the_nan_guard_on_ray(make_scheduler):
    exploding = ModelSpec((28, 28, 1), 10, (LayerSpec("Flatten"), LayerSpec("Dense", {"units": 10})),
                          "mean_squared_error", OptimizerSpec("SGD", {"learning_rate": 5.0}))  # fmt: skip
    job = make_scheduler().submit(
        TrainingJob(FitRequest(exploding, TrainSettings(epochs=3, train_samples=500), steps_per_execution=1))
    )
    snap = settle(job)
    assert snap.state == "failed" and snap.message[0] == "failed_diverged"
    assert "learning rate 5 is too high for SGD — try 0.01–0.1" in runs.describe_fault(snap.fault, T)


def test_a_killed_actor_fails_only_its_own_job(make_scheduler):
    import ray

    scheduler = make_scheduler()
    victim = scheduler.submit(job_for())
    running_steps(victim)
    bystander = scheduler.submit(job_for(settings=TrainSettings(epochs=2, batch_size=8, train_samples=1600)))
    running_steps(bystander)
    ray.kill(victim.worker.actor)
    bystander_then = bystander.state  # 400 steps: still training when its neighbour dies
    snap = settle(victim, 30)
    assert snap.state == "failed" and snap.message[0] == "failed_actor_lost"
    assert T(snap.message[0], **snap.message[1]).startswith("The cluster worker training this run was lost (")
    assert "ray.kill" in snap.message[1]["detail"]  # Ray's cause, not its generic "died unexpectedly"
    assert bystander_then == "running"
    snap = settle(bystander)
    assert snap.state == "finished" and snap.history.epoch == [1, 2] and bystander.result.weights


def test_an_uploaded_image_set_travels_to_the_actor(make_scheduler):
    rng = np.random.default_rng(0)
    name = "own-" + "0123456789ab" * 2
    images = lambda n: rng.integers(0, 256, (n, 16, 16), dtype=np.uint8)  # noqa: E731
    labels = lambda n: np.arange(n, dtype=np.uint8) % 3  # noqa: E731
    own = OwnData(Dataset(name, images(90), labels(90), images(30), labels(30), ("a", "b", "c")), "shapes.zip", ())
    before = kept_sets._keeper
    # Kept in this process only: an actor that looked in the session store instead would not find it.
    kept_sets.keep_in(kept_sets.InMemory({name: kept_sets.to_bytes(own)}))
    try:
        spec = adapt_spec(presets.preset("logistic"), (16, 16, 1), 3)
        job = make_scheduler().submit(TrainingJob(FitRequest(spec, TrainSettings(dataset=name, epochs=1))))
        snap = settle(job)
    finally:
        kept_sets.keep_in(before)
    assert snap.state == "finished", snap.message
    assert job.result.test_accuracy is not None and len(job.result.probe_predictions[0]) == 3


def test_an_actor_nobody_polls_stops_and_ends_by_itself(make_scheduler):
    # The replica that started it is gone: nobody reads its messages. The actor stops and ends on its own.
    scheduler = make_scheduler(orphan_s=3.0)
    worker = scheduler.backend.worker()
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
