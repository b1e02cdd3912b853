"""A trained model as plain data, and its safe zip bundle: spec.json + weights .npz + history + metadata.

Loading a bundle never unpickles and never deserializes a Keras object (Keras's `safe_mode` has been bypassed
repeatedly): the spec is validated against the catalog, every array header is checked against the architecture's
shapes before the array is read, arrays load with allow_pickle=False, and sizes are capped at every level (the
bundle, each member, each inner .npz member), so a zip bomb is refused before it unpacks.
"""

import datetime
import importlib.metadata
import io
import json
import math
import platform
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import playground
from playground import bounded, layers
from playground import spec as specs
from playground.bounded.arrays import ArrayHeader, read_npz
from playground.bounded.zips import open_zip, read_member
from playground.spec import ModelSpec
from playground.text.files import CATALOGUE as MESSAGES
from playground.training import replay as replays
from playground.training.replay import Replay, ReplayError
from playground.training.runs import PRECISIONS, History, TrainSettings

MAX_BUNDLE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 32
# JSON grows about 25-fold when parsed ('[[],[],…]' → list objects): these caps keep a parse under 50 MB.
MAX_JSON_BYTES = {"spec.json": 1 * 2**20, "metadata.json": 1 * 2**20, "history.json": 2 * 2**20}
NPZ_OVERHEAD = 4096  # zip entries and the .npy header of one array in an .npz, generously
MAX_HISTORY_POINTS = 100_000
FORMAT = "deep-learning-playground-bundle/2"  # 2: replay.npz (format 1 bundles load, without)

# Slot variables per trainable weight, and extra scalars, of each catalog optimizer (beyond `iteration` and
# `learning_rate`); tests hold this table against Keras.
_OPTIMIZER_SLOTS = {"Adam": 2, "AdamW": 2, "Adamax": 2, "Adadelta": 2, "Nadam": 2, "Adagrad": 1, "Lion": 1}
_OPTIMIZER_EXTRA_SCALARS = {"Nadam": 1}


@dataclass(frozen=True, eq=False)
class TrainedModel:
    """A spec with trained weights (Keras get_weights() order), optimizer state and history."""

    spec: ModelSpec
    weights: tuple[np.ndarray, ...]
    optimizer_state: tuple[np.ndarray, ...] = ()
    history: History = field(default_factory=History)  # a bundle keeps its per-epoch curves
    dataset: str = "mnist-sample"
    metadata: Mapping[str, object] = field(default_factory=dict)
    replay: Replay | None = None  # its run's snapshots (training.replay)


class BundleError(ValueError):
    """A bundle that cannot be loaded safely; str() says why in English, message(language) in any language."""

    def __init__(self, key: str, /, problems: tuple = (), **params: object):
        self.key, self.params, self.problems = key, params, tuple(problems)
        super().__init__(self.message("en"))

    def message(self, language: str = "en") -> str:
        """Why the bundle was refused, as one sentence in the given language."""
        params = dict(self.params)
        if self.problems:
            params["detail"] = "; ".join(problem.message(language) for problem in self.problems)
        return MESSAGES.text(language, "bundle_" + self.key, **params)


# ---------------------------------------------------------------- shapes the architecture implies


def expected_weight_shapes(spec: ModelSpec) -> list[tuple[int, ...]]:
    """The shapes of model.get_weights() for this spec, inferred without Keras."""
    return [shape for shape, _ in _weight_shapes(spec)]


def _weight_shapes(spec: ModelSpec) -> list[tuple[tuple[int, ...], bool]]:
    """(shape, trainable) of every weight, in get_weights() order."""
    report = specs.check(spec)
    shapes, previous = [], tuple(spec.input_shape)
    for layer, inferred in zip(spec.layers, report.shapes, strict=True):
        kind = layers.get(layer.kind)
        shapes += [(weight.shape, weight.trainable) for weight in kind.weights(previous, kind.full_args(layer.args))]
        previous = inferred.output_shape
    return shapes


