"""Helpers for tests: a really trained small model, and malformed bundles made from a valid one."""

import io
import json
import pathlib
import pickle
import zipfile

import numpy as np

from playground import bundle, data
from playground.spec import LayerSpec, ModelSpec, OptimizerSpec
from playground.training.runs import History

# A small CNN with BatchNormalization (non-trainable weights) and Dropout, trained with Adam.
SPEC = ModelSpec(
    (28, 28, 1),
    10,
    (
        LayerSpec("Conv2D", {"filters": 4, "kernel_size": (3, 3), "activation": "relu"}),
        LayerSpec("BatchNormalization"),
        LayerSpec("MaxPooling2D", {"pool_size": (2, 2)}),
        LayerSpec("Flatten"),
        LayerSpec("Dropout", {"rate": 0.2}),
        LayerSpec("Dense", {"units": 10, "activation": "softmax"}),
    ),
    optimizer=OptimizerSpec("Adam", {"learning_rate": 0.003}),
)


def trained_model(spec: ModelSpec = SPEC, samples: int = 256, epochs: int = 2) -> bundle.TrainedModel:
    """The spec trained for real (a few hundred MNIST-sample digits) with its optimizer state and history."""
    from playground.backend import keras
    from playground.model import build_model
    from playground.training.fit import optimizer_state

    keras.utils.set_random_seed(0)
    dataset = data.load("mnist-sample")
    model = build_model(spec)
    x = data.images_as_input(dataset.x_train[:samples])
    y = data.encode_labels(dataset.y_train[:samples], spec.loss, 10)
    history = model.fit(x, y, epochs=epochs, batch_size=32, validation_split=0.25, verbose=0).history
    metadata = {"run_id": 1, "epochs": epochs, "test_accuracy": 0.5, "settings": {"epochs": epochs, "batch_size": 32}}
    return bundle.TrainedModel(
        spec,
        tuple(np.asarray(w) for w in model.get_weights()),
        optimizer_state(model),
        History.from_dict({key: [float(v) for v in values] for key, values in history.items()}),
        "mnist-sample",
        metadata,
    )


def members(raw: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def npz(*arrays, **named) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, *arrays, **named)
    return buffer.getvalue()


class Touch:
    """Unpickling this creates a marker file: proof that a loader unpickled what it was given."""

    def __init__(self, marker: pathlib.Path):
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (self.marker,))


def object_npz(marker: pathlib.Path) -> bytes:
    array = np.empty(1, dtype=object)
    array[0] = Touch(marker)
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return rezip({"arr_0.npy": buffer.getvalue()}, zipfile.ZIP_STORED)


def keras_file(trained: bundle.TrainedModel) -> bytes:
    return bundle.to_keras_file(trained)


def malformed(trained: bundle.TrainedModel, marker: pathlib.Path) -> dict[str, tuple[bytes, str]]:
    """{case: (bundle bytes, the BundleError key expected)}: over twenty ways a bundle can be wrong."""
    valid = bundle.to_bytes(trained)
    files = members(valid)
    weights = list(trained.weights)
    spec = json.loads(files["spec.json"])
    wider = {**spec, "layers": [*spec["layers"][:-1], {**spec["layers"][-1], "units": 12}], "num_classes": 12}
    unknown = {**spec, "layers": [{"kind": "Lambda", "function": "os.system('rm -rf /')"}, *spec["layers"]]}
    big = {"kind": "Dense", "units": 4096}
    huge = {**spec, "layers": [*spec["layers"][:-1], big, big, spec["layers"][-1]]}  # 20 million parameters
    sgd = {**spec, "optimizer": {"kind": "SGD", "learning_rate": 0.01}}

    def with_(**changes) -> bytes:
        return rezip({**files, **changes})

    def without(name: str) -> bytes:
        return rezip({key: value for key, value in files.items() if key != name})

    return {
        "empty file": (b"", "not_zip"),
        "not a zip": (b"GIF89a" + bytes(100), "not_zip"),
        "truncated": (valid[: len(valid) // 2], "not_zip"),
        "larger than the cap": (valid + bytes(bundle.MAX_BUNDLE_BYTES), "too_large"),
        "a .keras file": (keras_file(trained), "missing"),
        "no weights": (without("weights.npz"), "missing"),
        "no spec": (without("spec.json"), "missing"),
        "spec not JSON": (with_(**{"spec.json": b"{'python': True}"}), "bad_json"),
        "unknown layer kind": (with_(**{"spec.json": json.dumps(unknown).encode()}), "invalid_spec"),
        "too many parameters": (with_(**{"spec.json": json.dumps(huge).encode()}), "invalid_spec"),
        "spec of another shape": (with_(**{"spec.json": json.dumps(wider).encode()}), "weight_shape"),
        "a weight array missing": (with_(**{"weights.npz": npz(*weights[:-1])}), "weight_count"),
        "a transposed kernel": (
            with_(**{"weights.npz": npz(*weights[:-2], weights[-2].T, weights[-1])}),
            "weight_shape",
        ),
        "integer weights": (with_(**{"weights.npz": npz(*weights[:-1], weights[-1].astype(np.int32))}), "not_floats"),
        "NaN weights": (with_(**{"weights.npz": npz(*weights[:-1], np.full_like(weights[-1], np.nan))}), "not_finite"),
        "pickled object array": (with_(**{"weights.npz": object_npz(marker)}), "pickled"),
        "pickle instead of npz": (with_(**{"weights.npz": pickle.dumps(Touch(marker))}), "bad_npz"),
        "pickled optimizer state": (with_(**{"optimizer.npz": object_npz(marker)}), "pickled"),
        "named instead of numbered arrays": (with_(**{"weights.npz": npz(kernel=weights[0])}), "not_arrays"),
        "optimizer state of another optimizer": (with_(**{"spec.json": json.dumps(sgd).encode()}), "optimizer"),
        "zip bomb": (with_(**{"padding.bin": bytes(bundle.MAX_UNPACKED_BYTES + 1)}), "zip_bomb"),
        "npz bomb": (
            with_(**{"optimizer.npz": rezip({"arr_0.npy": bytes(bundle.MAX_UNPACKED_BYTES + 1)})}),
            "zip_bomb",
        ),
        "too many files": (with_(**{f"extra/{i}.txt": b"x" for i in range(40)}), "too_many_members"),
        "huge spec.json": (with_(**{"spec.json": b" " * (2 * 2**20) + files["spec.json"]}), "member_too_large"),
        "history not an object": (with_(**{"history.json": b"[1, 2, 3]"}), "history_not_object"),
        "history of strings": (with_(**{"history.json": b'{"loss": ["rm -rf /"]}'}), "bad_history"),
        "metadata not an object": (with_(**{"metadata.json": b'"hello"'}), "metadata_not_object"),
    }
