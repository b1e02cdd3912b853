"""Teacher links: packing, tampering, and a locked Build page."""

import pytest

from playground import lessons, presets
from playground.spec import LayerSpec


def test_lesson_round_trip():
    lesson = lessons.Lesson("train", {"epochs": 3, "optimizer": "SGD"}, ("epochs",), True, {"a": 1})
    assert lessons.decode(lessons.encode(lesson)) == lesson


@pytest.mark.parametrize(
    "text", ["", "x" * 30_000, "!!!", "eJzLSM3JyQcABiwCFQ", lessons.encode(lessons.Lesson("p"))[:-5]]
)
def test_tampered_links_raise_a_lesson_error(text):
    with pytest.raises(lessons.LessonError):
        lessons.decode(text)


def test_settings_must_be_plain_values():
    import base64
    import json
    import zlib

    raw = json.dumps({"page": "train", "settings": {"epochs": {"$eval": "x"}}}).encode()
    with pytest.raises(lessons.LessonError, match="plain values"):
        lessons.decode(base64.urlsafe_b64encode(zlib.compress(raw)).decode())


def locked_build_link():
    model = presets.preset("mlp").with_layers(
        [LayerSpec("Flatten"), LayerSpec("Dense", {"units": 10, "activation": "softmax"})]
    )
    return lessons.encode(lessons.Lesson("build", {}, ("model",), False, model.to_dict()))


def test_a_lesson_link_restores_and_locks_the_model(app_test):
    app = app_test("views/build.py", lesson=locked_build_link())
    assert not app.exception
    assert next(m.value for m in app.metric if m.label == "Total parameters") == "7,850"
    assert any("fixed by your teacher" in i.value for i in app.info)
    assert all(b.disabled for b in app.button if b.label in ("↑", "↓", "✕", "Add", "Load preset", "Apply JSON"))
    assert all(w.disabled for w in app.number_input if w.label == "units (neurons)")


def test_a_tampered_lesson_link_gives_one_line_and_the_defaults(app_test):
    app = app_test("views/build.py", lesson="garbage")
    assert any("could not be read" in w.value for w in app.warning)
    assert next(m.value for m in app.metric if m.label == "Total parameters") == "93,322"
    assert not any(b.disabled for b in app.button if b.label == "Add")


def test_the_teacher_panel_builds_a_link_that_locks(app_test):
    app = app_test("views/build.py")
    app.sidebar.multiselect[0].set_value(["model"]).run()
    link = next(c.value for c in app.sidebar.code if "lesson=" in c.value)
    packed = link.split("lesson=")[1].split("&")[0]
    lesson = lessons.decode(packed)
    assert lesson.page == "build" and lesson.locked == ("model",)
    assert lesson.spec == presets.preset("seed-cnn").to_dict()


@pytest.mark.e2e
def test_browser_presentation_mode_enlarges_type(page, server_url):
    page.goto(server_url + "/build")
    page.get_by_text("Total parameters").first.wait_for()
    size = "() => getComputedStyle(document.documentElement).fontSize"
    assert page.evaluate(size) != "22px"
    page.get_by_text("Presentation mode (large type)").click()
    page.wait_for_function(size + " === '22px'", timeout=30_000)


@pytest.mark.e2e
def test_browser_teacher_link_in_a_fresh_context_restores_the_locked_model(browser, server_url):
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(f"{server_url}/build?lesson={locked_build_link()}")
    tab.get_by_test_id("stMetricValue").filter(has_text="7,850").first.wait_for(timeout=60_000)
    assert tab.get_by_role("button", name="Load preset").is_disabled()
    context.close()
