"""A training job as the pages see it: its state, live curves and result behind a lock, and its snapshots.

A job changes only through the messages its worker sends (handle), and through what the scheduler tells it (its
state when it is dispatched or stopped, its worker gone). A finished run brought back after a reload is a job too:
TrainingJob.restored builds it settled, from its run record and trained model.
"""

import itertools
import threading
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from playground.bundle import TrainedModel, epochs_trained
from playground.training.runs import FitRequest, FitResult, History, RunRecord

if TYPE_CHECKING:
    from playground.training.backends import Worker
    from playground.training.scheduler import Scheduler

ACTIVE_STATES = ("queued", "starting", "running", "stopping")
FINAL_STATES = ("stopped", "finished", "failed")


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
        # When Start was pressed, by the wall clock that every replica shares: the order of every queue and of the
        # shared line; a job queued again on another replica (its first one gone) keeps its place by it.
        self.submitted = time.time()
        self.started: float | None = None  # when the worker began training
        self.dispatched: float | None = None  # when a worker took the job from the queue
        self.stop_reason: str | None = None
        self.stop_requested_at: float | None = None
        self.scheduler: Scheduler | None = None
        self.worker: Worker | None = None
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
        self._timed_out = False
        self._precision = request.settings.precision  # "auto" until the worker says what it resolved to
        self._version = 0

    @classmethod
    def restored(cls, record: RunRecord, trained: TrainedModel) -> "TrainingJob":
        """A settled job holding a finished or stopped run and its trained model, as after a reload or an upload:
        the Train page shows its curves and test metrics, and Continue trains it on."""
        history = record.history
        epochs = history.epochs_done or epochs_trained(trained)
        request = FitRequest(trained.spec, replace(record.settings, epochs=0), initial_epoch=epochs,
                             initial_step=history.last_step)  # fmt: skip
        job = cls(request, history=history, run_id=record.run_id)
        outcome = "stopped" if record.state == "stopped" else "finished"
        scores = (record.test_loss, record.test_accuracy)
        test_loss, test_accuracy = scores if None not in scores else (None, None)  # the Train page shows both or none
        job.result = FitResult(outcome, epochs, history.last_step, trained.weights, trained.optimizer_state,
                               test_loss, test_accuracy, None, 0.0, None,
                               replay=record.replay or trained.replay)  # fmt: skip
        job._end({"outcome": outcome, "epochs_done": epochs})
        job._settled.set()  # there is no worker
        return job

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

    def record(self) -> RunRecord:
        """The run as it stands, for the run history: what was trained, how (the precision it used), its curves and
        how it ended."""
        snap = self.snapshot()
        settings = replace(self.request.settings, precision=self.precision)
        replay = self.result.replay if self.result is not None else None
        return RunRecord(self.run_id, self.request.spec, settings, snap.history, snap.state,
                         snap.test_loss, snap.test_accuracy, replay)  # fmt: skip

    @property
    def precision(self) -> str:
        """The precision the job trains in (float32, bfloat16), or the one asked for until its worker began."""
        return self._precision

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

    def set_state(self, state: str, message: tuple[str, dict]) -> None:
        """Move the job to a state the scheduler decided (starting, stopping), with the page's message for it."""
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

    def fail_unstarted(self, seconds: float) -> bool:
        """Fail the job because its worker has not begun training within `seconds` of taking it; True if it was
        still starting (the scheduler then ends the worker), False if training began meanwhile."""
        with self._lock:
            if self._state != "starting" or self.started is not None:
                return False
            self._version += 1
            self._timed_out = True  # whatever the ended worker still sends changes nothing
            self._state, self._message = "failed", ("failed_start_timeout", {"seconds": round(seconds)})
            return True

    def handle(self, kind: str, values) -> None:
        """Take one message from the worker into the job's state and curves."""
        with self._lock:
            if self._timed_out:
                return
            self._version += 1
            if kind == "warm":
                self.worker_info = values  # the worker's pid, and proof that it did not load Streamlit
            elif kind == "phase" and self._state in ("starting", "running"):
                self._message = ("phase_" + values["phase"], {})
            elif kind == "begin":
                self._steps_per_epoch, self._epochs = values["steps_per_epoch"], values["epochs"]
                self._precision = values.get("precision", self._precision)
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

    def worker_gone(self, exitcode: int | None) -> None:
        """The job's worker has ended (exit code, negative for a signal): the job is settled, failed if it was
        still active."""
        with self._lock:
            self._version += 1
            if self._state in ACTIVE_STATES:
                if self._state == "stopping":  # ended while stopping (terminated, or the server shutting down)
                    self._state, self._message = "stopped", self._stopped_message()
                else:
                    self._state, self._message = "failed", _death_message(exitcode)
            self._settled.set()  # inside the lock: a snapshot sees the settling and its version together

    def cancel(self) -> None:
        """The job left the queue before it started: it is settled as stopped."""
        with self._lock:
            self._version += 1
            self._state, self._message = "stopped", ("stopped_cancelled", {"reason": self.stop_reason})
            self._settled.set()


def _death_message(exitcode: int | None) -> tuple[str, dict]:
    if exitcode is not None and exitcode < 0:
        return ("failed_killed", {"signal": -exitcode})
    return ("failed_exited", {"code": exitcode})
