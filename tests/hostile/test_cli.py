"""The command line is a front door too: any bad spec, bundle, image or image set exits 2 with one line of error,
never a traceback, nothing executed, nothing written, and within the memory a valid input of the same command takes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from . import cases
from .limits import LIMIT_MB

ROOT = Path(__file__).resolve().parents[2]
# Runs the CLI in this child and reports its exit status and peak resident memory (VmHWM) on the last line.
CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from playground import cli
try:
    code = cli.main(sys.argv[2:])
except SystemExit as exit:
    code = exit.code
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"code": code, "peak_mb": peak / 1024}))
"""


def run(args: list[str], folder: Path, **env: str) -> tuple[int, str, float]:
    """(exit status, stderr, peak RSS in MB) of `python -m playground ARGS`, run in `folder` (with `env` added to
    the environment)."""
    result = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), *args], cwd=folder, capture_output=True,
                            text=True, timeout=300, env={**os.environ, **env})  # fmt: skip
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return report["code"], result.stderr.strip(), report["peak_mb"]


SPEC_CASES = {name: case for name, case in cases.specs().items() if case.expect != "ok"}
IMAGE_SET_CASES = {name: case for name, case in cases.image_sets().items() if case.expect != "ok"}


def _one_clear_line(stderr: str) -> bool:
    lines = [line for line in stderr.splitlines() if line and "Warning" not in line]
    return len(lines) == 1 and lines[0].startswith("error: ") and len(lines[0]) <= 420 and "Traceback" not in stderr


@pytest.fixture(scope="module")
def valid_summary(tmp_path_factory):
    folder = tmp_path_factory.mktemp("valid")
    (folder / "spec.json").write_bytes(cases.specs()["valid: the seed article's CNN"].data)
    code, _, peak = run(["summary", "--spec", "spec.json"], folder)
    assert code == 0
    return peak


@pytest.mark.parametrize("name", SPEC_CASES)
def test_a_bad_spec_file_gives_one_line_and_exit_2(name, tmp_path, valid_summary):
    (tmp_path / "spec.json").write_bytes(SPEC_CASES[name].data)
    for command in ("summary", "code"):
        code, stderr, peak = run([command, "--spec", "spec.json"], tmp_path)
        assert code == 2, stderr
        assert _one_clear_line(stderr), stderr
        assert peak < valid_summary + LIMIT_MB
    assert sorted(path.name for path in tmp_path.iterdir()) == ["spec.json"]


@pytest.fixture(scope="module")
def hostile_bundles(tmp_path_factory):
    marker = tmp_path_factory.mktemp("marker") / "executed"
    return cases.bundles(marker), marker


PREDICT_BUNDLES = [
    "weights.npz headers understate it (inflates to 256 MB)",
    "optimizer.npz declares 10¹² values",
    "a pickle instead of weights.npz",
    "spec.json nested 100,000 deep",
    "not a zip",
]


def test_the_command_line_meets_at_least_eight_hostile_inputs_beyond_the_issues():
    bundles = cases.bundles(marker=None)
    hostile = [*SPEC_CASES.values(), *IMAGE_SET_CASES.values(), *(bundles[name] for name in PREDICT_BUNDLES)]
    assert sum(not case.why for case in hostile) >= 8
    assert sum(case.why for case in hostile) >= 6  # deep JSON, not UTF-8, 5,000 digits, input shape, 10 MB, bundle


@pytest.mark.slow
@pytest.mark.parametrize("name", PREDICT_BUNDLES)
def test_a_bad_bundle_or_image_for_predict_gives_one_line_and_exit_2(name, hostile_bundles, tmp_path):
    table, marker = hostile_bundles
    (tmp_path / "model.zip").write_bytes(table[name].data)
    (tmp_path / "digit.png").write_bytes(cases.giant_png())
    code, stderr, peak = run(["predict", "--model", "model.zip", "--image", "digit.png"], tmp_path)
    assert code == 2 and _one_clear_line(stderr), stderr
    assert not marker.exists()
    assert peak < 300  # refused before TensorFlow (~600 MB) is ever imported
    assert sorted(path.name for path in tmp_path.iterdir()) == ["digit.png", "model.zip"]


def test_a_giant_image_for_predict_is_refused_before_tensorflow_loads(tmp_path):
    (tmp_path / "digit.png").write_bytes(cases.giant_png())
    code, stderr, peak = run(["predict", "--image", "digit.png"], tmp_path)
    assert code == 2 and _one_clear_line(stderr) and "pixels" in stderr, stderr
    assert peak < 300


def test_a_missing_or_unreadable_file_gives_one_line(tmp_path):
    code, stderr, _ = run(["summary", "--spec", "nowhere.json"], tmp_path)
    assert code == 2 and _one_clear_line(stderr), stderr
    (tmp_path / "folder.json").mkdir()
    code, stderr, _ = run(["code", "--spec", "folder.json"], tmp_path)
    assert code == 2 and _one_clear_line(stderr), stderr


@pytest.mark.parametrize("name", IMAGE_SET_CASES)
def test_a_bad_image_set_for_train_gives_the_pages_line_and_exit_2(name, tmp_path):
    # `train --images` reads the zip with the My models page's reader, before TensorFlow (~600 MB) loads.
    case, data = IMAGE_SET_CASES[name], tmp_path / "data"
    (tmp_path / "set.zip").write_bytes(case.data)
    code, stderr, peak = run(["train", "--preset", "logistic", "--images", "set.zip", "--epochs", "1"], tmp_path,
                             PLAYGROUND_DATA_DIR=str(data))  # fmt: skip
    assert code == 2 and _one_clear_line(stderr), stderr
    assert case.contains in stderr, stderr
    assert peak < 300
    assert sorted(path.name for path in tmp_path.iterdir()) == ["set.zip"]  # nothing kept, not even the data folder
