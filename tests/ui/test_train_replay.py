"""Learning replayed on the Train and Draw pages: the slider moves through the run's snapshots, Play steps through
them and stops at the end, and a real short run ends with a replay to slide through."""

import time

import numpy as np
import pytest

from playground import presets
from playground.bundle import TrainedModel, expected_weight_shapes
from playground.training import scheduler as training
from playground.training.job import TrainingJob
from playground.training.limits import Limits
from playground.training.runs import History, RunRecord, TrainSettings
from playground.ui.train import jobs
from tests.training.test_replay import _fake

SLIDER = "train_replay_frame"


@pytest.fixture(autouse=True)
def scheduler():
    made = training.configure(Limits(max_running=1, cores=2, spare="off"))
    yield made
    made.shutdown()


def _finished(spec_name: str = "seed-cnn", frames: int = 6) -> tuple[TrainedModel, RunRecord]:
    spec = presets.preset(spec_name)
    replay = _fake(spec, frames)
    history = History()
    for epoch in range(1, frames):
        history.add_epoch(epoch, {"loss": 1.0 / epoch, "accuracy": 0.5 + epoch / 20})
    rng = np.random.default_rng(0)
    weights = tuple(rng.normal(0, 0.05, s).astype(np.float32) for s in expected_weight_shapes(spec))
    trained = TrainedModel(spec, weights, (), history, "mnist-sample", {"run_id": 1, "epochs": frames - 1}, replay)
    record = RunRecord(1, spec, TrainSettings(epochs=frames - 1), history, "finished", 0.3, 0.9, replay)
    return trained, record


def _caption(app) -> str:
    return next(c.value for c in app.caption if c.value.startswith("Showing"))


def _page_with_a_finished_run(app_test):
    trained, record = _finished()
    app = app_test("views/train.py")
    app.session_state["spec"] = trained.spec
    app.session_state[jobs.JOB] = TrainingJob.restored(record, trained)
    app.run()
    assert not app.exception, app.exception[0].message
    return app


def test_the_slider_moves_the_shown_moment_and_marks_the_curves(app_test):
    app = _page_with_a_finished_run(app_test)
    slider = app.select_slider(key=SLIDER)
    assert slider.value == 5  # the last snapshot first: what the run learned
    assert _caption(app) == "Showing epoch 5 · step 50 (snapshot 6 of 6)."
    curves = app.get("plotly_chart")
    assert any('"dash":"dot"' in chart.proto.spec.replace(" ", "") for chart in curves)  # the moment's marker
    filters_before = next(c.proto.spec for c in curves if "First layer" in c.proto.spec)
    slider.set_value(0).run()
    assert _caption(app) == "Showing epoch 0 · step 0 (snapshot 1 of 6)."
    filters_after = next(c.proto.spec for c in app.get("plotly_chart") if "First layer" in c.proto.spec)
    assert filters_after != filters_before


def test_play_steps_through_the_snapshots_and_stops_at_the_end(app_test):
    app = _page_with_a_finished_run(app_test)
    app.button(key="train_replay_play").click().run()  # at the end: play starts over from the first
    assert app.select_slider(key=SLIDER).value == 1
    seen = [app.select_slider(key=SLIDER).value]
    for _ in range(6):
        app.run()
        seen.append(app.select_slider(key=SLIDER).value)
    assert seen[:5] == [1, 2, 3, 4, 5] and seen[-1] == 5
    assert app.session_state["train_replay_playing"] is False
    assert app.button(key="train_replay_play").label == "Play"


def test_the_page_speaks_chinese_in_the_replay(app_test):
    trained, record = _finished()
    app = app_test("views/train.py", lang="zh")
    app.session_state["spec"] = trained.spec
    app.session_state[jobs.JOB] = TrainingJob.restored(record, trained)
    app.run()
    assert any(c.value.startswith("显示 第 5 轮") for c in app.caption)


def test_the_draw_page_replays_the_trained_model(app_test):
    trained, _ = _finished()
    app = app_test("views/draw.py")
    app.session_state["trained_model"] = trained
    app.run()
    assert not app.exception, app.exception[0].message
    slider = app.select_slider(key="draw_replay_frame")
    slider.set_value(2).run()
    assert any(c.value == "Showing epoch 2 · step 20 (snapshot 3 of 6)." for c in app.caption)


@pytest.mark.slow
def test_a_short_run_ends_with_a_replay_to_slide_through(app_test):
    app = app_test("views/train.py")
    app.session_state["spec"] = presets.preset("logistic")
    app.run()
    app.select_slider(key="train_samples").set_value(500).run()
    app.number_input(key="train_epochs").set_value(2).run()
    app.button(key="train_start").click().run()
    deadline = time.monotonic() + 120
    while not any(s.key == SLIDER for s in app.select_slider):
        assert time.monotonic() < deadline, "no replay after the run"
        time.sleep(0.5)
        app.run()
        assert not app.exception, app.exception[0].message
    slider = app.select_slider(key=SLIDER)
    assert len(slider.options) >= 5 and _caption(app).startswith(
        "Showing epoch 2 · step"
    )  # moments in one group share a frame
    slider.set_value(1).run()
    assert _caption(app).startswith("Showing epoch 0.")  # early in the first epoch, at a group of steps' end


@pytest.mark.e2e
def test_in_chromium_play_steps_the_replay_from_the_first_snapshot_to_the_last(page, server_url):
    import json
    import re

    from tests.conftest import wait_for_app

    page.goto(server_url + "/train")
    wait_for_app(page)
    main = page.get_by_test_id("stMainBlockContainer")
    main.get_by_role("spinbutton", name="Epochs", exact=True).fill("2")
    page.keyboard.press("Enter")
    wait_for_app(page)
    main.get_by_role("button", name="Start").click()
    shown = main.get_by_text(re.compile(r"^Showing epoch .* \(snapshot \d+ of \d+\)\.$"))
    shown.wait_for(timeout=180_000)
    frames = int(re.search(r"of (\d+)", shown.inner_text()).group(1))
    assert f"snapshot {frames} of {frames}" in shown.inner_text() and frames >= 5
    filters = (
        "() => JSON.stringify(Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".find(p => p.layout?.title?.text?.includes('First layer'))?.data?.[0]?.z || '')"
    )
    page.wait_for_function(filters, timeout=30_000)  # the chart is drawn a moment after the caption
    last = page.evaluate(filters)
    main.get_by_role("button", name="Play").click()
    main.get_by_text(re.compile(r"\(snapshot 2 of \d+\)")).wait_for(timeout=30_000)  # stepping with no input
    page.wait_for_function(f"({filters})() != {json.dumps(last)}", timeout=10_000)  # another moment's filters
    main.get_by_text(f"(snapshot {frames} of {frames})", exact=False).wait_for(timeout=60_000)
    main.get_by_role("button", name="Play").wait_for(timeout=10_000)  # stopped at the end
