"""The project's drawn-digit set: the generator, the committed strokes, and the demo model's floors on them."""

import json
from collections import Counter

import numpy as np
import pytest

from playground.data import drawn_set, strokes
from scripts import make_drawn_digits

RESULTS = drawn_set.SET_PATH.parents[2] / "benchmarks" / "results" / "drawn_digits.json"


def test_the_committed_set_is_what_the_seeded_generator_makes():
    committed = drawn_set.SET_PATH.read_text(encoding="utf-8")
    seed = json.loads(committed)["seed"]
    assert make_drawn_digits.to_json(strokes.generate(seed), seed) == committed
    assert drawn_set.SET_PATH.stat().st_size < 1_000_000


def test_every_group_has_at_least_ten_of_each_of_its_digits_split_half_and_half():
    samples = drawn_set.load()
    counts = Counter((s.group, s.digit, s.split) for s in samples)
    for group in strokes.GROUPS:
        for digit in group.digits:
            tuning, held_out = counts[group.name, digit, "tuning"], counts[group.name, digit, "held-out"]
            assert tuning + held_out == group.count >= 10 and tuning == held_out
    assert {s.group for s in samples} == {g.name for g in strokes.GROUPS}
    assert len(samples) == sum(g.count * len(g.digits) for g in strokes.GROUPS)


def test_the_digit_specific_groups_draw_their_variant_and_the_others_mix_shapes():
    samples = drawn_set.load()
    assert {s.variant for s in samples if s.group == "crossed 7"} == {"crossed"}
    assert {s.variant for s in samples if s.group == "closed 4"} == {"closed"}
    assert {s.variant for s in samples if s.group == "1 with a flag and base"} == {"flag and base"}
    ones = {s.variant for s in samples if s.digit == 1 and s.group == "regular"}
    assert len(ones) >= 3  # plain, flags, base: drawn the ways people write a 1


def test_samples_stay_on_the_canvas_where_their_group_puts_them():
    samples = drawn_set.load()
    for s in samples:
        points = np.concatenate([np.array(stroke) for stroke in s.strokes])
        assert points.min() >= s.pen / 2 - 0.1 and (points.max(axis=0) <= np.array(s.canvas) - s.pen / 2 + 0.1).all()
    for where in ("top-left", "top-right", "bottom-left", "bottom-right"):
        for s in samples:
            if s.group == f"corner {where}":
                points = np.concatenate([np.array(stroke) for stroke in s.strokes])
                left, top = points.min(axis=0) - s.pen / 2
                right, bottom = np.array(s.canvas) - points.max(axis=0) - s.pen / 2
                vertical = (top, bottom) if where.startswith("top") else (bottom, top)
                horizontal = (left, right) if where.endswith("left") else (right, left)
                assert max(vertical[0], horizontal[0]) <= 26 < 80 < min(vertical[1], horizontal[1])


def test_slant_groups_lean_the_way_they_say():
    samples = drawn_set.load()

    def lean(s):  # how far the top of a 1's stem is right of its bottom
        stem = s.strokes[0][-2:] if s.variant != "plain" else s.strokes[0]
        return stem[0][0] - stem[-1][0]

    right = [lean(s) for s in samples if s.group == "slant +20°" and s.digit == 1]
    left = [lean(s) for s in samples if s.group == "slant −20°" and s.digit == 1]
    assert min(right) > 0 > max(left)


def test_the_nominal_shapes_are_the_drawn_variants_without_jitter():
    rng = np.random.default_rng(0)
    group = strokes.Group("plain", height=(0.7, 0.7), pen=(16, 16), slant=(0, 0), variants=("plain",), rotation=0)
    a = strokes.sample(7, group, strokes.Hand(rng, 0))
    b = strokes.sample(7, group, strokes.Hand(np.random.default_rng(1), 0))
    assert a.strokes == b.strokes and a.pen == 16
    assert strokes.sample(7, group, strokes.Hand(rng)).strokes != a.strokes


def test_every_sample_prepares_to_a_digit():
    _, x, readable = drawn_set.prepared()
    assert readable.all() and x.shape == (len(drawn_set.load()), 28, 28)


# ---------------------------------------------------------------- the demo model on the set (no training)


@pytest.fixture(scope="module")
def demo_scores():
    from playground.inspection import demo, inspector

    model = demo.model()
    return drawn_set.score(lambda x: inspector.predict(model, x))


def floors() -> dict:
    """The CI floors: correct answers per group and overall, as recorded by benchmarks/drawn_digits.py --floors."""
    return json.loads(RESULTS.read_text(encoding="utf-8"))["floors"]


def test_the_demo_model_reads_the_drawn_set_at_least_as_well_as_recorded(demo_scores):
    right, total = demo_scores.count()
    floor, floor_total = floors()["overall"]
    assert total == floor_total
    assert right >= floor, f"overall {right}/{total} < floor {floor}"


@pytest.mark.parametrize("group", [g.name for g in strokes.GROUPS])
def test_the_demo_model_keeps_each_style_groups_floor(demo_scores, group):
    right, total = demo_scores.count(group)
    floor, floor_total = floors()["groups"][group]
    assert total == floor_total
    assert right >= floor, f"{group}: {right}/{total} < floor {floor}"


def test_scores_count_by_group_split_and_digit():
    samples = drawn_set.load()[:40]  # the regular group's 0s, 1s, 2s and 3s
    predicted = np.array([-1 if i % 4 == 0 else s.digit for i, s in enumerate(samples)])
    scores = drawn_set.Scores(samples, predicted)
    assert scores.count() == (30, 40) and scores.count("regular", digit=1) == (8, 10)
    tuning = [i for i, s in enumerate(samples) if s.split == "tuning"]
    assert scores.count(split="tuning") == (sum(i % 4 != 0 for i in tuning), len(tuning))
    summary = scores.summary()
    assert summary["overall"]["all"] == [30, 40] and summary["groups"]["regular"]["all"] == [30, 40]
    assert summary["digits"]["9"]["all"] == [0, 0] and np.isnan(scores.accuracy(digit=9))
