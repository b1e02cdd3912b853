"""Learning replayed, as plain data: snapshots of the first layer's filters, a fixed probe image's feature maps and
its class probabilities at moments of a run, thinned evenly to at most MAX_FRAMES, and their bytes and back.

Arrays are float16 (probabilities, filters, maps); a frame is one moment. The worker makes them (training.snapshots),
the run record, the store and the bundle keep them, the Train and Draw pages replay them.
"""

import base64
import io
import math
from dataclasses import dataclass

import numpy as np

from playground import bounded
from playground.bounded.arrays import read_npz

MAX_FRAMES = 24  # K: snapshots kept per run (the first and the last always among them)
MAX_BYTES = 300_000  # the most a run's replay takes, however long it trained and how often it was continued
MAX_FILTERS = 16  # first-layer filters kept per frame
MAX_MAPS = 8  # feature maps kept per spatial layer per frame
MAX_MAP_LAYERS = 3  # the first spatial layers whose maps are kept
MAX_SIDE = 16  # maps and filters with a side above this are average-pooled down to it or below
FIRST_EPOCH_MOMENTS = (0.125, 0.25, 0.5)  # fractions of the first epoch with a snapshot, besides the start
MAX_TEXT = 100  # a layer name or caption in the metadata


class ReplayError(ValueError):
    """Replay data that does not fit together (shapes, counts, values)."""


