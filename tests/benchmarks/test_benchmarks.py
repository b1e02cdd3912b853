"""Every benchmark runs in quick mode, so none of them rots (their numbers are printed, never asserted)."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cluster_services import require_service

ROOT = Path(__file__).resolve().parents[2]
# Scripts, not the modules they share (benchmarks/cluster_topology.py): a script runs as __main__.
BENCHMARKS = sorted(path for path in (ROOT / "benchmarks").glob("*.py") if "__main__" in path.read_text())


def run_quick(script: Path, *extra: str) -> str:
    result = subprocess.run(
        [sys.executable, str(script), "--quick", *extra], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-3000:]
    assert "ratio" in result.stdout.lower() or "rss" in result.stdout.lower(), result.stdout
    return result.stdout


@pytest.mark.e2e
@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda path: path.stem)
def test_benchmark_runs_in_quick_mode(script):
    print(run_quick(script))


@pytest.mark.e2e
@pytest.mark.cluster
def test_the_class_harness_runs_across_a_cluster_in_quick_mode():
    for service in ("postgres", "ray", "nginx"):
        require_service(service)
    output = run_quick(ROOT / "benchmarks" / "class_load.py", "--cluster")
    assert "2 replicas behind nginx" in output and "left alive after the class: 0" in output
    print(output)
