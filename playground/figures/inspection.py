"""Pure Plotly figures for looking inside a model: probabilities, feature maps, filters, saliency, confusion.

Arrays and translated labels in, a plotly Figure out. Grids of maps are one heatmap of a tiled mosaic
(NaN gaps between tiles) rather than one subplot per map: one colour scale for the whole layer, and
a figure that builds and draws in milliseconds however many maps the layer has.
"""

import math

import numpy as np
import plotly.graph_objects as go

HIGHLIGHT = "#0072B2"  # Okabe–Ito blue: the predicted class
MUTED = "#999999"  # Okabe–Ito grey: the others
TRUE_CLASS = "#E69F00"  # Okabe–Ito orange: the true class, when known
FONT = {"family": "sans-serif"}


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    return fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        height=height,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        font=FONT,
    )


def probabilities_bar(
    probabilities: np.ndarray, class_names: tuple[str, ...], title: str, axis: str, true_class: int | None = None
) -> go.Figure:
    """Bars of every class probability, the predicted class in blue (and the true one outlined)."""
    probabilities = np.asarray(probabilities, dtype=float)
    predicted = int(np.argmax(probabilities))
    colours = [HIGHLIGHT if i == predicted else MUTED for i in range(len(probabilities))]
    outline = [3 if i == true_class else 0 for i in range(len(probabilities))]
    fig = go.Figure(
        go.Bar(
            x=list(class_names),
            y=probabilities,
            marker={"color": colours, "line": {"color": TRUE_CLASS, "width": outline}},
            text=[f"{p:.0%}" if p >= 0.01 else "" for p in probabilities],
            textposition="outside",
            hovertemplate="%{x}: %{y:.2%}<extra></extra>",
        )
    )
    fig.update_yaxes(range=[0, 1.12], tickformat=".0%", title=axis)
    fig.update_xaxes(type="category")
    return _layout(fig, title, 300)


