"""The local backend: each job in a spawned worker process of its own, and one pre-warmed spare when memory allows.

Why processes: every Keras model trained in a process leaks memory TensorFlow never returns, and a crash in one
training must not take the server (and every other student's job) down. Why not ProcessPoolExecutor: one dead
worker breaks the whole pool and fails every job in it. So each job gets its own process — the spare (TensorFlow
already imported) when there is one — that runs that job only and exits.
"""

import multiprocessing
import os
import threading
import time
from collections.abc import Iterator
from multiprocessing.connection import wait as wait_for

from playground.training import worker
from playground.training.backends import Backend, Message, Worker
from playground.training.limits import Limits, available_memory_mb
from playground.training.runs import FitRequest


class WorkerProcess(Worker):
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

    def _send(self, message) -> bool:
        with self._send_lock:
            try:
                self.conn.send(message)
                return True
            except (OSError, ValueError):  # the worker is gone
                return False

    def start(self, request: FitRequest, threads: int) -> None:
        """Send the job to the process."""
        self._send(("fit", request, threads))

    def stop(self) -> None:
        """Ask the process to stop training."""
        self._send("stop")

    def messages(self) -> Iterator[Message]:
        """What the process sends, until its pipe closes or the process ends."""
        while True:
            ready = wait_for([self.conn, self.process.sentinel], timeout=1.0)
            if self.conn in ready:
                try:
                    message = self.conn.recv()
                except (EOFError, OSError):
                    return
                yield message
            elif self.process.sentinel in ready:
                return

    def end(self) -> None:
        """End the process (SIGTERM, then SIGKILL if it lingers)."""
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2)

    def close(self) -> int | None:
        """Reap the process and close the pipe; its exit code."""
        self.process.join(5)
        self.conn.close()
        return self.process.exitcode


class LocalBackend(Backend):
    """Worker processes on this machine, spawned (never forked from a process that has TensorFlow loaded)."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._spare: WorkerProcess | None = None
        self._closed = False

    def _spare_allowed(self) -> bool:
        if self.limits.spare == "off" or self._closed:
            return False
        return self.limits.spare == "on" or available_memory_mb() > self.limits.spare_min_free_mb

    def worker(self) -> WorkerProcess:
        """The spare if it is still alive, else a new process."""
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is not None and spare.alive():
            return spare
        return WorkerProcess(self._context, self.limits.spare_idle_s)

    def prewarm(self) -> None:
        """Start a spare process (it imports TensorFlow and waits) unless there is one or memory is short."""
        with self._lock:
            if self._spare is not None and not self._spare.alive():
                self._spare = None  # an unused spare exits after limits.spare_idle_s
            if self._spare is None and self._spare_allowed():
                self._spare = WorkerProcess(self._context, self.limits.spare_idle_s)

    def spare_pids(self) -> list[int]:
        """The spare's process id while it is alive."""
        with self._lock:
            spare = self._spare
        return [spare.pid] if spare is not None and spare.alive() else []

    def shutdown(self) -> None:
        """End the spare; no new one starts."""
        with self._lock:
            self._closed = True
            spare, self._spare = self._spare, None
        if spare is not None:
            spare.end()
