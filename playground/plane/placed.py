"""Own points on the plane, placed by clicks or taken from a table: a PointSet, its edits, its data set and its link.

A PointSet is frozen: every edit returns a new one, so undo is a stack of earlier sets. Coordinates are kept to
LINK_DIGITS decimals from the start, so that a set read back from its link is exactly the set that was shared.
Pure numpy, no Streamlit.
"""

import numbers
from dataclasses import dataclass, replace

import numpy as np

from playground import links
from playground.plane import data as plane
from playground.plane import table as tables
from playground.plane.own import MIN_PER_CLASS, OwnPlaneData, PlaneDataError, split

MAX_PLACED = tables.MAX_ROWS  # points in one set
CAPACITY = plane.MAX_POINTS  # points the engine trains on, and tests on
CLICK_RESOLUTION = 25  # the invisible markers a click lands on: 25 × 25 over the plane, 0.48 apart
LINK_DIGITS = 2  # decimals kept of a coordinate or a value
LINK_LIMIT = links.MAX_VALUE_CHARS  # the longest packed set a link carries


@dataclass(frozen=True)
class PointSet:
    """Points (x1, x2, label) in plane coordinates: labels are class numbers, or values in [−1, 1] for regression."""

    target: str = "classes"  # 'classes' or 'regression'
    classes: int = 2  # classes only: labels are 0 … classes − 1
    points: tuple[tuple[float, float, float], ...] = ()

    def add(self, x1: float, x2: float, label: float) -> "PointSet":
        """This set with one more point (coordinates clipped onto the plane); unchanged when full."""
        if len(self.points) >= MAX_PLACED:
            return self
        x1, x2 = (round(float(np.clip(v, -plane.EXTENT, plane.EXTENT)), LINK_DIGITS) for v in (x1, x2))
        label = int(label) if self.target == "classes" else round(float(np.clip(label, -1.0, 1.0)), LINK_DIGITS)
        return replace(self, points=(*self.points, (x1, x2, label)))

    def erase_nearest(self, x1: float, x2: float) -> "PointSet":
        """This set without the point nearest to (x1, x2)."""
        if not self.points:
            return self
        xy = np.array([p[:2] for p in self.points])
        nearest = int(np.argmin(np.hypot(xy[:, 0] - x1, xy[:, 1] - x2)))
        return replace(self, points=self.points[:nearest] + self.points[nearest + 1 :])

    def counts(self) -> tuple[int, ...]:
        """Points per class (classes), or the number of points in one entry (regression)."""
        if self.target == "regression":
            return (len(self.points),)
        labels = [int(p[2]) for p in self.points]
        return tuple(labels.count(k) for k in range(self.classes))


def to_data(points: PointSet, seed: int, train_fraction: float) -> OwnPlaneData:
    """The set split into train and test with `seed`; PlaneDataError (one line) when it cannot train yet."""
    if points.target == "regression":
        if len(points.points) < 2 * MIN_PER_CLASS:
            raise PlaneDataError("own_too_few_values", count=len(points.points), minimum=2 * MIN_PER_CLASS)
    else:
        for label, count in enumerate(points.counts()):
            if count < MIN_PER_CLASS:
                raise PlaneDataError("own_too_few", number=label, count=count, minimum=MIN_PER_CLASS)
    array = np.array(points.points, np.float64)
    xy = array[:, :2]
    rng = np.random.default_rng(seed)
    if points.target == "regression":
        parts = split(xy, array[:, 2].astype(np.float32), train_fraction, rng, stratify=False)
        return _fitting(OwnPlaneData("own", "regression", 0, *parts))
    parts = split(xy, array[:, 2].astype(np.int64), train_fraction, rng, stratify=True)
    task = "binary" if points.classes == 2 else "multiclass"
    return _fitting(OwnPlaneData("own", task, points.classes, *parts))


def _fitting(data: OwnPlaneData) -> OwnPlaneData:
    if max(len(data.x_train), len(data.x_test)) > CAPACITY:
        raise PlaneDataError("own_capacity", count=len(data.x_train) + len(data.x_test), limit=CAPACITY)
    return data


