"""`python -m playground train`: JSON output, the bundle it writes, invalid specs, and accuracy against plain Keras."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "playground", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_train_prints_the_documented_json_and_writes_a_bundle_that_predicts_the_same(tmp_path):
    out = tmp_path / "model.zip"
    done = cli("train", "--preset", "mlp", "--epochs", "2", "--seed", "0", "--json", "--out", str(out))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == {"test_accuracy", "test_loss", "epochs", "history", "samples_per_second", "precision"}
    assert result["epochs"] == 2 and result["samples_per_second"] > 0 and result["precision"] == "float32"
    assert {key: len(values) for key, values in result["history"].items()} == {
        "loss": 2,
        "accuracy": 2,
        "val_loss": 2,
        "val_accuracy": 2,
    }
    assert result["history"]["loss"][1] < result["history"]["loss"][0]
    assert 0.7 < result["test_accuracy"] <= 1
    assert "epoch 2/2" in done.stderr  # the progress goes to stderr, the JSON alone to stdout

    from playground import bundle, data
    from playground.model import build_model

    trained = bundle.from_bytes(out.read_bytes())  # arrays and JSON only: nothing is unpickled
    assert trained.metadata["test_accuracy"] == pytest.approx(result["test_accuracy"])
    assert trained.history.per_epoch() == result["history"]
    # Adam: step count, learning rate, and two moments for each of the four weight arrays; 2 × 113 steps taken.
    assert len(trained.optimizer_state) == 10 and 226.0 in [float(a) for a in trained.optimizer_state if a.size == 1]
    model = build_model(trained.spec)
    model.set_weights(list(trained.weights))
    mnist = data.load("mnist-sample")
    scores = model.evaluate(
        data.images_as_input(mnist.x_test),
        data.encode_labels(mnist.y_test, trained.spec.loss, 10),
        verbose=0,
        return_dict=True,
    )
    assert scores["accuracy"] == pytest.approx(result["test_accuracy"], abs=1e-6)


def test_an_invalid_spec_exits_2_with_the_message_and_no_traceback(tmp_path):
    from playground import presets

    spec = presets.preset("seed-cnn").to_dict()
    spec["layers"].insert(6, {"kind": "Conv2D", "filters": 8})  # a convolution after Flatten
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    done = cli("train", "--spec", str(path), "--epochs", "1")
    assert done.returncode == 2
    assert "Layer 7 (Conv2D)" in done.stderr and "Traceback" not in done.stderr
    assert cli("train", "--preset", "logistic", "--epochs", "0").returncode == 2


@pytest.mark.slow
def test_seed_cnn_for_8_epochs_reaches_plain_keras_accuracy():
    done = cli(
        "train",
        "--preset",
        "seed-cnn",
        "--dataset",
        "mnist-sample",
        "--epochs",
        "8",
        "--seed",
        "0",
        "--json",
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    playground_accuracy = json.loads(done.stdout)["test_accuracy"]

    from playground import data
    from playground.backend import keras
    from playground.training import fit as fitting

    # The reference: the seed article's network and fit call, on the same training rows (same split and seed).
    mnist = data.load("mnist-sample")
    rows, _ = fitting.split_indices(len(mnist.x_train), 0.1, seed=0)
    x_train, y_train = data.images_as_input(mnist.x_train[rows]), keras.utils.to_categorical(mnist.y_train[rows])
    keras.utils.set_random_seed(0)
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(64, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(64, (3, 3), activation="relu"),
            layers.Flatten(),
            layers.Dense(64, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=8, batch_size=32, verbose=0)
    _, keras_accuracy = model.evaluate(
        data.images_as_input(mnist.x_test), keras.utils.to_categorical(mnist.y_test), verbose=0
    )
    print(f"test accuracy: playground {playground_accuracy:.4f}, plain Keras {keras_accuracy:.4f}")
    assert keras_accuracy > 0.93  # the reference itself trained as the seed article's network does
    assert playground_accuracy >= keras_accuracy - 0.015
    assert np.isfinite(playground_accuracy)
