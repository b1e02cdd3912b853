"""Measure what the Ray training backend will rely on, against a private loopback Ray head; prints JSON.

The numbers behind deploy/RAY-NOTES.md: driver start-up time and memory, actor start (plain and importing
TensorFlow), poll and queue round trips, the object store, owner death, detached named actors seen from
another driver, runtime_env. Usage: python scripts/ray_probe.py [--no-tf]
"""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import services  # noqa: E402


def rss_mb(pid: int | None = None) -> int:
    """Resident memory of a process in MiB (this one by default)."""
    for line in Path(f"/proc/{pid or os.getpid()}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024)
    return -1


def timed(function, *args, **kwargs):
    """(result, seconds) of one call."""
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def percentiles(samples: list[float]) -> dict:
    """Median and 95th percentile of durations in seconds, as milliseconds."""
    ordered = sorted(samples)
    return {"median_ms": round(ordered[len(ordered) // 2] * 1000, 2), "p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1000, 2)}  # fmt: skip


def other_driver(address: str, code: str) -> str:
    """stdout of a second driver process that runs `code` after ray.init (ray imported, `address` known)."""
    prelude = (f"import sys, time; sys.path.insert(0, {str(ROOT)!r}); from scripts import services; "
               f"services.ray_loopback(); import ray; ray.init(address={address!r}, namespace='playground', "
               "log_to_driver=False)\n")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True, timeout=300)
    return done.stdout.strip() or done.stderr.strip()[-400:]


def main() -> None:
    with_tf = "--no-tf" not in sys.argv
    out: dict = {"load_average": os.getloadavg(), "cpus": os.cpu_count()}
    services.ray_loopback()
    head, out["head_start_s"] = timed(services.start_ray_head, num_cpus=2, object_store_mb=512)
    try:
        import numpy
        import streamlit  # noqa: F401 - a replica holds Streamlit and NumPy before it connects

        before = rss_mb()
        ray, out["import_ray_s"] = timed(__import__, "ray")
        after_import = rss_mb()
        _, out["ray_init_s"] = timed(ray.init, address=head.address, namespace="playground", log_to_driver=False)
        out["driver_rss_mib"] = {"streamlit_numpy": before, "after_import_ray": after_import, "after_init": rss_mb()}
        out["driver_threads_after_init"] = len(os.listdir("/proc/self/task"))
        out["ray_version"] = ray.__version__

        @ray.remote(num_cpus=0, max_restarts=0)
        class Job:
            def __init__(self, data=None):
                self.step, self.stop, self.size = 0, False, None if data is None else int(data.size)

            def run(self, steps):
                for _ in range(steps):
                    if self.stop:
                        break
                    time.sleep(0.01)
                    self.step += 1
                return self.step

            def poll(self):
                return {"step": self.step, "losses": [0.5] * 20}

            def request_stop(self):
                self.stop = True

            def env(self, *names):
                return {name: os.environ.get(name) for name in names}

            def pid(self):
                return os.getpid()

            def data_size(self):
                return self.size

        plain = Job.remote()
        _, out["actor_start_to_first_call_s"] = timed(ray.get, plain.poll.remote())
        # A plain actor runs one method at a time: a poll waits for a running run() to end.
        running = plain.run.remote(200)
        time.sleep(0.3)
        _, out["plain_actor_poll_while_running_s"] = timed(ray.get, plain.poll.remote())
        ray.get(running)
        # A threaded actor (max_concurrency) answers polls while run() trains.
        threaded = Job.options(max_concurrency=4).remote()
        ray.get(threaded.poll.remote())
        running = threaded.run.remote(1000)
        out["threaded_actor_poll"] = percentiles([timed(ray.get, threaded.poll.remote())[1] for _ in range(300)])
        start = time.perf_counter()
        ray.get(threaded.request_stop.remote())
        ray.get(running)
        out["threaded_actor_stop_to_return_s"] = round(time.perf_counter() - start, 3)
        errors = []

        def hammer():
            try:
                for _ in range(50):
                    ray.get(threaded.poll.remote())
            except Exception as error:  # noqa: BLE001 - reported, not hidden
                errors.append(repr(error))

        workers = [threading.Thread(target=hammer) for _ in range(8)]
        start = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        out["eight_threads_x50_polls"] = {"s": round(time.perf_counter() - start, 2), "errors": errors[:3]}

        from ray.util.queue import Queue

        queue, out["queue_create_first_put_get_s"] = timed(lambda: (q := Queue(maxsize=1000), q.put(0), q.get())[0])
        out["queue_put_then_get"] = percentiles(
            [timed(lambda: (queue.put({"step": 1}), queue.get()))[1] for _ in range(200)]
        )

        array = numpy.random.default_rng(0).random(50 * 2**20 // 8)
        ref, seconds = timed(ray.put, array)
        out["put_50MiB_ms"] = round(seconds * 1000, 1)
        back, seconds = timed(ray.get, ref)
        out["get_50MiB_same_node_ms"] = round(seconds * 1000, 2)
        out["get_returns_read_only_view"] = not back.flags.writeable
        sized, seconds = timed(lambda: (actor := Job.remote(ref), ray.get(actor.data_size.remote()))[0])
        out["actor_given_the_50MiB_ref_start_s"] = round(seconds, 2)
        out["actor_given_the_50MiB_ref_sees"] = ray.get(sized.data_size.remote()) == array.size
        blob = os.urandom(2 * 2**20)
        _, seconds = timed(lambda: ray.get(ray.put(blob)) == blob)
        out["put_get_2MiB_bytes_ms"] = round(seconds * 1000, 1)

        for cpus in (1, 2):
            probe = Job.options(num_cpus=cpus).remote()
            out[f"actor_env_num_cpus_{cpus}"] = ray.get(probe.env.remote("OMP_NUM_THREADS", "PYTHONPATH"))
            ray.kill(probe)
        probe = Job.options(runtime_env={"env_vars": {"PLAYGROUND_PROBE": "42"}}).remote()
        out["runtime_env_env_vars"] = ray.get(probe.env.remote("PLAYGROUND_PROBE"))

        # ray.kill: a pending call fails at once; a call made right after the kill may still run.
        victim = Job.remote()
        ray.get(victim.poll.remote())
        pending = victim.run.remote(3000)
        ray.kill(victim)
        start = time.perf_counter()
        try:
            ray.get(pending, timeout=30)
            out["kill_pending_call"] = "returned"
        except ray.exceptions.RayActorError as error:
            out["kill_pending_call"] = f"{type(error).__name__} after {time.perf_counter() - start:.3f} s"

        # Detached named actors outlive the driver that made them; another driver finds them by name.
        named = Job.options(name="probe-job", lifetime="detached", get_if_exists=True).remote()
        pid = ray.get(named.pid.remote())
        seen = other_driver(head.address, "t = time.perf_counter(); a = ray.get_actor('probe-job')\n"
                                          "print(ray.get(a.pid.remote()), round(time.perf_counter() - t, 3))")  # fmt: skip
        out["named_actor_from_other_driver"] = {
            "same_process": seen.split()[0] == str(pid),
            "lookup_and_call_s": seen.split()[-1],
        }
        ray.kill(named)
        # Objects die with the driver that put them: copy in __init__, do not keep the ref.
        code = """
import numpy as np
@ray.remote(num_cpus=0)
class Holder:
    def __init__(self, data=None, refs=None):
        self.data = None if data is None else data.copy()
        self.refs = refs
    def size(self):
        return int(self.data.size) if self.data is not None else int(ray.get(self.refs[0]).size)
ref = ray.put(np.ones(1_000_000))
a = Holder.options(name='copied', lifetime='detached').remote(ref)
b = Holder.options(name='kept-ref', lifetime='detached').remote(None, [ref])
c = Holder.options(name='not-detached').remote(ref)
print(ray.get([a.size.remote(), b.size.remote(), c.size.remote()]))
"""
        out["owner_driver_saw"] = other_driver(head.address, code)
        time.sleep(2)
        for name in ("copied", "kept-ref", "not-detached"):
            try:
                actor = ray.get_actor(name)
                out[f"after_owner_exit_{name}"] = ray.get(actor.size.remote(), timeout=30)
                ray.kill(actor)
            except Exception as error:  # noqa: BLE001 - the point is which error
                out[f"after_owner_exit_{name}"] = f"{type(error).__name__}: {str(error).splitlines()[0][:90]}"

        if with_tf:

            @ray.remote(num_cpus=1, max_restarts=0)
            class Trainer:
                def __init__(self):
                    start = time.perf_counter()
                    from playground.backend import keras, tf  # noqa: F401 - what a training actor imports

                    self.import_s = round(time.perf_counter() - start, 2)

                def info(self):
                    return {"import_s": self.import_s, "rss_mib": rss_mb()}

            for label in ("tf_actor_first", "tf_actor_second"):
                trainer = Trainer.remote()
                info, seconds = timed(ray.get, trainer.info.remote(), timeout=300)
                out[label] = {"create_to_ready_s": round(seconds, 2), **info}
                ray.kill(trainer)
        out["driver_rss_mib"]["end"] = rss_mb()
        ray.shutdown()

        # ray.init from a thread that is not the main one (a Streamlit script thread).
        result = {}

        def connect():
            try:
                _, seconds = timed(ray.init, address=head.address, namespace="playground", log_to_driver=False)
                result["s"] = round(seconds, 3)
                ray.shutdown()
            except Exception as error:  # noqa: BLE001 - reported
                result["error"] = repr(error)

        thread = threading.Thread(target=connect)
        thread.start()
        thread.join()
        out["ray_init_in_thread"] = result
    finally:
        head.stop()
    for key, value in out.items():
        if isinstance(value, float):
            out[key] = round(value, 3)
    print(json.dumps(out, indent=1, default=str))


if __name__ == "__main__":
    main()
