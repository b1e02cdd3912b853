"""Where a training job's CPU goes: the worker process's CPU-seconds and wall time per phase, from its spawn to its exit.

Run: python benchmarks/job_cost.py [--quick] [--rounds N] [--job seed|small|both] [--before DIR]

Real playground jobs go through the real path of a learner's Start: the scheduler, the local backend, a spawned
worker running playground.training.worker.main. Only the worker's entry point is wrapped, here, to stamp its
cumulative CPU time (time.process_time: all its threads) and a monotonic clock at every message it sends and when its
job arrives; the wrapper also times the outermost `import keras`/`import tensorflow` and the replay snapshots, and
counts the threads the process runs (/proc/self/task). The worker's whole CPU, its exit included, is the reaped
child's rusage. Jobs: the seed CNN preset, 3 epochs (as the class harness trains it), and a small CNN for 1 epoch,
both with the Train page's settings (batch 32, a tenth held out for validation, float32), no spare worker (every job
spawns its worker, so its start is counted).

--before DIR runs the same jobs with the playground package of another checkout (e.g. `git archive` of main) in
alternate rounds, and prints before → after per phase. Phases (CPU-s, then wall s; medians over rounds):
python start (interpreter and spawn), TensorFlow + Keras import, the other imports (playground, numpy...), the job's
setup (threads, precision, stores), data (loading the bundled sample, splitting, pipelines), model build + compile,
the first epoch's training (its first group of steps traces the training function), each later epoch's training,
validation at the first epoch's end (traces the test function) and later ones, the replay snapshots, Keras's end of
fit, the test evaluation and result, and from the result to the worker's exit. Never asserts on time.
"""

import argparse
import builtins
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CODE_ENV = "JOB_COST_CODE"  # the checkout whose playground package the worker imports
OUT_ENV = "JOB_COST_OUT"  # where the worker writes its stamps
WATCHED_IMPORTS = ("keras", "tensorflow")


# ---------------------------------------------------------------- in the worker process


def _stamps():
    stamps, snapshot_cpu = [], [0.0, 0.0]  # snapshot CPU-s and wall s so far

    def stamp(kind: str, **extra) -> None:
        stamps.append({"kind": kind, "cpu": time.process_time(), "wall": time.monotonic(),
                       "threads": len(os.listdir("/proc/self/task")), "snap_cpu": snapshot_cpu[0],
                       "snap_wall": snapshot_cpu[1], **extra})  # fmt: skip

    return stamps, snapshot_cpu, stamp


def _time_import(stamp):
    """Stamp the start and end of the outermost import of Keras or TensorFlow; returns a function that unhooks."""
    original, depth = builtins.__import__, [0]

    def timed(name, *args, **kwargs):
        watched = name.split(".")[0] in WATCHED_IMPORTS and "tensorflow" not in sys.modules and depth[0] == 0
        if not watched:
            return original(name, *args, **kwargs)
        depth[0] += 1
        stamp("tf_start")
        try:
            return original(name, *args, **kwargs)
        finally:
            depth[0] -= 1
            stamp("tf_end")

    builtins.__import__ = timed
    return lambda: setattr(builtins, "__import__", original)


def _time_snapshots(snapshot_cpu) -> None:
    from playground.training import snapshots

    def timed(method):
        def wrapper(*args, **kwargs):
            cpu, wall = time.process_time(), time.monotonic()
            try:
                return method(*args, **kwargs)
            finally:
                snapshot_cpu[0] += time.process_time() - cpu
                snapshot_cpu[1] += time.monotonic() - wall

        return wrapper

    for name in ("__init__", "take", "moment", "replay"):
        setattr(snapshots.Snapshots, name, timed(getattr(snapshots.Snapshots, name)))


class _StampedConn:
    """The worker's end of the pipe, stamping each message it sends and the job's arrival."""

    def __init__(self, conn, stamp, on_job, on_last):
        self._conn, self._stamp, self._on_job, self._on_last = conn, stamp, on_job, on_last

    def send(self, message) -> None:
        kind, values = message if isinstance(message, tuple) else (str(message), None)
        extra = {"phase": values["phase"]} if kind == "phase" else {}
        if kind in ("step", "epoch"):
            extra["epoch"] = values["epoch"]
        if kind == "result":
            from playground.backend import tf

            extra["intra"] = tf.config.threading.get_intra_op_parallelism_threads()
            extra["inter"] = tf.config.threading.get_inter_op_parallelism_threads()
        self._stamp(kind, **extra)
        if kind in ("result", "error"):  # the worker may end without returning (worker.exit_now)
            self._on_last()
        self._conn.send(message)

    def poll(self, timeout=None) -> bool:
        ready = self._conn.poll(timeout)
        self._on_job()
        self._stamp("job")
        return ready

    def __getattr__(self, name):
        return getattr(self._conn, name)


