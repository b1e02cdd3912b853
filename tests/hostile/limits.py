"""Run a decoder on inputs in a child process under RLIMIT_AS: its memory may rise by at most LIMIT_MB per input.

RLIMIT_AS counts virtual memory, so the limit is set per input as the child's own virtual size just before the
call (Python, NumPy, Pillow and the decoder's module imported; the input's bytes already in memory, as an upload
is in the server's) plus the allowance. A decoder that tries to allocate past it gets MemoryError, which the
child reports as such: it is never taken for a clear refusal. The child also reports the rise of its resident
memory (VmHWM, reset per input through /proc/self/clear_refs) and its CPU time per input. (Not ru_maxrss: a child
inherits the parent's resident size at fork and exec in it.)
"""

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT_MB = 150  # the bound: the server's memory may rise by at most 150 MB for any single upload

_CHILD = r"""
import gc, importlib, json, resource, sys, time, traceback
sys.path.insert(0, sys.argv[2])
import numpy, PIL.Image  # noqa: the baseline always includes them

def status(key):
    with open("/proc/self/status") as lines:
        for line in lines:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0

def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False

def summary(result):
    shape = getattr(result, "shape", None)
    if shape is not None:
        return f"array {tuple(shape)} {result.dtype}"
    for attribute in ("dataset", "spec"):
        if hasattr(result, attribute):
            return type(result).__name__
    return type(result).__name__

job = json.loads(sys.argv[1])
module, _, name = job["func"].partition(":")
func = getattr(importlib.import_module(module), name)
soft, hard = resource.getrlimit(resource.RLIMIT_AS)
for case in job["cases"]:
    with open(case["path"], "rb") as file:
        data = file.read()
    gc.collect()
    baseline = status("VmSize")
    limit = baseline + job["limit_mb"] * 2**20
    out = {"name": case["name"], "baseline_mb": baseline / 2**20}
    peak_known = reset_peak()
    rss_before = status("VmRSS")
    started = time.process_time()
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    try:
        result = func(data, **case["kwargs"])
        out.update(status="ok", summary=summary(result))
        del result
    except MemoryError:
        out.update(status="memory", type="MemoryError", message="")
    except ValueError as error:
        key = getattr(error, "key", None) or getattr(getattr(error, "issue", None), "key", None)
        out.update(status="error", type=type(error).__name__, message=str(error), key=key)
    except BaseException as error:
        out.update(status="crash", type=type(error).__name__, message=traceback.format_exc()[-3000:])
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    out["cpu_s"] = time.process_time() - started
    peak = status("VmHWM")
    out["peak_rss_mb"] = peak / 2**20 if peak_known else None
    out["rss_rise_mb"] = (peak - rss_before) / 2**20 if peak_known else None
    del data
    print(json.dumps(out), flush=True)
"""


@dataclass(frozen=True)
class Outcome:
    """What one input did under the limit: status is ok, error (a ValueError: message), memory or crash."""

    name: str
    status: str
    message: str = ""
    type: str = ""
    key: str | None = None
    summary: str = ""
    cpu_s: float = 0.0
    rss_rise_mb: float | None = None
    peak_rss_mb: float | None = None
    baseline_mb: float = 0.0

    @property
    def clear(self) -> bool:
        """A refusal in one short line, without a traceback."""
        return (
            self.status == "error"
            and 0 < len(self.message) <= 400
            and "\n" not in self.message
            and "Traceback" not in self.message
            and 'File "' not in self.message
        )


def run_limited(func_path: str, cases: dict[str, tuple[bytes, dict]], limit_mb: int = LIMIT_MB,
                cwd: Path | None = None, timeout: float = 300) -> dict[str, Outcome]:  # fmt: skip
    """Call module:function(data, **kwargs) for each named input in one child process, each under RLIMIT_AS of
    the child's virtual size before the call + limit_mb; {name: Outcome}. The child runs in `cwd` (a fresh
    temporary folder by default) with the parent's environment."""
    with tempfile.TemporaryDirectory(prefix="hostile-inputs-") as folder:
        listed = []
        for index, (name, (data, kwargs)) in enumerate(cases.items()):
            path = Path(folder) / f"{index}.bin"
            path.write_bytes(data)
            listed.append({"name": name, "path": str(path), "kwargs": kwargs})
        job = json.dumps({"func": func_path, "cases": listed, "limit_mb": limit_mb})
        result = subprocess.run(
            [sys.executable, "-c", _CHILD, job, str(ROOT)],
            cwd=cwd or folder,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
        )
    outcomes = {}
    for line in result.stdout.splitlines():
        if line.startswith("{"):
            fields = json.loads(line)
            outcomes[fields["name"]] = Outcome(**fields)
    for name in cases:  # the child died (a segfault, the kernel's OOM killer): say so for every input left
        outcomes.setdefault(name, Outcome(name, "crash", f"child exited {result.returncode}: {result.stderr[-2000:]}"))
    return outcomes


def run_one(func_path: str, data: bytes, limit_mb: int = LIMIT_MB, **kwargs) -> Outcome:
    """run_limited for a single input."""
    return run_limited(func_path, {"input": (data, kwargs)}, limit_mb)["input"]
