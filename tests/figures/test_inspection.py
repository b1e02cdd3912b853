"""The Draw page's figures (playground.figures.inspection): pure Plotly, checked trace by trace."""

import numpy as np
import pytest

from playground.figures import inspection as figures


def test_probabilities_bar_highlights_the_predicted_class_and_outlines_the_true_one():
    probabilities = np.array([0.1, 0.7, 0.2])
    fig = figures.probabilities_bar(probabilities, ("a", "b", "c"), "Title", "probability", true_class=2)
    bar = fig.data[0]
    assert list(bar.x) == ["a", "b", "c"] and list(bar.y) == [0.1, 0.7, 0.2]
    assert list(bar.marker.color) == [figures.MUTED, figures.HIGHLIGHT, figures.MUTED]
    assert list(bar.marker.line.width) == [0, 0, 3]
    assert fig.layout.title.text == "Title" and fig.layout.yaxis.title.text == "probability"


def test_mosaic_tiles_maps_with_gaps_and_remembers_which_tile_is_where():
    tiles = np.arange(5 * 2 * 3, dtype=np.float32).reshape(5, 2, 3)
    grid, index = figures.mosaic(tiles, columns=3, gap=1)
    assert grid.shape == (2 * 2 + 1, 3 * 3 + 2)
    np.testing.assert_array_equal(grid[3:5, 4:7], tiles[4])
    assert np.isnan(grid[2, 0]) and index[2, 0] == -1 and index[3, 4] == 4
    assert np.isnan(grid[3:5, 8:]).all()  # the sixth cell is empty


def test_feature_maps_are_one_heatmap_with_one_colour_scale():
    values = np.random.default_rng(0).random((13, 13, 32)).astype(np.float32)
    fig = figures.feature_maps(values, "maps", "Map")
    assert len(fig.data) == 1 and fig.data[0].type == "heatmap"
    assert np.nanmax(np.array(fig.data[0].z, dtype=float)) == pytest.approx(values.max())
    assert fig.layout.yaxis.autorange == "reversed"


def test_filters_and_saliency_are_centred_at_zero():
    kernels = np.array([[[1.0, -3.0]], [[0.5, 2.0]]])
    fig = figures.filters(kernels, "filters", "Filter")
    assert (fig.data[0].zmin, fig.data[0].zmax, fig.data[0].zmid) == (-3.0, 3.0, 0.0)
    gradient = np.zeros((28, 28))
    gradient[3, 4] = -0.2
    fig = figures.saliency(np.zeros((28, 28)), gradient, "saliency", "gradient")
    assert (fig.data[0].zmin, fig.data[0].zmax) == pytest.approx((-0.2, 0.2))
    assert fig.data[1].type == "contour"


def test_confusion_matrix_shows_counts_coloured_by_row_share_with_clickable_cells():
    confusion = np.array([[8, 2], [1, 9]])
    fig = figures.confusion_matrix(confusion, ("0", "1"), "confusion", "true", "predicted")
    heatmap, cells = fig.data
    np.testing.assert_array_equal(heatmap.text, confusion)
    np.testing.assert_allclose(heatmap.z, [[0.8, 0.2], [0.1, 0.9]])
    assert len(cells.x) == 4 and cells.mode == "markers"
    assert fig.layout.xaxis.title.text == "predicted" and fig.layout.yaxis.title.text == "true"


def test_dense_bars_and_per_class_accuracy_have_one_bar_each():
    fig = figures.dense_bars(np.array([0.5, -1.0, 2.0]), "dense", "activation", "Neuron")
    assert list(fig.data[0].x) == [1, 2, 3]
    fig = figures.per_class_accuracy(np.array([1.0, np.nan]), ("0", "1"), "per class", "accuracy")
    assert list(fig.data[0].y) == [1.0, 0.0]
