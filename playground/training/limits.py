"""What one server allows training: its memory and cores, how many workers fit, and the limits jobs run under.

Streamlit Community Cloud and most container hosts cap memory with a cgroup, well below the host's physical memory
that /proc/meminfo reports; sizing the training pool from the core count alone would start workers that the
container's OOM killer then takes down (with the server, when it picks the largest process).
"""

import contextlib
import math
import os
from dataclasses import dataclass
from pathlib import Path

CGROUP_V2_MAX = Path("/sys/fs/cgroup/memory.max")
CGROUP_V2_CURRENT = Path("/sys/fs/cgroup/memory.current")
CGROUP_V1_LIMIT = Path("/sys/fs/cgroup/memory/memory.limit_in_bytes")
MEMINFO = Path("/proc/meminfo")

WORKER_BYTES = 700 * 2**20  # one training worker: TensorFlow (~600 MB) plus a small model and its data
SERVER_BYTES = 900 * 2**20  # the Streamlit server with TensorFlow loaded for the Draw page, and some room
MIN_START_TIMEOUT_S = 1.0
_UNLIMITED_V1 = 2**60  # cgroup v1 reports "no limit" as a huge number near 2**63


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def cgroup_limit_bytes(v2: Path = CGROUP_V2_MAX, v1: Path = CGROUP_V1_LIMIT) -> int | None:
    """The container's memory limit in bytes (cgroup v2, else v1), or None when there is none."""
    text = _read(v2)
    if text is not None and text != "max":
        try:
            return int(text)
        except ValueError:
            pass
    text = _read(v1)
    if text is not None:
        try:
            value = int(text)
            return value if value < _UNLIMITED_V1 else None
        except ValueError:
            pass
    return None


def physical_memory_bytes(meminfo: Path = MEMINFO) -> int | None:
    """The machine's physical memory (MemTotal, else sysconf), or None when unknown."""
    text = _read(meminfo) or ""
    for line in text.splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def memory_limit_bytes() -> int | None:
    """The memory this process tree may use: $PLAYGROUND_MEMORY_MB, else the smaller of cgroup and physical."""
    configured = os.environ.get("PLAYGROUND_MEMORY_MB")
    if configured:
        return int(float(configured) * 2**20)
    limits = [value for value in (cgroup_limit_bytes(), physical_memory_bytes()) if value]
    return min(limits) if limits else None


def workers_for_memory(
    limit_bytes: int | None, worker_bytes: int = WORKER_BYTES, server_bytes: int = SERVER_BYTES
) -> int:
    """How many training workers fit beside the server in limit_bytes (at least 1; unbounded when unknown)."""
    if limit_bytes is None:
        return 2**31
    return max(1, (limit_bytes - server_bytes) // worker_bytes)


def workers_for_cores(cores: int) -> int:
    """Concurrent training jobs for this many cores: all of 2–3, half of 4 or more (TensorFlow uses the rest)."""
    return max(1, min(cores, 2) if cores < 4 else cores // 2)


def cpu_count() -> int:
    """The cores this process may use: affinity, and a container's CPU quota (cgroup v2 cpu.max) when set."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    text = _read(Path("/sys/fs/cgroup/cpu.max"))
    if text:
        try:
            quota, period = text.split()
            if quota != "max":
                cores = min(cores, max(1, math.floor(int(quota) / int(period))))
        except ValueError:
            pass
    return max(1, cores)


def max_training_workers(cores: int | None = None, limit_bytes: int | None = None) -> int:
    """Concurrent training workers: the fewer of what the cores and what the memory limit allow."""
    cores = cpu_count() if cores is None else cores
    limit = memory_limit_bytes() if limit_bytes is None else limit_bytes
    return min(workers_for_cores(cores), workers_for_memory(limit))


def available_memory_mb() -> float:
    """Memory that can still be used: the system's MemAvailable, or less when a container limit is nearer."""
    available = math.inf
    for line in (_read(MEMINFO) or "").splitlines():
        if line.startswith("MemAvailable:"):
            available = int(line.split()[1]) / 1024
    limit, used = _read(CGROUP_V2_MAX), _read(CGROUP_V2_CURRENT)
    if limit not in (None, "max") and used is not None:
        with contextlib.suppress(ValueError):
            available = min(available, (int(limit) - int(used)) / 2**20)
    return available


# ---------------------------------------------------------------- the limits jobs run under


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
    start_timeout_s: float = 120.0  # a worker that has not begun training this long after dispatch is ended
    spare: str = "auto"  # "auto": keep a pre-warmed worker when memory allows; "on"; "off"
    spare_min_free_mb: float = 1500.0
    spare_idle_s: float = 15 * 60  # an unused spare exits after this long

    @classmethod
    def from_env(cls) -> "Limits":
        """Limits from PLAYGROUND_* environment variables, defaulting from the cores and the memory limit."""
        cores = cpu_count()
        running = max(1, int(_env("PLAYGROUND_MAX_JOBS", max_training_workers(cores))))
        return cls(
            max_running=running,
            cores=cores,
            threads_per_worker=int(_env("PLAYGROUND_WORKER_THREADS", 0)),
            max_wall_s=_env("PLAYGROUND_MAX_JOB_MINUTES", 20) * 60,
            max_epochs=int(_env("PLAYGROUND_MAX_EPOCHS", 50)),
            abandon_after_s=_env("PLAYGROUND_ABANDON_MINUTES", 3) * 60,
            # TensorFlow alone can take 16 s to import on a loaded machine: no bound below a second.
            start_timeout_s=max(MIN_START_TIMEOUT_S, _env("PLAYGROUND_JOB_START_TIMEOUT_S", 120)),
            spare=os.environ.get("PLAYGROUND_SPARE_WORKER", "auto"),
            spare_min_free_mb=_env("PLAYGROUND_SPARE_MIN_FREE_MB", 1500),
        )


class JobRejected(ValueError):
    """A job the server will not run (beyond the epoch budget, or the server is shutting down)."""
