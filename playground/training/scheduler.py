"""Training jobs on a shared server: a spawned worker process per job, a process-wide cap and queue, watchdogs.

Why processes: every Keras model trained in a process leaks memory TensorFlow never returns, and a crash in one
training must not take the server (and every other student's job) down. Why not ProcessPoolExecutor: one dead
worker breaks the whole pool and fails every job in it. So each job gets its own process — a pre-warmed spare
(TensorFlow already imported) when memory allows — that runs that job only and exits.

This module imports neither TensorFlow nor Streamlit: the server stays small.
"""

import atexit
import contextlib
import itertools
import json
import logging
import math
import multiprocessing
import os
import threading
import time
from dataclasses import dataclass, replace
from multiprocessing.connection import wait as wait_for

from playground.training import resources, worker
from playground.training.runs import FitRequest, FitResult, History

_log = logging.getLogger(__name__)
ACTIVE_STATES = ("queued", "starting", "running", "stopping")
FINAL_STATES = ("stopped", "finished", "failed")
WATCH_INTERVAL_S = 0.25
WATCHED_WITHIN_S = 15.0  # a job whose page looked at it this recently counts as watched live


# ---------------------------------------------------------------- limits


def _read(path: str) -> str:
    with open(path) as file:
        return file.read()


def available_memory_mb() -> float:
    """Memory that can still be used: the system's MemAvailable, or less when a container limit is nearer."""
    available = math.inf
    try:
        for line in _read("/proc/meminfo").splitlines():
            if line.startswith("MemAvailable:"):
                available = int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        limit = _read("/sys/fs/cgroup/memory.max").strip()
        if limit != "max":
            used = int(_read("/sys/fs/cgroup/memory.current"))
            available = min(available, (int(limit) - used) / 2**20)
    except (OSError, ValueError):
        pass
    return available