def _optimizer_slots(spec: ModelSpec) -> tuple[int, int]:
    """(slot variables per trainable weight, extra scalar variables) of the spec's optimizer."""
    kind, args = spec.optimizer.kind, spec.optimizer.args
    if kind == "SGD":
        return (1 if float(args.get("momentum", 0.0)) > 0 else 0), 0
    if kind == "RMSprop":
        return 1 + (1 if float(args.get("momentum", 0.0)) > 0 else 0), 0
    return _OPTIMIZER_SLOTS.get(kind, 0), _OPTIMIZER_EXTRA_SCALARS.get(kind, 0)


def expected_optimizer_shapes(spec: ModelSpec) -> list[tuple[int, ...]]:
    """The shapes of the built optimizer's variables, sorted (Keras orders them differently per optimizer)."""
    slots, extra = _optimizer_slots(spec)
    trainable = [shape for shape, is_trainable in _weight_shapes(spec) if is_trainable]
    return sorted([(), ()] + [()] * extra + trainable * slots)


# ---------------------------------------------------------------- writing


def versions() -> dict[str, str]:
    """The versions of what wrote a bundle: this playground, Python, NumPy, Keras and TensorFlow."""
    found = {"playground": playground.__version__, "python": platform.python_version(), "numpy": np.__version__}
    for name, packages in (("keras", ("keras",)), ("tensorflow", ("tensorflow-cpu", "tensorflow"))):
        for package in packages:
            try:
                found[name] = importlib.metadata.version(package)
                break
            except importlib.metadata.PackageNotFoundError:
                continue
    return found


def class_names(trained: TrainedModel) -> tuple[str, ...]:
    """The model's class names: its dataset's when available, else those its bundle carried, else 0, 1, 2, …"""
    from playground import data  # not at import time: data is not needed to read or write a bundle

    try:
        if data.is_cached(trained.dataset):
            names = data.load(trained.dataset).class_names
            if len(names) == trained.spec.num_classes:
                return tuple(names)
    except (data.DatasetUnavailable, KeyError, OSError, ValueError):
        pass
    carried = trained.metadata.get("class_names")
    if _valid_class_names(carried, trained.spec.num_classes):
        return tuple(carried)
    return tuple(str(i) for i in range(trained.spec.num_classes))


def metadata_for(trained: TrainedModel) -> dict:
    """The metadata.json of a bundle: the model's own metadata, then format, dataset, class names and versions."""
    return {
        **trained.metadata,
        "format": FORMAT,
        "dataset": trained.dataset,
        "class_names": list(class_names(trained)),
        "exported": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "versions": versions(),
    }


def _npz_bytes(arrays: tuple[np.ndarray, ...]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, *arrays)
    return buffer.getvalue()


