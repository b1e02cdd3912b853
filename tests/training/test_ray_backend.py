"""What only the Ray backend does (a loopback head from the `ray_head` fixture): the address chooses it, an unreachable
cluster fails the job at once, an actor whose replica is gone ends by itself, and one line for all replicas. The
job behaviours both backends share run on Ray in test_scheduler.py."""

import contextlib
import os
import time
from dataclasses import replace

import pytest

from playground.text.train import CATALOGUE
from playground.training.backends import ray as ray_backend
from playground.training.limits import Limits
from playground.training.scheduler import Scheduler, backend_for
from tests.training.test_scheduler import LONG, SHORT, job_for, running_steps, settle, wait_until

ENDLESS = replace(LONG, epochs=1000)  # hours of training: only a stop ends it

pytestmark = pytest.mark.cluster
T = CATALOGUE.translator("en")


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


@pytest.mark.parametrize(("lost", "state"), [(1, "finished"), (2, "failed")])
def test_an_actor_lost_before_its_job_began_is_created_once_more(ray_head, monkeypatch, caplog, lost, state):
    import ray

    from tests.training import lost_actor

    lost_actor.MARKER.write_text(str(lost))
    monkeypatch.setattr(ray_backend, "_actor_class", lambda: ray.remote(lost_actor.LostBeforeBeginning))
    limits = Limits(max_running=1, cores=2, spare="off")
    scheduler = Scheduler(limits, ray_backend.RayBackend(limits, ray_head.address))
    try:
        job = scheduler.submit(job_for(settings=SHORT))
        snap = settle(job, 180)
    finally:
        scheduler.shutdown()
        lost_actor.MARKER.unlink(missing_ok=True)
    relaunched = [r.getMessage() for r in caplog.records if "was lost before its job began" in r.getMessage()]
    assert len(relaunched) == 1  # once, whatever happens to the second
    assert snap.state == state, snap.message
    if state == "finished":
        assert job.result.weights and job.worker.name not in relaunched[0]  # trained by the new actor
    else:
        assert snap.message[0] == "failed_actor_lost"
    wait_until(lambda: not ray_backend.live_job_actors(), 30, "no job actor left")


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


@pytest.fixture
def worker_nodes(ray_head):
    """A factory of 1-CPU worker nodes joined to the session's head (loopback, own temp dirs), while the head's own
    CPUs are held by a placeholder actor: every job's actor lands on a worker node. (A cluster of its own would move
    this process's one Ray driver away from the session's head and back, which Ray does not do reliably.)"""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    from scripts import services

    class Placeholder:  # defined here: Ray sends it by value (the workers cannot import this test module)
        def ready(self) -> bool:
            return True

    ray = ray_backend.connect(ray_head.address)
    head = ray.get_runtime_context().get_node_id()  # this driver is attached to the head's raylet
    cpus = next(node["Resources"]["CPU"] for node in ray.nodes() if node["NodeID"] == head and node["Alive"])
    hold = (
        ray.remote(num_cpus=cpus)(Placeholder)
        .options(scheduling_strategy=NodeAffinitySchedulingStrategy(head, soft=False))
        .remote()
    )
    ray.get(hold.ready.remote(), timeout=60)
    nodes = []

    def add_node() -> "services.Service":
        nodes.append(services.add_ray_node(ray_head, num_cpus=1))
        return nodes[-1]

    try:
        yield add_node
    finally:
        ray.kill(hold)
        for node in nodes:
            node.stop()


def test_a_lost_node_fails_only_its_job_and_the_next_job_runs_on_the_node_left(ray_head, worker_nodes):
    import signal

    import ray
    from cluster_services import alive, process_tree

    nodes = {node.address: node for node in (worker_nodes(), worker_nodes())}
    limits = Limits(max_running=2, cores=2, spare="off", max_epochs=ENDLESS.epochs)
    scheduler = Scheduler(limits, ray_backend.RayBackend(limits, ray_head.address))
    try:
        # Runs far longer than the test: the one that is not lost must still be training at the end, however long
        # the head takes to declare the node dead (a 10,000-step run once ended before that on a quiet machine).
        victim, bystander = (scheduler.submit(job_for("small-cnn", ENDLESS)) for _ in range(2))
        running_steps(victim)
        running_steps(bystander)
        assert {victim.worker_info["node"], bystander.worker_info["node"]} == set(nodes)  # one job on each node
        lost = nodes[victim.worker_info["node"]]
        # The node dies at once, as a machine that loses power: its launcher, raylet and workers, no clean-up.
        processes = process_tree(lost.processes[0].pid)
        assert len(processes) >= 3  # the launcher, the raylet, the actor's worker at least
        for pid in processes:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not any(alive(pid) for pid in processes), 10, "the node's processes to end")
        snap = settle(victim, 120)
        assert snap.state == "failed" and snap.message[0] == "failed_actor_lost", snap.message
        assert T(snap.message[0], **snap.message[1]).startswith("The cluster worker training this run was lost (")
        steps_then = len(bystander.snapshot().history.step)
        wait_until(lambda: len(bystander.snapshot().history.step) > steps_then, what="the other node's job to go on")
        # The head marks the node dead once it misses its health checks (~10 s); a job placed before that could
        # still be sent to it (its actor, lost before the job began, would be created once more).
        dead = lambda: any(n["NodeID"] == lost.address and not n["Alive"] for n in ray.nodes())  # noqa: E731
        wait_until(dead, 120, "the head to mark the node dead")
        assert bystander.state == "running", bystander.snapshot().message
        bystander.stop()
        assert settle(bystander).state == "stopped" and bystander.result.weights
        after = scheduler.submit(job_for(settings=SHORT))
        snap = settle(after, 180)
        assert snap.state == "finished", snap.message
        assert after.worker_info["node"] == bystander.worker_info["node"] and after.result.weights
    finally:
        scheduler.shutdown()
