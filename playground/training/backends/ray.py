"""The Ray backend: each job in a Ray actor of its own (backends.ray_job) on some node of a Ray cluster.

Chosen by the scheduler when PLAYGROUND_RAY_ADDRESS is set (a cluster address such as 10.0.0.10:6379, or `auto`
on a machine of the cluster). Ray is imported here only, and only when a job starts: it is not in requirements.txt
(requirements-cluster.txt), so the default install never needs it.

- One actor per job, named `playground-job-<hex>` in the namespace `playground`, detached (a replica that did not
  start it can find it by name), never restarted (max_restarts=0), reserving `cpus` of its node (the limits'
  threads per worker, else 1) and training with that many TensorFlow threads. Its process ends with the job (the
  replica kills it once it has read the last message), so the memory TensorFlow leaks is returned.
- Messages: the replica's reader thread long-polls the actor (`poll(since)`, which answers at once when a message
  is there), so curves are live and a Stop reaches training within one group of steps. An actor that dies (killed,
  its node lost) fails its own job with `failed_actor_lost`; other jobs are untouched. One lost before its job
  began (placed on a node that had just died, before the head declared it dead) is created once more instead.
- Uploaded image sets, which the cluster cannot read from the package, travel through Ray's object store: the
  replica puts the set's bytes, the actor copies them when it is created and reads them from memory.
- Limits: the replica's scheduler enforces the cap on running jobs (Limits.max_running, per replica), the queue,
  abandonment, wall time and stop grace exactly as for local jobs. When that replica is gone, the actor enforces
  its own end (ray_job's docstring: no poll for `orphan_s`, or past its deadline).
- One line for all replicas (opt-in, $PLAYGROUND_CLUSTER_MAX_JOBS): backends.ray_line.
- No spare: each job's actor starts a fresh worker process and imports TensorFlow (~5 s) before training.
"""

import contextlib
import functools
import logging
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator

from playground.training.backends import Backend, Message, Worker
from playground.training.backends.ray_job import Deadlines
from playground.training.limits import Limits
from playground.training.runs import FitRequest

NAMESPACE = "playground"
PREFIX = "playground-job-"
ADDRESS_ENV = "PLAYGROUND_RAY_ADDRESS"
CLUSTER_CAP_ENV = "PLAYGROUND_CLUSTER_MAX_JOBS"  # set: one line for all replicas, this many jobs in the cluster
POLL_WAIT_S = 0.5  # how long one poll waits in the actor for a new message
ORPHAN_S = 60.0  # an actor nobody has polled for this long stops training and ends
LINGER_S = 30.0  # an actor past its deadline ends this long after, whatever its training does
DEADLINE_MARGIN_S = 60.0
CONNECT_TIMEOUT_S = 3.0
UNAVAILABLE_GRACE_S = 30.0  # an actor unreachable this long fails its job (a lost node is declared dead in ~15 s)
ATTACH_TIMEOUT_S = 10.0
RELAUNCHES = 1  # times a job's actor lost before its job began is created again
_JOB_NAME = re.compile(PREFIX + "[0-9a-f]{32}")
_log = logging.getLogger(__name__)

_connect_lock = threading.Lock()


def address_from_env() -> str | None:
    """The Ray cluster address jobs run on ($PLAYGROUND_RAY_ADDRESS), or None for local jobs."""
    return os.environ.get(ADDRESS_ENV, "").strip() or None


class ClusterUnreachable(ConnectionError):
    """Nothing answers at the Ray cluster's address."""


def check_reachable(address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """Return when the head at a host:port address accepts a connection (`auto` and ray:// are not checked);
    raise ClusterUnreachable otherwise. ray.init itself retries an address that does not answer for minutes."""
    host, _, port = address.rpartition(":")
    if address == "auto" or "://" in address or not port.isdigit():
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s).close()
    except OSError as error:
        raise ClusterUnreachable(f"no Ray cluster answers at {address}: {error.strerror or error}") from None


def connect(address: str):
    """The `ray` module, connected to the cluster at `address` once per process (an existing connection is kept);
    ClusterUnreachable when its head does not answer."""
    check_reachable(address)
    # A Ray call in a process not connected (a replica exiting after Ray's own shutdown) would otherwise start a
    # new local Ray cluster — with a new auth token written to ~/.ray — instead of failing.
    os.environ.setdefault("RAY_ENABLE_AUTO_CONNECT", "0")
    import ray

    with _connect_lock:
        if not ray.is_initialized():
            ray.init(address=address, namespace=NAMESPACE, log_to_driver=False, logging_level=logging.WARNING)
    return ray


def is_job_name(text: object) -> bool:
    """True when text is a job actor's name as this backend makes them (what a replica may look up)."""
    return isinstance(text, str) and _JOB_NAME.fullmatch(text) is not None


