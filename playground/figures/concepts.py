"""Pure Plotly figures for the concept pages: plain data and a translator `t` in, a Figure out."""

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

# Okabe–Ito: distinguishable with every common colour-vision deficiency.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#000000", "#F0E442", "#999999")
POSITIVE, NEGATIVE = "#0072B2", "#D55E00"
MAX_FRAMES = 60

Translate = Callable[..., str]


def colour(index: int) -> str:
    """The index-th colour of the palette, cycling."""
    return OKABE_ITO[index % len(OKABE_ITO)]


def _masked(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return np.where(mask, values, np.nan)


# --- activations ---


def activation_figure(curves: Sequence, t: Translate) -> go.Figure:
    """Each activation (top) and its derivative (bottom); flat stretches drawn as a wide pale band."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=(t("fig_value"), t("fig_derivative")))  # fmt: skip
    for index, curve in enumerate(curves):
        label = curve_label(curve)
        for row, values in ((1, curve.y), (2, curve.dy)):
            fig.add_scatter(x=curve.x, y=_masked(values, curve.flat), row=row, col=1, mode="lines",
                            line={"color": colour(index), "width": 14}, opacity=0.25, hoverinfo="skip",
                            name=t("fig_flat"), legendgroup=label, showlegend=False)  # fmt: skip
            fig.add_scatter(x=curve.x, y=values, row=row, col=1, mode="lines", name=label, legendgroup=label,
                            line={"color": colour(index), "width": 2.5}, showlegend=row == 1)  # fmt: skip
    fig.update_xaxes(title_text=t("fig_input"), row=2, col=1)
    fig.update_yaxes(title_text=t("fig_output"), row=1, col=1)
    fig.update_yaxes(title_text=t("fig_slope"), row=2, col=1)
    return fig.update_layout(height=620, margin={"t": 40, "b": 40})


def curve_label(curve) -> str:
    """'elu (alpha=1.5)': the activation's name with the parameters it was drawn with."""
    if not curve.params:
        return curve.name
    return f"{curve.name} ({', '.join(f'{k}={v:g}' for k, v in curve.params.items())})"


def depth_figure(runs: Mapping, when: str, labels: Mapping[str, str], t: Translate) -> go.Figure:
    """Mean |gradient| per Dense layer for each run (log scale), before ('start') or after ('end') training."""
    fig = go.Figure()
    for index, (name, run) in enumerate(runs.items()):
        sizes = run.grad_start if when == "start" else run.grad_end
        layers = [t("fig_layer", n=n) for n in range(1, len(sizes) + 1)]
        fig.add_bar(x=layers, y=sizes, name=labels[name], marker_color=colour(index * 3),
                    text=[f"{s:.1e}" for s in sizes], textposition="outside")  # fmt: skip
    fig.update_yaxes(type="log", title_text=t("fig_grad_size"), exponentformat="power")
    fig.update_xaxes(title_text=t("fig_layers_axis"))
    return fig.update_layout(barmode="group", height=420, margin={"t": 30}, legend={"orientation": "h", "y": 1.1})


# --- losses ---


def loss_sweep_figure(p: np.ndarray, curves: Mapping, p_now: float, t: Translate) -> go.Figure:
    """Each loss (left) and its slope d loss / d p (right) as the true class's probability p varies."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=(t("fig_loss_vs_p"), t("fig_slope_vs_p")))
    for index, (name, (values, slopes)) in enumerate(curves.items()):
        for col, series in ((1, values), (2, slopes)):
            fig.add_scatter(x=p, y=series, mode="lines", row=1, col=col, name=t("loss_" + name),
                            legendgroup=name, showlegend=col == 1, line={"color": colour(index), "width": 2.5})  # fmt: skip
    for col in (1, 2):
        fig.add_vline(x=p_now, line_dash="dash", line_color="#999999", row=1, col=col)
    fig.update_xaxes(title_text=t("fig_p_true"), range=[0, 1])
    fig.update_yaxes(title_text=t("fig_loss"), row=1, col=1)
    fig.update_yaxes(title_text=t("fig_loss_slope"), range=[-12, 1], row=1, col=2)
    return fig.update_layout(height=420, margin={"t": 40}, legend={"orientation": "h", "y": -0.2})


def prediction_figure(prediction: np.ndarray, points: Mapping, true_class: int, t: Translate) -> go.Figure:
    """The predicted probabilities (left) and every loss's gradient for each class's probability (right)."""
    classes = [str(c) for c in range(len(prediction))]
    fig = make_subplots(rows=1, cols=2, subplot_titles=(t("fig_prediction"), t("fig_gradient_per_class")))
    bar_colours = [POSITIVE if c == true_class else "#999999" for c in range(len(prediction))]
    fig.add_bar(x=classes, y=prediction, marker_color=bar_colours, row=1, col=1, showlegend=False)
    for index, (name, point) in enumerate(points.items()):
        fig.add_bar(x=classes, y=point.gradient, name=t("loss_" + name), marker_color=colour(index), row=1, col=2)
    fig.update_xaxes(title_text=t("fig_class"), dtick=1)
    fig.update_yaxes(title_text=t("fig_probability"), range=[0, 1], row=1, col=1)
    fig.update_yaxes(title_text=t("fig_gradient"), row=1, col=2)
    return fig.update_layout(barmode="group", height=400, margin={"t": 40}, legend={"orientation": "h", "y": -0.2})


def regression_figure(x: np.ndarray, y: np.ndarray, fits: Mapping, pulls: Mapping, t: Translate) -> go.Figure:
    """The points with each loss's best line (left) and how hard each point pulls on it (right)."""
    fig = make_subplots(rows=1, cols=2, column_widths=[0.6, 0.4], subplot_titles=(t("fig_fit"), t("fig_pull")))
    fig.add_scatter(x=x[:-1], y=y[:-1], mode="markers", name=t("fig_points"), row=1, col=1,
                    marker={"color": "#000000", "size": 9})  # fmt: skip
    fig.add_scatter(x=x[-1:], y=y[-1:], mode="markers", name=t("fig_outlier"), row=1, col=1,
                    marker={"color": NEGATIVE, "size": 14, "symbol": "diamond"})  # fmt: skip
    span = np.array([x.min() - 0.5, x.max() + 0.5])
    for index, (name, (slope, intercept)) in enumerate(fits.items()):
        fig.add_scatter(x=span, y=slope * span + intercept, mode="lines", name=t("loss_" + name), row=1, col=1,
                        legendgroup=name, line={"color": colour(index), "width": 3})  # fmt: skip
        fig.add_bar(x=np.arange(1, len(x) + 1), y=pulls[name] / pulls[name].sum(), row=1, col=2,
                    name=t("loss_" + name), legendgroup=name, showlegend=False, marker_color=colour(index))  # fmt: skip
    fig.update_xaxes(title_text="x", row=1, col=1)
    fig.update_yaxes(title_text="y", row=1, col=1)
    fig.update_xaxes(title_text=t("fig_point_number"), dtick=1, row=1, col=2)
    fig.update_yaxes(title_text=t("fig_pull_share"), tickformat=".0%", row=1, col=2)
    return fig.update_layout(barmode="group", height=430, margin={"t": 40}, legend={"orientation": "h", "y": -0.2})


# --- optimizers ---


def frame_steps(steps: int, frames: int = MAX_FRAMES) -> list[int]:
    """The steps the animation shows: at most `frames` of them, evenly spread, first and last included."""
    return sorted({int(round(s)) for s in np.linspace(0, steps, min(frames, steps + 1))})


def _gap(losses: np.ndarray, lowest: float) -> np.ndarray:
    # Distance above the minimum, floored so a log axis can show it.
    return np.maximum(losses - lowest, 1e-12)


def _race_traces(trajectories, lowest: float, upto: int | None, labels: Mapping[str, str]) -> list[go.Scatter]:
    traces = []
    for index, path in enumerate(trajectories):
        end = path.steps if upto is None else min(upto, path.steps)
        points, losses = path.points[: end + 1], _gap(path.losses[: end + 1], lowest)
        finite = np.flatnonzero(np.isfinite(points).all(axis=1))
        head = points[finite[-1:]] if len(finite) else points[:0]
        style = {"color": colour(index)}
        traces += [
            go.Scatter(x=points[:, 0], y=points[:, 1], mode="lines", line={**style, "width": 2},
                       name=labels[path.racer], legendgroup=path.racer, xaxis="x", yaxis="y"),
            go.Scatter(x=head[:, 0], y=head[:, 1], mode="markers", showlegend=False, legendgroup=path.racer,
                       marker={**style, "size": 12, "line": {"color": "white", "width": 1.5}}, xaxis="x", yaxis="y"),
            go.Scatter(x=np.arange(end + 1), y=losses, mode="lines", line={**style, "width": 2}, showlegend=False,
                       legendgroup=path.racer, xaxis="x2", yaxis="y2"),
        ]  # fmt: skip
    return traces


def race_figure(surface, grid, trajectories: Sequence, labels: Mapping[str, str], t: Translate) -> go.Figure:
    """Contours with each optimizer's path (left) and loss above the minimum per step (right), animated."""
    xs, ys, z = grid
    steps = max(path.steps for path in trajectories)
    fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45], horizontal_spacing=0.12,
                        subplot_titles=(t("fig_paths"), t("fig_loss_gap")))  # fmt: skip
    # Log contours: the interesting valleys are thin, far below the walls.
    fig.add_contour(x=xs, y=ys, z=np.log10(z - surface.lowest + 1e-2), colorscale="Cividis", showscale=False,
                    ncontours=30, opacity=0.7, hoverinfo="skip", row=1, col=1)  # fmt: skip
    minima = np.asarray(surface.minima)
    fig.add_scatter(x=minima[:, 0], y=minima[:, 1], mode="markers", name=t("fig_minimum"), row=1, col=1,
                    marker={"symbol": "star", "size": 16, "color": "white", "line": {"color": "black", "width": 1}})  # fmt: skip
    fig.add_scatter(x=[surface_start(trajectories)[0]], y=[surface_start(trajectories)[1]], mode="markers",
                    name=t("fig_start"), row=1, col=1, marker={"symbol": "x", "size": 12, "color": "black"})  # fmt: skip
    first = len(fig.data)
    for trace in _race_traces(trajectories, surface.lowest, None, labels):
        fig.add_trace(trace)
    moving = list(range(first, len(fig.data)))
    fig.frames = [
        go.Frame(name=str(step), data=_race_traces(trajectories, surface.lowest, step, labels), traces=moving)
        for step in frame_steps(steps)
    ]
    fig.update_xaxes(range=list(surface.x_range), title_text="w₁", row=1, col=1)
    fig.update_yaxes(range=list(surface.y_range), title_text="w₂", row=1, col=1)
    fig.update_xaxes(title_text=t("fig_step"), range=[0, steps], row=1, col=2)
    fig.update_yaxes(type="log", title_text=t("fig_gap"), exponentformat="power", row=1, col=2)
    return fig.update_layout(height=640, margin={"t": 100, "b": 130}, legend={"orientation": "h", "y": 1.08, "yanchor": "bottom"},
                             updatemenus=[_play_buttons(t)], sliders=[_step_slider(fig.frames, t)])  # fmt: skip


