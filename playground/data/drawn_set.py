"""The project's drawn-digit set (assets/drawn_digits.json): loaded, drawn, prepared like the Draw page, scored.

Scores count correct answers per style group, digit and split (tuning / held-out); summary() turns them
into plain JSON-able counts, and table() into the text table the benchmark prints. Nothing here imports
TensorFlow: callers pass the prediction function (the Draw page's inspector.predict for a model).
"""

import functools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from playground import paths
from playground.data import images as drawing
from playground.data import strokes

SET_PATH = paths.ASSETS / "drawn_digits.json"
ALL = "all"


def load(path: Path = SET_PATH) -> tuple[strokes.Sample, ...]:
    """The set's samples, as stored."""
    records = json.loads(Path(path).read_text(encoding="utf-8"))["samples"]
    return tuple(
        strokes.Sample(r["digit"], r["group"], r["split"], r["pen"],
                       [[(x, y) for x, y in stroke] for stroke in r["strokes"]], tuple(r["canvas"]), r["variant"])
        for r in records
    )  # fmt: skip


def inputs(samples: Iterable[strokes.Sample]) -> tuple[np.ndarray, np.ndarray]:
    """(N, 28, 28) prepared inputs of the samples drawn by strokes.render, and which were not blank."""
    prepared = [drawing.prepare(s.image()) for s in samples]
    readable = np.array([x is not None for x in prepared], dtype=bool)
    blank = np.zeros((drawing.SIZE, drawing.SIZE), np.float32)
    return np.stack([blank if x is None else x for x in prepared]) if prepared else np.zeros((0, 28, 28)), readable


@functools.lru_cache(maxsize=2)
def prepared(path: Path = SET_PATH) -> tuple[tuple[strokes.Sample, ...], np.ndarray, np.ndarray]:
    """The stored set with its prepared inputs and readable flags (computed once per process)."""
    samples = load(path)
    return (samples, *inputs(samples))


@dataclass(frozen=True)
class Scores:
    """Which samples a model read correctly."""

    samples: tuple[strokes.Sample, ...]
    predicted: np.ndarray  # (N,) class, -1 where the drawing came out blank

    @property
    def correct(self) -> np.ndarray:
        """(N,) True where the prediction is the drawn digit."""
        return self.predicted == np.array([s.digit for s in self.samples])

    def count(self, group: str = ALL, split: str = ALL, digit: int | None = None) -> tuple[int, int]:
        """(correct, total) among the samples of a group, split and digit (ALL / None: any)."""
        keep = np.array([(group in (ALL, s.group)) and (split in (ALL, s.split)) and digit in (None, s.digit)
                         for s in self.samples], dtype=bool)  # fmt: skip
        return int(self.correct[keep].sum()), int(keep.sum())

    def accuracy(self, group: str = ALL, split: str = ALL, digit: int | None = None) -> float:
        """The fraction read correctly among the chosen samples (nan when there are none)."""
        right, total = self.count(group, split, digit)
        return right / total if total else float("nan")

    def summary(self) -> dict:
        """Plain counts [correct, total] overall, per group and per digit, each by split and in all."""
        splits = (*strokes.SPLITS, ALL)
        groups = list(dict.fromkeys(s.group for s in self.samples))
        return {
            "overall": {split: list(self.count(split=split)) for split in splits},
            "groups": {g: {split: list(self.count(g, split)) for split in splits} for g in groups},
            "digits": {str(d): {split: list(self.count(split=split, digit=d)) for split in splits} for d in range(10)},
        }


def score(predict: Callable[[np.ndarray], np.ndarray], path: Path = SET_PATH) -> Scores:
    """The set scored with predict: (N, 28, 28, 1) inputs → (N, classes) probabilities."""
    samples, x, readable = prepared(path)
    probabilities = np.asarray(predict(x[..., None].astype(np.float32)))
    return Scores(samples, np.where(readable, probabilities.argmax(axis=1), -1))


def _percent(cell: list[int]) -> str:
    right, total = cell
    return f"{100 * right / total:5.1f}" if total else "    -"


def table(summary: dict, before: dict | None = None, markdown: bool = False) -> str:
    """A group × split table of a summary's accuracies (%), with a before column per split when given."""
    splits = (*strokes.SPLITS, ALL)
    rows = [("overall", summary["overall"], (before or {}).get("overall"))]
    rows += [(g, cells, (before or {}).get("groups", {}).get(g)) for g, cells in summary["groups"].items()]
    heads = [f"{s} before" for s in splits] + [f"{s} after" for s in splits] if before else list(splits)
    width = max(len(name) for name, _, _ in rows)
    lines = []
    if markdown:
        lines += ["| group | n | " + " | ".join(heads) + " |", "|---|---:|" + "---:|" * len(heads)]
    else:
        lines += [f"{'group':{width}}  {'n':>4}  " + "  ".join(f"{h:>{max(5, len(h))}}" for h in heads)]
    for name, cells, old in rows:
        values = ([_percent(old[s]) if old else "    -" for s in splits] if before else []) + [
            _percent(cells[s]) for s in splits
        ]
        n = cells[ALL][1]
        if markdown:
            lines.append(f"| {name} | {n} | " + " | ".join(v.strip() for v in values) + " |")
        else:
            lines.append(
                f"{name:{width}}  {n:>4}  "
                + "  ".join(f"{v:>{max(5, len(h))}}" for v, h in zip(values, heads, strict=True))
            )
    return "\n".join(lines)
