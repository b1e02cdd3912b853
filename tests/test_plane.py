"""The 2-D playground's pure parts: data generators, features, targets, settings and links, figures, code export."""

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground import spec as specs
from playground.plane import code as plane_code
from playground.plane import data as plane
from playground.plane import figures as plane_figures
from playground.plane import pictures as plane_pictures
from playground.plane import settings as plane_state
from playground.plane.settings import PlaneSettings

# ---------------------------------------------------------------- generators


@pytest.mark.parametrize("name", list(plane.DATASETS))
def test_every_dataset_has_the_asked_shapes_split_and_labels(name):
    data = plane.generate(name, points=300, noise=0.1, train_fraction=0.3, seed=4, classes=4)
    assert data.x_train.shape == (90, 2) and data.x_test.shape == (210, 2)
    assert data.x_train.dtype == np.float32 and len(data.y_train) == 90 and len(data.y_test) == 210
    labels = np.concatenate([data.y_train, data.y_test])
    assert data.task == plane.DATASETS[name].task
    if data.task == "regression":
        assert data.classes == 0 and labels.min() >= -1 and labels.max() <= 1 and labels.std() > 0.1
    else:
        assert set(np.unique(labels)) == set(range(data.classes))
        assert data.classes == (4 if data.task == "multiclass" else 2)


@pytest.mark.parametrize("name", list(plane.DATASETS))
def test_the_same_seed_gives_the_same_points_and_another_seed_others(name):
    first, again = plane.generate(name, seed=7), plane.generate(name, seed=7)
    other = plane.generate(name, seed=8)
    assert np.array_equal(first.x_train, again.x_train) and np.array_equal(first.y_test, again.y_test)
    assert not np.array_equal(first.x_train, other.x_train)


def test_without_noise_the_labels_follow_each_rule_exactly():
    circle = plane.generate("circle", points=400, noise=0.0)
    radius = np.linalg.norm(circle.x_train, axis=1)
    assert np.array_equal(circle.y_train, (radius < 2.5).astype(int))
    assert radius.max() <= 5.0 + 1e-5 and not np.any((radius > 2.5) & (radius < 3.5))  # the gap between them

    xor = plane.generate("xor", points=400, noise=0.0)
    assert np.array_equal(xor.y_train, (xor.x_train[:, 0] * xor.x_train[:, 1] >= 0).astype(int))
    assert np.abs(xor.x_train).min() >= 0.3 - 1e-6  # padded away from the axes

    flat = plane.generate("plane", points=400, noise=0.0)
    assert np.allclose(flat.y_train, np.clip(flat.x_train.sum(axis=1) / 10, -1, 1), atol=1e-6)

    spiral = plane.generate("spiral", points=400, noise=0.0)
    assert np.linalg.norm(spiral.x_train, axis=1).max() <= 5.0 + 1e-5


def test_noise_blurs_the_rules_it_is_asked_to():
    clean, noisy = plane.generate("circle", points=1000, noise=0.0), plane.generate("circle", points=1000, noise=0.5)
    inner_but_blue = np.linalg.norm(noisy.x_train, axis=1) > 3.5
    assert np.all(clean.y_train[np.linalg.norm(clean.x_train, axis=1) > 3.5] == 0)
    assert np.any(noisy.y_train[inner_but_blue] == 1)  # some outer points got labelled as inner by the noise

    def spread(data):
        return float(data.x_train[data.y_train == 1].std())

    assert spread(plane.generate("gauss", points=1000, noise=0.5)) > 2 * spread(plane.generate("gauss", points=1000))


def test_the_multi_class_set_puts_each_class_around_its_own_centre():
    data = plane.generate("blobs", points=600, noise=0.0, classes=5)
    for label in range(5):
        angle = np.pi / 2 + 2 * np.pi * label / 5
        centre = data.x_train[data.y_train == label].mean(axis=0)
        assert np.allclose(centre, 4 * np.array([np.cos(angle), np.sin(angle)]), atol=0.3)


@pytest.mark.parametrize(
    "arguments",
    [
        {"name": "moons"},
        {"name": "circle", "points": 5},
        {"name": "circle", "noise": 0.9},
        {"name": "blobs", "classes": 9},
    ],
)
def test_impossible_requests_are_refused(arguments):
    with pytest.raises((KeyError, ValueError)):
        plane.generate(**arguments)


# ---------------------------------------------------------------- features, targets, grid


