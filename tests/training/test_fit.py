"""Training in this process (Keras): data split and pipeline, augmentation, steps per execution, the recorder's
per-group means, NaN guard, stop, and continuing from weights and optimizer state."""

import math

import numpy as np
import pytest

from playground import presets
from playground.data import augment
from playground.spec import LayerSpec, ModelSpec, OptimizerSpec
from playground.text.train import CATALOGUE
from playground.training import runs
from playground.training.runs import TrainSettings

T_EN = CATALOGUE.translator("en")


# ---------------------------------------------------------------- augmentation


def test_rotation_by_a_right_angle_matches_numpy_and_shifts_move_pixels():
    image = np.zeros((1, 28, 28), np.float32)
    image[0, 5:10, 14] = 1.0
    rotated = augment.transform(image, np.array([90.0]), np.zeros((1, 2)))
    np.testing.assert_allclose(rotated[0], np.rot90(image[0]), atol=1e-5)
    shifted = augment.transform(image, np.array([0.0]), np.array([[2.0, -3.0]]))
    np.testing.assert_allclose(shifted[0], np.roll(np.roll(image[0], 2, axis=0), -3, axis=1), atol=1e-5)
    np.testing.assert_allclose(augment.transform(image, np.zeros(1), np.zeros((1, 2))), image)


def test_random_augmentation_is_seeded_and_bounded():
    images = np.random.default_rng(0).random((4, 28, 28), dtype=np.float32)
    first = augment.random_augment(images, np.random.default_rng(1), 2, 10)
    again = augment.random_augment(images, np.random.default_rng(1), 2, 10)
    np.testing.assert_array_equal(first, again)
    assert first.dtype == np.float32 and first.min() >= 0 and first.max() <= 1 + 1e-6
    assert not np.allclose(first, images)
    sheet = augment.preview_sheet((images * 255).astype(np.uint8), 2, 10, scale=2)
    assert sheet.dtype == np.uint8 and sheet.shape == (2 * (2 * 28 + 2), 2 * 4 * 30)


