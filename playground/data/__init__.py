"""Dataset registry: the bundled MNIST sample (offline default), full MNIST / Fashion-MNIST when available."""

import functools
import gzip
import os
import socket
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from playground import catalog, paths
from playground.data.dataset import Dataset

SAMPLE_PATH = paths.ASSETS / "mnist_sample.npz"
KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
DOWNLOAD_TIMEOUT_S = float(os.environ.get("PLAYGROUND_DOWNLOAD_TIMEOUT", "20"))
PROBE_TIMEOUT_S = 1.5

DIGITS = tuple(str(d) for d in range(10))
FASHION = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
FASHION_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


@dataclass(frozen=True)
class DatasetInfo:
    """What a dataset is, and where it comes from."""

    name: str
    title: str
    source: str


DATASETS = {
    "mnist-sample": DatasetInfo("mnist-sample", "MNIST sample (5,000 digits, offline)", "bundled"),
    "mnist": DatasetInfo("mnist", "MNIST (70,000 digits)", "keras"),
    "fashion-mnist": DatasetInfo("fashion-mnist", "Fashion-MNIST (70,000 clothes)", "keras"),
}
DEFAULT_DATASET = "mnist-sample"


def keras_datasets_dir() -> Path:
    """Where Keras caches its downloads: $KERAS_HOME/datasets, else ~/.keras/datasets."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets"


def _cache_files(name: str) -> list[Path]:
    folder = keras_datasets_dir()
    if name == "mnist":
        return [folder / "mnist.npz"]
    return [folder / "fashion-mnist" / file for file in FASHION_FILES]


def is_cached(name: str) -> bool:
    """True when the dataset needs no download (an uploaded image set: while the store keeps it)."""
    if name.startswith("own-"):
        from playground.data import kept as kept_sets

        return kept_sets.exists(name)
    return DATASETS[name].source == "bundled" or all(path.exists() for path in _cache_files(name))


@functools.lru_cache(maxsize=1)
def online() -> bool:
    """True when Keras's dataset host answers within a second or two (checked once per process)."""
    if os.environ.get("PLAYGROUND_OFFLINE") == "1":
        return False
    try:
        socket.create_connection(("storage.googleapis.com", 443), timeout=PROBE_TIMEOUT_S).close()
        return True
    except OSError:
        return False


def available() -> list[str]:
    """Dataset names that can be used now: the bundled one, cached ones, and downloadable ones when online."""
    names = [name for name in DATASETS if is_cached(name)]
    if len(names) < len(DATASETS) and online():
        names = list(DATASETS)
    return names


def _download(url: str, path: Path) -> None:
    # Keras's own get_file has no timeout and deletes a cached file whose hash it dislikes: fetch ourselves.
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response, open(partial, "wb") as out:
        out.write(response.read())
    partial.replace(path)


def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") as file:
        raw = file.read()
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def _load_keras_mnist() -> Dataset:
    path = _cache_files("mnist")[0]
    if not path.exists():
        _download(KERAS_ORIGIN + "mnist.npz", path)
    with np.load(path, allow_pickle=False) as file:
        arrays = {key: file[key] for key in ("x_train", "y_train", "x_test", "y_test")}
    return Dataset("mnist", **arrays, class_names=DIGITS)


def _load_fashion() -> Dataset:
    paths = _cache_files("fashion-mnist")
    for path in paths:
        if not path.exists():
            _download(KERAS_ORIGIN + "fashion-mnist/" + path.name, path)
    x_train, y_train, x_test, y_test = (_read_idx(path) for path in paths)
    return Dataset("fashion-mnist", x_train, y_train, x_test, y_test, FASHION)


def _load_sample() -> Dataset:
    with np.load(SAMPLE_PATH, allow_pickle=False) as file:
        arrays = {key: file[key] for key in ("x_train", "y_train", "x_test", "y_test")}
    return Dataset("mnist-sample", **arrays, class_names=DIGITS)


_LOADERS = {"mnist-sample": _load_sample, "mnist": _load_keras_mnist, "fashion-mnist": _load_fashion}


def load(name: str = DEFAULT_DATASET) -> Dataset:
    """The named dataset (a registered one, or an uploaded image set); raises DatasetUnavailable if it cannot be had."""
    if name.startswith("own-"):
        from playground.data import kept as kept_sets  # kept in the session store, a few cached per process

        try:
            return kept_sets.load_saved(name)
        except (OSError, ValueError, KeyError):
            raise DatasetUnavailable(f"the uploaded image set '{name}' is no longer kept.") from None
    return _load_registered(name)


@functools.cache
def _load_registered(name: str) -> Dataset:
    """A registered dataset, loaded once per process."""
    if name not in _LOADERS:
        raise DatasetUnavailable(f"unknown dataset '{name}': use one of {', '.join(DATASETS)}")
    try:
        dataset = _LOADERS[name]()
    except OSError as error:  # offline, timed out, truncated download
        raise DatasetUnavailable(f"{DATASETS[name].title} could not be downloaded ({error}).") from None
    for array in (dataset.x_train, dataset.y_train, dataset.x_test, dataset.y_test):
        array.setflags(write=False)
    return dataset


class DatasetUnavailable(RuntimeError):
    """A dataset that is neither bundled, cached nor downloadable right now."""


def images_as_input(images: np.ndarray) -> np.ndarray:
    """uint8 images (N, H, W) as float32 model input (N, H, W, 1) in [0, 1]."""
    return (images.astype(np.float32) / 255.0)[..., None]


def encode_labels(labels: np.ndarray, loss: str, num_classes: int) -> np.ndarray:
    """Labels encoded as the loss needs them: integers for sparse losses, one-hot float32 otherwise."""
    if catalog.label_encoding(loss) == "integer":
        return labels.astype(np.int32)
    return np.eye(num_classes, dtype=np.float32)[labels]


def samples_per_class(dataset: Dataset, per_class: int = 8, seed: int = 0) -> dict[int, np.ndarray]:
    """A few training images of every class, for showing what the data looks like."""
    rng = np.random.default_rng(seed)
    picks = {}
    for label in range(dataset.num_classes):
        rows = np.flatnonzero(dataset.y_train == label)
        picks[label] = dataset.x_train[rng.choice(rows, size=min(per_class, len(rows)), replace=False)]
    return picks
