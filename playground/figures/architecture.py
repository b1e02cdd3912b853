"""The architecture diagram: one block per layer, sized by its output shape (a pure Plotly figure)."""

import math

import plotly.graph_objects as go

from playground import layers
from playground.spec import ModelSpec, Report

INPUT_COLOUR = "#999999"  # each kind's own colour (Okabe–Ito, colour-blind safe) is in the layer registry


def _block_size(shape: tuple[int, ...]) -> tuple[float, float]:
    """(height, width) of a block: height grows with the number of values per channel, width with channels."""
    if len(shape) == 3:
        height = 1 + math.log2(1 + shape[0] * shape[1]) / 2
        width = 0.3 + math.log2(1 + shape[2]) / 4
    else:
        height = 1 + math.log2(1 + shape[0]) / 2
        width = 0.3
    return height, width


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape)


def architecture_figure(spec: ModelSpec, report: Report, input_label: str = "Input", params_label: str = "params"):
    """Blocks from input to output, their height and width reflecting each layer's output shape."""
    fig = go.Figure()
    entries = [(input_label, INPUT_COLOUR, tuple(spec.input_shape), 0)]
    entries += [(f"{s.position}. {s.kind}", layers.get(s.kind).colour, s.output_shape, s.params) for s in report.shapes]
    x = 0.0
    for label, colour, shape, params in entries:
        height, width = _block_size(shape)
        hover = f"{label}<br>{_shape_text(shape)}<br>{params:,} {params_label}"
        fig.add_trace(
            go.Scatter(
                x=[x, x + width, x + width, x, x],
                y=[-height / 2, -height / 2, height / 2, height / 2, -height / 2],
                fill="toself",
                fillcolor=colour,
                line={"color": "#333333", "width": 1},
                mode="lines",
                name=label,
                hoverinfo="text",
                text=hover,
                showlegend=False,
            )
        )
        fig.add_annotation(x=x + width / 2, y=height / 2 + 0.35, text=f"<b>{label}</b>", showarrow=False, font_size=11)
        fig.add_annotation(
            x=x + width / 2, y=-height / 2 - 0.35, text=_shape_text(shape), showarrow=False, font_size=11
        )
        x += width + 1.1
    fig.update_layout(
        height=300,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": None},
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return fig
