"""The cluster for benchmarks/class_load.py --cluster: PostgreSQL, a Ray head and more Ray nodes, N app replicas and
nginx in front of them, all on 127.0.0.1 of this machine (scripts/services.py), and what they cost.

The replicas share the session store (PostgreSQL) and train on the Ray cluster, one line for all of them
($PLAYGROUND_CLUSTER_MAX_JOBS = the Ray cluster's CPUs: a job waits in the shared line, not for an actor's CPU).
On one machine extra Ray nodes add no CPU: the run shows that the topology works and what it costs.
"""

import contextlib
import os
import threading
import time
from pathlib import Path

from scripts import app_server, services

MB = 2**20


def _tree(pid: int) -> list:
    import psutil

    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def _cpu(processes) -> float:
    """CPU seconds of these processes and of the children they have reaped."""
    import psutil

    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            t = process.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
    return total


def _rss(processes) -> int:
    import psutil

    total = 0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            total += process.memory_info().rss
    return total


def _is_job_actor(process) -> bool:
    import psutil

    try:
        return any("JobActor" in part for part in process.cmdline()[:1])
    except psutil.Error:
        return False


class Topology:
    """The services of a cluster run, started in order and stopped in reverse; `url` is nginx's."""

    def __init__(self, folder: Path, replicas: int = 2, ray_nodes: int = 2, cpus_per_node: int = 1,
                 app_dir: Path | None = None):  # fmt: skip
        self.folder, self.logs, self.replicas, self._services = folder, [], [], []
        services.ray_loopback()
        try:
            self.postgres = self._keep(services.start_postgres())
            self.head = self._keep(services.start_ray_head(num_cpus=cpus_per_node))
            self.nodes = [self._keep(services.add_ray_node(self.head, num_cpus=cpus_per_node))
                          for _ in range(ray_nodes - 1)]  # fmt: skip
            cpus = cpus_per_node * ray_nodes
            env = {**os.environ, **services.RAY_LOOPBACK_ENV, "PLAYGROUND_OFFLINE": "1", "PLAYGROUND_LOG_LEVEL": "INFO",
                   "PLAYGROUND_RAY_ADDRESS": self.head.address, "PLAYGROUND_DATABASE_URL": self.postgres.address,
                   "PLAYGROUND_CLUSTER_MAX_JOBS": str(cpus), "KERAS_HOME": str(folder / "keras")}  # fmt: skip
            app = (app_dir or app_server.ROOT) / "app.py"
            for number in range(1, replicas + 1):
                log = folder / f"replica-{number}.log"
                process, url = app_server.start(app, cwd=app.parent, output=log.open("w"), env=env, wait_s=120)
                self.logs.append(log)
                self.replicas.append((process, url))
            self.nginx = self._keep(services.start_nginx([url.removeprefix("http://") for _, url in self.replicas]))
        except BaseException:
            self.stop()
            raise
        self.url = self.nginx.address
        self.cpus = cpus

    def _keep(self, service):
        self._services.append(service)
        return service

    def ray_processes(self) -> list:
        """Every process of the Ray nodes now (GCS, raylets, workers, the job actors)."""
        return [p for service in [self.head, *self.nodes] for root in service.processes for p in _tree(root.pid)]

    def replica_processes(self) -> list:
        """The replicas' server processes."""
        return [p for process, _ in self.replicas for p in _tree(process.pid)[:1]]

    def stop(self) -> None:
        """Stop the replicas, then nginx, Ray and PostgreSQL."""
        for process, _ in self.replicas:
            if process.poll() is None:
                app_server.stop(process)
        for service in reversed(self._services):
            with contextlib.suppress(Exception):
                service.stop()


class ClusterWatch:
    """ServerWatch's figures for a cluster: the replicas are "the server", Ray's nodes and actors its workers."""

    def __init__(self, topology: Topology):
        self.topology = topology
        self.peak_server = self.peak_all = self.peak_actors = 0
        self._ray_cpu: dict[tuple[int, float], float] = {}  # (pid, start time) -> its CPU seconds when last seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            servers, ray = self.topology.replica_processes(), self.topology.ray_processes()
            server_rss = _rss(servers)
            self.peak_server = max(self.peak_server, server_rss)
            self.peak_all = max(self.peak_all, server_rss + _rss(ray))
            self.peak_actors = max(self.peak_actors, sum(_is_job_actor(p) for p in ray))
            self._sample_cpu(ray)

    def _sample_cpu(self, processes) -> None:
        # A job actor's process ends with its job: its CPU is what it had used when last seen (0.5 s before at most).
        import psutil

        for process in processes:
            with contextlib.suppress(psutil.Error):
                t = process.cpu_times()
                self._ray_cpu[(process.pid, process.create_time())] = t.user + t.system

    def cpu_seconds(self) -> float:
        """The replicas' own CPU time so far (user + system)."""
        return _cpu(self.topology.replica_processes())

    def ray_cpu_seconds(self) -> float:
        """CPU time of the Ray nodes so far: GCS, raylets, and every worker and job actor, ended ones included."""
        self._sample_cpu(self.topology.ray_processes())
        return sum(self._ray_cpu.values())

    def live_actors(self) -> int:
        """Job actors alive now."""
        return sum(_is_job_actor(p) for p in self.topology.ray_processes())

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join()


def wait_for_no_actors(watch: ClusterWatch, timeout_s: float = 60.0) -> int:
    """The number of job actors still alive after up to timeout_s (0: every job's actor ended with its job)."""
    deadline = time.monotonic() + timeout_s
    while (left := watch.live_actors()) and time.monotonic() < deadline:
        time.sleep(0.5)
    return left


def describe(topology: Topology) -> str:
    """One line naming the topology."""
    return (f"{len(topology.replicas)} replicas behind nginx, Ray with {1 + len(topology.nodes)} nodes "
            f"({topology.cpus} CPUs for jobs, one shared line), PostgreSQL store")  # fmt: skip
