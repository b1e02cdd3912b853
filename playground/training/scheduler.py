"""Training jobs on a shared server: a process-wide cap on running jobs, a queue in the order of the learners' Starts,
and a watchdog.

The scheduler decides when a job runs and when it must stop (abandoned, over its time, ignoring a stop); a backend
(playground.training.backends) runs each job in a worker of its own and hands its messages back. This module
imports neither TensorFlow nor Streamlit: the server stays small.
"""

import atexit
import bisect
import contextlib
import json
import logging
import threading
import time
from dataclasses import replace

from playground.training.backends import Backend
from playground.training.backends.local import LocalBackend
from playground.training.job import TrainingJob
from playground.training.limits import JobRejected, Limits

_log = logging.getLogger(__name__)
WATCH_INTERVAL_S = 0.25
WATCHED_WITHIN_S = 15.0  # a job whose page looked at it this recently counts as watched live


# ---------------------------------------------------------------- the scheduler


def backend_for(limits: Limits) -> Backend:
    """Where jobs run: the Ray cluster at $PLAYGROUND_RAY_ADDRESS when it is set, else local worker processes."""
    from playground.training.backends import ray as ray_backend  # Ray itself is imported only when a job starts

    if ray_backend.address_from_env():
        return ray_backend.RayBackend(limits)
    return LocalBackend(limits)


