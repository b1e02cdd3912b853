"""Every benchmark runs in quick mode, so none of them rots (their numbers are printed, never asserted)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = sorted((ROOT / "benchmarks").glob("*.py"))


@pytest.mark.e2e
@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda path: path.stem)
def test_benchmark_runs_in_quick_mode(script):
    result = subprocess.run(
        [sys.executable, str(script), "--quick"], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "ratio" in result.stdout.lower() or "rss" in result.stdout.lower(), result.stdout
    print(result.stdout)
