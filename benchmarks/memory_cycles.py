"""Memory over many trainings: the server's RSS stays flat because every job trains in its own worker process.

Run: python benchmarks/memory_cycles.py [--quick] [--jobs N] [--baseline N]

This process plays the server: it holds the scheduler, never imports TensorFlow, and submits N small trainings
(small CNN, 1 epoch, 500 digits). After every tenth finished job it prints its own RSS, the peak RSS of any worker
so far and how many worker processes are alive (one job per process, so workers cannot grow). Side by side, a
child process trains the same job --baseline times in-process, the way a server without workers would, and
prints how its RSS grows. Never asserts on memory or time.
"""

import argparse
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASELINE = """
import sys
from playground import presets
from playground.training import fit as fitting
from playground.training.runs import FitRequest, TrainSettings

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

if __name__ == "__main__":
    request = FitRequest(presets.preset("small-cnn"), TrainSettings(epochs=1, train_samples=500))
    fitting.fit(request)
    print(f"{rss():.0f}", flush=True)
    for _ in range(int(sys.argv[1])):
        fitting.fit(request)
    print(f"{rss():.0f}", flush=True)
"""


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process in MB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class WorkerWatch:
    """Samples the workers' RSS twice a second and keeps the peak."""

    def __init__(self, scheduler):
        self.scheduler, self.peak, self.most_alive = scheduler, 0.0, 0
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            pids = self.scheduler.worker_pids()
            self.most_alive = max(self.most_alive, len(pids))
            self.peak = max([self.peak, *(rss_mb(pid) for pid in pids)])

    def stop(self) -> None:
        self._stop.set()


def baseline(jobs: int) -> subprocess.Popen:
    """A child that trains in-process `jobs` times and prints its RSS after the first and the last."""
    return subprocess.Popen([sys.executable, "-c", BASELINE, str(jobs)], cwd=ROOT, stdout=subprocess.PIPE, text=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4 jobs, a 1-job baseline (for CI)")
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--baseline", type=int, default=20, help="in-process trainings for comparison (0: none)")
    args = parser.parse_args()
    count, baseline_jobs = (4, 1) if args.quick else (args.jobs, args.baseline)

    from playground import presets
    from playground.training import scheduler as training
    from playground.training.job import TrainingJob
    from playground.training.limits import Limits
    from playground.training.runs import FitRequest, TrainSettings

    scheduler = training.Scheduler(Limits.from_env())
    watch = WorkerWatch(scheduler)
    started, before = time.monotonic(), rss_mb()
    print(
        f"{count} jobs through the scheduler ({scheduler.limits.max_running} at a time); server RSS at start "
        f"{before:.0f} MB; TensorFlow imported here: {'tensorflow' in sys.modules}"
    )
    scheduler.prewarm()
    request = FitRequest(presets.preset("small-cnn"), TrainSettings(epochs=1, train_samples=500))
    jobs = [scheduler.submit(TrainingJob(request)) for _ in range(count)]
    after_ten = before
    for index, job in enumerate(jobs, start=1):
        job.wait()
        if job.state != "finished":
            print(f"job {index} ended {job.state}: {job.snapshot().message}")
        if index % 10 == 0 or index == count:
            after_ten = rss_mb()
            print(
                f"after {index:3} jobs: server {after_ten:6.0f} MB | worker peak {watch.peak:5.0f} MB | "
                f"workers alive now {len(scheduler.worker_pids())} (most at once {watch.most_alive}) | "
                f"{time.monotonic() - started:5.0f} s"
            )
    watch.stop()
    scheduler.shutdown()
    print(
        f"server growth over {count} jobs: {after_ten - before:+.0f} MB (goal: within 50 MB); "
        f"TensorFlow imported here: {'tensorflow' in sys.modules}"
    )
    if baseline_jobs:
        child = baseline(baseline_jobs)
        first, last = (float(line) for line in child.stdout)
        child.wait()
        print(
            f"in-process baseline: RSS {first:.0f} MB after 1 training, {last:.0f} MB after {baseline_jobs} more "
            f"({(last - first) / baseline_jobs:+.1f} MB per training, never returned)"
        )


if __name__ == "__main__":
    main()