def instrumented_main(conn, parent_pid: int, idle_timeout_s: float) -> None:
    """worker.main with stamps, written as JSON to $JOB_COST_OUT before it sends its result."""
    stamps, snapshot_cpu, stamp = _stamps()
    stamp("entry")
    code = os.environ.get(CODE_ENV)
    if code:
        sys.path.insert(0, code)
    unhook = _time_import(stamp)
    from playground.training import worker

    def on_job():
        unhook()
        _time_snapshots(snapshot_cpu)

    def on_last():
        Path(os.environ[OUT_ENV]).write_text(json.dumps(stamps))

    worker.main(_StampedConn(conn, stamp, on_job, on_last), parent_pid, idle_timeout_s)


# ---------------------------------------------------------------- in the benchmark


def _backend(limits):
    from playground.training.backends import local

    class Worker(local.WorkerProcess):
        def __init__(self, context, idle_timeout_s):
            self.conn, child = context.Pipe(duplex=True)
            self.process = context.Process(target=instrumented_main, args=(child, os.getpid(), idle_timeout_s),
                                           daemon=True, name="playground-worker")  # fmt: skip
            self.process.start()
            child.close()
            self.started = time.monotonic()
            self._send_lock = threading.Lock()

    class Backend(local.LocalBackend):
        def worker(self):
            return Worker(self._context, self.limits.spare_idle_s)

    return Backend(limits)


JOBS = {"seed CNN, 3 epochs": ("seed-cnn", 3), "small CNN, 1 epoch": ("small-cnn", 1)}


def run_job(scheduler, preset: str, epochs: int, code: str | None) -> dict:
    """One job through the scheduler; its worker's stamps, whole CPU (rusage) and the parent's clock."""
    from playground import presets
    from playground.training.job import TrainingJob
    from playground.training.runs import FitRequest, TrainSettings

    job = TrainingJob(FitRequest(presets.preset(preset), TrainSettings("mnist-sample", epochs, 32)))
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        path = Path(out.name)
    os.environ[OUT_ENV] = str(path)
    os.environ.pop(CODE_ENV, None)
    if code:
        os.environ[CODE_ENV] = code
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    submitted = time.monotonic()
    scheduler.submit(job)
    job.wait()
    settled = time.monotonic()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if job.result is None:
        raise RuntimeError(f"the job ended {job.state}: {job.snapshot().message}")
    stamps = json.loads(path.read_text())
    path.unlink()
    total = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"stamps": stamps, "total_cpu": total, "submitted": submitted, "settled": settled,
            "test_accuracy": job.result.test_accuracy, "epochs": epochs}  # fmt: skip


def phases(run: dict) -> dict[str, tuple[float, float]]:
    """(CPU-s, wall s) per phase of one job, snapshots taken out of the phases they happened in."""
    stamps = run["stamps"]

    def first(kind, **match):
        return next(s for s in stamps if s["kind"] == kind and all(s.get(k) == v for k, v in match.items()))

    def last(kind, **match):
        return [s for s in stamps if s["kind"] == kind and all(s.get(k) == v for k, v in match.items())][-1]

    def span(a, b, snapshots=True):
        cpu, wall = b["cpu"] - a["cpu"], b["wall"] - a["wall"]
        if snapshots:
            cpu, wall = cpu - (b["snap_cpu"] - a["snap_cpu"]), wall - (b["snap_wall"] - a["snap_wall"])
        return cpu, wall

    entry, result = first("entry"), first("result")
    epochs = run["epochs"]
    out = {"python start": (entry["cpu"], entry["wall"] - run["submitted"])}
    out["TensorFlow + Keras import"] = span(first("tf_start"), first("tf_end"))
    imports = span(entry, first("warm"))
    out["other imports"] = (imports[0] - out["TensorFlow + Keras import"][0],
                            imports[1] - out["TensorFlow + Keras import"][1])  # fmt: skip
    out["job setup"] = span(first("job"), first("phase", phase="data"))
    out["data"] = span(first("phase", phase="data"), first("phase", phase="model"))
    out["model build + compile"] = span(first("phase", phase="model"), first("begin"))
    begin = first("begin")
    out["epoch 1: first group (tracing)"] = span(begin, first("step", epoch=1))
    out["epoch 1: training"] = span(begin, last("step", epoch=1))
    out["validation, epoch 1"] = span(last("step", epoch=1), first("epoch", epoch=1))
    if epochs > 1:
        later = [span(first("epoch", epoch=e - 1), last("step", epoch=e)) for e in range(2, epochs + 1)]
        out["epoch 2+: training (each)"] = tuple(statistics.mean(x) for x in zip(*later, strict=True))
        vals = [span(last("step", epoch=e), first("epoch", epoch=e)) for e in range(2, epochs + 1)]
        out["validation, epoch 2+ (each)"] = tuple(statistics.mean(x) for x in zip(*vals, strict=True))
    out["replay snapshots"] = (result["snap_cpu"], result["snap_wall"])
    out["end of fit"] = span(first("end"), first("phase", phase="test"))
    out["test evaluation + result"] = span(first("phase", phase="test"), result)
    out["result → exit"] = (run["total_cpu"] - result["cpu"], run["settled"] - result["wall"])
    out["whole job"] = (run["total_cpu"], run["settled"] - run["submitted"])
    out["threads run (max)"] = (max(s["threads"] for s in stamps), 0.0)
    out["intra/inter-op threads"] = (result["intra"], result["inter"])
    return out


