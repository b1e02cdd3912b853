"""A trained model as plain data, and its safe zip bundle: spec.json + weights .npz + history + metadata."""

import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from playground import spec as specs
from playground.spec import ModelSpec

MAX_BUNDLE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
FORMAT = "deep-learning-playground-bundle/1"


@dataclass(frozen=True, eq=False)
class TrainedModel:
    """A spec with trained weights (Keras get_weights() order), optimizer state and history."""

    spec: ModelSpec
    weights: tuple[np.ndarray, ...]
    optimizer_state: tuple[np.ndarray, ...] = ()
    history: Mapping[str, list] = field(default_factory=dict)
    dataset: str = "mnist-sample"
    metadata: Mapping[str, object] = field(default_factory=dict)


class BundleError(ValueError):
    """A bundle that cannot be loaded safely; the message says why."""


def expected_weight_shapes(spec: ModelSpec) -> list[tuple[int, ...]]:
    """The shapes of model.get_weights() for this spec, inferred without Keras."""
    report = specs.check(spec)
    shapes, previous = [], tuple(spec.input_shape)
    for layer, inferred in zip(spec.layers, report.shapes, strict=True):
        if layer.kind == "Dense":
            units = inferred.output_shape[0]
            shapes += [(previous[-1], units), (units,)]
        elif layer.kind == "Conv2D":
            kernel = specs._pair(specs.layer_arg(layer, "kernel_size"))
            filters = inferred.output_shape[-1]
            shapes += [(*kernel, previous[-1], filters), (filters,)]
        elif layer.kind == "BatchNormalization":
            shapes += [(previous[-1],)] * 4
        previous = inferred.output_shape
    return shapes


def _npz_bytes(arrays: tuple[np.ndarray, ...]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, *arrays)
    return buffer.getvalue()


def to_bytes(trained: TrainedModel) -> bytes:
    """The trained model as a zip bundle."""
    metadata = {"format": FORMAT, "dataset": trained.dataset, **trained.metadata}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("spec.json", trained.spec.to_json())
        archive.writestr("weights.npz", _npz_bytes(trained.weights))
        archive.writestr("optimizer.npz", _npz_bytes(trained.optimizer_state))
        archive.writestr("history.json", json.dumps(dict(trained.history)))
        archive.writestr("metadata.json", json.dumps(metadata, default=str))
    return buffer.getvalue()


def _read_arrays(archive: zipfile.ZipFile, name: str) -> tuple[np.ndarray, ...]:
    try:
        with np.load(io.BytesIO(archive.read(name)), allow_pickle=False) as file:
            return tuple(file[f"arr_{i}"] for i in range(len(file.files)))
    except (ValueError, OSError, KeyError, zipfile.BadZipFile, EOFError) as error:
        raise BundleError(f"{name} is not a valid array file ({error}).") from None


def _read_json(archive: zipfile.ZipFile, name: str) -> object:
    try:
        return json.loads(archive.read(name))
    except (ValueError, UnicodeDecodeError) as error:
        raise BundleError(f"{name} is not valid JSON ({error}).") from None


def _open(data: bytes) -> zipfile.ZipFile:
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError(f"the file is larger than {MAX_BUNDLE_BYTES // 2**20} MB.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise BundleError("the file is not a model bundle (not a zip archive).") from None
    names = set(archive.namelist())
    missing = {"spec.json", "weights.npz"} - names
    if missing:
        raise BundleError(f"the bundle lacks {', '.join(sorted(missing))}.")
    if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
        raise BundleError("the bundle unpacks to more than the allowed size (a zip bomb?).")
    return archive


def _check_weights(spec: ModelSpec, weights: tuple[np.ndarray, ...]) -> None:
    expected = expected_weight_shapes(spec)
    if len(weights) != len(expected):
        raise BundleError(f"the bundle has {len(weights)} weight arrays but the model needs {len(expected)}.")
    for index, (array, shape) in enumerate(zip(weights, expected, strict=True)):
        if tuple(array.shape) != shape or array.dtype.kind != "f":
            raise BundleError(f"weight array {index} has shape {array.shape} ({array.dtype}); expected {shape} floats.")
        if not np.all(np.isfinite(array)):
            raise BundleError(f"weight array {index} holds NaN or infinite values.")


def from_bytes(data: bytes) -> TrainedModel:
    """The trained model in a bundle, validated; raises BundleError with a clear message otherwise."""
    try:
        with _open(data) as archive:
            spec = specs.from_dict(_read_json(archive, "spec.json"))
            specs.check(spec)
            weights = _read_arrays(archive, "weights.npz")
            _check_weights(spec, weights)
            names = set(archive.namelist())
            optimizer = _read_arrays(archive, "optimizer.npz") if "optimizer.npz" in names else ()
            history = _read_json(archive, "history.json") if "history.json" in names else {}
            metadata = _read_json(archive, "metadata.json") if "metadata.json" in names else {}
    except specs.SpecError as error:
        raise BundleError(f"the bundle's model is not valid: {error}") from None
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as error:
        raise BundleError(f"the bundle is damaged ({error}).") from None
    if not isinstance(history, dict) or not isinstance(metadata, dict):
        raise BundleError("history.json and metadata.json must hold JSON objects.")
    dataset = str(metadata.get("dataset", "mnist-sample"))
    return TrainedModel(spec, weights, optimizer, history, dataset, metadata)
