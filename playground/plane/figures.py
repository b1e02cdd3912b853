"""Pure figures of the 2-D playground: the output over the plane with its points, loss curves, the network diagram.

Heatmaps are small PNG images (numpy colour maps, encoded once per frame) laid under the points as Plotly layout
images: the browser scales them smoothly, and a frame with ~100 neuron thumbnails stays a few tens of kB.
"""

import base64
import io
from collections.abc import Callable, Sequence

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from playground.plane import data as plane

# Okabe–Ito (colour-blind safe): class 0 / negative orange, class 1 / positive blue, then green, purple, red.
NEGATIVE, POSITIVE = "#E69F00", "#0072B2"
CLASS_COLOURS = (NEGATIVE, POSITIVE, "#009E73", "#CC79A7", "#D55E00")
TRAIN_LOSS_COLOUR, TEST_LOSS_COLOUR = "#999999", "#000000"
BACKGROUND_STRENGTH = 0.75  # the heatmap stays lighter than the points drawn on it
DIVERGING = [[0.0, NEGATIVE], [0.5, "#FFFFFF"], [1.0, POSITIVE]]


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.float32)


def _blend(colours: np.ndarray, strength: np.ndarray) -> np.ndarray:
    """White blended towards each colour by strength in [0, 1]; (..., 3) uint8."""
    white = np.full(3, 255.0, dtype=np.float32)
    rgb = white + (colours - white) * np.clip(strength, 0, 1)[..., None]
    return np.round(rgb).astype(np.uint8)


def diverging_rgb(values: np.ndarray, strength: float = 1.0) -> np.ndarray:
    """Values in [-1, 1] as colours: orange for −1, white for 0, blue for +1; shape (..., 3) uint8."""
    values = np.clip(np.nan_to_num(values), -1, 1)
    colours = np.where(values[..., None] < 0, _rgb(NEGATIVE), _rgb(POSITIVE))
    return _blend(colours, np.abs(values) * strength)


def class_rgb(probabilities: np.ndarray, discrete: bool = False, strength: float = 1.0) -> np.ndarray:
    """Class probabilities (..., k) as the winning class's colour, paler where the network is unsure."""
    k = probabilities.shape[-1]
    winner = probabilities.argmax(axis=-1)
    confidence = (probabilities.max(axis=-1) - 1 / k) / (1 - 1 / k)
    palette = np.stack([_rgb(c) for c in CLASS_COLOURS[:k]])
    return _blend(palette[winner], (np.ones_like(confidence) if discrete else confidence) * strength)


def output_rgb(output: np.ndarray, resolution: int, discrete: bool = False) -> np.ndarray:
    """The network's output over the grid as an image (resolution, resolution, 3), top row = top of the plane."""
    if output.shape[1] > 2:
        rgb = class_rgb(output, discrete, BACKGROUND_STRENGTH)
    else:
        score = plane.signed_score(output)
        rgb = diverging_rgb(np.sign(score) if discrete else score, BACKGROUND_STRENGTH)
    return rgb.reshape(resolution, resolution, 3)


def neuron_rgb(values: np.ndarray, resolution: int, step: int = 1) -> np.ndarray:
    """One neuron's output over the grid, scaled into [-1, 1] when it exceeds it, every `step`-th cell."""
    image = values.reshape(resolution, resolution)[::step, ::step]
    scale = max(1.0, float(np.abs(image).max()))
    return diverging_rgb(image / scale)


def probability_rgb(probability: np.ndarray, resolution: int, label: int, step: int = 1) -> np.ndarray:
    """One class's probability over the grid: white at 0, the class colour at 1."""
    image = probability.reshape(resolution, resolution)[::step, ::step]
    return _blend(np.broadcast_to(_rgb(CLASS_COLOURS[label]), (*image.shape, 3)), image)


