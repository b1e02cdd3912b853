"""`python -m playground predict`: the Draw page's preprocessing and model, from the command line."""

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from playground import bundle, cli, presets
from playground.data import images as drawing
from playground.data import strokes
from playground.inspection import demo, inspector

ROOT = Path(__file__).resolve().parents[2]


def write_png(path: Path, array: np.ndarray) -> Path:
    Image.fromarray(array).save(path)
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(["predict", *argv])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("digit", [2, 7])
def test_json_output_gives_the_demo_models_prediction_and_probabilities(tmp_path, capsys, digit):
    path = write_png(tmp_path / "digit.png", strokes.drawing(digit, strokes.STYLES[1]))
    status, out, _ = run(capsys, "--image", str(path), "--json")
    assert status == 0
    result = json.loads(out)
    assert set(result) == {"prediction", "probabilities"}
    assert result["prediction"] == digit
    assert len(result["probabilities"]) == 10 and sum(result["probabilities"]) == pytest.approx(1, abs=1e-4)


def test_the_probabilities_are_the_pages_for_the_same_image(tmp_path, capsys):
    drawn = strokes.drawing(5, strokes.STYLES[2])
    path = write_png(tmp_path / "five.png", drawn)
    _, out, _ = run(capsys, "--image", str(path), "--json")
    page = inspector.inspect(demo.model(), drawing.prepare(drawn)).probabilities
    np.testing.assert_allclose(json.loads(out)["probabilities"], page, atol=1e-5)


def test_a_dark_on_light_photo_is_inverted_and_read(tmp_path, capsys):
    drawn = strokes.drawing(4)[..., :3]
    path = tmp_path / "photo.jpg"
    Image.fromarray(255 - drawn).save(path, format="JPEG")
    status, out, _ = run(capsys, "--image", str(path))
    assert status == 0 and out.startswith("Prediction: 4")
    assert len(out.strip().splitlines()) == 11  # the prediction, then one line per class


def test_model_takes_a_bundle_file(tmp_path, capsys):
    from playground.backend import keras
    from playground.model import build_model

    keras.utils.set_random_seed(3)
    model = build_model(presets.preset("logistic"), compile=False)
    trained = bundle.TrainedModel(presets.preset("logistic"), tuple(model.get_weights()))
    model_path = tmp_path / "model.zip"
    model_path.write_bytes(bundle.to_bytes(trained))
    drawn = strokes.drawing(8)
    image_path = write_png(tmp_path / "eight.png", drawn)
    status, out, _ = run(capsys, "--model", str(model_path), "--image", str(image_path), "--json")
    expected = model.predict(drawing.prepare(drawn)[None, ..., None], verbose=0)[0]
    assert status == 0
    np.testing.assert_allclose(json.loads(out)["probabilities"], expected, atol=1e-5)


def _bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (50, 50), "white").save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "model", "message"),
    [
        ("missing.png", None, None, "cannot read the image"),
        ("notes.png", b"these are notes, not pixels", None, "not an image"),
        ("blank.png", _bytes("PNG"), None, "blank"),
        ("digit.png", "digit", b"not a zip", "not a model bundle"),
        ("digit.png", "digit", None, "cannot read the model"),
    ],
)
def test_invalid_input_exits_2_with_a_clear_message_and_no_traceback(tmp_path, capsys, name, content, model, message):
    image = tmp_path / name
    if content == "digit":
        write_png(image, strokes.drawing(1))
    elif content is not None:
        image.write_bytes(content)
    argv = ["--image", str(image)]
    if model is not None or message == "cannot read the model":
        model_path = tmp_path / "model.zip"
        if model is not None:
            model_path.write_bytes(model)
        argv += ["--model", str(model_path)]
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert err.startswith("error:") and message in err and "Traceback" not in err


def test_the_real_command_line_prints_json(tmp_path):
    path = write_png(tmp_path / "three.png", strokes.drawing(3, strokes.STYLES[3]))
    result = subprocess.run(
        [sys.executable, "-m", "playground", "predict", "--image", str(path), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["prediction"] == 3
    assert result.stderr == ""
