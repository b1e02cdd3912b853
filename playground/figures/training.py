"""Pure Plotly figures of training: per-step curves with smoothing, per-epoch train vs validation, run overlays."""

import copy
import functools
from collections.abc import Callable

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from playground.training.runs import History, RunRecord, downsample, smooth

# Okabe–Ito, colour-blind safe.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000", "#999999")
LOSS_COLOUR, ACCURACY_COLOUR = "#0072B2", "#009E73"
TRAIN_COLOUR, VALIDATION_COLOUR = "#0072B2", "#D55E00"
MAX_POINTS = 600  # a live curve is downsampled beyond this, so each refresh stays small


def _layout(fig: go.Figure, height: int) -> go.Figure:
    # uirevision keeps the learner's zoom while the figure is redrawn every second.
    return fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "y": -0.22},
        uirevision="training",
        template="plotly_white",
    )


def smoothing_for(points: int) -> float:
    """A smoothing weight that suits the curve's length: light for a few points, strong for thousands."""
    return min(0.95, max(0.3, 1 - 10 / max(points, 1)))


# The live figures are redrawn every tick for every watching learner. Plotly validates every property it is given,
# which cost ~30 ms per figure, most of a core for a class. So their layout is validated once (cached per language
# and shape) and each tick adds plain trace dicts to it unvalidated: ~1 ms. tests/figures/test_training_figures.py checks that
# validating the result changes nothing.
@functools.lru_cache(maxsize=64)
def _pair_layout(left: str, right: str, x_title: str, height: int, dtick: int | None) -> dict:
    fig = make_subplots(rows=1, cols=2, subplot_titles=(left, right), horizontal_spacing=0.1)
    for col in (1, 2):
        fig.update_xaxes(title_text=x_title, dtick=dtick, row=1, col=col)
    fig.update_yaxes(rangemode="tozero", row=1, col=1)
    fig.update_yaxes(range=[0, 1.02], row=1, col=2)
    return _layout(fig, height).to_dict()["layout"]


def _scatter(col: int, **properties) -> dict:
    axis = "" if col == 1 else str(col)
    return {"type": "scatter", "xaxis": "x" + axis, "yaxis": "y" + axis, **properties}


def _unvalidated(traces: list[dict], layout: dict) -> go.Figure:
    return go.Figure(data=traces, layout=copy.deepcopy(layout), _validate=False)


def step_figure(history: History, t: Callable[..., str], smoothing: float | None = None) -> go.Figure:
    """Loss and accuracy per group of steps (faint) with their smoothed lines, side by side."""
    smoothing = smoothing_for(len(history.step)) if smoothing is None else smoothing
    traces = []
    for col, (values, colour) in enumerate(
        ((history.step_loss, LOSS_COLOUR), (history.step_accuracy, ACCURACY_COLOUR)), start=1
    ):
        xs, raw = downsample(history.step, values, MAX_POINTS)
        _, smoothed = downsample(history.step, smooth(values, smoothing), MAX_POINTS)
        first = col == 1
        traces.append(_scatter(col, x=xs, y=raw, name=t("trace_raw"), mode="lines", opacity=0.35,
                               line={"color": colour, "width": 1}, legendgroup="raw", showlegend=first))  # fmt: skip
        traces.append(_scatter(col, x=xs, y=smoothed, name=t("trace_smooth"), mode="lines",
                               line={"color": colour, "width": 2.5}, legendgroup="smooth", showlegend=first))  # fmt: skip
    return _unvalidated(traces, _pair_layout(t("loss"), t("accuracy"), t("axis_step"), 320, None))


def epoch_figure(history: History, t: Callable[..., str]) -> go.Figure:
    """Training vs validation loss and accuracy per epoch, side by side."""
    traces = []
    curves = ((history.loss, history.val_loss, 1), (history.accuracy, history.val_accuracy, 2))
    for train, validation, col in curves:
        first = col == 1
        traces.append(_scatter(col, x=list(history.epoch), y=list(train), name=t("trace_train"), mode="lines+markers",
                               line={"color": TRAIN_COLOUR}, legendgroup="train", showlegend=first))  # fmt: skip
        if any(v is not None for v in validation):
            traces.append(_scatter(col, x=list(history.epoch), y=list(validation), name=t("trace_validation"),
                                   mode="lines+markers", line={"color": VALIDATION_COLOUR, "dash": "dash"},
                                   marker={"symbol": "square"}, legendgroup="validation", showlegend=first))  # fmt: skip
    dtick = 1 if len(history.epoch) <= 20 else None
    return _unvalidated(traces, _pair_layout(t("loss"), t("accuracy"), t("axis_epoch"), 320, dtick))


def overlay_figure(
    records: list[RunRecord], metric: str, t: Callable[..., str], labels: dict[int, str] | None = None
) -> go.Figure:
    """One per-epoch curve (loss, accuracy, val_loss or val_accuracy) of each chosen run, over each other; a run is
    named by `labels` (by run id) where given, else 'Run N'."""
    fig = go.Figure()
    for index, record in enumerate(records):
        colour = OKABE_ITO[index % len(OKABE_ITO)]
        dash = ("solid", "dash", "dot", "dashdot")[index // len(OKABE_ITO) % 4]
        fig.add_scatter(
            x=record.history.epoch,
            y=getattr(record.history, metric),
            mode="lines+markers",
            name=(labels or {}).get(record.run_id) or t("run", id=record.run_id),
            line={"color": colour, "dash": dash},
        )
    fig.update_layout(title=t("overlay_title", metric=t(metric)), xaxis_title=t("axis_epoch"), yaxis_title=t(metric))
    if "accuracy" in metric:
        fig.update_yaxes(range=[0, 1.02])
    return _layout(fig, 360)
