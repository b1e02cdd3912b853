"""Training runs as plain data: curves, run records and what differed between runs, fault messages, settings."""

import math

import pytest

from playground import presets
from playground.text.train import CATALOGUE
from playground.training import runs
from playground.training.runs import History, RunRecord, TrainSettings

T_EN = CATALOGUE.translator("en")
T_ZH = CATALOGUE.translator("zh")


# ---------------------------------------------------------------- curves


def test_group_mean_recovers_each_groups_mean_from_running_means():
    groups = [(64, 2.0), (64, 1.0), (32, 0.5), (8, 4.0)]  # (samples, the group's own mean)
    recovered, previous, total, count = [], (0.0, 0), 0.0, 0
    for size, mean in groups:
        total, count = total + size * mean, count + size
        recovered.append(runs.group_mean(total / count, count, *previous))
        previous = (total / count, count)
    assert recovered == pytest.approx([mean for _, mean in groups])


def test_smoothing_keeps_a_constant_and_starts_at_the_first_value():
    assert runs.smooth([0.7] * 5) == pytest.approx([0.7] * 5)
    values = [1.0, 0.0, 0.0, 0.0]
    smoothed = runs.smooth(values, 0.5)
    assert smoothed[0] == pytest.approx(1.0)  # bias-corrected, not pulled towards 0
    assert smoothed[1] < 1.0 and all(a > b for a, b in zip(smoothed[1:], smoothed[2:], strict=False))
    assert math.isnan(runs.smooth([1.0, float("nan"), 1.0])[1])


def test_downsampling_bounds_the_points_and_keeps_the_live_end_exact():
    xs, ys = list(range(5000)), [float(x % 7) for x in range(5000)]
    small_x, small_y = runs.downsample(xs, ys, limit=400)
    assert len(small_x) == len(small_y) == 400
    assert small_x == sorted(small_x) and small_x[-100:] == xs[-100:] and small_y[-100:] == ys[-100:]
    assert runs.downsample([1, 2], [3.0, 4.0], limit=400) == ([1, 2], [3.0, 4.0])


def _record(run_id: int, **changes) -> RunRecord:
    history = History()
    history.add_epoch(1, {"loss": 0.5, "accuracy": 0.8, "val_loss": 0.6, "val_accuracy": 0.75})
    return RunRecord(run_id, presets.preset("mlp"), TrainSettings(**changes), history, "finished", 0.4, 0.85)


def test_differences_list_only_what_differed_then_the_outcomes():
    rows = dict(runs.differences([_record(1), _record(2, batch_size=128, seed=3)]))
    assert rows["fact_batch_size"] == ["32", "128"]
    assert rows["fact_seed"] == ["0", "3"]
    assert "fact_optimizer" not in rows and "fact_dataset" not in rows
    assert rows["fact_test_accuracy"] == ["0.85", "0.85"]
    same = dict(runs.differences([_record(1), _record(2)]))
    assert set(same) == set(runs.OUTCOME_FACTS)


def test_fault_message_names_the_place_the_cause_and_a_fix():
    fault = {"value": "NaN", "epoch": 2, "step": 130, "optimizer": "SGD", "learning_rate": 5.0, "loss": "x"}
    assert runs.describe_fault(fault, T_EN) == (
        "The loss became NaN at epoch 2, step 130: learning rate 5 is too high for SGD — try 0.01–0.1."
    )
    assert "学习率 5 太大了" in runs.describe_fault(fault, T_ZH)
    calm = runs.describe_fault({**fault, "optimizer": "Adam", "learning_rate": 0.001}, T_EN)
    assert "usual range for Adam" in calm and "BatchNormalization" in calm


def test_settings_round_trip_through_plain_data():
    settings = TrainSettings("mnist", 7, 64, 0.2, 5, 1000, 2, 10.0)
    assert TrainSettings.from_dict(settings.to_dict() | {"unknown": 1}) == settings
    assert settings.augmented and not TrainSettings().augmented
    thicker = TrainSettings(augment_stroke=2)
    assert thicker.augmented and TrainSettings.from_dict(thicker.to_dict()) == thicker


def test_the_run_facts_name_the_stroke_thickness_change_in_both_languages():
    settings = TrainSettings(augment_shift=2, augment_rotation=10.0, augment_stroke=1)
    record = RunRecord(1, presets.preset("logistic"), settings, History(), "finished")
    assert runs.run_facts(record)["fact_augmentation"] == "±2px ±10° stroke ±1px"
    assert runs.run_facts(record, T_ZH)["fact_augmentation"] == "±2px ±10° 笔画 ±1 像素"
    plain = RunRecord(1, presets.preset("logistic"), TrainSettings(augment_shift=2), History(), "finished")
    assert runs.run_facts(plain, T_EN)["fact_augmentation"] == "±2px ±0°"