def to_bytes(trained: TrainedModel) -> bytes:
    """The trained model as a zip bundle."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("spec.json", trained.spec.to_json())
        archive.writestr("weights.npz", _npz_bytes(trained.weights))
        archive.writestr("optimizer.npz", _npz_bytes(trained.optimizer_state))
        archive.writestr("history.json", json.dumps(trained.history.epoch_curves().to_dict()))
        metadata = metadata_for(trained)
        if trained.replay is not None:
            arrays, metadata["replay"] = trained.replay.to_arrays()
            archive.writestr("replay.npz", _npz_bytes(arrays))
        archive.writestr("metadata.json", json.dumps(metadata, default=str))
    return buffer.getvalue()


def to_keras_file(trained: TrainedModel) -> bytes:
    """The trained model as a `.keras` file (architecture, compile settings, weights) for plain Keras."""
    from playground.model import build_model  # Keras loads for this export only

    model = build_model(trained.spec)
    model.set_weights(list(trained.weights))
    if trained.optimizer_state:
        model.optimizer.build(model.trainable_variables)
        if len(model.optimizer.variables) == len(trained.optimizer_state):
            for variable, value in zip(model.optimizer.variables, trained.optimizer_state, strict=True):
                variable.assign(value)
    with tempfile.TemporaryDirectory(prefix="playground-keras-") as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        return path.read_bytes()


def file_stem(trained: TrainedModel) -> str:
    """A file name (without extension) for downloads, e.g. 'model-run3-mnist-sample'."""
    run = trained.metadata.get("run_id")
    dataset = "".join(c if c.isalnum() or c in "-_" else "-" for c in str(trained.dataset))[:40]
    return f"model-run{run}-{dataset}" if isinstance(run, int) else f"model-{dataset}"


# ---------------------------------------------------------------- reading, safely


def _open(data: bytes) -> zipfile.ZipFile:
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleError("too_large", mb=MAX_BUNDLE_BYTES // 2**20)
    try:
        archive = open_zip(data, max_members=MAX_MEMBERS, what="the bundle")
    except bounded.NotAZip:
        raise BundleError("not_zip") from None
    except bounded.TooManyMembers as error:
        raise BundleError("too_many_members", count=f"{error.params['count']:,}", limit=MAX_MEMBERS) from None
    except bounded.BoundedError as error:  # encrypted, another compression, '..' names
        raise BundleError("damaged", detail=str(error)) from None
    infos = archive.infolist()
    names = {info.filename for info in infos}
    missing = {"spec.json", "weights.npz"} - names
    if missing:
        raise BundleError("missing", names=", ".join(sorted(missing)))
    # What the headers claim, for an early refusal; the reads below are bounded whatever they claim.
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise BundleError("zip_bomb", name="bundle")
    for info in infos:
        if info.filename in MAX_JSON_BYTES and info.file_size > MAX_JSON_BYTES[info.filename]:
            raise BundleError("member_too_large", name=info.filename, mb=MAX_JSON_BYTES[info.filename] // 2**20)
    return archive


def _read(archive: zipfile.ZipFile, name: str, cap: int, budget: bounded.Budget) -> bytes:
    """A member's bytes, read in bounded chunks whatever its header claims."""
    try:
        return read_member(archive, name, cap, budget=budget)
    except bounded.OverBudget:
        raise BundleError("zip_bomb", name="bundle") from None
    except bounded.TooLarge:
        if name in MAX_JSON_BYTES:
            raise BundleError("member_too_large", name=name, mb=MAX_JSON_BYTES[name] // 2**20) from None
        raise BundleError("zip_bomb", name=name) from None
    except bounded.BoundedError as error:
        raise BundleError("damaged", detail=str(error)) from None


def _read_json(archive: zipfile.ZipFile, name: str, budget: bounded.Budget) -> object:
    raw = _read(archive, name, MAX_JSON_BYTES[name], budget)
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise BundleError("bad_json", name=name, detail=bounded.cut(error, 200)) from None


def _array_refusal(error: bounded.BoundedError, name: str) -> BundleError:
    """The BundleError for an .npz refused by the bounded reader."""
    params = error.params
    if isinstance(error, bounded.PickledArray):
        return BundleError("pickled", name=name)
    if isinstance(error, bounded.ArrayDtype):
        return BundleError("not_floats", name=name, index=params["index"], dtype=params["dtype"])
    if isinstance(error, bounded.NotArrays):
        return BundleError("not_arrays", name=name)
    if isinstance(error, bounded.ArrayCount):
        return BundleError("weight_count", found=params["found"], needed=params["expected"])
    if isinstance(error, bounded.ArrayShape):
        return BundleError("weight_shape", index=params["index"], shape=params["shape"], expected=params["expected"])
    if isinstance(error, bounded.ArraysTooLarge):
        return BundleError("arrays_too_large", name=name, size=bounded.size_text(params["limit"]))
    if isinstance(error, bounded.TooLarge):
        return BundleError("zip_bomb", name=name)
    return BundleError("bad_npz", name=name, detail=str(error))


def _array_cap(shapes: list[tuple[int, ...]]) -> int:
    """The most bytes arrays of these shapes may take: 32-bit values, and 8 bytes for each (scalar counters)."""
    return sum(4 * math.prod(shape) + 8 for shape in shapes)


def _read_arrays(
    archive: zipfile.ZipFile,
    name: str,
    budget: bounded.Budget,
    shapes: list[tuple[int, ...]],
    expected: list | None = None,
    kinds: str = "f",
    check=None,
) -> tuple:
    """The arrays of an inner .npz, in order. Every header is checked (no objects, dtype kinds, the expected
    shapes, `check`, the bytes the model's `shapes` may take) before any array is read; each read is bounded."""
    cap = _array_cap(shapes)
    raw = _read(archive, name, cap + NPZ_OVERHEAD * (len(shapes) + 16), budget)
    try:
        arrays = read_npz(raw, expected, cap_bytes=cap, what=name, kinds=kinds, check=check)
    except bounded.BoundedError as error:
        raise _array_refusal(error, name) from None
    del raw
    for index, array in enumerate(arrays):
        if not np.all(np.isfinite(array)):
            raise BundleError("not_finite", name=name, index=index)
    return arrays


def _optimizer_fits(spec: ModelSpec, shapes: list[tuple[int, ...]]) -> bool:
    """True when these optimizer variable shapes fit the spec's optimizer, or are an optimizer never built."""
    if not shapes or (len(shapes) == 2 and all(shape == () for shape in shapes)):
        return True  # an optimizer that never took a step: continuing starts it afresh
    return sorted(shapes) == expected_optimizer_shapes(spec)


def _read_optimizer(archive: zipfile.ZipFile, spec: ModelSpec, budget: bounded.Budget) -> tuple[np.ndarray, ...]:
    """The optimizer state, its headers checked against the spec's optimizer before any array is read."""
    expected = expected_optimizer_shapes(spec)

    def check(headers: list[ArrayHeader]) -> None:
        if not _optimizer_fits(spec, [header.shape for header in headers]):
            raise BundleError("optimizer", count=len(headers), kind=spec.optimizer.kind, expected=len(expected))

    return _read_arrays(archive, "optimizer.npz", budget, expected, kinds="fiu", check=check)


def _check_optimizer(spec: ModelSpec, state: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """The optimizer state if it fits the spec's optimizer, () when it was never built; else BundleError."""
    if not state or (len(state) == 2 and all(array.shape == () for array in state)):
        return ()  # an optimizer that never took a step: continuing starts it afresh
    if not _optimizer_fits(spec, [tuple(array.shape) for array in state]):
        expected = expected_optimizer_shapes(spec)
        raise BundleError("optimizer", count=len(state), kind=spec.optimizer.kind, expected=len(expected))
    return state


def _check_history(history: object) -> dict:
    if not isinstance(history, dict):
        raise BundleError("history_not_object")
    for key, values in history.items():
        flags = key == "partial"  # the one curve of booleans: an epoch cut short by a stop
        ok = isinstance(values, list) and len(values) <= MAX_HISTORY_POINTS
        if not ok or not all(v is None or (isinstance(v, int | float) and (flags or not isinstance(v, bool)))
                             for v in values):  # fmt: skip
            raise BundleError("bad_history", name=str(key)[:50])
    return history


def _valid_class_names(names: object, count: int) -> bool:
    return (
        isinstance(names, list | tuple)
        and len(names) == count
        and all(isinstance(name, str) and 0 < len(name) <= 100 for name in names)
    )


def _check_metadata(metadata: object, spec: ModelSpec) -> dict:
    if not isinstance(metadata, dict):
        raise BundleError("metadata_not_object")
    if "class_names" in metadata and not _valid_class_names(metadata["class_names"], spec.num_classes):
        metadata = {key: value for key, value in metadata.items() if key != "class_names"}
    return metadata


def from_bytes(data: bytes) -> TrainedModel:
    """The trained model in a bundle, validated; raises BundleError with a clear message otherwise.

    Memory: every member is read in bounded chunks and every array header is checked against the shapes the
    spec implies before its data is read (at most 4 bytes per parameter and optimizer slot), so the peak is the
    weights and optimizer state kept + one more copy of the optimizer state (its .npz while it is read), or + one
    JSON member's parse (≤ 2 MiB, at most about 50 MB parsed): 43 MB for 2.1 million parameters with Adam."""
    budget = bounded.Budget(MAX_UNPACKED_BYTES, "the bundle")
    try:
        with _open(data) as archive:
            spec = specs.from_dict(_read_json(archive, "spec.json", budget))
            specs.check(spec)
            _check_input(spec)
            shapes = expected_weight_shapes(spec)
            weights = _read_arrays(archive, "weights.npz", budget, shapes, shapes)
            names = set(archive.namelist())
            optimizer = _read_optimizer(archive, spec, budget) if "optimizer.npz" in names else ()
            history = _read_json(archive, "history.json", budget) if "history.json" in names else {}
            metadata = _read_json(archive, "metadata.json", budget) if "metadata.json" in names else {}
            replay = _read(archive, "replay.npz", 2 * replays.MAX_BYTES, budget) if "replay.npz" in names else None
    except specs.SpecError as error:
        raise BundleError("invalid_spec", problems=error.problems, detail=str(error)) from None
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as error:
        raise BundleError("damaged", detail=bounded.cut(error, 200)) from None
    optimizer = _check_optimizer(spec, optimizer)
    history = _check_history(history)
    metadata = _check_metadata(metadata, spec)
    dataset = str(metadata.get("dataset", "mnist-sample"))[:100]
    replay = _read_replay(replay, metadata.pop("replay", None)) if isinstance(metadata, dict) else None
    return TrainedModel(spec, weights, optimizer, History.from_dict(history), dataset, metadata, replay)


def _read_replay(raw: bytes | None, meta: object) -> Replay | None:
    # A replay that does not read is left out: the model itself is sound.
    try:
        arrays = read_npz(raw, cap_bytes=2 * replays.MAX_BYTES, what="replay.npz", kinds="fu") if raw else None
        return Replay.from_arrays(arrays, meta) if arrays else None
    except (bounded.BoundedError, ReplayError):
        return None


def _check_input(spec: ModelSpec) -> None:
    # The playground feeds a model grey square images (drawings, test images, own image sets): a model that wants
    # anything else would load, then fail on the Draw page and in predict with a raw error.
    shape = tuple(spec.input_shape)
    side = math.isqrt(math.prod(shape))
    square = (len(shape) == 3 and shape[0] == shape[1] and shape[2] == 1) or (
        len(shape) == 1 and side * side == shape[0]
    )
    if not square:
        raise BundleError("input", shape="×".join(str(n) for n in shape))


def epochs_trained(trained: TrainedModel) -> int:
    """How many epochs the model was trained for, from its metadata or its history."""
    epochs = trained.metadata.get("epochs")
    if isinstance(epochs, int) and not isinstance(epochs, bool) and 0 <= epochs < 10**6:
        return epochs
    return trained.history.epochs_done


# ---------------------------------------------------------------- what a bundle says about its training

_SETTING_RULES = {  # name: (type, low, high) of the TrainSettings a bundle's metadata may carry
    "epochs": (int, 1, 1000),
    "batch_size": (int, 1, 8192),
    "validation_split": (float, 0.0, 0.9),
    "seed": (int, 0, 2**31 - 1),
    "train_samples": (int, 1, 10**7),
    "augment_shift": (int, 0, 8),
    "augment_rotation": (float, 0.0, 180.0),
    "augment_stroke": (int, 0, 2),
}


def train_settings(trained: TrainedModel) -> TrainSettings:
    """The settings the model was trained with, as far as its metadata says and within sane ranges."""
    carried = trained.metadata.get("settings")
    carried = carried if isinstance(carried, dict) else {}
    values: dict[str, object] = {"dataset": trained.dataset}
    for name, (kind, low, high) in _SETTING_RULES.items():
        value = carried.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            continue
        if kind is int and value != int(value):
            continue
        if low <= value <= high:
            values[name] = kind(value)
    if carried.get("precision") in PRECISIONS:
        values["precision"] = carried["precision"]
    return TrainSettings(**values)