def _env(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


@dataclass(frozen=True)
class Limits:
    """What one server allows: concurrent jobs, threads per worker, time and epoch budgets, abandonment, spares."""

    max_running: int = 2
    cores: int = 2
    threads_per_worker: int = 0  # 0: the cores shared among the jobs running when a job starts
    max_wall_s: float = 20 * 60
    max_epochs: int = 50
    abandon_after_s: float = 3 * 60  # no heartbeat and no connected browser session for this long: stop
    stop_grace_s: float = 20.0  # a worker that ignores a stop this long is terminated
    spare: str = "auto"  # "auto": keep a pre-warmed worker when memory allows; "on"; "off"
    spare_min_free_mb: float = 1500.0
    spare_idle_s: float = 15 * 60  # an unused spare exits after this long

    @classmethod
    def from_env(cls) -> "Limits":
        """Limits from PLAYGROUND_* environment variables, defaulting from the cores and the memory limit."""
        cores = resources.cpu_count()
        running = max(1, int(_env("PLAYGROUND_MAX_JOBS", resources.max_training_workers(cores))))
        return cls(
            max_running=running,
            cores=cores,
            threads_per_worker=int(_env("PLAYGROUND_WORKER_THREADS", 0)),
            max_wall_s=_env("PLAYGROUND_MAX_JOB_MINUTES", 20) * 60,
            max_epochs=int(_env("PLAYGROUND_MAX_EPOCHS", 50)),
            abandon_after_s=_env("PLAYGROUND_ABANDON_MINUTES", 3) * 60,
            spare=os.environ.get("PLAYGROUND_SPARE_WORKER", "auto"),
            spare_min_free_mb=_env("PLAYGROUND_SPARE_MIN_FREE_MB", 1500),
        )


class JobRejected(ValueError):
    """A job the server will not run (beyond the epoch budget, or the server is shutting down)."""


# ---------------------------------------------------------------- a job as the pages see it


@dataclass(frozen=True)
class Snapshot:
    """A job's state and curves at one moment, copied under its lock: what a page renders."""

    job_id: int
    run_id: int
    state: str
    message: tuple[str, dict]  # a catalogue key of the train page and its parameters
    queue_position: int | None
    epoch: int  # the epoch being trained (1-based), or the last one trained
    epochs: int  # the epoch the run ends at
    position: float  # epochs trained so far, e.g. 2.5 halfway through the third
    step: int  # steps done in that epoch
    steps_per_epoch: int
    samples_per_second: float
    eta_s: float | None
    elapsed_s: float
    history: History
    test_loss: float | None
    test_accuracy: float | None
    settled: bool  # final and the worker is gone: nothing will change any more
    fault: dict | None
    version: int = 0  # grows with every change of the job's state or curves: a page redraws only when it moved

    @property
    def active(self) -> bool:
        """True while the job is queued, starting, running or stopping."""
        return self.state in ACTIVE_STATES

    @property
    def fraction(self) -> float:
        """How much of the run's epochs are done, from 0 to 1."""
        if self.state == "finished":
            return 1.0
        return min(1.0, self.position / self.epochs) if self.epochs else 0.0


_job_ids = itertools.count(1)


class TrainingJob:
    """One training run on the server: state, live curves (behind a lock), stop, heartbeat, and the final result."""

    def __init__(self, request: FitRequest, history: History | None = None, run_id: int = 0, session_probe=None):
        self.id = next(_job_ids)
        self.run_id = run_id or self.id
        self.request = request
        self.session_probe = session_probe  # () -> True while the browser session is connected, None if unknown
        self.result: FitResult | None = None
        self.created = self.last_seen = time.monotonic()
        self.started: float | None = None  # when the worker began training
        self.dispatched: float | None = None  # when a worker took the job from the queue
        self.stop_reason: str | None = None
        self.stop_requested_at: float | None = None
        self.scheduler: Scheduler | None = None
        self.worker: WorkerProcess | None = None
        self.worker_info: dict = {}
        self._touched = False
        self._lock = threading.Lock()
        self._settled = threading.Event()
        self._state, self._message = "queued", ("state_queued", {})
        self._history = history.copy() if history else History()
        self._epochs = request.initial_epoch + request.settings.epochs
        self._epoch, self._step, self._steps_per_epoch = request.initial_epoch, 0, 0
        self._position = float(request.initial_epoch)
        self._samples_per_second, self._run_elapsed = 0.0, 0.0
        self._fault: dict | None = None
        self._version = 0

    def __repr__(self) -> str:
        return f"TrainingJob(id={self.id}, state={self._state})"

    # -- what pages call

    @property
    def state(self) -> str:
        """queued, starting, running, stopping, stopped, finished or failed."""
        return self._state

    @property
    def active(self) -> bool:
        """True while queued, starting, running or stopping."""
        return self._state in ACTIVE_STATES

    @property
    def settled(self) -> bool:
        """True when the job is over and its worker is gone."""
        return self._settled.is_set()

    @property
    def done(self) -> bool:
        """True when the job is over and nothing about its outcome will change (its result, if any, is in)."""
        return self.settled or (self.result is not None and self._state in FINAL_STATES)

    @property
    def watched(self) -> bool:
        """True when a browser session owns the job (it has a session probe or a page touched it): only such a
        job stops itself when its session is gone; a script's job runs until it ends."""
        return self.session_probe is not None or self._touched

    def touch(self) -> None:
        """A heartbeat from the job's browser session: someone is still watching."""
        self.last_seen = time.monotonic()
        self._touched = True

    def stop(self, reason: str = "user") -> None:
        """Ask the job to stop: a queued job is cancelled, a running one stops within one group of steps."""
        if self.scheduler is not None:
            self.scheduler.stop(self, reason)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job is settled; True if it is."""
        return self._settled.wait(timeout)

    def snapshot(self) -> Snapshot:
        """The job's state and curves now, as an independent copy."""
        position = self.scheduler.queue_position(self) if self.scheduler and self._state == "queued" else None
        with self._lock:
            message = self._message
            if position is not None:
                message = ("state_queued", {"position": position, "total": self.scheduler.queue_length()})
            return Snapshot(
                job_id=self.id,
                run_id=self.run_id,
                state=self._state,
                message=message,
                queue_position=position,
                epoch=self._epoch,
                epochs=self._epochs,
                position=self._position,
                step=self._step,
                steps_per_epoch=self._steps_per_epoch,
                samples_per_second=self._samples_per_second,
                eta_s=self._eta(),
                elapsed_s=self._run_elapsed,
                history=self._history.copy(),
                test_loss=self.result.test_loss if self.result else None,
                test_accuracy=self.result.test_accuracy if self.result else None,
                settled=self.settled,
                fault=self._fault,
                version=self._version,
            )

    def _eta(self) -> float | None:
        # From this job's average pace (validation and the first tracing included): steadier than the last group's.
        done = self._history.last_step - self.request.initial_step
        if self._state != "running" or not self._steps_per_epoch or done <= 0 or not self._run_elapsed:
            return None
        steps_left = (self._epochs - self._epoch) * self._steps_per_epoch + (self._steps_per_epoch - self._step)
        return steps_left * self._run_elapsed / done

    # -- what the scheduler calls

    @property
    def version(self) -> int:
        """A number that grows whenever the job's state or curves change (queue places aside)."""
        return self._version

    def _set(self, state: str, message: tuple[str, dict]) -> None:
        with self._lock:
            self._state, self._message = state, message
            self._version += 1

    def _stopped_message(self) -> tuple[str, dict]:
        reason = self.stop_reason or "user"
        if reason == "user" and self._history.last_step == self.request.initial_step:
            return ("stopped_early", {})  # stopped while the worker was still starting
        minutes = round(self.scheduler.limits.max_wall_s / 60) if self.scheduler else 0
        params = {"epoch": self._epoch, "step": self._step, "steps": self._steps_per_epoch, "minutes": minutes}
        return ("stopped_" + reason, params)

    def handle(self, kind: str, values) -> None:
        """Take one message from the worker into the job's state and curves."""
        with self._lock:
            self._version += 1
            if kind == "warm":
                self.worker_info = values  # the worker's pid, and proof that it did not load Streamlit
            elif kind == "phase" and self._state in ("starting", "running"):
                self._message = ("phase_" + values["phase"], {})
            elif kind == "begin":
                self._steps_per_epoch, self._epochs = values["steps_per_epoch"], values["epochs"]
                self.started = time.monotonic()
                if self._state == "starting":
                    self._state, self._message = "running", ("state_running", {})
            elif kind == "step":
                self._history.record(kind, values)
                self._epoch, self._step, self._position = values["epoch"], values["step"], values["step_epoch"]
                self._run_elapsed = values["elapsed"]
                if self._history.epochs_done <= self.request.initial_epoch:  # later, the last epoch's speed shows
                    self._samples_per_second = values["samples_per_second"]
            elif kind == "epoch":
                self._history.record(kind, values)
                self._samples_per_second, self._run_elapsed = values["samples_per_second"], values["elapsed"]
            elif kind == "end":
                self._end(values)
            elif kind == "result":
                self.result = values
            elif kind == "error":
                self._state, self._message = "failed", (values["key"], {"detail": values["detail"]})

    def _end(self, values: dict) -> None:
        outcome = values["outcome"]
        if outcome == "diverged":
            self._fault = values["fault"]
            self._state, self._message = "failed", ("failed_diverged", dict(values["fault"]))
        elif outcome == "stopped":
            self._state, self._message = "stopped", self._stopped_message()
        else:
            self._state, self._message = "finished", ("state_finished", {"epochs": values["epochs_done"]})

    def _worker_gone(self, exitcode: int | None) -> None:
        with self._lock:
            self._version += 1
            if self._state in ACTIVE_STATES:
                if self._state == "stopping":  # ended while stopping (terminated, or the server shutting down)
                    self._state, self._message = "stopped", self._stopped_message()
                else:
                    self._state, self._message = "failed", _death_message(exitcode)
            self._settled.set()  # inside the lock: a snapshot sees the settling and its version together

    def _cancel(self) -> None:
        with self._lock:
            self._version += 1
            self._state, self._message = "stopped", ("stopped_cancelled", {"reason": self.stop_reason})
            self._settled.set()


def _death_message(exitcode: int | None) -> tuple[str, dict]:
    if exitcode is not None and exitcode < 0:
        return ("failed_killed", {"signal": -exitcode})
    return ("failed_exited", {"code": exitcode})


# ---------------------------------------------------------------- worker processes


class WorkerProcess:
    """A spawned worker process and the server's end of its pipe."""

    def __init__(self, context, idle_timeout_s: float):
        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(
            target=worker.main,
            args=(child, os.getpid(), idle_timeout_s),
            daemon=True,
            name="playground-worker",
        )
        self.process.start()
        child.close()  # so that the server sees EOF when the worker dies
        self.started = time.monotonic()
        self._send_lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        """The worker's process id."""
        return self.process.pid

    def alive(self) -> bool:
        """True while the process runs."""
        return self.process.is_alive()

    def send(self, message) -> bool:
        """Send a message; False when the worker is gone."""
        with self._send_lock:
            try:
                self.conn.send(message)
                return True
            except (OSError, ValueError):
                return False

    def terminate(self) -> None:
        """End the process (SIGTERM, then SIGKILL if it lingers)."""
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2)