def png_uri(rgb: np.ndarray) -> str:
    """An RGB uint8 image as a PNG data URI."""
    buffer = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buffer, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def output_figure(
    image_uri: str,
    data: plane.PlaneData,
    t: Callable[..., str],
    show_test: bool = False,
    height: int = 360,
) -> go.Figure:
    """The output heatmap over the plane with the training points (and test points, outlined) on top."""
    extent = plane.EXTENT
    image = {
        "source": image_uri, "xref": "x", "yref": "y", "x": -extent, "y": extent, "sizex": 2 * extent,
        "sizey": 2 * extent, "sizing": "stretch", "layer": "below", "xanchor": "left", "yanchor": "top",
    }  # fmt: skip
    sets = [(data.x_train, data.y_train, t("points_train"), "#FFFFFF", 1.0)]
    if show_test:
        sets.append((data.x_test, data.y_test, t("points_test"), "#000000", 1.6))
    traces = []
    for points, labels, name, edge, edge_width in sets:
        marker = {"size": 7, "line": {"color": edge, "width": edge_width}}
        if data.task == "regression":
            traces.append(
                {
                    "type": "scatter", "x": points[:, 0], "y": points[:, 1], "mode": "markers", "name": name,
                    "marker": {**marker, "color": labels, "colorscale": DIVERGING, "cmin": -1, "cmax": 1},
                    "hovertemplate": "x₁=%{x:.2f}<br>x₂=%{y:.2f}<br>" + t("value") + "=%{marker.color:.2f}<extra></extra>",
                }
            )  # fmt: skip
            continue
        names = getattr(data, "class_names", ())
        for label in range(max(data.classes, 2)):
            chosen = labels == label
            class_name = names[label] if label < len(names) else t("class_name", number=label)
            traces.append(
                {
                    "type": "scatter", "x": points[chosen, 0], "y": points[chosen, 1], "mode": "markers",
                    "name": f"{name} · {class_name}", "legendgroup": str(label),
                    "marker": {**marker, "color": CLASS_COLOURS[label]},
                    "hovertemplate": "x₁=%{x:.2f}<br>x₂=%{y:.2f}<extra>" + class_name + "</extra>",
                }
            )  # fmt: skip
    axis = {"range": [-extent, extent], "showgrid": False, "zeroline": False, "constrain": "domain"}
    layout = {
        "height": height, "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "showlegend": False, "uirevision": "plane", "images": [image],
        "xaxis": {**axis, **_units(data, 0, "x₁")},
        "yaxis": {**axis, **_units(data, 1, "x₂"), "scaleanchor": "x", "scaleratio": 1},
    }  # fmt: skip
    return go.Figure(data=traces, layout=layout)


def _units(data: plane.PlaneData, index: int, default: str) -> dict:
    """An axis's title and ticks: an uploaded table's column name and original units, else x₁ / x₂ as they are."""
    axes = getattr(data, "axes", None)
    if not axes or data.name != "table":
        return {"title": {"text": default}}
    found = axes[index]
    ticks = np.linspace(-plane.EXTENT, plane.EXTENT, 5)
    return {
        "title": {"text": found.name},
        "tickvals": ticks.tolist(),
        "ticktext": [f"{value:.3g}" for value in found.original(ticks)],
    }


def loss_figure(history: dict, t: Callable[..., str], height: int = 200) -> go.Figure:
    """Training and test loss per epoch."""
    fig = go.Figure()
    fig.add_scatter(
        x=history["epoch"], y=history["train"], name=t("loss_train"), mode="lines",
        line={"color": TRAIN_LOSS_COLOUR, "width": 2},
    )  # fmt: skip
    fig.add_scatter(
        x=history["epoch"], y=history["test"], name=t("loss_test"), mode="lines",
        line={"color": TEST_LOSS_COLOUR, "width": 2},
    )  # fmt: skip
    return fig.update_layout(
        height=height, margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis_title=t("axis_epoch"), yaxis_title=t("axis_loss"), yaxis_rangemode="tozero", uirevision="loss",
        legend={"orientation": "h", "y": 1.12, "x": 0},
    )  # fmt: skip


# ---------------------------------------------------------------- the network diagram

WIDTH_BINS = (0.1, 0.3, 0.6, 1.0, 1.5, np.inf)  # |w| upper bounds of each line-width class
LINE_WIDTHS = (0.5, 1.2, 2.2, 3.4, 4.8, 6.5)
NODE_WIDTH, NODE_HEIGHT = 0.42, 0.8  # in column and row units
FRAME_WIDTH_PX = 560  # the diagram's usual width on the page, to size the neurons' frames


