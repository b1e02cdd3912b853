"""The 2-D playground's data: generators, features, targets and the grid."""

import numpy as np
import pytest

from playground.plane import data as plane

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
