"""`python -m playground train --images my.zip`: an own image set, read, checked and kept as the My models page
does (data.own), the model fitted to it, then trained; a bad zip gives one line and exit 2."""

import dataclasses
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from playground import bundle, cli, presets
from playground.data import kept as kept_sets
from playground.data import own as own_data
from playground.data.dataset import size_for
from playground.spec import LayerSpec

ROOT = Path(__file__).resolve().parents[2]


def shapes_zip(per_class: int = 6, side: int = 40) -> bytes:
    """A zip of light circles and squares on white (a folder per class), as a learner makes one."""
    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for kind in ("circle", "square"):
            for index in range(per_class):
                image = Image.new("L", (side, side), 240)
                half = side * rng.uniform(0.25, 0.4)
                box = (side / 2 - half, side / 2 - half, side / 2 + half, side / 2 + half)
                (ImageDraw.Draw(image).ellipse if kind == "circle" else ImageDraw.Draw(image).rectangle)(
                    box, outline=10, width=4
                )
                png = io.BytesIO()
                image.save(png, "PNG")
                archive.writestr(f"shapes/{kind}/{index}.png", png.getvalue())
    return buffer.getvalue()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("PLAYGROUND_DATA_DIR", str(folder))
    # The command line keeps its set in the process: give the app's keeper (the session store) back afterwards.
    monkeypatch.setattr(kept_sets, "_keeper", kept_sets._keeper)
    return folder


def test_train_on_an_image_set_reads_it_as_the_page_does_and_fits_the_model(tmp_path, data_dir):
    raw = shapes_zip()
    (tmp_path / "shapes.zip").write_bytes(raw)
    done = subprocess.run(
        [sys.executable, "-m", "playground", "train", "--preset", "logistic", "--images", "shapes.zip",
         "--epochs", "1", "--seed", "0", "--json", "--out", "run.zip"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PLAYGROUND_DATA_DIR": str(data_dir)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["epochs"] == 1 and 0 <= result["test_accuracy"] <= 1
    assert "note: The images (40×40) were resized to 28×28." in done.stderr  # the page's warning, word for word
    assert "note: The model now takes 28×28×1 images and ends in 2 classes." in done.stderr
    # The same set the page makes of the same zip (same name); the command line keeps nothing on disk.
    page = own_data.from_zip(raw, "shapes.zip", 28)
    assert not (data_dir / "datasets").exists() and not (data_dir / "sessions.sqlite3").exists()
    trained = bundle.from_bytes((tmp_path / "run.zip").read_bytes())
    assert trained.dataset == page.dataset.name and trained.metadata["settings"]["dataset"] == page.dataset.name
    assert trained.spec == own_data.adapt_spec(presets.preset("logistic"), (28, 28, 1), 2)
    assert trained.metadata["test_accuracy"] == pytest.approx(result["test_accuracy"])


def run(capsys, *argv: str) -> tuple[int, str]:
    status = cli.main(["train", *argv])
    return status, capsys.readouterr().err


def test_the_image_size_follows_the_model_or_the_option(tmp_path, data_dir):
    (tmp_path / "shapes.zip").write_bytes(shapes_zip(per_class=3))
    args = cli.build_parser().parse_args(["train", "--preset", "lenet-5", "--images", str(tmp_path / "shapes.zip")])
    name, spec = cli._image_set(args, presets.preset("lenet-5"))
    assert kept_sets.load_saved(name).input_shape == (28, 28, 1) and spec.num_classes == 2
    page = own_data.from_zip((tmp_path / "shapes.zip").read_bytes(), "shapes.zip", 28)
    np.testing.assert_array_equal(kept_sets.load_saved(name).x_train, page.dataset.x_train)  # the page's arrays
    args.image_size = 16
    name, spec = cli._image_set(args, presets.preset("mlp"))
    assert kept_sets.load_saved(name).input_shape == (16, 16, 1) and spec.input_shape == (16, 16, 1)
    wide = own_data.adapt_spec(presets.preset("mlp"), (32, 32, 1), 10)
    args.image_size = None
    name, spec = cli._image_set(args, wide)
    assert kept_sets.load_saved(name).input_shape == (32, 32, 1) and spec.input_shape == (32, 32, 1)
    # As the My models page's default: the model's side for grey squares of an offered size, else 28.
    assert [size_for(shape) for shape in [(32, 32, 3), (30, 30, 1), (784,), (64, 64, 1)]] == [28, 28, 28, 64]


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def test_a_bad_zip_gives_the_pages_message_in_one_line_and_keeps_nothing(tmp_path, capsys, data_dir):
    one_class, source = io.BytesIO(), zipfile.ZipFile(io.BytesIO(shapes_zip(per_class=2)))
    with zipfile.ZipFile(one_class, "w") as archive:
        for info in source.infolist():
            if "/circle/" in info.filename:
                archive.writestr(info.filename, source.read(info))
    (tmp_path / "one.zip").write_bytes(one_class.getvalue())
    status, err = run(capsys, "--preset", "logistic", "--images", str(tmp_path / "one.zip"))
    assert status == 2
    expected = own_data.OwnDataError("one_class", name="circle").issue.message("en")
    assert one_line(err) == "error: " + expected
    assert not data_dir.exists()


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--images", "nowhere.zip"], "cannot read the image set"),
        (["--image-size", "16"], "--image-size goes with --images"),
    ],
)
def test_a_missing_zip_or_a_stray_size_gives_one_line(tmp_path, capsys, data_dir, argv, fragment):
    status, err = run(capsys, "--preset", "logistic", *[str(tmp_path / a) if a.endswith(".zip") else a for a in argv])
    assert status == 2 and fragment in one_line(err)


def test_a_model_that_cannot_end_in_the_sets_classes_is_refused(tmp_path, capsys, data_dir):
    (tmp_path / "shapes.zip").write_bytes(shapes_zip(per_class=2))
    logistic = presets.preset("logistic")
    ends_in_dropout = dataclasses.replace(logistic, layers=(*logistic.layers, LayerSpec("Dropout", {"rate": 0.1})))
    (tmp_path / "spec.json").write_text(ends_in_dropout.to_json())
    status, err = run(capsys, "--spec", str(tmp_path / "spec.json"), "--images", str(tmp_path / "shapes.zip"))
    assert status == 2 and "cannot take these images (28×28×1, 2 classes)" in one_line(err)
    assert not (data_dir / "datasets").exists()
