"""Training figures: per-step and per-epoch curves, the run overlay, and their unvalidated construction."""

import pytest

from playground import presets
from playground.figures import training as figures
from playground.text.train import CATALOGUE
from playground.training import runs
from playground.training.runs import History, RunRecord, TrainSettings

T_EN = CATALOGUE.translator("en")
T_ZH = CATALOGUE.translator("zh")


def _record(run_id: int, **changes) -> RunRecord:
    history = History()
    history.add_epoch(1, {"loss": 0.5, "accuracy": 0.8, "val_loss": 0.6, "val_accuracy": 0.75})
    return RunRecord(run_id, presets.preset("mlp"), TrainSettings(**changes), history, "finished", 0.4, 0.85)


def _history() -> History:
    history = History()
    for step in range(1, 11):
        history.add_step(step * 9, step / 5, 2.0 / step, step / 10)
    history.add_epoch(1, {"loss": 1.0, "accuracy": 0.5, "val_loss": 1.1, "val_accuracy": 0.45})
    history.add_epoch(2, {"loss": 0.5, "accuracy": 0.8, "val_loss": None, "val_accuracy": None, "partial": True})
    return history


def test_step_figure_draws_raw_and_smoothed_loss_and_accuracy():
    history = _history()
    fig = figures.step_figure(history, T_EN)
    names = [trace.name for trace in fig.data]
    assert names == ["each group of steps", "smoothed"] * 2
    assert list(fig.data[0].y) == pytest.approx(history.step_loss)
    weight = figures.smoothing_for(len(history.step))
    assert 0.3 <= weight < figures.smoothing_for(1000) <= 0.95
    assert list(fig.data[3].y) == pytest.approx(runs.smooth(history.step_accuracy, weight))
    assert list(fig.data[0].x) == history.step
    assert "步数（批次）" in figures.step_figure(history, T_ZH).layout.xaxis.title.text


def test_epoch_figure_compares_training_and_validation():
    fig = figures.epoch_figure(_history(), T_EN)
    assert [trace.name for trace in fig.data] == ["training", "validation"] * 2
    assert list(fig.data[1].y) == [1.1, None]
    no_validation = History()
    no_validation.add_epoch(1, {"loss": 1.0, "accuracy": 0.5})
    assert [trace.name for trace in figures.epoch_figure(no_validation, T_EN).data] == ["training"] * 2


@pytest.mark.parametrize("make", [figures.step_figure, figures.epoch_figure], ids=["steps", "epochs"])
def test_live_figures_built_unvalidated_are_what_plotly_would_validate(make):
    # The live figures skip Plotly's per-property validation for speed: validating them must change nothing.
    import plotly.graph_objects as go

    for t in (T_EN, T_ZH):
        fig = make(_history(), t)
        assert go.Figure(fig.to_dict()).to_dict() == fig.to_dict()
    layout = make(_history(), T_EN).to_dict()["layout"]
    assert layout["xaxis2"]["domain"][0] > layout["xaxis"]["domain"][1]  # two panels side by side
    assert layout["template"]["layout"]  # the template travels as data, as a validated figure's does


def test_overlay_draws_one_curve_per_run():
    fig = figures.overlay_figure([_record(1), _record(4)], "val_accuracy", T_EN)
    assert [trace.name for trace in fig.data] == ["Run 1", "Run 4"]
    assert list(fig.data[1].y) == [0.75]
    assert fig.data[0].line.color != fig.data[1].line.color
