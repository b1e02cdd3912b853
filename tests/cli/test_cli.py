"""The headless CLI: presets, spec, summary, code, and clean errors for broken specs."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.layers.test_spec import BROKEN

ROOT = Path(__file__).resolve().parents[2]


def cli(*args, check=True):
    return subprocess.run(
        [sys.executable, "-m", "playground", *args], cwd=ROOT, capture_output=True, text=True, check=check
    )


def test_summary_json_of_the_seed_cnn_reports_93322_parameters():
    summary = json.loads(cli("summary", "--preset", "seed-cnn", "--json").stdout)
    assert summary["total_params"] == 93_322 == summary["trainable_params"]
    assert summary["layers"][0] == {"kind": "Conv2D", "output_shape": [26, 26, 32], "params": 320}
    assert summary["layers"][-1] == {"kind": "Dense", "output_shape": [10], "params": 650}


def test_presets_lists_every_preset():
    out = cli("presets").stdout
    for name in ("seed-cnn", "mlp", "logistic", "lenet-5", "small-cnn", "deep-sigmoid"):
        assert name in out


def test_spec_prints_json_that_summary_reads_back(tmp_path):
    path = tmp_path / "lenet.json"
    path.write_text(cli("spec", "--preset", "lenet-5").stdout)
    assert json.loads(cli("summary", "--spec", str(path), "--json").stdout)["total_params"] == 61_706


def test_generated_code_run_on_its_own_builds_the_same_model(tmp_path):
    script = tmp_path / "model.py"
    script.write_text(cli("code", "--preset", "seed-cnn").stdout)
    probe = (
        f"import runpy, json; m = runpy.run_path({str(script)!r})['model']; "
        "print(json.dumps([m.count_params(), [l.__class__.__name__ for l in m.layers]]))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    count, kinds = json.loads(result.stdout.strip().splitlines()[-1])
    assert count == 93_322
    assert kinds == ["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Conv2D", "Flatten", "Dense", "Dense"]


@pytest.mark.parametrize("name", list(BROKEN)[:10])
def test_broken_specs_exit_2_with_the_uis_message_and_no_traceback(tmp_path, name):
    broken, expected = BROKEN[name]
    path = tmp_path / "broken.json"
    path.write_text(broken.to_json())
    result = cli("summary", "--spec", str(path), check=False)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("text", ["{not json", "[]", '{"input_shape": [28, 28, 1]}'])
def test_malformed_files_exit_2(tmp_path, text):
    path = tmp_path / "bad.json"
    path.write_text(text)
    result = cli("code", "--spec", str(path), check=False)
    assert result.returncode == 2 and result.stderr.startswith("error: spec:")
    assert "Traceback" not in result.stderr


def test_a_missing_file_exits_2(tmp_path):
    result = cli("summary", "--spec", str(tmp_path / "nope.json"), check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
