"""One training job as a Ray actor: the same worker.run as a local worker, its messages kept for polling, its end.

This class runs inside a Ray worker process on some node of the cluster, never in the server; the server's side
is backends.ray. The actor keeps every message the job sent, so that any replica can poll them from the start
(`poll(since)`), and it is threaded (max_concurrency > 1): poll and stop answer while training runs in a thread.

Who stops the job when the replica that started it is gone: the actor is detached (another replica may re-attach
to it by name), so nothing in the cluster reaps it, and the replica's scheduler — which enforces abandonment,
wall time and stop grace while it lives — is gone with it. So the actor enforces its own limits with a watchdog
thread: it stops training when nobody has polled for `orphan_s` seconds or when it passes its deadline (the
server's start timeout + maximum job time + stop grace + a margin, counted from its creation), and it ends
itself — process, TensorFlow memory and all — once training is over and nobody has polled for `orphan_s`, or
`linger_s` after the deadline whatever training is doing. A live replica ends the actor itself as soon as it has
read the job's last message.
"""

import contextlib
import copy
import os
import sys
import threading
import time
from dataclasses import dataclass

WATCH_INTERVAL_S = 0.5
SELF_KILL_GRACE_S = 5.0  # after asking Ray to kill this actor, leave the process by force


@dataclass(frozen=True)
class Deadlines:
    """When a job actor stops training and ends by itself, in seconds."""

    orphan_s: float  # no poll for this long: the owner is gone and nobody re-attached
    deadline_s: float  # from the actor's creation: stop training
    linger_s: float  # after the deadline: end the actor whatever training does


class JobActor:
    """A Ray actor that trains one job (worker.run) and keeps its messages for poll(); the server's RayWorker drives
    it. Its uploaded image set, if any, arrives as bytes through Ray's object store and is copied here."""

    def __init__(self, set_name: str | None, set_bytes: bytes | None, deadlines: Deadlines):
        from playground.data import kept as kept_sets
        from playground.training import worker

        self._created = time.monotonic()
        self._deadlines = deadlines
        # Our own copy: the object holding the bytes belongs to the replica that put it, and dies with it.
        sets = {set_name: bytes(set_bytes)} if set_name and set_bytes is not None else {}
        self._keeper = kept_sets.InMemory(sets)  # the actor needs no access to the session store
        self._messages: list = []
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._started = self._finished = False
        self._request = None  # as given, for a replica that re-attaches
        worker.use_fast_kernels()
        worker.skip_unneeded_imports()  # as a local worker: Keras goes without pandas
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        try:
            from playground.training import fit  # noqa: F401 - the slow import, before the job arrives
        except BaseException as error:  # a broken install on this node: the job fails with the reason
            self._send(("error", worker.error_message(error)))
            self._finished = True
        else:
            self._send(("warm", {"pid": os.getpid(), "streamlit": "streamlit" in sys.modules, "node": _node_id()}))
        self._last_poll = time.monotonic()
        threading.Thread(target=self._watch, daemon=True, name="job-watchdog").start()

    def start(self, request, threads: int) -> None:
        """Begin training the request with this many threads (in a thread of the actor; returns at once)."""
        with self._changed:
            if self._started or self._finished:
                return
            self._started = True
            self._request = request
        # Arrays from the object store are read-only views of memory owned by the replica that sent them.
        request = copy.deepcopy(request)
        threading.Thread(target=self._train, args=(request, threads), daemon=True, name="train").start()

    def poll(self, since: int, wait_s: float = 0.5) -> tuple[list, bool]:
        """(the messages after the first `since`, whether training is over and they are all), waiting up to wait_s
        for a new one."""
        with self._changed:
            self._last_poll = time.monotonic()
            if len(self._messages) <= since and not self._finished:
                self._changed.wait(wait_s)
            self._last_poll = time.monotonic()
            return self._messages[since:], self._finished

    def request(self):
        """The FitRequest this actor trains (None before start): what a replica re-attaching to it shows."""
        return self._request

    def stop(self) -> None:
        """Ask training to stop: it ends within one group of steps and sends its result."""
        self._stop.set()

    # -- internals

    def _send(self, message) -> None:
        with self._changed:
            self._messages.append(message)
            self._changed.notify_all()

    def _train(self, request, threads: int) -> None:
        from playground.training import worker

        try:
            worker.run(request, threads, self._send, self._stop.is_set, keeper=self._keeper)
        finally:
            with self._changed:
                self._finished = True
                self._changed.notify_all()

    def _watch(self) -> None:
        limits = self._deadlines
        while True:
            time.sleep(WATCH_INTERVAL_S)
            now = time.monotonic()
            with self._changed:
                idle, over = now - self._last_poll, now - self._created - limits.deadline_s
                idle_done = (self._finished or not self._started) and idle > limits.orphan_s
            if idle > limits.orphan_s or over > 0:
                self._stop.set()
            if idle_done or over > limits.linger_s:
                _end_this_actor()
                return


def _node_id() -> str | None:
    import ray

    try:
        return ray.get_runtime_context().get_node_id()
    except Exception:  # not in a Ray worker (a unit test)
        return None


def _end_this_actor() -> None:
    """End this actor's process: through Ray (the actor is marked dead, its name freed), else by force."""
    import ray

    with contextlib.suppress(Exception):  # the forced exit below ends it anyway
        ray.kill(ray.get_runtime_context().current_actor)
    time.sleep(SELF_KILL_GRACE_S)
    os._exit(0)
