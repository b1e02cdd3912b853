"""Uploaded image sets kept by name: as bytes (an .npz of arrays, no pickles) in a keeper, read back as Datasets.

The app's keeper is the session store (playground.store), which every replica and training worker reaches; the
command line keeps its set in the process (InMemory). Whoever owns the keeper sets it (keep_in), so that the data
layer never imports the store.
"""

import functools
import io
from typing import Protocol

import numpy as np

from playground.data.dataset import Dataset
from playground.data.own import OwnData, is_own


class Keeper(Protocol):
    """Where kept sets are read from by name."""

    def image_set(self, name: str) -> bytes | None: ...

    def has_image_set(self, name: str) -> bool: ...


class InMemory(dict):
    """Kept sets in this process only, {name: to_bytes()}: the command line trains in-process and keeps nothing."""

    def image_set(self, name: str) -> bytes | None:
        return self.get(name)

    def has_image_set(self, name: str) -> bool:
        return name in self


_keeper: Keeper | None = None


def keep_in(keeper: Keeper | None) -> None:
    """Read kept sets from this keeper from now on (None: no set can be read)."""
    global _keeper
    _keeper = keeper
    load_saved.cache_clear()
    title_of.cache_clear()


def to_bytes(own: OwnData) -> bytes:
    """The set as the bytes the store keeps: a compressed .npz of arrays only (no pickles), title included."""
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        x_train=own.dataset.x_train,
        y_train=own.dataset.y_train,
        x_test=own.dataset.x_test,
        y_test=own.dataset.y_test,
        class_names=np.array(own.dataset.class_names, dtype=str),
        title=np.array(own.title, dtype=str),
    )
    return buffer.getvalue()


def _raw(name: str) -> bytes | None:
    if not is_own(name) or _keeper is None:
        return None
    return _keeper.image_set(name)


def kept_bytes(name: str) -> bytes | None:
    """The uploaded set's bytes as to_bytes() made them (what a cluster worker is handed), or None when not kept."""
    return _raw(name)


def exists(name: str) -> bool:
    """True when the uploaded set is kept (without reading it)."""
    return is_own(name) and _keeper is not None and _keeper.has_image_set(name)


@functools.lru_cache(maxsize=8)  # a few sets per process: each is a few MB and students come and go
def load_saved(name: str) -> Dataset:
    """The uploaded set of this name, from the keeper (arrays only, never pickles); KeyError when it is not kept."""
    raw = _raw(name)
    if raw is None:
        raise KeyError(name)
    with np.load(io.BytesIO(raw), allow_pickle=False) as file:
        arrays = {key: file[key] for key in ("x_train", "y_train", "x_test", "y_test")}
        class_names = tuple(str(value) for value in file["class_names"])
    for array in arrays.values():
        array.setflags(write=False)
    return Dataset(name, **arrays, class_names=class_names)


@functools.lru_cache(maxsize=256)
def title_of(name: str) -> str:
    """The title a kept set was saved with (its zip file's name), or its name when it cannot be read."""
    raw = _raw(name)
    if raw is None:
        return name
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as file:
            return str(file["title"])
    except (OSError, KeyError, ValueError):
        return name
