"""The backend interface: the scheduler runs jobs on any backend that hands back plain messages — here one whose
workers are threads playing a script, with no process and no TensorFlow — and never touches how they travel."""

import ast
import queue
import threading
import time
from pathlib import Path

import pytest

from playground import presets
from playground.text.train import CATALOGUE
from playground.training.backends import Backend, Worker
from playground.training.job import TrainingJob
from playground.training.limits import Limits
from playground.training.runs import FitRequest, FitResult, TrainSettings
from playground.training.scheduler import Scheduler

ROOT = Path(__file__).resolve().parent.parent.parent
STEPS = 4  # steps per epoch of the scripted run
T = CATALOGUE.translator("en")


class ScriptedWorker(Worker):
    """Trains nothing: sends what a worker sends for a run of `epochs` epochs, a group of steps every few ms."""

    def __init__(self, obeys_stop: bool = True, starts: bool = True):
        self.obeys_stop, self.starts = obeys_stop, starts
        self.given: tuple | None = None
        self.stop_asked = threading.Event()
        self.exitcode: int | None = None
        self._inbox: queue.Queue = queue.Queue()
        self._ended = threading.Event()

    @property
    def pid(self) -> int | None:
        return None

    def start(self, request: FitRequest, threads: int) -> None:
        self.given = (request, threads)
        threading.Thread(target=self._play, args=(request,), daemon=True).start()

    def _play(self, request: FitRequest) -> None:
        send = self._inbox.put
        send(("warm", {"pid": None, "streamlit": False}))
        if not self.starts:  # hangs before training (an import or a read that never returns) until it is ended
            self._ended.wait()
            return
        epochs, step = request.initial_epoch + request.settings.epochs, request.initial_step
        send(("begin", {"epochs": epochs, "steps_per_epoch": STEPS}))
        outcome, epoch = "finished", request.initial_epoch
        while epoch < epochs and outcome == "finished":
            for index in range(1, STEPS + 1):
                if self._ended.wait(0.005):
                    return
                step += 1
                send(("step", {"epoch": epoch + 1, "step": index, "global_step": step, "step_epoch": step / STEPS,
                               "loss": 1 / step, "accuracy": 0.5, "elapsed": step, "samples_per_second": 10.0}))  # fmt: skip
                if self.stop_asked.is_set() and self.obeys_stop:
                    outcome = "stopped"
                    break
            epoch += 1
            send(("epoch", {"epoch": epoch, "loss": 1 / step, "accuracy": 0.5, "samples_per_second": 10.0,
                            "elapsed": step, "partial": outcome == "stopped"}))  # fmt: skip
        send(("end", {"outcome": outcome, "fault": None, "epochs_done": epoch, "global_step": step}))
        send(("result", FitResult(outcome, epoch, step, (), (), 0.5, 0.75, None, 10.0, 1)))
        self.exitcode = 0
        send(None)

    def messages(self):
        while (message := self._inbox.get()) is not None:
            yield message

    def stop(self) -> None:
        self.stop_asked.set()

    def end(self) -> None:
        self.exitcode = -15
        self._ended.set()
        self._inbox.put(None)

    def alive(self) -> bool:
        return self.exitcode is None

    def close(self) -> int | None:
        return self.exitcode


class ScriptedBackend(Backend):
    def __init__(self, obeys_stop: bool = True, hanging: int = 0):
        self.obeys_stop, self.hanging = obeys_stop, hanging  # the first `hanging` workers never begin training
        self.workers: list[ScriptedWorker] = []
        self.prewarmed = 0
        self.closed = False

    def worker(self) -> ScriptedWorker:
        self.workers.append(ScriptedWorker(self.obeys_stop, starts=len(self.workers) >= self.hanging))
        return self.workers[-1]

    def prewarm(self) -> None:
        self.prewarmed += 1

    def spare_pids(self) -> list[int]:
        return []

    def shutdown(self) -> None:
        self.closed = True


@pytest.fixture
def make():
    made = []

    def make_scheduler(backend: Backend, **limits) -> Scheduler:
        made.append(
            Scheduler(Limits(**{"max_running": 2, "cores": 4, "spare": "off", "max_epochs": 10**6, **limits}), backend)
        )
        return made[-1]

    yield make_scheduler
    for scheduler in made:
        scheduler.shutdown()


