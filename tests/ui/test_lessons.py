"""Teacher links: packing, tampering, and a locked Build page."""

import pytest

from playground import data, links, presets
from playground.spec import LayerSpec


def test_lesson_round_trip():
    lesson = links.Lesson("train", {"epochs": 3, "optimizer": "SGD"}, ("epochs",), True, {"a": 1})
    assert links.lesson_from_value(links.lesson_value(lesson)) == lesson


@pytest.mark.parametrize(
    "text", ["", "x" * 30_000, "!!!", "eJzLSM3JyQcABiwCFQ", links.lesson_value(links.Lesson("p"))[:-5]]
)
def test_tampered_links_raise_a_lesson_error(text):
    with pytest.raises(links.LinkError):
        links.lesson_from_value(text)


def test_settings_must_be_plain_values():
    import base64
    import json
    import zlib

    raw = json.dumps({"page": "train", "settings": {"epochs": {"$eval": "x"}}}).encode()
    with pytest.raises(links.LinkError, match="plain values"):
        links.lesson_from_value(base64.urlsafe_b64encode(zlib.compress(raw)).decode())


def locked_build_link():
    model = presets.preset("mlp").with_layers(
        [LayerSpec("Flatten"), LayerSpec("Dense", {"units": 10, "activation": "softmax"})]
    )
    return links.lesson_value(links.Lesson("build", {}, ("model",), False, model.to_dict()))


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
    lesson = links.lesson_from_value(packed)
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


def train_link(settings: dict, locked=("train_epochs", "model"), hide=False, spec=None):
    model = spec or presets.preset("mlp")
    return links.lesson_value(links.Lesson("train", settings, tuple(locked), hide, model.to_dict()))


def _widget(app, kind: str, label: str):
    return next(w for w in getattr(app, kind) if w.label == label)


def test_a_train_lesson_link_presets_and_locks_the_settings(app_test):
    settings = {"train_epochs": 2, "train_batch": 64, "train_seed": 7, "train_validation": 0.2}
    app = app_test("views/train.py", lesson=train_link(settings))
    assert not app.exception
    epochs = _widget(app, "number_input", "Epochs")
    assert epochs.value == 2 and epochs.disabled
    assert _widget(app, "select_slider", "Batch size").value == 64
    assert not _widget(app, "select_slider", "Batch size").disabled
    assert _widget(app, "number_input", "Random seed").value == 7
    assert _widget(app, "slider", "Validation share").value == 0.2
    assert _widget(app, "selectbox", "Optimizer").disabled  # the model (and its optimizer) is locked
    assert any("fixed by your teacher" in i.value for i in app.info)
    assert any("Flatten" in m.value and "Dense" in m.value for m in app.markdown)


def test_a_train_lesson_hides_locked_controls_but_keeps_their_values(app_test):
    app = app_test("views/train.py", lesson=train_link({"train_seed": 7}, ("train_seed",), hide=True))
    assert not any(w.label == "Random seed" for w in app.number_input)
    assert any(w.label == "Epochs" for w in app.number_input)


@pytest.mark.parametrize(
    "settings",
    [{"train_epochs": 10_000}, {"train_epochs": "five"}, {"train_batch": 33}, {"train_dataset": "imagenet"},
     {"train_validation": 3.0}, {"train_augment": "yes"}, {"train_epochs": 2.5}, {"train_epochs": float("inf")},
     {"train_seed": float("nan")}],
)  # fmt: skip
def test_a_train_lesson_value_that_does_not_fit_gives_one_line_and_the_default(app_test, settings):
    app = app_test("views/train.py", lesson=train_link(settings, locked=()))
    assert not app.exception
    assert sum("does not fit" in w.value for w in app.warning) == 1
    assert _widget(app, "number_input", "Epochs").value == 5
    assert _widget(app, "select_slider", "Batch size").value == 32


def test_the_train_teacher_panel_carries_settings_and_locks(app_test):
    app = app_test("views/train.py")
    _widget(app, "number_input", "Epochs").set_value(3).run()
    app.sidebar.multiselect[0].set_value(["train_epochs"]).run()
    link = next(c.value for c in app.sidebar.code if "lesson=" in c.value)
    assert "/train?lesson=" in link
    lesson = links.lesson_from_value(link.split("lesson=")[1].split("&")[0])
    assert lesson.page == "train" and lesson.locked == ("train_epochs",)
    assert lesson.settings["train_epochs"] == 3 and lesson.settings["train_batch"] == 32
    assert lesson.spec == presets.preset("seed-cnn").to_dict()


def draw_link(settings: dict, locked: tuple[str, ...], hide=False):
    return links.lesson_value(links.Lesson("draw", settings, locked, hide))


def test_a_draw_lesson_opens_a_locked_test_image_of_one_class(app_test):
    settings = {"draw_source": "test", "draw_pick": "class", "draw_pick_class": 3}
    app = app_test("views/draw.py", timeout=90, lesson=draw_link(settings, ("draw_source", "draw_pick_class")))
    assert not app.exception
    assert app.segmented_control(key="draw_source").value == "test"
    assert app.segmented_control(key="draw_source").disabled
    assert app.radio(key="draw_pick").value == "class" and not app.radio(key="draw_pick").disabled
    assert app.selectbox(key="draw_pick_class").value == 3 and app.selectbox(key="draw_pick_class").disabled
    assert data.load("mnist-sample").y_test[app.session_state["draw_sample"]] == 3
    assert any(m.label == "Prediction" for m in app.metric)