class Scheduler:
    """The server's training slots: a cap on running jobs, a FIFO queue, a backend that runs them, a watchdog."""

    def __init__(self, limits: Limits | None = None, backend: Backend | None = None):
        self.limits = limits or Limits.from_env()
        self.backend = backend or backend_for(self.limits)
        self._line = self.backend.line()  # a line shared by all replicas, when the backend has one
        self._lock = threading.RLock()
        self._queue: list[TrainingJob] = []
        self._running: list[TrainingJob] = []
        self._closed = False
        self._watchdog = threading.Thread(target=self._watch, daemon=True, name="training-watchdog")
        self._watchdog.start()

    # -- public

    def submit(self, job: TrainingJob) -> TrainingJob:
        """Queue a job; it starts as soon as a slot is free. Raises JobRejected beyond the epoch budget."""
        if job.request.settings.epochs > self.limits.max_epochs:
            raise JobRejected(f"at most {self.limits.max_epochs} epochs per run on this server")
        with self._lock:
            if self._closed:
                raise JobRejected("the server is shutting down")
            job.scheduler = self
            # In the order of the learners' Starts (as the shared line orders it): a job queued again after its
            # replica died goes back to its place, not to the end.
            bisect.insort(self._queue, job, key=lambda queued: queued.submitted)
            self._dispatch()
        return job

    def reattach(self, handle: str, earlier=None, run_id: int = 0, session_probe=None) -> TrainingJob | None:
        """The job another replica started and kept under `handle`, now followed here from its first message and
        holding a slot here (stop, abandonment and wall time are this server's from now on); None when it is gone
        or the backend cannot re-attach. `earlier`: the run's curves before this job, which a Continue goes on from."""
        found = self.backend.attach(handle)
        if found is None:
            return None
        request, worker = found
        history = earlier if request.initial_epoch > 0 else None
        job = TrainingJob(request, history=history, run_id=run_id, session_probe=session_probe)
        with self._lock:
            if self._closed:
                worker.end()
                return None
            job.scheduler = self
            self._take_slot(job, worker)
        return job

    def stop(self, job: TrainingJob, reason: str = "user") -> None:
        """Cancel a queued job or ask a running one to stop."""
        with self._lock:
            if job in self._queue:
                self._queue.remove(job)
                job.stop_reason = reason
                job.cancel()
                return
            if job.state not in ("starting", "running"):
                return
            job.stop_reason, job.stop_requested_at = reason, time.monotonic()
            job.set_state("stopping", ("state_stopping", {}))
            worker = job.worker
        if worker is not None:
            worker.stop()

    def prewarm(self) -> None:
        """Have a spare worker ready now (where the backend keeps one), so that the next Start is quick."""
        if not self._closed:
            self.backend.prewarm()

    def queue_position(self, job: TrainingJob) -> int | None:
        """1 for the next job to start, or None when the job is not queued (in the shared line when there is one)."""
        with self._lock:
            if job not in self._queue:
                return None
            shared = self._line.place(job) if self._line is not None else None
            return shared[0] if shared else self._queue.index(job) + 1

    def queue_length(self) -> int:
        """How many jobs wait for a slot (in the shared line when there is one)."""
        with self._lock:
            shared = self._line.place(self._queue[0]) if self._line is not None and self._queue else None
            return shared[1] if shared else len(self._queue)

    def running(self) -> list[TrainingJob]:
        """The jobs that hold a slot (starting, running or stopping)."""
        with self._lock:
            return list(self._running)

    def watched_jobs(self, within_s: float = WATCHED_WITHIN_S) -> int:
        """How many queued or running jobs a browser session looked at in the last `within_s` seconds."""
        now = time.monotonic()
        with self._lock:
            jobs = list(self._queue) + list(self._running)
        return sum(1 for job in jobs if job.watched and now - job.last_seen <= within_s)

    def worker_pids(self) -> list[int]:
        """Process ids of every live worker on this machine, the spare included."""
        with self._lock:
            workers = [job.worker for job in self._running if job.worker]
        return [w.pid for w in workers if w.pid is not None and w.alive()] + self.backend.spare_pids()

    def shutdown(self, timeout: float = 3.0) -> None:
        """Stop every job and end every worker: the server is going away."""
        with self._lock:
            self._closed = True
            for job in list(self._queue):
                self.stop(job, "shutdown")
            running = list(self._running)
        self.backend.shutdown()
        for job in running:
            self.stop(job, "shutdown")
        deadline = time.monotonic() + timeout
        for job in running:
            job.wait(max(0.0, deadline - time.monotonic()))
        for job in running:
            if job.worker is not None:
                job.worker.end()
            job.wait(5)  # its reader thread marks it settled once the worker is gone

    # -- internals (called with the lock held unless said otherwise)

    def _threads(self) -> int:
        """TensorFlow threads for a job starting now: a fixed number, or the cores shared by the running jobs."""
        if self.limits.threads_per_worker > 0:
            return self.limits.threads_per_worker
        return max(1, self.limits.cores // max(1, len(self._running)))

    def _dispatch(self) -> None:
        while self._queue and len(self._running) < self.limits.max_running and not self._closed:
            if self._line is not None:  # the shared line decides whose turn it is in the whole cluster
                self._line.report(self._queue, self._running)
                if not self._line.claim(self._queue[0]):
                    break
            job = self._queue.pop(0)
            self._take_slot(job, self.backend.worker())
            job.worker.start(job.request, self._threads())

    def _take_slot(self, job: TrainingJob, worker) -> None:
        """The job holds a slot with this worker from now on, and a thread reads the worker's messages into it."""
        job.set_state("starting", ("state_starting", {}))
        job.dispatched = time.monotonic()
        job.worker = worker
        self._running.append(job)
        threading.Thread(target=self._read, args=(job,), daemon=True, name=f"job-{job.id}").start()

    def _read(self, job: TrainingJob) -> None:
        """Carry a worker's messages into its job until the worker is gone (runs in its own thread)."""
        worker = job.worker
        try:
            for kind, values in worker.messages():
                job.handle(kind, values)
        finally:
            job.worker_gone(worker.close())
            self._finish(job)

    def _finish(self, job: TrainingJob) -> None:
        now = time.monotonic()
        # One line per job, as JSON after "job ": what a class's run is measured by (benchmarks/class_load.py).
        _log.info(
            "job %s",
            json.dumps({"job": job.id, "run": job.run_id, "state": job.state, "at": time.time(),
                        "queued_s": round((job.dispatched or now) - job.created, 2),
                        "total_s": round(now - job.created, 2)}),
        )  # fmt: skip
        with self._lock:
            if job in self._running:
                self._running.remove(job)
            self._dispatch()
            idle = not self._running and not self._closed
        # A replacement spare starts only now: importing TensorFlow beside a running job would slow it down.
        if idle:
            self.backend.prewarm()

    def _watch(self) -> None:
        while not self._closed:  # a shut-down scheduler checks nothing and reports nothing to a shared line
            time.sleep(WATCH_INTERVAL_S)
            with contextlib.suppress(Exception):  # the watchdog must outlive any one bad job
                self._check()

    def _check(self) -> None:
        now = time.monotonic()
        with self._lock:
            jobs = list(self._queue) + list(self._running)
            if self._line is not None:  # tell the shared line what runs and waits here; maybe it is our turn
                self._line.report(self._queue, self._running)
                self._dispatch()
        for job in jobs:
            with contextlib.suppress(Exception):  # a broken probe must not leave the other jobs unchecked
                self._check_job(job, now)

    def _check_job(self, job: TrainingJob, now: float) -> None:
        if job.session_probe is not None and job.session_probe():
            job.touch()  # a connected tab counts as present even when hidden (browsers slow its timers)
        abandoned = job.watched and now - job.last_seen > self.limits.abandon_after_s
        if job.state in ("queued", "starting", "running") and abandoned:
            self.stop(job, "abandoned")
        elif job.state == "starting" and now - (job.dispatched or now) > self.limits.start_timeout_s:
            # A worker hung before training (an import, a lock, a dataset read) would hold its slot for ever.
            if job.fail_unstarted(self.limits.start_timeout_s) and job.worker is not None:
                job.worker.end()
        elif job.state == "running" and job.started and now - job.started > self.limits.max_wall_s:
            self.stop(job, "wall_time")
        elif job.state == "stopping" and now - (job.stop_requested_at or now) > self.limits.stop_grace_s:
            job.stop_reason = "terminated"
            if job.worker is not None:
                job.worker.end()


# ---------------------------------------------------------------- the server's scheduler

_scheduler: Scheduler | None = None
_scheduler_lock = threading.Lock()


def scheduler() -> Scheduler:
    """The process-wide scheduler, created on first use with Limits.from_env()."""
    global _scheduler
    with _scheduler_lock:
        if _scheduler is None:
            _scheduler = Scheduler()
            atexit.register(_shutdown)
        return _scheduler


def configure(limits: Limits) -> Scheduler:
    """Replace the process-wide scheduler with one using these limits (the old one is shut down)."""
    global _scheduler
    with _scheduler_lock:
        old, _scheduler = _scheduler, Scheduler(limits)
        if old is None:
            atexit.register(_shutdown)
    if old is not None:
        old.shutdown()
    return _scheduler


def _shutdown() -> None:
    if _scheduler is not None:
        _scheduler.shutdown()


def continuation(job: TrainingJob, extra_epochs: int, session_probe=None) -> TrainingJob:
    """A new job that trains a settled job's model for extra_epochs more, from its weights and optimizer state."""
    result = job.result
    if result is None or not result.weights:
        raise JobRejected("this run has no trained weights to continue from")
    history = job.snapshot().history
    request = replace(
        job.request,
        settings=replace(job.request.settings, epochs=extra_epochs),
        initial_epoch=result.epochs_done,
        initial_step=result.steps_done,
        weights=result.weights,
        optimizer_state=result.optimizer_state,
        steps_per_execution=result.steps_per_execution,
        replay=result.replay,
    )
    return TrainingJob(request, history=history, run_id=job.run_id, session_probe=session_probe)
