"""The 2-D playground's pictures: colour maps, Plotly figures and the live pictures."""

import numpy as np

from playground.plane import data as plane
from playground.plane import figures as plane_figures
from playground.plane import pictures as plane_pictures

# ---------------------------------------------------------------- figures


def test_the_colour_maps_match_hand_values():
    assert plane_figures.diverging_rgb(np.array([-1.0, 0.0, 1.0])).tolist() == [
        [230, 159, 0],
        [255, 255, 255],
        [0, 114, 178],
    ]
    half = plane_figures.diverging_rgb(np.array([0.5]))[0]
    assert half.tolist() == [128, 184, 216]  # halfway to blue, rounded half to even
    winner = plane_figures.class_rgb(np.array([[0.1, 0.1, 0.8], [1 / 3, 1 / 3, 1 / 3]]))
    # green (#009E73) at confidence (0.8 − 1/3) / (2/3) = 0.7; a three-way tie is white
    assert winner[0].tolist() == [76, 187, 157] and winner[1].tolist() == [255, 255, 255]
    assert plane_figures.class_rgb(np.array([[0.2, 0.5, 0.3]]), discrete=True)[0].tolist() == [0, 114, 178]


def test_discretized_output_has_only_the_class_colours():
    values = np.linspace(-1, 1, 16).reshape(-1, 1)
    smooth = plane_figures.output_rgb(values, 4)
    sharp = plane_figures.output_rgb(values, 4, discrete=True)
    assert len({tuple(c) for c in smooth.reshape(-1, 3)}) > 2 and len({tuple(c) for c in sharp.reshape(-1, 3)}) == 2


def test_the_output_figure_draws_the_picture_under_each_class_of_points():
    t = lambda key, **params: key  # noqa: E731
    data = plane.generate("blobs", points=90, classes=3)
    figure = plane_figures.output_figure("data:image/png;base64,AAAA", data, t, show_test=True)
    assert len(figure.layout.images) == 1 and figure.layout.images[0].layer == "below"
    assert len(figure.data) == 6  # 3 classes × train and test
    assert sum(len(trace.x) for trace in figure.data) == 90
    assert figure.data[0].marker.color == plane_figures.CLASS_COLOURS[0]


def test_the_network_figure_shows_every_neuron_and_weight():
    t = lambda key, **params: key  # noqa: E731
    rng = np.random.default_rng(0)
    sizes = [3, 4, 2, 1]
    weights = [(rng.normal(size=(a, b)), rng.normal(size=b)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    pictures = [["p"] * 4, ["p"] * 2]
    figure = plane_figures.network_figure(("x1", "x2", "sinx1"), ["p"] * 3, pictures, ["p"], weights, t)
    assert len(figure.layout.images) == sum(sizes)
    hover = next(trace for trace in figure.data if trace.mode == "markers" and trace.hovertext[0].startswith("w = "))
    assert len(hover.hovertext) == 3 * 4 + 4 * 2 + 2 * 1
    lines = [trace for trace in figure.data if trace.mode == "lines"]
    assert {trace.line.color for trace in lines} <= {plane_figures.POSITIVE, plane_figures.NEGATIVE}
    assert [a.text for a in figure.layout.annotations] == ["x₁", "x₂", "sin(x₁)"]


def test_the_loss_figure_has_both_curves():
    t = lambda key, **params: key  # noqa: E731
    figure = plane_figures.loss_figure({"epoch": [0, 5], "train": [1.0, 0.5], "test": [1.1, 0.7]}, t)
    assert [trace.name for trace in figure.data] == ["loss_train", "loss_test"]
    assert list(figure.data[1].y) == [1.1, 0.7]


def test_the_live_output_picture_puts_each_point_where_it_belongs():
    data = plane.PlaneData(
        "gauss", "binary", 2, np.array([[3.0, 3.0], [-3.0, -3.0]], np.float32), np.array([1, 0]),
        np.array([[3.0, -3.0]], np.float32), np.array([1]),
    )  # fmt: skip
    white = np.full((10, 10, 3), 255, np.uint8)
    picture = np.asarray(plane_pictures.output_picture(white, data, show_test=False, side=120))
    scale = plane_pictures.SCALE
    left, top, plot = 26 * scale, 2 * scale, 120 * scale

    def pixel(x, y):
        column = left + round((x + 6) / 12 * plot)
        row = top + round((6 - y) / 12 * plot)
        return picture[row, column].tolist()

    assert pixel(3, 3) == [0, 114, 178] and pixel(-3, -3) == [230, 159, 0]  # class 1 blue, class 0 orange
    assert pixel(3, -3) == [255, 255, 255]  # test points only when asked
    shown = np.asarray(plane_pictures.output_picture(white, data, show_test=True, side=120))
    assert shown[top + round(0.75 * plot), left + round(0.75 * plot)].tolist() == [0, 114, 178]


def test_the_live_network_picture_places_each_neuron_and_draws_every_weight():
    rng = np.random.default_rng(1)
    red = np.zeros((5, 5, 3), np.uint8)
    red[..., 0] = 200
    weights = [(rng.normal(size=(2, 3)), np.zeros(3)), (rng.normal(size=(3, 1)), np.zeros(1))]
    picture = plane_pictures.network_picture(("x1", "x2"), [red, red], [[red, red, red]], [red], weights, width=300)
    array = np.asarray(picture)
    assert picture.width == 300 * plane_pictures.SCALE
    reds = (array[..., 0] == 200) & (array[..., 1] == 0)
    assert reds.sum() > 6 * 100  # six thumbnails
    alpha = 190 / 255  # lines are drawn slightly transparent over white

    def near(colour):
        blended = np.array(colour) * alpha + 255 * (1 - alpha)
        return np.all(np.abs(array - blended) < 6, axis=2)

    assert near([0, 114, 178]).sum() > 200 and near([230, 159, 0]).sum() > 200  # positive and negative weights


def test_the_live_loss_picture_survives_empty_and_broken_histories():
    assert plane_pictures.loss_picture({"epoch": [], "train": [], "test": []}).size == (660, 340)
    picture = np.asarray(
        plane_pictures.loss_picture({"epoch": [0, 5, 10], "train": [1.0, 0.4, np.nan], "test": [1.2, 0.5, 0.3]})
    )
    assert (np.abs(picture.astype(int)).sum(axis=2) == 0).sum() > 50  # the black test curve
    assert (np.all(picture == [153, 153, 153], axis=2)).sum() > 20  # the grey training curve


def test_an_uploaded_tables_plane_shows_its_column_names_units_and_class_names():
    from playground.plane import table

    rows = ["height_cm,weight_kg,kind"] + [
        f"{150 + i},{50 + (i * 7) % 40},{'cat' if i % 2 else 'dog'}" for i in range(40)
    ]
    data = table.to_plane_data(table.read_table("\n".join(rows).encode()), "height_cm", "weight_kg", "kind", "classes")
    fig = plane_figures.output_figure("data:,", data, lambda key, **p: key)
    assert fig.layout.xaxis.title.text == "height_cm" and fig.layout.yaxis.title.text == "weight_kg"
    assert fig.layout.xaxis.ticktext[0] == "150" and fig.layout.xaxis.ticktext[-1] == "189"  # min and max of the column
    assert {trace.hovertemplate.split("<extra>")[1].split("<")[0] for trace in fig.data} == {"cat", "dog"}
    built_in = plane_figures.output_figure("data:,", plane.generate("xor", points=40), lambda key, **p: key)
    assert built_in.layout.xaxis.title.text == "x₁" and built_in.layout.xaxis.ticktext is None