def from_table(table: tables.Table, x1: str, x2: str, label: str, task: str) -> PointSet:
    """The chosen columns of a table as a set (scaled onto the plane by table.py); TableError when they cannot."""
    made = tables.to_plane_data(table, x1, x2, label, task, seed=0)
    xy = np.concatenate([made.x_train, made.x_test])
    labels = np.concatenate([made.y_train, made.y_test])
    found = PointSet("regression" if task == "regression" else "classes", max(made.classes, 2))
    rounded = np.round(xy.astype(np.float64), LINK_DIGITS)
    if task == "regression":
        values = np.round(labels.astype(np.float64), LINK_DIGITS)
        rows = zip(rounded[:, 0].tolist(), rounded[:, 1].tolist(), values.tolist(), strict=True)
    else:
        rows = zip(rounded[:, 0].tolist(), rounded[:, 1].tolist(), labels.astype(int).tolist(), strict=True)
    return replace(found, points=tuple(rows))


# ---------------------------------------------------------------- clicks on the plane


def click_grid() -> np.ndarray:
    """The invisible markers' positions: cell centres of a CLICK_RESOLUTION² grid over the plane."""
    return plane.grid(CLICK_RESOLUTION).astype(np.float64)


def clicked(event: object) -> list[tuple[float, float]]:
    """The (x1, x2) of each point a Plotly selection event names, as Streamlit's on_select returns it."""
    try:
        chosen = event["selection"]["points"]  # type: ignore[index]
    except (KeyError, TypeError):
        return []
    found = []
    for point in chosen if isinstance(chosen, list) else []:
        if not isinstance(point, dict):
            continue
        x1, x2 = point.get("x"), point.get("y")
        if isinstance(x1, numbers.Real) and isinstance(x2, numbers.Real) and np.isfinite([x1, x2]).all():
            found.append((float(x1), float(x2)))
    return found


# ---------------------------------------------------------------- the link


def to_plain(points: PointSet) -> dict:
    """The set as plain JSON data (coordinates and values kept to LINK_DIGITS decimals, as integers)."""
    scale = 10**LINK_DIGITS
    return {
        "target": points.target,
        "classes": points.classes,
        "p": [[round(x1 * scale), round(x2 * scale), label if points.target == "classes" else round(label * scale)]
              for x1, x2, label in points.points],
    }  # fmt: skip


def to_link(points: PointSet) -> str | None:
    """The set packed for a link, or None when it is longer than LINK_LIMIT."""
    packed = links.pack(to_plain(points))
    return packed if len(packed) <= LINK_LIMIT else None


def from_link(text: object) -> PointSet:
    """The set a link carries; links.LinkError when it is damaged or holds anything but such a set."""
    return from_plain(links.unpack(text))


def from_plain(data: object) -> PointSet:
    """The set in to_plain()'s form (from a link or the session store); links.LinkError when it is not such a set."""
    if not isinstance(data, dict) or not isinstance(data.get("p"), list) or len(data["p"]) > MAX_PLACED:
        raise links.LinkError("the link's points are damaged")
    target, classes = data.get("target"), data.get("classes")
    if target not in ("classes", "regression") or type(classes) is not int or not 2 <= classes <= plane.MAX_CLASSES:
        raise links.LinkError("the link's points are damaged")
    scale, limit = 10**LINK_DIGITS, plane.EXTENT * 10**LINK_DIGITS
    found = PointSet(target, classes)
    rows = []
    for row in data["p"]:
        if not isinstance(row, list) or len(row) != 3 or any(type(v) is not int for v in row):
            raise links.LinkError("the link's points are damaged")
        x1, x2, label = row
        bad_label = not 0 <= label < classes if target == "classes" else abs(label) > scale
        if abs(x1) > limit or abs(x2) > limit or bad_label:
            raise links.LinkError("the link's points are damaged")
        rows.append((x1 / scale, x2 / scale, label if target == "classes" else label / scale))
    return replace(found, points=tuple(rows))