# ---------------------------------------------------------------- the scheduler


class Scheduler:
    """The server's training slots: a cap on running jobs, a FIFO queue, one spare worker, and a watchdog thread."""

    def __init__(self, limits: Limits | None = None):
        self.limits = limits or Limits.from_env()
        self._context = multiprocessing.get_context("spawn")  # never fork a process that has TensorFlow loaded
        self._lock = threading.RLock()
        self._queue: list[TrainingJob] = []
        self._running: list[TrainingJob] = []
        self._spare: WorkerProcess | None = None
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
            self._queue.append(job)
            self._dispatch()
        return job

    def stop(self, job: TrainingJob, reason: str = "user") -> None:
        """Cancel a queued job or ask a running one to stop."""
        with self._lock:
            if job in self._queue:
                self._queue.remove(job)
                job.stop_reason = reason
                job._cancel()
                return
            if job.state not in ("starting", "running"):
                return
            job.stop_reason, job.stop_requested_at = reason, time.monotonic()
            job._set("stopping", ("state_stopping", {}))
            worker_process = job.worker
        if worker_process is not None:
            worker_process.send("stop")

    def prewarm(self) -> None:
        """Start a spare worker now (when memory allows), so that the next Start is quick."""
        with self._lock:
            self._ensure_spare()

    def queue_position(self, job: TrainingJob) -> int | None:
        """1 for the next job to start, or None when the job is not queued."""
        with self._lock:
            return self._queue.index(job) + 1 if job in self._queue else None

    def queue_length(self) -> int:
        """How many jobs wait for a slot."""
        return len(self._queue)

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
        """Process ids of every live worker, the spare included."""
        with self._lock:
            workers = [job.worker for job in self._running if job.worker] + ([self._spare] if self._spare else [])
            return [w.pid for w in workers if w.alive()]

    def shutdown(self, timeout: float = 3.0) -> None:
        """Stop every job and end every worker: the server is going away."""
        with self._lock:
            self._closed = True
            for job in list(self._queue):
                self.stop(job, "shutdown")
            running = list(self._running)
            spare, self._spare = self._spare, None
        for job in running:
            self.stop(job, "shutdown")
        deadline = time.monotonic() + timeout
        for job in running:
            job.wait(max(0.0, deadline - time.monotonic()))
        for job in running:
            if job.worker is not None:
                job.worker.terminate()
            job.wait(5)  # its reader thread marks it settled once the process is gone
        if spare is not None:
            spare.terminate()

    # -- internals (called with the lock held unless said otherwise)

    def _spare_allowed(self) -> bool:
        if self.limits.spare == "off" or self._closed:
            return False
        return self.limits.spare == "on" or available_memory_mb() > self.limits.spare_min_free_mb

    def _ensure_spare(self) -> None:
        if self._spare is not None and not self._spare.alive():
            self._spare = None
        if self._spare is None and self._spare_allowed():
            self._spare = WorkerProcess(self._context, self.limits.spare_idle_s)

    def _take_worker(self) -> WorkerProcess:
        spare, self._spare = self._spare, None
        if spare is not None and spare.alive():
            return spare
        return WorkerProcess(self._context, self.limits.spare_idle_s)

    def _threads(self) -> int:
        """TensorFlow threads for a job starting now: a fixed number, or the cores shared by the running jobs."""
        if self.limits.threads_per_worker > 0:
            return self.limits.threads_per_worker
        return max(1, self.limits.cores // max(1, len(self._running)))

    def _dispatch(self) -> None:
        while self._queue and len(self._running) < self.limits.max_running and not self._closed:
            job = self._queue.pop(0)
            job._set("starting", ("state_starting", {}))
            job.dispatched = time.monotonic()
            job.worker = self._take_worker()
            self._running.append(job)
            threading.Thread(target=self._read, args=(job,), daemon=True, name=f"job-{job.id}").start()
            job.worker.send(("fit", job.request, self._threads()))

    def _read(self, job: TrainingJob) -> None:
        """Carry a worker's messages into its job until the worker is gone (runs in its own thread)."""
        process, conn = job.worker.process, job.worker.conn
        try:
            while True:
                ready = wait_for([conn, process.sentinel], timeout=1.0)
                if conn in ready:
                    try:
                        kind, values = conn.recv()
                    except (EOFError, OSError):
                        break
                    job.handle(kind, values)
                elif process.sentinel in ready:
                    break
        finally:
            process.join(5)
            conn.close()
            job._worker_gone(process.exitcode)
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
            # A replacement spare starts only now: importing TensorFlow beside a running job would slow it down.
            if not self._running:
                self._ensure_spare()

    def _watch(self) -> None:
        while True:
            time.sleep(WATCH_INTERVAL_S)
            with contextlib.suppress(Exception):  # the watchdog must outlive any one bad job
                self._check()

    def _check(self) -> None:
        now = time.monotonic()
        with self._lock:
            jobs = list(self._queue) + list(self._running)
            if self._spare is not None and not self._spare.alive():
                self._spare = None
        for job in jobs:
            with contextlib.suppress(Exception):  # a broken probe must not leave the other jobs unchecked
                self._check_job(job, now)

    def _check_job(self, job: TrainingJob, now: float) -> None:
        if job.session_probe is not None and job.session_probe():
            job.touch()  # a connected tab counts as present even when hidden (browsers slow its timers)
        abandoned = job.watched and now - job.last_seen > self.limits.abandon_after_s
        if job.state in ("queued", "starting", "running") and abandoned:
            self.stop(job, "abandoned")
        elif job.state == "running" and job.started and now - job.started > self.limits.max_wall_s:
            self.stop(job, "wall_time")
        elif job.state == "stopping" and now - (job.stop_requested_at or now) > self.limits.stop_grace_s:
            job.stop_reason = "terminated"
            if job.worker is not None:
                job.worker.terminate()


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
    )
    return TrainingJob(request, history=history, run_id=job.run_id, session_probe=session_probe)