def mosaic(tiles: np.ndarray, columns: int | None = None, gap: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Tiles (n, h, w) laid out in a grid with NaN gaps, and each cell's tile number (-1 in gaps)."""
    count, height, width = tiles.shape
    columns = columns or max(1, math.ceil(math.sqrt(count * height / width)))
    rows = math.ceil(count / columns)
    grid = np.full((rows * (height + gap) - gap, columns * (width + gap) - gap), np.nan, dtype=np.float32)
    index = np.full(grid.shape, -1, dtype=np.int32)
    for number in range(count):
        top, left = (number // columns) * (height + gap), (number % columns) * (width + gap)
        grid[top : top + height, left : left + width] = tiles[number]
        index[top : top + height, left : left + width] = number
    return grid, index


def _image_axes(fig: go.Figure) -> go.Figure:
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x", constrain="domain")
    return fig


def _grid_figure(tiles, title, hover_label, colorscale, zmid=None, columns=None, height=None) -> go.Figure:
    grid, index = mosaic(tiles, columns)
    heatmap = go.Heatmap(
        z=grid,
        customdata=index + 1,
        colorscale=colorscale,
        zmid=zmid,
        hoverongaps=False,
        hovertemplate=f"{hover_label} %{{customdata}}: %{{z:.3f}}<extra></extra>",
        colorbar={"thickness": 12},
    )
    fig = _image_axes(go.Figure(heatmap))
    aspect = grid.shape[0] / grid.shape[1]
    return _layout(fig, title, height or int(min(720, max(260, 520 * aspect + 60))))


def feature_maps(values: np.ndarray, title: str, hover_label: str, columns: int | None = None) -> go.Figure:
    """All channels of a (height, width, channels) activation as one grid with one colour scale."""
    tiles = np.moveaxis(np.asarray(values, dtype=np.float32), -1, 0)
    return _grid_figure(tiles, title, hover_label, "Cividis", columns=columns)


def filters(kernels: np.ndarray, title: str, hover_label: str) -> go.Figure:
    """Learned filters (n, h, w) as a grid, on a diverging scale centred at zero (red +, blue −)."""
    tiles = np.asarray(kernels, dtype=np.float32)
    limit = float(np.abs(tiles).max()) or 1.0
    fig = _grid_figure(tiles, title, hover_label, "RdBu_r", zmid=0.0)
    return fig.update_traces(zmin=-limit, zmax=limit)


def dense_bars(values: np.ndarray, title: str, axis: str, hover_label: str) -> go.Figure:
    """One bar per unit of a Dense layer's output."""
    values = np.asarray(values, dtype=float)
    fig = go.Figure(
        go.Bar(
            x=np.arange(1, len(values) + 1),
            y=values,
            marker={"color": np.where(values >= 0, HIGHLIGHT, TRUE_CLASS).tolist()},
            hovertemplate=f"{hover_label} %{{x}}: %{{y:.3f}}<extra></extra>",
        )
    )
    fig.update_yaxes(title=axis)
    fig.update_xaxes(title=hover_label)
    return _layout(fig, title, 260)


def saliency(image: np.ndarray, gradient: np.ndarray, title: str, hover_label: str) -> go.Figure:
    """The gradient over the input on a diverging scale, with the digit's outline drawn on top."""
    gradient = np.asarray(gradient, dtype=np.float32)
    limit = float(np.abs(gradient).max()) or 1.0
    fig = go.Figure(
        go.Heatmap(
            z=gradient,
            colorscale="RdBu_r",
            zmin=-limit,
            zmax=limit,
            hovertemplate=f"{hover_label}: %{{z:.4f}}<extra></extra>",
            colorbar={"thickness": 12},
        )
    )
    fig.add_trace(
        go.Contour(
            z=np.asarray(image, dtype=np.float32),
            contours={"start": 0.5, "end": 0.5, "size": 1, "coloring": "none"},
            line={"color": "black", "width": 1.5},
            showscale=False,
            hoverinfo="skip",
        )
    )
    return _layout(_image_axes(fig), title, 360)


def confusion_matrix(
    confusion: np.ndarray, class_names: tuple[str, ...], title: str, true_axis: str, predicted_axis: str
) -> go.Figure:
    """Counts of (true, predicted) coloured by the share of the true class; cells are clickable points."""
    confusion = np.asarray(confusion)
    totals = confusion.sum(axis=1, keepdims=True)
    share = np.divide(confusion, totals, out=np.zeros(confusion.shape, dtype=float), where=totals > 0)
    names = list(class_names)
    fig = go.Figure(
        go.Heatmap(
            z=share,
            x=names,
            y=names,
            text=confusion,
            texttemplate="%{text}",
            colorscale="Cividis",
            zmin=0,
            zmax=1,
            hoverinfo="skip",  # the markers above it say the same, and take the click
            colorbar={"thickness": 12, "tickformat": ".0%"},
        )
    )
    # Invisible square markers on every cell make a click select that cell (heatmaps are not selectable). They must
    # keep a hover of their own: Plotly sends no click for a trace whose hover is skipped.
    rows, cols = np.indices(confusion.shape)
    fig.add_trace(
        go.Scatter(
            x=[names[c] for c in cols.ravel()],
            y=[names[r] for r in rows.ravel()],
            text=confusion.ravel(),
            mode="markers",
            marker={"symbol": "square", "size": 26, "opacity": 0.01, "color": MUTED},
            hovertemplate=f"{true_axis} %{{y}}, {predicted_axis} %{{x}}: %{{text}}<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_xaxes(title=predicted_axis, type="category", side="bottom")
    fig.update_yaxes(title=true_axis, type="category", autorange="reversed")
    return _layout(fig, title, 460)


def per_class_accuracy(accuracy: np.ndarray, class_names: tuple[str, ...], title: str, axis: str) -> go.Figure:
    """Bars of every class's accuracy on the test set."""
    fig = go.Figure(
        go.Bar(
            x=list(class_names),
            y=np.nan_to_num(np.asarray(accuracy, dtype=float)),
            marker={"color": HIGHLIGHT},
            text=[f"{a:.0%}" for a in np.nan_to_num(accuracy)],
            textposition="outside",
            hovertemplate="%{x}: %{y:.1%}<extra></extra>",
        )
    )
    fig.update_yaxes(range=[0, 1.12], tickformat=".0%", title=axis)
    fig.update_xaxes(type="category")
    return _layout(fig, title, 280)