def node_positions(sizes: Sequence[int]) -> list[np.ndarray]:
    """The y of each node in each column (inputs, hidden layers, output), top-aligned, one unit apart."""
    return [-np.arange(size, dtype=float) for size in sizes]


def _edges(columns: list[np.ndarray], weights, half_width: float = NODE_WIDTH / 2) -> dict:
    """Line segments grouped by (sign, width class), plus one hover point per connection."""
    groups: dict[tuple[bool, int], tuple[list, list]] = {}
    hover_x, hover_y, hover_text = [], [], []
    for layer, (kernel, _bias) in enumerate(weights):
        x0, x1 = layer + half_width, layer + 1 - half_width
        for i, y0 in enumerate(columns[layer]):
            for j, y1 in enumerate(columns[layer + 1]):
                w = float(kernel[i, j])
                key = (w >= 0, int(np.searchsorted(WIDTH_BINS, abs(w))))
                xs, ys = groups.setdefault(key, ([], []))
                xs += [x0, x1, None]
                ys += [y0, y1, None]
                hover_x.append(x0 + (x1 - x0) * 0.35)
                hover_y.append(y0 + (y1 - y0) * 0.35)
                hover_text.append(f"w = {w:.3f}")
    return {"groups": groups, "hover": (hover_x, hover_y, hover_text)}


def network_figure(
    feature_names: Sequence[str],
    input_images: Sequence[str],
    hidden_images: Sequence[Sequence[str]],
    output_images: Sequence[str],
    weights: Sequence[tuple[np.ndarray, np.ndarray]],
    t: Callable[..., str],
    height: int | None = None,
) -> go.Figure:
    """Features, hidden neurons and output neurons (each showing its output over the plane), linked by weights.

    Blue lines are positive weights, orange negative; thicker lines are larger weights.
    """
    sizes = [len(feature_names), *(len(layer) for layer in hidden_images), len(output_images)]
    columns = node_positions(sizes)
    rows = max(sizes)
    height = height or int(np.clip(44 * rows + 20, 320, 640))  # about 40 px a neuron
    # Square pictures and their frames at the diagram's usual width (the same boxes, whatever the width).
    x_span, y_span = len(sizes) + 0.3, rows + 0.1
    side = min(NODE_WIDTH / x_span * FRAME_WIDTH_PX, NODE_HEIGHT / y_span * height)  # px, for a typical width
    frame_x, frame_y = side / FRAME_WIDTH_PX * x_span, side / height * y_span
    edges = _edges(columns, weights, frame_x / 2)
    traces = [
        {
            "type": "scatter", "x": xs, "y": ys, "mode": "lines", "hoverinfo": "skip", "showlegend": False,
            "line": {"color": POSITIVE if positive else NEGATIVE, "width": LINE_WIDTHS[width_class]}, "opacity": 0.75,
        }
        for (positive, width_class), (xs, ys) in sorted(edges["groups"].items())
    ]  # fmt: skip
    hover_x, hover_y, hover_text = edges["hover"]
    traces.append(
        {
            "type": "scatter", "x": hover_x, "y": hover_y, "mode": "markers", "hovertext": hover_text,
            "marker": {"size": 6, "opacity": 0}, "hoverinfo": "text", "showlegend": False,
        }
    )  # fmt: skip
    images_by_column = [list(input_images), *(list(layer) for layer in hidden_images), list(output_images)]
    images, frames, node_x, node_y, node_text = [], [], [], [], []
    for column, (ys, sources) in enumerate(zip(columns, images_by_column, strict=True)):
        for row, (y, source) in enumerate(zip(ys, sources, strict=True)):
            images.append(
                {
                    "source": source, "xref": "x", "yref": "y", "x": column, "y": float(y), "sizex": frame_x,
                    "sizey": frame_y, "sizing": "stretch", "xanchor": "center", "yanchor": "middle",
                    "layer": "above",
                }
            )  # fmt: skip
            frames.append(
                {
                    "type": "rect", "xref": "x", "yref": "y", "layer": "above", "line": {"color": "#AAAAAA", "width": 1},
                    "x0": column - frame_x / 2, "x1": column + frame_x / 2, "y0": y - frame_y / 2, "y1": y + frame_y / 2,
                }
            )  # fmt: skip
            node_x.append(column)
            node_y.append(float(y))
            node_text.append(_node_label(column, row, len(sizes), feature_names, weights, t))
    traces.append(
        {
            "type": "scatter", "x": node_x, "y": node_y, "mode": "markers", "hovertext": node_text,
            "hoverinfo": "text", "showlegend": False, "marker": {"size": 18, "symbol": "square", "opacity": 0},
        }
    )  # fmt: skip
    labels = [
        {
            "x": -NODE_WIDTH / 2 - 0.05, "y": float(columns[0][row]), "text": plane.FEATURE_SYMBOLS[name],
            "showarrow": False, "xanchor": "right", "font": {"size": 13},
        }
        for row, name in enumerate(feature_names)
    ]  # fmt: skip
    layout = {
        "height": height, "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "plot_bgcolor": "rgba(0,0,0,0)", "paper_bgcolor": "rgba(0,0,0,0)", "uirevision": "network",
        "dragmode": False, "images": images, "annotations": labels, "shapes": frames,
        "xaxis": {"range": [-0.9, len(sizes) - 0.6], "visible": False, "fixedrange": True},
        "yaxis": {"range": [-rows + 0.45, 0.55], "visible": False, "fixedrange": True},
    }  # fmt: skip
    # One constructor call: adding ~100 layout images one by one re-validates the list each time (seconds).
    return go.Figure(data=traces, layout=layout)