def live_job_actors() -> list[str]:
    """The names of the job actors alive in the cluster now (any replica's)."""
    import ray

    return sorted(
        entry["name"]
        for entry in ray.util.list_named_actors(all_namespaces=True)
        if entry["namespace"] == NAMESPACE and entry["name"].startswith(PREFIX)
    )


@functools.cache
def _actor_class():
    import ray

    from playground.training.backends.ray_job import JobActor

    return ray.remote(JobActor)


def _short(error: BaseException) -> str:
    """The telling line of Ray's (often long) explanation of an error: for a dead actor the cause after its generic
    first line and the tab-indented details (killed by ray.kill, its node lost, out of memory…)."""
    lines = [line for line in str(error).splitlines() if line.strip()]
    causes = [line.strip() for line in lines[1:] if not line.startswith("\t")]
    line = causes[0] if causes else lines[0].strip() if lines else type(error).__name__
    return line.rstrip(".")[:300]


class RayWorker(Worker):
    """A job's actor seen from the replica: created, polled and killed from the scheduler's reader thread."""

    def __init__(self, backend: "RayBackend", name: str | None = None, actor=None):
        self.backend = backend
        self.name = name or PREFIX + uuid.uuid4().hex
        self.actor = actor  # the actor handle once created (given: a running job this replica re-attaches to)
        self._given: tuple[FitRequest, int] | None = None
        self._ready = threading.Event()  # the job was given (or the worker ended before)
        self._lock = threading.Lock()
        self._ended = False  # end() was called: the actor's death is ours, not a failure
        self._finished = False  # the actor said training is over and every message was read
        self._gone = False

    @property
    def pid(self) -> int | None:
        """None: the actor's process runs on some node of the cluster, not necessarily this machine."""
        return None

    @property
    def handle(self) -> str:
        """The actor's name: any replica can find the job by it."""
        return self.name

    def start(self, request: FitRequest, threads: int) -> None:
        """Take the job; the actor is created by the reader thread (messages), outside the scheduler's lock, since
        connecting and putting an image set in the object store may take seconds."""
        self._given = (request, threads)
        self._ready.set()

    def _launch(self) -> None:
        from playground.data import kept as kept_sets

        request, _ = self._given
        ray = connect(self.backend.address)
        dataset = request.settings.dataset
        raw = kept_sets.kept_bytes(dataset)  # None for a bundled dataset, which every node reads from the package
        data_ref = ray.put(raw) if raw is not None else None
        cpus = self.backend.cpus
        actor = (
            _actor_class()
            .options(
                name=self.name,
                namespace=NAMESPACE,
                lifetime="detached",
                num_cpus=cpus,
                max_restarts=0,
                max_task_retries=0,
                max_concurrency=4,  # poll and stop answer while training runs in the actor's own thread
            )
            .remote(dataset if raw is not None else None, data_ref, self.backend.deadlines)
        )
        actor.start.remote(request, cpus)  # runs once the actor is created, after its constructor
        with self._lock:
            self.actor, ended = actor, self._ended
        if ended:  # ended while the actor was being created
            ray.kill(actor)

    def messages(self) -> Iterator[Message]:
        """The actor's messages in order, polled until training is over or the actor is gone."""
        self._ready.wait()
        try:
            if self._ended:
                return
            relaunches = 0  # a re-attached worker reads an actor that exists already, and never replaces it
            try:
                if self.actor is None:
                    self._launch()
                    relaunches = RELAUNCHES
            except Exception as error:  # no cluster to reach, a refused actor: this job fails, the server goes on
                if not self._ended:
                    key = "error_cluster" if isinstance(error, ClusterUnreachable) else "failed_actor_lost"
                    yield ("error", {"key": key, "detail": _short(error)})
                return
            yield from self._poll(relaunches)
        finally:
            self._gone = True

    def _poll(self, relaunches: int) -> Iterator[Message]:
        import ray

        since, pending, unreachable_since, began = 0, None, None, False
        while True:
            if pending is None:
                pending = self.actor.poll.remote(since, POLL_WAIT_S)
            ready, _ = ray.wait([pending], timeout=1.0)  # an actor waiting for a free CPU answers later
            if not ready:
                if self._ended:
                    return
                continue
            try:
                batch, finished = ray.get(pending)
            except ray.exceptions.RayError as error:  # died (killed, out of memory, its node lost) or unreachable
                pending = None
                if isinstance(error, ray.exceptions.ActorUnavailableError):  # a network blip, or a node being lost
                    unreachable_since = unreachable_since or time.monotonic()
                    if time.monotonic() - unreachable_since < UNAVAILABLE_GRACE_S and not self._ended:
                        time.sleep(POLL_WAIT_S)
                        continue  # a dead node turns into ActorDiedError once the head has marked it dead
                if self._ended:
                    return
                if not began and relaunches > 0 and self._relaunch():  # lost before training: nothing to lose
                    relaunches, since, unreachable_since = relaunches - 1, 0, None
                    continue
                if not self._ended:
                    yield ("error", {"key": "failed_actor_lost", "detail": _short(error)})
                return
            pending, unreachable_since = None, None
            began = began or any(kind != "warm" for kind, _ in batch)
            yield from batch
            since += len(batch)
            if finished:
                self._finished = True
                return

    def _relaunch(self) -> bool:
        """True when the job has a new actor (under a new name): the first was lost before its job began, e.g.
        placed on a node that had died a moment before, which the head had not yet declared dead."""
        import ray

        with contextlib.suppress(Exception):  # only unreachable: it must not train beside the new one
            ray.kill(self.actor)
        _log.warning("job actor %s was lost before its job began; starting it again", self.name)
        with self._lock:
            self.name, self.actor = PREFIX + uuid.uuid4().hex, None
        try:
            self._launch()
        except Exception as error:
            _log.warning("could not start the job's actor again: %s", _short(error))
            return False
        return self.actor is not None and not self._ended

    def stop(self) -> None:
        """Ask the actor to stop training."""
        actor = self.actor
        if actor is not None:
            with contextlib.suppress(Exception):  # a dead actor: its reader reports it
                actor.stop.remote()

    def end(self) -> None:
        """Kill the actor now (a stop ignored, the server going away)."""
        with self._lock:
            self._ended = True
            actor = self.actor
        self._ready.set()
        if actor is not None:
            import ray

            with contextlib.suppress(Exception):
                ray.kill(actor)

    def alive(self) -> bool:
        """True until the actor's messages have ended."""
        return not self._gone

    def close(self) -> int | None:
        """Kill the actor (its job is over: its process and memory go back to the node); 0 when training ended
        normally, None otherwise."""
        actor = self.actor
        if actor is not None:
            import ray

            with contextlib.suppress(Exception):
                ray.kill(actor)
        return 0 if self._finished else None