def test_feature_transforms_against_hand_values():
    points = np.array([[1.0, 2.0], [-0.5, 3.0]], np.float32)
    names = list(plane.FEATURES)
    expected = np.array(
        [
            [1.0, 2.0, 1.0, 4.0, 2.0, 0.8414709848, 0.9092974268],
            [-0.5, 3.0, 0.25, 9.0, -1.5, -0.4794255386, 0.1411200081],
        ]
    )
    assert np.allclose(plane.features(points, names), expected, atol=1e-6)
    assert plane.features(points, ["x1x2", "x1"]).tolist() == [[2.0, 1.0], [-1.5, -0.5]]
    with pytest.raises(ValueError):
        plane.features(points, [])
    with pytest.raises(KeyError):
        plane.features(points, ["cos"])


def test_targets_are_encoded_as_each_loss_expects():
    labels = np.array([0, 1, 1])
    assert plane.targets(labels, "binary", 2, "mean_squared_error").ravel().tolist() == [-1, 1, 1]
    assert plane.targets(labels, "binary", 2, "categorical_crossentropy").tolist() == [[1, 0], [0, 1], [0, 1]]
    assert plane.targets(np.array([2, 0]), "multiclass", 3, "mean_squared_error").tolist() == [[0, 0, 1], [1, 0, 0]]
    assert plane.targets(
        np.array([0.5, -0.2]), "regression", 0, "mean_squared_error"
    ).ravel().tolist() == pytest.approx([0.5, -0.2])
    assert plane.output_units("binary", 2, "mean_squared_error") == 1
    assert plane.output_units("multiclass", 4, "categorical_crossentropy") == 4


def test_scores_and_predicted_classes():
    one = np.array([[0.3], [-0.9]])
    two = np.array([[0.2, 0.8], [0.9, 0.1]])
    assert plane.signed_score(one).tolist() == [0.3, -0.9]
    assert plane.signed_score(two) == pytest.approx([0.6, -0.8])
    assert plane.predicted_class(one).tolist() == [1, 0]
    assert plane.predicted_class(np.array([[0.1, 0.2, 0.7]])).tolist() == [2]


def test_the_grid_runs_row_by_row_from_the_top_left():
    cells = plane.grid(4)
    assert cells.shape == (16, 2)
    assert cells[0].tolist() == [-4.5, 4.5] and cells[3].tolist() == [4.5, 4.5] and cells[-1].tolist() == [4.5, -4.5]


# ---------------------------------------------------------------- settings and links


def test_the_default_settings_describe_tensorflow_playgrounds_start():
    model_spec = plane_state.network_spec(PlaneSettings())
    assert model_spec.input_shape == (2,) and model_spec.num_classes == 1
    assert [layer.args["units"] for layer in model_spec.layers] == [4, 2, 1]
    assert model_spec.layers[-1].args["activation"] == "tanh" and model_spec.loss == "mean_squared_error"
    assert specs.validate(model_spec).ok


def test_the_network_spec_carries_dropout_regularization_and_the_softmax_output():
    chosen = PlaneSettings(
        dataset="blobs", classes=4, features=("x1", "x2", "sinx1"), layers=((8, "relu"), (3, "elu")),
        regularization="l1", rate=0.003, dropout=0.2, loss="ce", optimizer="Adam", lr=0.01,
    )  # fmt: skip
    model_spec = plane_state.network_spec(chosen)
    kinds = [layer.kind for layer in model_spec.layers]
    assert kinds == ["Dense", "Dropout", "Dense", "Dropout", "Dense"]
    assert model_spec.layers[-1].args == {"units": 4, "activation": "softmax", "kernel_regularizer": {"l1": 0.003}}
    assert model_spec.input_shape == (3,) and model_spec.loss == "categorical_crossentropy"
    assert model_spec.optimizer.kind == "Adam" and model_spec.optimizer.args == {"learning_rate": 0.01}
    report = specs.validate(model_spec)
    assert report.ok and report.total_params == (3 * 8 + 8) + (8 * 3 + 3) + (3 * 4 + 4)


def test_mse_on_several_classes_gets_the_build_pages_warning_and_regression_is_always_mse():
    several = plane_state.network_spec(PlaneSettings(dataset="blobs", loss="mse"))
    assert [w.code for w in specs.validate(several).warnings] == ["warn_softmax_mse"]
    assert plane_state.normalized(PlaneSettings(dataset="plane", loss="ce")).loss == "mse"


