"""Pure Plotly figures for explaining one activation: a clickable map, the window it read, and the numbers multiplied.

Arrays and translated labels in, a plotly Figure out (no Streamlit, no Keras).
"""

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.figures.inspection import FONT, HIGHLIGHT, MUTED, TRUE_CLASS, mosaic

PIXELS = 300  # the side of a map's plot area, whatever its cell count
TEXT_CELLS = 49  # numbers are written into the cells of grids this small (a 7×7 kernel at most)


def _outline(fig: go.Figure, top: float, left: float, height: float, width: float, colour: str, **where) -> None:
    fig.add_shape(type="rect", x0=left - 0.5, x1=left + width - 0.5, y0=top - 0.5, y1=top + height - 0.5,
                  line={"color": colour, "width": 3}, **where)  # fmt: skip


def one_map(
    values: np.ndarray,
    title: str,
    hover_label: str,
    window: tuple[int, int, int, int] | None = None,
    clickable: bool = False,
    chosen: tuple[int, int] | None = None,
) -> go.Figure:
    """One (height, width) map, `window` (top, left, height, width) outlined; with `clickable`, an invisible marker
    on every cell makes a click select it (x: column, y: row), as on the confusion matrix."""
    values = np.asarray(values, dtype=np.float32)
    rows, cols = values.shape
    fig = go.Figure(
        go.Heatmap(
            z=values,
            colorscale="Cividis",
            hovertemplate=f"%{{y}}, %{{x}} · {hover_label} %{{z:.4g}}<extra></extra>",
            hoverinfo="skip" if clickable else None,  # the markers above say it, and take the click
            colorbar={"thickness": 12},
        )
    )
    if clickable:
        grid_rows, grid_cols = np.indices(values.shape)
        fig.add_trace(
            go.Scatter(
                x=grid_cols.ravel(),
                y=grid_rows.ravel(),
                mode="markers",
                marker={
                    "symbol": "square",
                    "size": max(4, PIXELS // max(rows, cols)),
                    "opacity": 0.01,
                    "color": MUTED,
                },
                customdata=values.ravel(),
                # Plotly fires no click on a trace whose hover is skipped: the markers carry the hover text.
                hovertemplate=f"%{{y}}, %{{x}} · {hover_label} %{{customdata:.4g}}<extra></extra>",
                showlegend=False,
            )
        )
    if window is not None:
        _outline(fig, *window, colour=TRUE_CLASS)
    if chosen is not None:
        _outline(fig, chosen[0], chosen[1], 1, 1, colour=HIGHLIGHT)
    fig.update_xaxes(visible=False, constrain="domain", range=[-0.5, cols - 0.5])
    fig.update_yaxes(visible=False, range=[rows - 0.5, -0.5], scaleanchor="x", constrain="domain")
    return fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        height=PIXELS + 60,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        font=FONT,
        dragmode=False if not clickable else None,  # a clickable map keeps Streamlit's selection tool
    )


def _grid(tiles: np.ndarray) -> np.ndarray:
    # (h, w, channels) as one mosaic of the channels, NaN between them.
    return mosaic(np.moveaxis(np.asarray(tiles, dtype=np.float32), -1, 0), gap=1)[0]


def patch_kernel_products(
    patch: np.ndarray, weights: np.ndarray | None, products: np.ndarray | None, titles: tuple[str, ...], hover: str
) -> go.Figure:
    """The window read (h, w, channels), and where given the weights that multiplied it and the products, side by
    side: each a mosaic of its channels, weights and products on a diverging scale centred at zero."""
    panels = [p for p in (patch, weights, products) if p is not None]
    fig = make_subplots(1, len(panels), subplot_titles=titles[: len(panels)], horizontal_spacing=0.06)
    for column, values in enumerate(panels, start=1):
        values = values if values.ndim == 3 else values[..., None]
        grid = _grid(values)
        limit = float(np.nanmax(np.abs(grid))) if np.isfinite(grid).any() else 1.0
        small = values.size <= TEXT_CELLS
        fig.add_trace(
            go.Heatmap(
                z=grid,
                colorscale="Cividis" if column == 1 else "RdBu_r",
                zmid=None if column == 1 else 0.0,
                zmin=None if column == 1 else -(limit or 1.0),
                zmax=None if column == 1 else limit or 1.0,
                text=np.vectorize(lambda v: "" if np.isnan(v) else f"{v:.2f}")(grid) if small else None,
                texttemplate="%{text}" if small else None,
                hoverongaps=False,
                hovertemplate=f"{hover} %{{z:.4g}}<extra></extra>",
                showscale=False,
            ),
            1,
            column,
        )
        fig.update_xaxes(visible=False, constrain="domain", row=1, col=column)
        fig.update_yaxes(visible=False, autorange="reversed", scaleanchor=f"x{column if column > 1 else ''}",
                         constrain="domain", row=1, col=column)  # fmt: skip
    return fig.update_layout(height=260, margin={"l": 10, "r": 10, "t": 40, "b": 10}, font=FONT, dragmode=False)