@dataclass(frozen=True, eq=False)
class Replay:
    """A run's snapshots: where each was taken, and per frame the filters, the probe's maps and probabilities."""

    epoch: np.ndarray  # (n,) float64: the position in epochs, e.g. 0.25 a quarter into the first
    step: np.ndarray  # (n,) int64: the global step
    probabilities: np.ndarray  # (n, classes) float16: the probe's predicted class probabilities
    filters: np.ndarray  # (n, f, h, w) float16: the first weighted layer's filters as images (f may be 0)
    maps: tuple[np.ndarray, ...]  # per spatial layer (n, m, h, w) float16: the probe's feature maps
    map_layers: tuple[str, ...]  # the spec layers those maps come from, e.g. "Conv2D 1"
    probe: np.ndarray  # (h, w) uint8: the probe image (the first test image)
    probe_label: int = -1  # its true class, -1 when unknown
    filter_caption: str = ""  # how the filters are explained ("conv", "dense"), "" when there are none

    def __len__(self) -> int:
        return len(self.epoch)

    @property
    def nbytes(self) -> int:
        """The bytes of its arrays (what the size bound is about)."""
        arrays = (self.epoch, self.step, self.probabilities, self.filters, self.probe, *self.maps)
        return sum(array.nbytes for array in arrays)

    def frame_limit(self) -> int:
        """How many frames it may keep: MAX_FRAMES, fewer when frames are so large that MAX_BYTES needs it (≥ 2)."""
        fixed = self.probe.nbytes
        per_frame = 16 + sum(array[:1].nbytes for array in (self.probabilities, self.filters, *self.maps))
        return max(2, min(MAX_FRAMES, (MAX_BYTES - fixed) // max(per_frame, 1)))

    def take(self, indices) -> "Replay":
        """The frames at these indices, in that order."""
        indices = np.asarray(indices, dtype=np.int64)
        return Replay(self.epoch[indices], self.step[indices], self.probabilities[indices], self.filters[indices],
                      tuple(m[indices] for m in self.maps), self.map_layers, self.probe, self.probe_label,
                      self.filter_caption)  # fmt: skip

    def thinned(self, limit: int | None = None) -> "Replay":
        """At most `limit` frames (frame_limit() by default), chosen evenly by index; the first and last kept."""
        limit = self.frame_limit() if limit is None else limit
        return self if len(self) <= limit else self.take(thin(len(self), limit))

    def appended(self, later: "Replay") -> "Replay":
        """This replay's frames then a later one's of the same model (a Continue), thinned again."""
        if not _same_shapes(self, later):
            return later.thinned()  # another architecture's frames cannot mix: keep the newer
        joined = Replay(
            np.concatenate([self.epoch, later.epoch]),
            np.concatenate([self.step, later.step]),
            np.concatenate([self.probabilities, later.probabilities]),
            np.concatenate([self.filters, later.filters]),
            tuple(np.concatenate([a, b]) for a, b in zip(self.maps, later.maps, strict=True)),
            self.map_layers,
            self.probe,
            self.probe_label,
            self.filter_caption,
        )
        return joined.thinned()

    def nearest(self, epoch: float) -> int:
        """The index of the frame taken closest to this position in epochs."""
        return int(np.argmin(np.abs(self.epoch - epoch)))

    # -- as bytes

    def to_arrays(self) -> tuple[tuple[np.ndarray, ...], dict]:
        """(arrays, metadata): epoch, step, probabilities, filters, probe, maps… and the names, as plain data."""
        arrays = (self.epoch.astype(np.float64), self.step.astype(np.float64), self.probabilities, self.filters,
                  self.probe, *self.maps)  # fmt: skip
        meta = {"map_layers": list(self.map_layers), "probe_label": self.probe_label, "caption": self.filter_caption}
        return arrays, meta

    @classmethod
    def from_arrays(cls, arrays, meta: object) -> "Replay":
        """A replay from to_arrays() output, checked: counts, shapes, dtypes, finite values; raises ReplayError."""
        if not isinstance(meta, dict) or len(arrays) < 5:
            raise ReplayError("replay metadata or arrays missing")
        names, label, caption = meta.get("map_layers"), meta.get("probe_label", -1), meta.get("caption", "")
        if not isinstance(names, list) or not all(isinstance(n, str) and len(n) <= MAX_TEXT for n in names):
            raise ReplayError("replay map layer names")
        if len(names) != len(arrays) - 5 or len(names) > MAX_MAP_LAYERS:
            raise ReplayError("replay maps do not match their names")
        if isinstance(label, bool) or not isinstance(label, int) or not isinstance(caption, str):
            raise ReplayError("replay label or caption")
        epoch, step, probabilities, filters, probe, *maps = (np.asarray(a) for a in arrays)
        count = len(epoch)
        if not 1 <= count <= MAX_FRAMES or epoch.ndim != 1 or step.shape != epoch.shape:
            raise ReplayError("replay frame count")
        if probabilities.ndim != 2 or filters.ndim != 4 or probe.ndim != 2 or probe.dtype != np.uint8:
            raise ReplayError("replay array shapes")
        if any(m.ndim != 4 for m in maps) or any(len(a) != count for a in (probabilities, filters, *maps)):
            raise ReplayError("replay array shapes")
        floats = (epoch, step, probabilities, filters, *maps)
        if any(a.dtype.kind != "f" or not np.all(np.isfinite(a)) for a in floats):
            raise ReplayError("replay values")
        as16 = [a.astype(np.float16) for a in (probabilities, filters, *maps)]
        return cls(epoch.astype(np.float64), step.astype(np.int64), as16[0], as16[1], tuple(as16[2:]),
                   tuple(names), probe, label, caption[:MAX_TEXT])  # fmt: skip

    def to_text(self) -> dict:
        """As JSON-ready data (the store keeps run records as JSON): metadata and base64 of a compressed .npz."""
        arrays, meta = self.to_arrays()
        buffer = io.BytesIO()
        np.savez_compressed(buffer, *arrays)
        return {**meta, "npz": base64.b64encode(buffer.getvalue()).decode("ascii")}

    @classmethod
    def from_text(cls, data: object) -> "Replay":
        """A replay from to_text() output, read within bounds; raises ReplayError."""
        if not isinstance(data, dict) or not isinstance(data.get("npz"), str) or len(data["npz"]) > 2 * MAX_BYTES:
            raise ReplayError("replay text")
        try:
            raw = base64.b64decode(data["npz"], validate=True)
            arrays = read_npz(raw, cap_bytes=2 * MAX_BYTES, what="replay.npz", kinds="fu")
        except (ValueError, bounded.BoundedError) as error:
            raise ReplayError(f"replay arrays: {error}") from None
        return cls.from_arrays(arrays, data)


def thin(count: int, limit: int) -> np.ndarray:
    """`limit` indices out of range(count) spread evenly, 0 and count - 1 among them (all when count ≤ limit)."""
    if count <= limit:
        return np.arange(count)
    if limit < 2:
        return np.array([count - 1])
    return np.unique(np.round(np.linspace(0, count - 1, limit)).astype(np.int64))


def pooled(images: np.ndarray, side: int = MAX_SIDE) -> np.ndarray:
    """Images (..., h, w) average-pooled by the smallest whole factor that brings both sides to `side` or below."""
    height, width = images.shape[-2:]
    factor = max(1, math.ceil(max(height, width) / side))
    if factor == 1:
        return images
    height, width = height // factor * factor, width // factor * factor
    cut = images[..., :height, :width]
    shape = (*cut.shape[:-2], height // factor, factor, width // factor, factor)
    return cut.reshape(shape).mean(axis=(-3, -1))


def _same_shapes(a: Replay, b: Replay) -> bool:
    shapes = lambda r: [x.shape[1:] for x in (r.probabilities, r.filters, *r.maps)]  # noqa: E731
    return a.map_layers == b.map_layers and shapes(a) == shapes(b)