def job(epochs: int = 2) -> TrainingJob:
    return TrainingJob(FitRequest(presets.preset("logistic"), TrainSettings(epochs=epochs)))


def test_a_job_runs_on_a_backend_without_a_process(make):
    backend = ScriptedBackend()
    scheduler = make(backend)
    first, second = scheduler.submit(job()), scheduler.submit(job())
    assert first.wait(10) and second.wait(10)
    snap = first.snapshot()
    assert snap.state == "finished" and snap.message == ("state_finished", {"epochs": 2})
    assert snap.history.step == list(range(1, 9)) and snap.history.epoch == [1, 2]
    assert (snap.test_loss, snap.test_accuracy) == (0.5, 0.75) and first.worker_info["streamlit"] is False
    # TensorFlow threads: all 4 cores for the first job, shared by two once the second runs beside it
    assert [worker.given[1] for worker in backend.workers] == [4, 2]
    assert backend.prewarmed >= 1  # a spare is asked for once nothing runs
    assert scheduler.worker_pids() == []


def test_stop_reaches_the_worker_and_one_that_ignores_it_is_ended(make):
    backend = ScriptedBackend()
    scheduler = make(backend)
    running = scheduler.submit(job(epochs=10_000))
    while not running.snapshot().history.step:
        time.sleep(0.01)
    running.stop()
    assert running.wait(10) and backend.workers[0].stop_asked.is_set()
    assert running.state == "stopped" and running.snapshot().history.partial[-1]

    deaf = ScriptedBackend(obeys_stop=False)
    stubborn = make(deaf, stop_grace_s=0.3).submit(job(epochs=10_000))
    while not stubborn.snapshot().history.step:
        time.sleep(0.01)
    stubborn.stop()
    assert stubborn.wait(10)
    assert stubborn.snapshot().message[0] == "stopped_terminated" and deaf.workers[0].exitcode == -15


def test_a_worker_that_never_begins_training_is_ended_and_the_next_job_starts(make, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_JOB_START_TIMEOUT_S", "0.01")  # raised to the 1 s minimum
    limits = Limits.from_env()
    assert limits.start_timeout_s == 1.0
    backend = ScriptedBackend(hanging=1)
    scheduler = make(backend, max_running=1, start_timeout_s=limits.start_timeout_s)
    hung, waiting = scheduler.submit(job()), scheduler.submit(job())
    assert hung.state == "starting" and waiting.state == "queued"
    assert hung.wait(30), "the hung worker was never ended"
    snap = hung.snapshot()
    assert snap.state == "failed" and snap.message == ("failed_start_timeout", {"seconds": 1})
    assert backend.workers[0].exitcode == -15  # ended by the scheduler, not by itself
    assert T(*snap.message[:1], **snap.message[1]).startswith("The training process had not begun training after 1 s")
    assert waiting.wait(30) and waiting.state == "finished" and waiting.snapshot().history.epoch == [1, 2]


def test_the_start_bound_defaults_to_two_minutes_and_leaves_a_running_job_alone(make, monkeypatch):
    monkeypatch.delenv("PLAYGROUND_JOB_START_TIMEOUT_S", raising=False)
    assert Limits.from_env().start_timeout_s == 120.0
    scheduler = make(ScriptedBackend(), start_timeout_s=1.0)
    running = scheduler.submit(job(epochs=100))  # 400 steps of ≥ 5 ms: past the bound, but it began at once
    while not running.snapshot().history.step:
        time.sleep(0.01)
    assert running.wait(60) and running.state == "finished"


def test_shutdown_ends_the_backend(make):
    backend = ScriptedBackend()
    make(backend).shutdown()
    assert backend.closed


def test_the_scheduler_and_jobs_know_no_process_or_pipe():
    # What runs a job, and how its messages travel, is the backend's business only (a cluster backend replaces it).
    for name in ("scheduler.py", "job.py", "backends/__init__.py"):
        tree = ast.parse((ROOT / "playground" / "training" / name).read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not {"multiprocessing", "multiprocessing.connection", "subprocess"} & imported, name