def test_a_draw_lesson_with_a_hidden_source_and_a_bad_pen_width(app_test):
    settings = {"draw_source": "draw", "draw_pen": 400}
    app = app_test("views/draw.py", timeout=90, lesson=draw_link(settings, ("draw_source",), hide=True))
    assert not app.exception
    assert not app.get("segmented_control")  # the hidden input chooser is not drawn
    assert sum("does not fit" in w.value for w in app.warning) == 1
    assert app.slider(key="draw_pen").value == 20


def test_the_draw_teacher_panel_carries_the_chosen_input(app_test):
    app = app_test("views/draw.py", timeout=90)
    app.segmented_control(key="draw_source").set_value("test").run()
    app.sidebar.multiselect[0].set_value(["draw_source"]).run()
    link = next(c.value for c in app.sidebar.code if "lesson=" in c.value)
    lesson = links.lesson_from_value(link.split("lesson=")[1].split("&")[0])
    assert "/draw?lesson=" in link and lesson.locked == ("draw_source",)
    assert lesson.settings["draw_source"] == "test" and lesson.spec is None


CONCEPT_LESSONS = [
    # page, settings, the locked control, how to read a control's value
    ("activations", {"act_names": ["relu", "elu"], "act_range": [-2, 3], "act_epochs": 2}, "act_names",
     lambda app: (app.multiselect(key="act_names").value, app.slider(key="act_range").value,
                  app.slider(key="act_epochs").value), (["relu", "elu"], (-2.0, 3.0), 2)),
    ("losses", {"loss_class": 7, "loss_mode": "vector", "loss_outlier": -4.0}, "loss_mode",
     lambda app: (app.selectbox(key="loss_class").value, app.radio(key="loss_mode").value,
                  app.slider(key="loss_outlier").value), (7, "vector", -4.0)),
    ("optimizers", {"opt_surface": "himmelblau", "opt_racers": ["sgd", "adam"], "opt_noise": 0.5}, "opt_surface",
     lambda app: (app.selectbox(key="opt_surface").value, app.multiselect(key="opt_racers").value,
                  app.slider(key="opt_noise").value), ("himmelblau", ["sgd", "adam"], 0.5)),
    ("backprop", {"bp_x1": 1.5, "bp_activation": "relu", "bp_rate": 2.0}, "bp_rate",
     lambda app: (app.number_input(key="bp_x1").value, app.selectbox(key="bp_activation").value,
                  app.select_slider(key="bp_rate").value), (1.5, "relu", 2.0)),
]  # fmt: skip


@pytest.mark.parametrize(("page", "settings", "locked", "read", "expected"), CONCEPT_LESSONS, ids=lambda v: str(v)[:12])
def test_a_concept_page_lesson_link_presets_and_locks_its_controls(app_test, page, settings, locked, read, expected):
    app = app_test(f"views/{page}.py", lesson=links.lesson_value(links.Lesson(page, settings, (locked,))))
    assert not app.exception
    assert read(app) == expected
    assert next(w for w in app.get(_kind(app, locked)) if w.key == locked).disabled
    assert any("fixed by your teacher" in i.value for i in app.info)


def _kind(app, key: str) -> str:
    for kind in ("multiselect", "radio", "selectbox", "select_slider", "slider", "number_input"):
        if any(w.key == key for w in app.get(kind)):
            return kind
    raise AssertionError(f"no widget {key}")


@pytest.mark.parametrize(
    ("page", "control"),
    [("activations", "act_range"), ("losses", "loss_p"), ("optimizers", "opt_racers"), ("backprop", "bp_target"),
     ("data", "data_page_dataset")],
)  # fmt: skip
def test_every_teacher_panel_round_trips_its_page(app_test, page, control):
    app = app_test(f"views/{page}.py")
    app.sidebar.multiselect[0].set_value([control]).run()
    link = next(c.value for c in app.sidebar.code if "lesson=" in c.value)
    lesson = links.lesson_from_value(link.split("lesson=")[1].split("&")[0])
    assert f"/{page}?lesson=" in link and len(lesson.locked) == 1 and lesson.settings
    again = app_test(f"views/{page}.py", lesson=link.split("lesson=")[1].split("&")[0])
    assert not again.exception and not again.warning
    assert next(w for w in again.get(_kind(again, control)) if w.key == control).disabled


def test_a_concept_lesson_with_an_unknown_activation_gives_one_line_and_the_defaults(app_test):
    link = links.lesson_value(links.Lesson("activations", {"act_names": ["relu", "swoosh"], "act_range": [5, -5]}))
    app = app_test("views/activations.py", lesson=link)
    assert not app.exception
    assert sum("does not fit" in w.value for w in app.warning) == 2
    assert app.multiselect(key="act_names").value == ["sigmoid", "tanh", "relu"]


@pytest.mark.parametrize(
    ("value", "arguments", "fits"),
    [(32, {"options": (8, 16, 32)}, True), (33, {"options": (8, 16, 32)}, False),
     (["sgd", "adam"], {"options": ("gd", "sgd", "adam")}, True), (["sgd", "lion"], {"options": ("sgd",)}, False),
     (0.5, {"min_value": 0.0, "max_value": 0.5}, True), (0.55, {"min_value": 0.0, "max_value": 0.5}, False),
     (15, {"min_value": 0, "max_value": 30, "step": 5}, True), (7, {"min_value": 0, "max_value": 30, "step": 5}, False),
     ((-2.0, 3.0), {"min_value": -10.0, "max_value": 10.0}, True), ((3.0, -2.0), {"min_value": -10.0, "max_value": 10.0}, False),
     (True, {}, True)],
)  # fmt: skip
def test_a_link_value_fits_a_widget_only_within_its_options_bounds_and_step(value, arguments, fits):
    from playground.ui.lesson import _fits_widget

    assert _fits_widget(value, **arguments) is fits