def surface_start(trajectories: Sequence) -> np.ndarray:
    """The common start point of the race."""
    return trajectories[0].points[0]


def _play_buttons(t: Translate) -> dict:
    play = {"frame": {"duration": 80, "redraw": False}, "fromcurrent": False, "transition": {"duration": 0}}
    pause = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate", "transition": {"duration": 0}}
    return {"type": "buttons", "direction": "left", "x": 0.0, "y": -0.14, "xanchor": "left", "yanchor": "top", "showactive": False,
            "buttons": [{"label": "▶ " + t("fig_play"), "method": "animate", "args": [None, play]},
                        {"label": "⏸ " + t("fig_pause"), "method": "animate", "args": [[None], pause]}]}  # fmt: skip


def _step_slider(frames, t: Translate) -> dict:
    steps = [{"label": frame.name, "method": "animate",
              "args": [[frame.name], {"mode": "immediate", "frame": {"duration": 0, "redraw": False}}]}
             for frame in frames]  # fmt: skip
    return {"active": len(steps) - 1, "steps": steps, "x": 0.2, "len": 0.8, "y": -0.1, "yanchor": "top",
            "currentvalue": {"prefix": t("fig_step") + ": "}}  # fmt: skip


# --- back-propagation ---

_POSITIONS = {"x1": (0, 0.8), "x2": (0, 0.2), "h1": (1, 0.8), "h2": (1, 0.2), "o": (2, 0.5), "loss": (3, 0.5)}
_EDGES = {"w1": ("x1", "h1"), "w2": ("x2", "h1"), "w3": ("x1", "h2"), "w4": ("x2", "h2"), "w5": ("h1", "o"), "w6": ("h2", "o")}  # fmt: skip
# Where along each edge its label sits: crossing edges get labels near their source so they do not collide.
_LABEL_AT = {"w1": 0.5, "w2": 0.35, "w3": 0.35, "w4": 0.5, "w5": 0.5, "w6": 0.5}


