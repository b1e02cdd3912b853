"""What the scheduler needs from a place that runs training: one worker per job, streaming plain messages back.

A worker trains one job and ends. It sends (kind, values) messages of plain numbers — "warm", "phase", "begin",
"step", "epoch", "end" (see playground.training.fit), then ("result", FitResult) or ("error", {...}) — which the
scheduler's reader for that job takes from `messages()` until the worker is gone. The scheduler never sees how
messages travel (a pipe, an actor's queue), so a backend is added by implementing these two classes: the local
backend (backends.local) runs a spawned process per job; a cluster backend would run an actor per job.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterator

from playground.training.runs import FitRequest

Message = tuple[str, object]


class Worker(ABC):
    """One job's worker, wherever it runs: give it the job, read what it sends, ask it to stop, end it."""

    @property
    @abstractmethod
    def pid(self) -> int | None:
        """The worker's process id where it runs on this machine (for monitoring), else None."""

    @abstractmethod
    def start(self, request: FitRequest, threads: int) -> None:
        """Give the worker its job, to train with this many threads."""

    @abstractmethod
    def messages(self) -> Iterator[Message]:
        """The worker's messages in order as they arrive, ending when the worker is gone (blocks between them)."""

    @abstractmethod
    def stop(self) -> None:
        """Ask the worker to stop training: it ends the job within one group of steps and sends its result."""

    @abstractmethod
    def end(self) -> None:
        """End the worker now, whatever it is doing (a worker that ignored a stop, a server going away)."""

    @abstractmethod
    def alive(self) -> bool:
        """True while the worker runs."""

    @abstractmethod
    def close(self) -> int | None:
        """Release the worker once its messages have ended; returns how it ended: an exit code (negative: the signal
        that killed it), or None when unknown."""

    @property
    def handle(self) -> str | None:
        """The name by which another replica can re-attach to this worker's job (Backend.attach), or None where the
        job lives and dies with this server's process."""
        return None


class Backend(ABC):
    """Where jobs run: a worker for each job, optionally a pre-warmed spare, and an end to all of it."""

    @abstractmethod
    def worker(self) -> Worker:
        """A worker for a job starting now: a pre-warmed spare when there is one, else a new one."""

    @abstractmethod
    def prewarm(self) -> None:
        """Have a spare worker ready for the next job, where this backend keeps one and resources allow."""

    @abstractmethod
    def spare_pids(self) -> list[int]:
        """Process ids of the live spare workers on this machine (for monitoring)."""

    @abstractmethod
    def shutdown(self) -> None:
        """End the spare workers and start no more: the server is going away."""

    def attach(self, handle: str) -> "tuple[FitRequest, Worker] | None":
        """The request and a worker that reads an already running job from its first message, found by the handle
        another replica kept (Worker.handle); None when the job is gone or this backend cannot re-attach."""
        return None

    def line(self):
        """The line this server shares with other replicas (report, claim, place: backends.ray_line.Line), or None
        when its own queue decides alone."""
        return None