def _median(runs: list[dict]) -> dict[str, tuple[float, float]]:
    per = [phases(run) for run in runs]
    return {name: tuple(statistics.median(p[name][i] for p in per) for i in (0, 1)) for name in per[0]}


def print_table(title: str, medians: dict[str, dict], labels: list[str]) -> None:
    """A table of phases: CPU-s and wall s per label (before → after when two), and each phase's ratio of the job."""
    print(f"\n{title}")
    head = " | ".join(f"{label:>17}" for label in labels)
    print(f"  {'phase':32} | {head} | ratio of whole job (CPU)")
    first = medians[labels[0]]
    for name in first:
        cells = []
        for label in labels:
            cpu, wall = medians[label][name]
            if name.startswith(("threads", "intra")):
                cells.append(f"{cpu:>17.0f}" if name.startswith("threads") else f"{cpu:>8.0f}/{wall:<8.0f}")
            else:
                cells.append(f"{cpu:7.2f} s {wall:6.2f} s")
        share = medians[labels[-1]][name][0] / medians[labels[-1]]["whole job"][0]
        ratio = "" if name.startswith(("threads", "intra")) else f"{share:.3f}"
        print(f"  {name:32} | {' | '.join(cells)} | {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one small job (for CI)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", help="a checkout whose playground package runs in alternate rounds")
    parser.add_argument("--job", choices=("seed", "small", "both"), default="both")
    args = parser.parse_args()
    chosen = {"seed": ["seed CNN, 3 epochs"], "small": ["small CNN, 1 epoch"]}.get(args.job, list(JOBS))
    jobs = {name: JOBS[name] for name in (["small CNN, 1 epoch"] if args.quick else chosen)}
    rounds = 1 if args.quick else args.rounds

    from dataclasses import replace

    from playground.training import scheduler as training
    from playground.training.limits import Limits

    limits = replace(Limits.from_env(), spare="off")
    scheduler = training.Scheduler(limits, backend=_backend(limits))
    codes = {"after": None}
    if args.before:
        codes = {"before": str(Path(args.before).resolve()), "after": None}
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        print(f"before: {args.before}; after: this checkout ({commit.stdout.strip()})")
    print(f"{limits.cores} cores; worker's CPU-s (all threads) and wall s per phase, medians of {rounds} round(s)")
    results = {(name, label): [] for name in jobs for label in codes}
    for round_ in range(rounds):
        labels = list(codes) if round_ % 2 == 0 else list(codes)[::-1]  # alternate who goes first
        for name, (preset, epochs) in jobs.items():
            for label in labels:
                run = run_job(scheduler, preset, epochs, codes[label])
                results[(name, label)].append(run)
                print(f"round {round_ + 1} {name} ({label}): {run['total_cpu']:.2f} CPU-s, "
                      f"{run['settled'] - run['submitted']:.2f} s, test accuracy {run['test_accuracy']:.4f}")  # fmt: skip
    scheduler.shutdown()
    for name in jobs:
        print_table(name, {label: _median(results[(name, label)]) for label in codes}, list(codes))


if __name__ == "__main__":
    main()