def _stroke(width: int, edge: float = 0.0) -> np.ndarray:
    # One vertical stroke `width` pixels wide (value 1) with soft edges of grey `edge`, away from the border.
    image = np.zeros((1, 28, 28), dtype=np.float32)
    image[0, 6:22, 13 - width // 2 : 13 - width // 2 + width] = 1.0
    image[0, 6:22, 12 - width // 2] = image[0, 6:22, 13 - width // 2 + width] = edge
    return image


def _width(image: np.ndarray) -> int:
    return int((image[14] >= 0.5).sum())  # pixels across at half brightness, in the middle row


def _window(image: np.ndarray, size: int, pick) -> np.ndarray:
    # The definition, pixel by pixel: the window reaches size // 2 up and left (scipy.ndimage's grey_dilation).
    out = np.empty_like(image)
    for row, col in np.ndindex(image.shape):
        top, left = max(row - size // 2, 0), max(col - size // 2, 0)
        out[row, col] = pick(image[top : row - size // 2 + size, left : col - size // 2 + size])
    return out


def test_stroke_thickness_widens_and_thins_a_stroke_by_whole_pixels():
    image = _stroke(3, edge=0.4)
    changed = augment.restroke(np.repeat(image, 5, axis=0), np.array([-2, -1, 0, 1, 2]))
    assert [_width(one) for one in changed] == [1, 2, 3, 4, 5]
    np.testing.assert_array_equal(changed[2], image[0])
    for index, size in ((3, 2), (4, 3)):  # grey dilation: each pixel the largest under the window
        np.testing.assert_array_equal(changed[index], _window(image[0], size, np.max))
    for index, size in ((1, 2), (0, 3)):  # grey erosion: the smallest
        np.testing.assert_array_equal(changed[index], _window(image[0], size, np.min))
    np.testing.assert_array_equal(np.unique(changed[3]), np.float32([0, 0.4, 1]))  # the soft edge keeps its grey


def test_thinning_never_wipes_a_digit_out():
    thin = _stroke(1)
    np.testing.assert_array_equal(augment.restroke(thin, np.array([-1])), thin)
    both = augment.restroke(np.concatenate([thin, _stroke(2)]), np.array([-1, -1]))
    np.testing.assert_array_equal(both[0], thin[0])
    assert _width(both[1]) == 1


def test_random_stroke_widths_are_seeded_bounded_and_leave_the_other_draws_alone():
    images = np.concatenate([_stroke(3)] * 40)
    varied = augment.random_augment(images, np.random.default_rng(4), 0, 0, max_width=1)
    widths = np.random.default_rng(4).integers(-1, 2, size=40)
    np.testing.assert_allclose(varied, augment.restroke(images, widths), atol=1e-6)
    assert {_width(one) for one in varied} == {2, 3, 4}
    # Without stroke widths the random stream is the one it always was: old seeds give the same shifts.
    np.testing.assert_array_equal(
        augment.random_augment(images, np.random.default_rng(1), 2, 10),
        augment.random_augment(images, np.random.default_rng(1), 2, 10, max_width=0),
    )
    sheet = augment.preview_sheet((images[:3] * 255).astype(np.uint8), 0, 0, scale=1, max_width=2)
    assert sheet.shape == (2 * 28 + 2, 3 * 30)


# ---------------------------------------------------------------- in-process fit (Keras)


@pytest.fixture(scope="module")
def fitting():
    from playground.training import fit as fitting

    return fitting


def test_split_is_seeded_disjoint_and_can_use_fewer_examples(fitting):
    train, validation = fitting.split_indices(1000, 0.1, seed=3)
    assert len(train) == 900 and len(validation) == 100 and not set(train) & set(validation)
    again, _ = fitting.split_indices(1000, 0.1, seed=3)
    np.testing.assert_array_equal(train, again)
    fewer, same_validation = fitting.split_indices(1000, 0.1, seed=3, train_samples=200)
    assert len(fewer) == 200 and set(fewer) <= set(train)
    np.testing.assert_array_equal(validation, same_validation)


def test_steps_per_execution_fit_the_model_cost(fitting):
    cheap = fitting.choose_steps_per_execution(presets.preset("logistic"), 32, 113)
    costly = fitting.choose_steps_per_execution(presets.preset("seed-cnn"), 256, 113)
    assert cheap == fitting.MAX_STEPS_PER_EXECUTION
    assert 1 <= costly < cheap
    assert fitting.choose_steps_per_execution(presets.preset("logistic"), 32, 8) == 2  # four groups per epoch


def _events():
    events = []
    return events, lambda kind, values: events.append((kind, values))


def test_group_means_average_to_the_epoch_loss_keras_reports(fitting):
    events, report = _events()
    settings = TrainSettings(epochs=1, batch_size=24, train_samples=250, seed=1)  # 250 = 10 batches + 10 left
    fitting.fit(fitting.FitRequest(presets.preset("logistic"), settings, steps_per_execution=3), report)
    steps = [values for kind, values in events if kind == "step"]
    epoch = next(values for kind, values in events if kind == "epoch")
    assert [s["step"] for s in steps] == [3, 6, 9, 11]
    sizes = [3 * 24, 3 * 24, 3 * 24, 24 + 10]
    weighted = sum(s["loss"] * n for s, n in zip(steps, sizes, strict=True)) / 250
    assert weighted == pytest.approx(epoch["loss"], rel=1e-4)
    accuracy = sum(s["accuracy"] * n for s, n in zip(steps, sizes, strict=True)) / 250
    assert accuracy == pytest.approx(epoch["accuracy"], abs=1e-4)


def test_nan_guard_stops_with_the_place_and_no_weights(fitting):
    exploding = ModelSpec(
        (28, 28, 1),
        10,
        (LayerSpec("Flatten"), LayerSpec("Dense", {"units": 10})),
        "mean_squared_error",
        OptimizerSpec("SGD", {"learning_rate": 10.0}),
    )
    events, report = _events()
    result = fitting.fit(
        fitting.FitRequest(exploding, TrainSettings(epochs=3, train_samples=500), steps_per_execution=1), report
    )
    assert result.outcome == "diverged" and result.weights == ()
    fault = result.fault
    assert fault["epoch"] == 1 and 1 <= fault["step"] <= 16 and fault["value"] in ("NaN", "inf")
    assert fault["optimizer"] == "SGD" and fault["learning_rate"] == 10.0
    assert [values["outcome"] for kind, values in events if kind == "end"] == ["diverged"]
    assert "too high for SGD" in runs.describe_fault(fault, T_EN)


def test_stop_takes_effect_within_one_group_and_skips_validation(fitting):
    events, report = _events()

    def should_stop():  # the stop arrives during the second group of steps
        return sum(kind == "step" for kind, _ in events) >= 2

    settings = TrainSettings(epochs=2, train_samples=1000)
    result = fitting.fit(
        fitting.FitRequest(presets.preset("logistic"), settings, steps_per_execution=4), report, should_stop
    )
    steps = [values for kind, values in events if kind == "step"]
    epochs = [values for kind, values in events if kind == "epoch"]
    assert result.outcome == "stopped" and len(steps) == 2 and steps[-1]["step"] == 8
    assert len(epochs) == 1 and epochs[0]["partial"] and epochs[0]["val_loss"] is None
    assert result.weights and result.test_accuracy is not None  # a stopped run keeps its weights


def test_continuing_restores_weights_and_optimizer_state_exactly(fitting):
    spec = presets.preset("small-cnn")
    first = fitting.fit(fitting.FitRequest(spec, TrainSettings(epochs=1, train_samples=256), steps_per_execution=4))
    assert first.optimizer_state[0] == first.steps_done == 8  # Adam's iteration counter
    resumed = fitting.FitRequest(
        spec,
        TrainSettings(epochs=0, train_samples=256),
        initial_epoch=1,
        initial_step=first.steps_done,
        weights=first.weights,
        optimizer_state=first.optimizer_state,
    )
    untouched = fitting.fit(resumed)  # zero more epochs: what was restored comes straight back
    for restored, original in zip(
        untouched.weights + untouched.optimizer_state, first.weights + first.optimizer_state, strict=True
    ):
        np.testing.assert_array_equal(restored, original)
    events, report = _events()
    more = fitting.fit(
        fitting.FitRequest(
            spec,
            TrainSettings(epochs=1, train_samples=256),
            initial_epoch=1,
            initial_step=8,
            weights=first.weights,
            optimizer_state=first.optimizer_state,
            steps_per_execution=4,
        ),
        report,
    )
    assert more.optimizer_state[0] == 16 and more.epochs_done == 2 and more.steps_done == 16
    steps = [values for kind, values in events if kind == "step"]
    assert steps[0]["global_step"] == 12 and steps[0]["epoch"] == 2 and steps[0]["step_epoch"] == 1.5


def test_augmented_training_runs_through_the_same_pipeline(fitting, monkeypatch):
    settings = TrainSettings(epochs=1, train_samples=200, augment_shift=2, augment_rotation=15.0, augment_stroke=1)
    widths = []
    restroke = augment.restroke
    monkeypatch.setattr(augment, "restroke", lambda images, drawn: widths.extend(drawn) or restroke(images, drawn))
    events, report = _events()
    result = fitting.fit(fitting.FitRequest(presets.preset("logistic"), settings), report)
    assert result.outcome == "finished" and 0 < result.test_accuracy <= 1
    assert len(widths) >= 200 and set(widths) == {-1, 0, 1}  # every training image got a width change drawn
    losses = [values["loss"] for kind, values in events if kind == "step"]
    assert losses and all(math.isfinite(loss) for loss in losses)
    batch = next(iter(fitting.prepare(presets.preset("logistic"), settings).train))[0].numpy()
    assert batch.shape == (32, 28, 28, 1) and batch.dtype == np.float32 and batch.min() >= 0 and batch.max() <= 1
