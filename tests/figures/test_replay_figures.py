"""Replay figures: one frame's filters, maps and prediction on scales fixed over the run, and the curve marker."""

import numpy as np
import plotly.graph_objects as go

from playground import presets
from playground.figures import replay as figures
from playground.figures import training
from playground.training.runs import History
from tests.training.test_replay import _fake


def test_scales_are_fixed_over_the_replay_so_frames_compare():
    run = _fake(presets.preset("seed-cnn"), 4)
    run.filters[0] *= np.float16(0.1)  # the untrained start is weaker than what follows
    first, last = (figures.filters(run, i, "filters", "filter") for i in (0, 3))
    limit = float(np.abs(run.filters.astype(np.float32)).max())
    assert first.data[0].zmax == last.data[0].zmax == limit and first.data[0].zmin == -limit
    maps = figures.maps(run, 2, 1, "maps", "map")
    assert maps.data[0].zmax == float(run.maps[1].astype(np.float32).max())
    go.Figure(maps.to_dict())  # validates


def test_prediction_outlines_the_true_class_and_the_probe_is_drawn():
    run = _fake(presets.preset("seed-cnn"), 3)
    bars = figures.prediction(run, 1, tuple("0123456789"), "prediction", "probability")
    assert np.allclose(bars.data[0].y, run.probabilities[1].astype(np.float32))
    assert list(bars.data[0].marker.line.width).index(3) == run.probe_label
    assert np.array_equal(figures.probe(run, "probe").data[0].z, run.probe)


def test_the_marker_is_a_line_on_each_plot_and_the_original_is_untouched():
    history = History()
    for epoch in (1, 2, 3):
        history.add_epoch(epoch, {"loss": 1 / epoch, "accuracy": 0.5})
    curves = training.epoch_figure(history, lambda key, **params: key)
    marked = figures.marked(curves, 1.5)
    lines = [(s.xref, s.x0) for s in marked.layout.shapes]
    assert lines == [("x", 1.5), ("x2", 1.5)] and not curves.layout.shapes
