"""Pure Plotly figures of a run replayed: one moment's filters, probe maps and prediction, and the curves marked there.

Colour scales are fixed over the whole replay (not per frame), so that a filter growing stronger looks stronger.
"""

import copy

import numpy as np
import plotly.graph_objects as go

from playground.figures import inspection
from playground.training.replay import Replay

MARKER_COLOUR = "#CC79A7"  # Okabe–Ito reddish purple: the moment being replayed


def _limits(arrays: np.ndarray) -> tuple[float, float]:
    values = np.asarray(arrays, dtype=np.float32)
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
    return (low, high) if high > low else (low, low + 1.0)


def filters(replay: Replay, index: int, title: str, hover_label: str) -> go.Figure | None:
    """The first layer's filters at frame `index` on a zero-centred scale fixed over the replay; None without any."""
    if replay.filters.shape[1] == 0:
        return None
    limit = float(np.abs(replay.filters.astype(np.float32)).max()) or 1.0
    fig = inspection.filters(replay.filters[index].astype(np.float32), title, hover_label)
    return fig.update_traces(zmin=-limit, zmax=limit)


def maps(replay: Replay, index: int, layer: int, title: str, hover_label: str) -> go.Figure:
    """The probe's feature maps of one spatial layer at frame `index`, on a scale fixed over the replay."""
    values = replay.maps[layer]
    low, high = _limits(values)
    fig = inspection.feature_maps(np.moveaxis(values[index].astype(np.float32), 0, -1), title, hover_label)
    return fig.update_traces(zmin=low, zmax=high)


def prediction(replay: Replay, index: int, class_names: tuple[str, ...], title: str, axis: str) -> go.Figure:
    """The probe's class probabilities at frame `index`, its true class outlined."""
    label = replay.probe_label if 0 <= replay.probe_label < len(class_names) else None
    return inspection.probabilities_bar(replay.probabilities[index].astype(np.float32), class_names, title, axis,
                                        label)  # fmt: skip


def probe(replay: Replay, title: str) -> go.Figure:
    """The probe image, grey on white as the network sees it (ink high)."""
    fig = go.Figure(go.Heatmap(z=replay.probe, colorscale="Greys", zmin=0, zmax=255, showscale=False,
                               hoverinfo="skip"))  # fmt: skip
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x", constrain="domain")
    return fig.update_layout(title={"text": title, "x": 0}, height=200, margin={"l": 10, "r": 10, "t": 40, "b": 10})


def marked(figure: go.Figure, x: float, axes: int = 2) -> go.Figure:
    """A copy of a curve figure (one or `axes` side-by-side plots) with a vertical line at x on each plot."""
    fig = go.Figure(figure)
    layout = copy.deepcopy(fig.layout.to_plotly_json())
    shapes = list(layout.get("shapes", []))
    for number in range(1, axes + 1):
        suffix = "" if number == 1 else str(number)
        shapes.append({"type": "line", "xref": "x" + suffix, "yref": f"y{suffix} domain", "x0": x, "x1": x, "y0": 0,
                       "y1": 1, "line": {"color": MARKER_COLOUR, "width": 2, "dash": "dot"}})  # fmt: skip
    return fig.update_layout(shapes=shapes)