def network_figure(weights: Mapping[str, float], step, example, t: Translate) -> go.Figure:
    """The 2-2-1 network: node values and deltas, each weight with its gradient; edge width ∝ |gradient|."""
    fig = go.Figure()
    largest = max(abs(step.gradients[name]) for name in _EDGES) or 1.0
    for name, (source, target) in _EDGES.items():
        (x0, y0), (x1, y1) = _POSITIONS[source], _POSITIONS[target]
        width = 1.5 + 8 * abs(step.gradients[name]) / largest
        fig.add_scatter(x=[x0, x1], y=[y0, y1], mode="lines", hoverinfo="skip", showlegend=False,
                        line={"color": POSITIVE if weights[name] >= 0 else NEGATIVE, "width": width})  # fmt: skip
        at = _LABEL_AT[name]
        fig.add_annotation(x=x0 + at * (x1 - x0), y=y0 + at * (y1 - y0), showarrow=False, bgcolor="white",
                           font={"color": "black"},
                           text=f"<b>{name}</b> = {weights[name]:.4f}<br>∂L/∂{name} = {step.gradients[name]:.2e}")  # fmt: skip
    nodes = step.nodes
    texts = {
        "x1": f"<b>x₁</b><br>{example.inputs[0]:.3f}",
        "x2": f"<b>x₂</b><br>{example.inputs[1]:.3f}",
        "h1": _neuron_text("h₁", nodes["z_h1"], nodes["h1"], step.deltas["z_h1"], "b1", weights),
        "h2": _neuron_text("h₂", nodes["z_h2"], nodes["h2"], step.deltas["z_h2"], "b2", weights),
        "o": _neuron_text("o", nodes["z_o"], nodes["o"], step.deltas["z_o"], "b3", weights),
        "loss": f"<b>{t('fig_loss')}</b><br>{step.loss:.6f}<br>{t('fig_target')} {example.target:.3f}",
    }
    fig.add_scatter(x=[2, 3], y=[0.5, 0.5], mode="lines", hoverinfo="skip", showlegend=False,
                    line={"color": "#999999", "width": 1.5, "dash": "dot"})  # fmt: skip
    for name, (x, y) in _POSITIONS.items():
        # A node is a box drawn around its own text, so it grows with the numbers instead of hiding them.
        fig.add_annotation(x=x, y=y, text=texts[name], showarrow=False, font={"size": 13, "color": "black"}, align="center",
                           bgcolor="#F5F5F5", bordercolor="#000000", borderwidth=1.5, borderpad=8)  # fmt: skip
    fig.update_xaxes(visible=False, range=[-0.3, 3.3])
    fig.update_yaxes(visible=False, range=[0.0, 1.0])
    return fig.update_layout(height=520, margin={"t": 10, "b": 10, "l": 10, "r": 10}, plot_bgcolor="white")


def _neuron_text(label: str, z: float, a: float, delta: float, bias: str, weights: Mapping[str, float]) -> str:
    return f"<b>{label}</b><br>z = {z:.4f}<br>a = {a:.4f}<br>δ = {delta:.2e}<br>{bias} = {weights[bias]:.3f}"


def loss_history_figure(losses: Sequence[float], t: Translate) -> go.Figure:
    """The loss after each step taken so far."""
    fig = go.Figure(go.Scatter(x=list(range(len(losses))), y=list(losses), mode="lines+markers",
                               line={"color": POSITIVE, "width": 2.5}, name=t("fig_loss")))  # fmt: skip
    fig.update_xaxes(title_text=t("fig_step"), range=[-0.5, max(10, len(losses) - 1) + 0.5])
    fig.update_yaxes(title_text=t("fig_loss"), rangemode="tozero")
    return fig.update_layout(height=300, margin={"t": 20})