class RayBackend(Backend):
    """Jobs as actors in the Ray cluster at `address` (default: $PLAYGROUND_RAY_ADDRESS)."""

    def __init__(self, limits: Limits, address: str | None = None, orphan_s: float = ORPHAN_S,
                 linger_s: float = LINGER_S, cluster_max_jobs: int | None = None):  # fmt: skip
        self.limits = limits
        self.address = address or address_from_env()
        if not self.address:
            raise ValueError(f"the Ray backend needs a cluster address (${ADDRESS_ENV})")
        self.cpus = limits.threads_per_worker if limits.threads_per_worker > 0 else 1
        deadline = limits.start_timeout_s + limits.max_wall_s + limits.stop_grace_s + DEADLINE_MARGIN_S
        self.deadlines = Deadlines(orphan_s=orphan_s, deadline_s=deadline, linger_s=linger_s)
        self._closed = False
        cap = cluster_max_jobs or int(os.environ.get(CLUSTER_CAP_ENV, "0") or 0)
        self._line = None
        if cap > 0:
            from playground.training.backends.ray_line import Line

            self._line = Line(uuid.uuid4().hex[:12], cap, lambda: connect(self.address), NAMESPACE)

    def line(self):
        """The line shared with the other replicas when $PLAYGROUND_CLUSTER_MAX_JOBS caps the cluster, else None."""
        return self._line

    def worker(self) -> RayWorker:
        """A new actor-to-be for the job starting now."""
        return RayWorker(self)

    def attach(self, handle: str) -> tuple[FitRequest, RayWorker] | None:
        """The request and a worker reading the job actor named `handle` from its first message (a job another,
        perhaps dead, replica started); None when no such actor lives or it has not begun."""
        if not is_job_name(handle):
            return None
        try:
            ray = connect(self.address)
            actor = ray.get_actor(handle, namespace=NAMESPACE)
            request = ray.get(actor.request.remote(), timeout=ATTACH_TIMEOUT_S)
        except Exception as error:  # gone, unreachable, or dying: the reload shows the stored runs only
            _log.info("cannot re-attach to %s: %s", handle, _short(error))
            return None
        if request is None:
            return None
        worker = RayWorker(self, name=handle, actor=actor)
        worker.start(request, self.cpus)
        return request, worker

    def prewarm(self) -> None:
        """Nothing: the Ray backend keeps no spare actor."""

    def spare_pids(self) -> list[int]:
        """None: no spare, and actors run on the cluster's nodes."""
        return []

    def shutdown(self) -> None:
        """Nothing to end here: the scheduler ends every running job's actor."""
        self._closed = True