def _node_label(column: int, row: int, columns: int, feature_names, weights, t) -> str:
    if column == 0:
        return t("node_input", name=plane.FEATURE_SYMBOLS[feature_names[row]])
    bias = float(weights[column - 1][1][row]) if column - 1 < len(weights) else 0.0
    if column == columns - 1:
        return t("node_output", neuron=row + 1, bias=bias)
    return t("node_hidden", layer=column, neuron=row + 1, bias=bias)


def place_figure(
    placed: Sequence[tuple[float, float, float]], target: str, grid: np.ndarray, t: Callable[..., str], height=300
) -> go.Figure:
    """The plane to place points on: the points so far over a grid of invisible markers that catch clicks.

    Streamlit's selection reports only points of the figure, so every grid cell holds a marker that is drawn
    fully transparent; a click selects the nearest one and the page adds a point there.
    """
    extent = plane.EXTENT
    catch = {
        "type": "scatter", "x": grid[:, 0], "y": grid[:, 1], "mode": "markers", "name": t("place_here"),
        "marker": {"size": 14, "color": "rgba(0,0,0,0)", "symbol": "square"},
        "hovertemplate": "x₁=%{x:.2f}<br>x₂=%{y:.2f}<extra></extra>",
    }  # fmt: skip
    traces = [catch]
    if placed:
        xy = np.array(placed, np.float64)
        marker = {"size": 9, "line": {"color": "#FFFFFF", "width": 1}}
        if target == "regression":
            marker.update(color=xy[:, 2], colorscale=DIVERGING, cmin=-1, cmax=1)
        else:
            marker["color"] = [CLASS_COLOURS[int(label)] for label in xy[:, 2]]
        traces.append(
            {"type": "scatter", "x": xy[:, 0], "y": xy[:, 1], "mode": "markers", "marker": marker, "hoverinfo": "skip"}
        )
    axis = {"range": [-extent, extent], "showgrid": True, "zeroline": True, "constrain": "domain", "fixedrange": True}
    layout = {
        "height": height, "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "showlegend": False, "dragmode": False,
        "clickmode": "event+select", "plot_bgcolor": "#F7F7F7",
        "xaxis": {**axis, "title": {"text": "x₁"}},
        "yaxis": {**axis, "title": {"text": "x₂"}, "scaleanchor": "x", "scaleratio": 1},
    }  # fmt: skip
    return go.Figure(data=traces, layout=layout)
