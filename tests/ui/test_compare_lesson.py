"""A lesson that compares presets: the link opens the first, the Train page switches between them, and once each has
a run the run history overlays exactly those runs (the ready-made skip-connections lesson among them)."""

import json
import time
from pathlib import Path

import pytest

from playground import lessons, links, presets
from playground.training import scheduler as training
from playground.training.limits import Limits
from playground.ui.train import jobs

ROOT = Path(__file__).resolve().parents[2]
PAIR = ("resnet", "resnet-plain")
TINY = {"train_epochs": 1, "train_samples": 100, "train_seed": 0}  # the settings both runs get from the lesson


@pytest.fixture(autouse=True)
def scheduler():
    """A scheduler of this test's own (no spare worker: the CPU is shared), shut down afterwards."""
    made = training.configure(Limits(max_running=1, cores=2, spare="off"))
    yield made
    made.shutdown()


def open_lesson(app_test, lesson: links.Lesson, lang: str = "en"):
    return app_test("views/train.py", lesson=links.lesson_value(lesson), lang=lang)


def use_button(app, name: str):
    return app.button(key=f"train_compare_use_{name}")


@pytest.mark.parametrize(
    ("lang", "heading", "use", "in_use", "untrained"),
    [("en", "This lesson compares: resnet · resnet-plain", "Use this model", "In use", "not trained yet"),
     ("zh", "本课比较：resnet · resnet-plain", "使用这个模型", "正在使用", "尚未训练")],
)  # fmt: skip
def test_the_ready_lesson_opens_the_first_model_and_switches_to_the_other(
    app_test, lang, heading, use, in_use, untrained
):
    app = open_lesson(app_test, lessons.SKIP_CONNECTIONS, lang)
    assert not app.exception
    assert app.session_state["spec"] == presets.preset("resnet")
    assert any(heading in m.value for m in app.markdown)
    assert sum(untrained in m.value for m in app.markdown) == 2
    assert use_button(app, "resnet").label == in_use and use_button(app, "resnet").disabled
    assert use_button(app, "resnet-plain").label == use and not use_button(app, "resnet-plain").disabled
    assert app.number_input(key="train_epochs").value == 4 and app.number_input(key="train_epochs").disabled
    use_button(app, "resnet-plain").click().run()
    assert not app.exception
    assert app.session_state["spec"] == presets.preset("resnet-plain")
    assert use_button(app, "resnet-plain").disabled and not use_button(app, "resnet").disabled
    assert app.number_input(key="train_epochs").value == 4  # the settings stay: the same for both models


def test_a_lesson_without_a_comparison_shows_no_panel(app_test):
    app = open_lesson(app_test, links.Lesson("train", {"train_epochs": 2}))
    assert not app.exception
    assert not any(b.key and b.key.startswith("train_compare_use_") for b in app.button)


def test_a_tampered_comparison_gives_one_line_and_the_default_model(app_test):
    packed = links.pack({"page": "train", "settings": {}, "locked": [], "compare": ["resnet", "no-such-model"]})
    app = app_test("views/train.py", lesson=packed)
    assert not app.exception
    assert sum("could not be read" in w.value and "no-such-model" in w.value for w in app.warning) == 1
    assert app.session_state["spec"] == presets.preset("seed-cnn")
    assert not any(b.key and b.key.startswith("train_compare_use_") for b in app.button)


def test_the_train_teacher_panel_makes_a_comparison_link(app_test):
    app = app_test("views/train.py")
    app.multiselect(key="teacher-compare-train").set_value(list(PAIR)).run()
    link = next(c.value for c in app.sidebar.code if "lesson=" in c.value)
    lesson = links.lesson_from_value(link.split("lesson=")[1].split("&")[0])
    assert lesson.compare == PAIR and lesson.spec is None  # the link opens the first compared preset
    assert lesson.settings["train_epochs"] == 5
    opened = app_test("views/train.py", lesson=link.split("lesson=")[1].split("&")[0])
    assert opened.session_state["spec"] == presets.preset("resnet") and not opened.exception


def test_the_readme_hands_out_the_ready_lesson():
    readme = (ROOT / "README.md").read_text()
    assert lessons.address("skip-connections") in readme


def _runs(app) -> list:
    return app.session_state[jobs.RUNS] if jobs.RUNS in app.session_state else []  # noqa: SIM401 - AppTest's state has no get()


def _train(app, timeout: float = 240.0) -> None:
    count = len(_runs(app))
    app.button(key="train_start").click().run()
    deadline = time.monotonic() + timeout
    while len(_runs(app)) == count:
        assert time.monotonic() < deadline, "timed out: " + " | ".join(e.value for e in app.info + app.error)
        time.sleep(1.0)
        app.run()
        assert not app.exception, app.exception[0].message


@pytest.mark.slow
def test_training_both_models_of_the_lesson_overlays_exactly_their_runs(app_test):
    lesson = links.Lesson("train", TINY, ("train_epochs",), compare=PAIR)
    app = open_lesson(app_test, lesson)
    _train(app)  # run 1: resnet
    assert any("trained: Run 1" in m.value for m in app.markdown)
    assert app.multiselect(key="train_compare").options == ["Run 1 · resnet"]
    app.multiselect(key="train_compare").set_value([]).run()  # the learner took it out of the overlay
    use_button(app, "resnet-plain").click().run()
    _train(app)  # run 2: resnet-plain, with the lesson's settings too
    records = app.session_state[jobs.RUNS]
    assert [r.spec.layers for r in records] == [presets.preset(name).layers for name in PAIR]
    assert [r.settings.epochs for r in records] == [1, 1] and [r.settings.train_samples for r in records] == [100, 100]
    assert app.multiselect(key="train_compare").value == [1, 2]  # the comparison puts both back in
    assert any("Each model has a run" in c.value for c in app.caption)
    overlay = json.loads(app.get("plotly_chart")[-1].proto.spec)
    assert [curve["name"] for curve in overlay["data"]] == ["Run 1 · resnet", "Run 2 · resnet-plain"]


@pytest.mark.e2e
def test_in_chromium_the_ready_lesson_switches_between_its_models(browser, server_url):
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(f"{server_url}/{lessons.address('skip-connections')}&lang=zh")
    main = tab.get_by_test_id("stMainBlockContainer")
    main.get_by_text("本课比较：resnet · resnet-plain").wait_for(timeout=60_000)
    resnet, plain = (tab.locator(f".st-key-train_compare_use_{name} button") for name in PAIR)
    assert "正在使用" in resnet.inner_text() and resnet.is_disabled()  # the text follows the button's icon
    plain.click()
    tab.locator(".st-key-train_compare_use_resnet button:not([disabled])").wait_for(timeout=30_000)
    assert "使用这个模型" in resnet.inner_text() and "正在使用" in plain.inner_text() and plain.is_disabled()
    assert main.get_by_role("spinbutton", name="训练轮数", exact=True).is_disabled()  # the lesson's settings stay
    context.close()