def test_a_link_holds_only_what_differs_and_reads_back_the_same_settings():
    chosen = plane_state.PRESETS["spiral_challenge"]
    query = plane_state.to_query(chosen, lock=("layers", "dataset"), hide=True)
    assert (
        query["dataset"] == "spiral" and query["layers"] == "8-tanh.8-tanh" and query["features"] == "x1.x2.sinx1.sinx2"
    )
    assert query["lock"] == "dataset.layers" and query["hide"] == "1" and "noise" not in query
    link = plane_state.from_query(query)
    assert link.settings == chosen and link.lock == ("dataset", "layers") and link.hide and not link.unreadable
    assert plane_state.from_query(plane_state.to_query(PlaneSettings(layers=()))).settings.layers == ()


settings_strategy = st.builds(
    PlaneSettings,
    dataset=st.sampled_from(tuple(plane.DATASETS)),
    classes=st.integers(3, 5),
    noise=st.sampled_from(plane_state.NOISE_LEVELS),
    train=st.sampled_from(plane_state.TRAIN_PERCENTS),
    points=st.sampled_from(plane_state.POINT_COUNTS),
    seed=st.integers(0, plane_state.MAX_SEED),
    features=st.sets(st.sampled_from(tuple(plane.FEATURES)), min_size=1).map(
        lambda chosen: tuple(f for f in plane.FEATURES if f in chosen)
    ),
    layers=st.lists(st.tuples(st.integers(1, 16), st.sampled_from(plane_state.HIDDEN_ACTIVATIONS)), max_size=6).map(
        tuple
    ),
    regularization=st.sampled_from(plane_state.REGULARIZATIONS),
    rate=st.sampled_from(plane_state.REGULARIZATION_RATES),
    dropout=st.sampled_from(plane_state.DROPOUT_RATES),
    optimizer=st.sampled_from(("SGD", "Adam", "Lion")),
    lr=st.sampled_from(plane_state.LEARNING_RATES),
    batch=st.integers(1, 30),
    loss=st.sampled_from(tuple(plane_state.LOSSES)),
    speed=st.sampled_from(plane_state.SPEEDS),
    test=st.booleans(),
    discretize=st.booleans(),
).map(plane_state.normalized)


@settings(max_examples=150, deadline=None)
@given(settings_strategy)
def test_every_setting_survives_its_link_and_builds_a_valid_spec(chosen):
    assert plane_state.from_query(plane_state.to_query(chosen)).settings == chosen
    assert specs.validate(plane_state.network_spec(chosen)).ok


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from([*plane_state.READERS, "lock", "hide", "lang"]), st.text(max_size=30)))
def test_a_malformed_link_never_raises_and_names_what_it_could_not_read(query):
    link = plane_state.from_query(query)
    assert isinstance(link.settings, PlaneSettings) and specs.validate(plane_state.network_spec(link.settings)).ok
    for name in link.unreadable:
        assert name in query


def test_unreadable_values_fall_back_to_their_defaults_one_by_one():
    link = plane_state.from_query(
        {
            "dataset": "spiral",
            "noise": "lots",
            "layers": "99-tanh",
            "lr": "0.03",
            "lock": "dataset.nonsense",
            "hide": "2",
        }
    )
    assert (
        link.settings.dataset == "spiral"
        and link.settings.noise == 0.0
        and link.settings.layers == ((4, "tanh"), (2, "tanh"))
    )
    assert set(link.unreadable) == {"noise", "layers", "lock", "hide"} and link.lock == ("dataset",) and not link.hide


def test_keys_tell_when_the_data_or_the_network_must_start_over():
    base = PlaneSettings()
    assert plane_state.data_key(replace(base, noise=0.1)) != plane_state.data_key(base)
    assert plane_state.network_key(replace(base, layers=((3, "relu"),))) != plane_state.network_key(base)
    for name, value in (("lr", 0.1), ("batch", 3), ("speed", 20), ("test", True)):  # these keep training going
        changed = replace(base, **{name: value})
        assert plane_state.data_key(changed) == plane_state.data_key(base)
        assert plane_state.network_key(changed) == plane_state.network_key(base)


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


# ---------------------------------------------------------------- code export


@pytest.mark.parametrize("preset", list(plane_state.PRESETS))
def test_the_exported_script_is_valid_python_with_the_same_network(preset):
    chosen = plane_state.PRESETS[preset]
    source = plane_code.plane_source(chosen, epochs=42, language="zh")
    compile(source, "playground_2d.py", "exec")
    model_spec = plane_state.network_spec(chosen)
    for layer in model_spec.layers:
        assert f"layers.{layer.kind}(" in source
    assert f"def {chosen.dataset}(" in source and "epochs=42" in source and f"batch_size={chosen.batch}" in source
    assert f"keras.Input(shape=({len(chosen.features)},))" in source and "# 网络" in source
    assert math.isclose(float(source.split("learning_rate=")[1].split(")")[0]), chosen.lr)
