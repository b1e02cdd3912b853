"""A classroom on one server: N simulated students each train a model through the job machinery, then inspect it
(the Draw page's inference, in the server process) and have their work saved in the session store.

Run: python benchmarks/classroom.py [--quick] [--students N] [--arrival S] [--max-running N] [--epochs N]

Students press Start within --arrival seconds of each other, as a class does when told to. Each polls its job
like a page does (twice a second), so the scheduler's queue, worker start-up and the watchdog all work as on the
server. Printed: per student the queue wait (Start → a worker takes the job), the time to the first curve point,
the training time and the inspection latency; then the server's RSS (TensorFlow loaded for inference, as on the
Streamlit server), the peak RSS of each worker and of all processes together, and the store's size per student.
Never asserts on time. Linux (reads /proc).
"""

import argparse
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MB = 2**20


def rss_bytes(pid: int | str = "self") -> int:
    """Resident set size of a process (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@dataclass
class Student:
    """What one simulated student experienced."""

    number: int
    queue_wait: float = 0.0  # Start → a worker holds the job
    first_point: float = 0.0  # Start → the first point of the loss curve
    total: float = 0.0  # Start → the trained model is back
    inspect_ms: float = 0.0  # one Draw-page inspection (prediction, activations, saliency)
    evaluate_s: float = 0.0  # the Draw page's test-set evaluation
    stored_bytes: int = 0
    server_rss: int = 0  # the server's RSS once this student's work is saved: flat when nothing leaks
    state: str = ""
    accuracy: float | None = None
    errors: list[str] = field(default_factory=list)


class Sampler:
    """Samples the server's and the workers' RSS a few times a second, keeping the peaks."""

    def __init__(self, scheduler):
        self.scheduler = scheduler
        self.peak_server = self.peak_total = self.peak_worker = 0
        self.peak_workers = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            server = rss_bytes()
            workers = [rss_bytes(pid) for pid in self.scheduler.worker_pids()]
            self.peak_server = max(self.peak_server, server)
            self.peak_worker = max([self.peak_worker, *workers])
            self.peak_workers = max(self.peak_workers, len([w for w in workers if w]))
            self.peak_total = max(self.peak_total, server + sum(workers))

    def __enter__(self) -> "Sampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def student_session(student: Student, spec, settings, kept, delay: float) -> None:
    """Start a run, watch it like a page, inspect the trained model, save the work: as one browser tab would."""
    from playground import data, store
    from playground.inspection import evaluation, inspector
    from playground.training import outcome
    from playground.training.job import TrainingJob
    from playground.training.runs import FitRequest
    from playground.training.scheduler import scheduler

    time.sleep(delay)
    job = TrainingJob(FitRequest(spec, settings), run_id=1)
    started = time.monotonic()
    scheduler().submit(job)
    while not job.settled:
        job.touch()
        snap = job.snapshot()
        now = time.monotonic() - started
        if not student.queue_wait and snap.state not in ("queued",):
            student.queue_wait = now
        if not student.first_point and snap.history.step:
            student.first_point = now
        time.sleep(0.5)
    student.total = time.monotonic() - started
    student.state = job.state
    if job.result is None or not job.result.weights:
        student.errors.append(str(job.snapshot().message))
        return
    student.accuracy = job.result.test_accuracy
    record = job.record()
    trained = outcome.trained_model(job.request, job.result, record.history, run_id=1)
    dataset = data.load(settings.dataset)
    image = data.images_as_input(dataset.x_test[:1])[0, ..., 0]
    inspector.inspect(trained, image)  # the first call per architecture builds and traces; time the second
    began = time.perf_counter()
    inspector.inspect(trained, image)
    student.inspect_ms = (time.perf_counter() - began) * 1000
    began = time.perf_counter()
    evaluation.evaluate(trained, dataset)
    student.evaluate_s = time.perf_counter() - began
    token = store.new_token()
    kept.save(token, {"runs": store.encode_runs([record]), "model": store.encode_model(trained)})
    student.stored_bytes = sum(len(value) for value in kept.load(token).values())
    student.server_rss = rss_bytes()


def main() -> None:
    """Simulate the class and print what each student and the server experienced."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 students, a tiny model: well under a minute")
    parser.add_argument("--students", type=int, default=None)
    parser.add_argument("--arrival", type=float, default=5.0, help="students press Start within this many seconds")
    parser.add_argument("--max-running", type=int, default=None, help="training workers (default: from the machine)")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--preset", default=None)
    args = parser.parse_args()

    from playground import presets, store
    from playground.training import limits as resources
    from playground.training import scheduler as training
    from playground.training.limits import Limits
    from playground.training.runs import TrainSettings

    students = args.students or (2 if args.quick else 8)
    epochs = args.epochs or (1 if args.quick else 2)
    preset = args.preset or ("small-cnn" if args.quick else "seed-cnn")
    samples = 300 if args.quick else 2000
    cores, limit = resources.cpu_count(), resources.memory_limit_bytes()
    running = args.max_running or resources.max_training_workers()
    print(
        f"machine: {cores} cores, memory limit {limit / 2**30:.1f} GiB → {running} training workers "
        f"(cores allow {resources.workers_for_cores(cores)}, memory {resources.workers_for_memory(limit)})"
    )
    print(
        f"class: {students} students, Start within {args.arrival:g} s; {preset}, {epochs} epochs on "
        f"{samples:,} digits, batch 32"
    )

    server_bare = rss_bytes()
    from playground.inspection import inspector  # noqa: F401 - the server imports TensorFlow for the Draw page

    server_tf = rss_bytes()
    # The server's own limits (a pre-warmed spare worker when memory allows), with the chosen number of workers.
    scheduler = training.configure(replace(Limits.from_env(), max_running=running))
    spec = presets.preset(preset)
    settings = [TrainSettings("mnist-sample", epochs=epochs, batch_size=32, validation_split=0.1, seed=number,
                              train_samples=samples) for number in range(students)]  # fmt: skip
    class_ = [Student(number) for number in range(1, students + 1)]
    with tempfile.TemporaryDirectory() as folder, Sampler(scheduler) as sampler:
        kept = store.Store(Path(folder) / "sessions.sqlite3")
        began = time.monotonic()
        threads = [
            threading.Thread(target=student_session,
                             args=(s, spec, settings[i], kept, args.arrival * i / max(1, students - 1)))
            for i, s in enumerate(class_)
        ]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - began
    scheduler.shutdown()
    server_after = rss_bytes()

    print()
    print("student  queue wait  first point  trained in  inspect  evaluate  stored   test acc  server RSS  state")
    for s in class_:
        accuracy = "–" if s.accuracy is None else f"{s.accuracy:.1%}"
        print(
            f"{s.number:7d}  {s.queue_wait:8.1f} s  {s.first_point:9.1f} s  {s.total:8.1f} s  {s.inspect_ms:5.1f} ms"
            f"  {s.evaluate_s:6.2f} s  {s.stored_bytes / 1024:5.0f} kB  {accuracy:>8}  {s.server_rss / MB:7.0f} MB"
            f"  {s.state}"
        )
        for error in s.errors:
            print(f"         error: {error}")
    waits = [s.queue_wait for s in class_]
    totals = [s.total for s in class_]
    print()
    print(f"whole class trained and inspected in {wall:.0f} s")
    print(
        f"queue wait: median {statistics.median(waits):.1f} s, max {max(waits):.1f} s; "
        f"Start → model back: median {statistics.median(totals):.1f} s, max {max(totals):.1f} s"
    )
    print(
        f"server RSS: {server_bare / MB:.0f} MB bare, {server_tf / MB:.0f} MB with TensorFlow, "
        f"peak {sampler.peak_server / MB:.0f} MB, {server_after / MB:.0f} MB after the class"
    )
    print(f"worker RSS: peak {sampler.peak_worker / MB:.0f} MB per worker, {sampler.peak_workers} at once")
    print(f"all processes RSS: peak {sampler.peak_total / MB:.0f} MB")
    per_job = statistics.median(s.total - s.queue_wait for s in class_)  # how long a run holds a worker
    startup = statistics.median(s.first_point - s.queue_wait for s in class_)
    print(f"a run holds a worker {per_job:.0f} s (median), {startup:.0f} s of it before the first curve point")
    print(f"ratio queue wait / training time (median): {statistics.median(waits) / max(per_job, 1e-9):.2f}")
    if limit:
        print(f"memory headroom at the peak: {(limit - sampler.peak_total) / MB:.0f} MB of {limit / MB:.0f} MB")
    print(f"throughput: {students} runs in {wall:.0f} s = {students * 60 / wall:.1f} runs a minute, {running} workers")


if __name__ == "__main__":
    main()
