"""The Build page under AppTest and in chromium: presets, edits, errors, code and the share link."""

import re

import pytest

from playground import links, presets
from playground.spec import LayerSpec


def metric(app, label):
    return next(m.value for m in app.metric if m.label == label)


def test_home_page_leads_to_build(app_test):
    app = app_test()
    assert app.title[0].value == "Deep Learning Playground"
    assert not app.exception
    app.button[0].click().run()
    assert any(t.value == "Build a model" for t in app.title)


def test_seed_cnn_summary_table_and_totals(app_test):
    app = app_test("views/build.py")
    assert not app.exception
    assert metric(app, "Total parameters") == "93,322"
    assert metric(app, "Non-trainable") == "0"
    table = app.dataframe[0].value
    assert list(table["Output shape"]) == [
        "(26, 26, 32)",
        "(13, 13, 32)",
        "(11, 11, 64)",
        "(5, 5, 64)",
        "(3, 3, 64)",
        "(576)",
        "(64)",
        "(10)",
    ]
    assert "layers.Conv2D(32, (3, 3), activation='relu')" in app.code[0].value
    assert app.success[0].value.startswith("The model is valid: 8 layers")


def test_loading_a_preset_replaces_the_model(app_test):
    app = app_test("views/build.py")
    app.selectbox[0].set_value("lenet-5")
    next(b for b in app.button if b.label == "Load preset").click().run()
    assert metric(app, "Total parameters") == "61,706"


def test_editing_units_updates_the_summary_and_a_wrong_output_size_is_explained(app_test):
    app = app_test("views/build.py")
    units = [w for w in app.number_input if w.label == "units (neurons)"]
    units[0].set_value(32).run()
    assert metric(app, "Total parameters") == f"{93_322 - 36_928 - 650 + 576 * 32 + 32 + 32 * 10 + 10:,}"
    units = [w for w in app.number_input if w.label == "units (neurons)"]
    units[1].set_value(5).run()
    assert any("Layer 8 (Dense) is the output layer and has 5 units" in e.value for e in app.error)
    assert not [c for c in app.code if c.language == "python"]  # no code for a model that cannot be built


def test_moving_a_conv_after_flatten_names_the_layer_and_the_fix(app_test):
    app = app_test("views/build.py")
    down = [b for b in app.button if b.label == "↓"]
    down[4].click().run()  # Conv2D (layer 5) below Flatten
    messages = [e.value for e in app.error]
    assert any(m.startswith("Layer 6 (Conv2D) needs an image but gets a flat vector of 1600 values") for m in messages)


def test_adding_and_removing_layers(app_test):
    app = app_test("views/build.py")
    add_kind = next(s for s in app.selectbox if s.label == "Layer kind")
    add_kind.set_value("Dropout")
    next(b for b in app.button if b.label == "Add").click().run()
    table = app.dataframe[0].value
    assert list(table["Layer"])[-1] == "Dropout"
    assert not app.error  # a Dropout after the output layer is allowed
    removes = [b for b in app.button if b.label == "✕"]
    removes[-1].click().run()
    assert metric(app, "Total parameters") == "93,322"


def test_bad_json_is_explained_and_changes_nothing(app_test):
    app = app_test("views/build.py")
    app.text_area[0].set_value("{broken").run()
    next(b for b in app.button if b.label == "Apply JSON").click().run()
    assert any("this is not valid JSON" in e.value for e in app.error)
    assert metric(app, "Total parameters") == "93,322"


def test_share_link_restores_the_exact_model(app_test):
    model = presets.preset("mlp").with_layers(
        [
            LayerSpec("Flatten"),
            LayerSpec("Dense", {"units": 33, "activation": "tanh"}),
            LayerSpec("Dense", {"units": 10, "activation": "softmax"}),
        ]
    )
    app = app_test("views/build.py", **links.spec_query(model))
    assert metric(app, "Total parameters") == f"{784 * 33 + 33 + 33 * 10 + 10:,}"
    assert app.session_state["spec"] == model


def test_a_tampered_link_gives_one_line_and_the_default_model(app_test):
    app = app_test("views/build.py", model="not-a-model!!")
    assert any("could not be read" in w.value for w in app.warning)
    assert metric(app, "Total parameters") == "93,322"


def test_the_page_speaks_chinese(app_test):
    app = app_test("views/build.py", lang="zh")
    assert app.title[0].value == "搭建模型"
    assert metric(app, "参数总数") == "93,322"


# ---------------------------------------------------------------- chromium


def open_build(page, server_url, query=""):
    page.goto(f"{server_url}/build{query}")
    page.get_by_text("Total parameters").first.wait_for()


@pytest.mark.e2e
def test_browser_preset_summary_shows_its_total(page, server_url):
    open_build(page, server_url)
    page.get_by_test_id("stMetricValue").first.wait_for()
    assert page.get_by_test_id("stMetricValue").first.inner_text() == "93,322"


@pytest.mark.e2e
def test_browser_layer_edit_changes_summary_and_bad_edit_shows_message(page, server_url):
    open_build(page, server_url)
    units = page.get_by_label("units (neurons)").first
    units.fill("32")
    units.press("Enter")
    expected = f"{93_322 - 36_928 - 650 + 576 * 32 + 32 + 32 * 10 + 10:,}"
    page.get_by_test_id("stMetricValue").filter(has_text=expected).first.wait_for()
    output_units = page.get_by_label("units (neurons)").nth(1)
    output_units.fill("5")
    output_units.press("Enter")
    page.get_by_text("is the output layer and has 5 units").first.wait_for()


@pytest.mark.e2e
def test_browser_share_link_restores_the_model(page, server_url, browser):
    open_build(page, server_url)
    page.get_by_role("button", name="↓").nth(4).click()  # Conv2D below Flatten: a broken model
    page.get_by_text("Layer 6 (Conv2D) needs an image").first.wait_for()
    page.wait_for_function("() => window.location.search.includes('model=')")
    url = page.url
    assert re.search(r"[?&]model=", url)
    fresh = browser.new_context()
    other = fresh.new_page()
    other.goto(url)
    other.get_by_text("Layer 6 (Conv2D) needs an image").first.wait_for(timeout=30_000)
    fresh.close()
