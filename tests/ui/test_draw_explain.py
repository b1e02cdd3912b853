"""The Draw page's "explain a number" tab under AppTest: pick a layer (or a block's part) and a place by the fields
(the keyboard path), and the explained value equals the activation the map shows and Keras's own."""

import numpy as np
import pytest

from playground import bundle
from playground.backend import keras
from playground.data import images as drawing
from playground.data import strokes
from playground.inspection import demo
from playground.model import build_model, layer_name, output_layer_name
from playground.spec import LayerSpec, ModelSpec
from tests.ui.test_draw_page import array, chart, draw_on, metric
from tests.ui.test_visible_text import english_words, visible_texts

TAB = {"en": "Explain a number", "zh": "解释一个数"}
PLACE = ("draw_explain_row", "draw_explain_column", "draw_explain_channel")  # the fields of (row, column, channel)
VALUES = {"en": ("The model computed", "Recomputed here"), "zh": ("模型算出的值", "这里重新算出的值")}
RESIDUAL = ModelSpec((28, 28, 1), 10, (
    LayerSpec("Conv2D", {"filters": 3, "kernel_size": 3, "activation": "relu"}),
    LayerSpec("ResidualBlock", {"filters": 4, "strides": 2}),
    LayerSpec("BatchNormalization"),
    LayerSpec("GlobalAveragePooling2D"),
    LayerSpec("Dense", {"units": 10, "activation": "softmax"}),
))  # fmt: skip


@pytest.fixture
def explain_page(app_test):
    app = app_test("views/draw.py", timeout=90)
    assert not app.exception
    return app


def _open(app, drawn: np.ndarray, language: str = "en"):
    draw_on(app, drawn)
    app.session_state["draw_inside_tab"] = TAB[language]
    app.run()
    assert not app.exception, app.exception
    return app


def _keras_value(trained: bundle.TrainedModel, drawn: np.ndarray, position: int, part: str, index) -> float:
    """The activation at `index` of a spec layer (or of its inner part), from a plain Keras model cut there."""
    model = build_model(trained.spec, compile=False)
    model.set_weights(trained.weights)
    layer = trained.spec.layers[position - 1]
    name = f"{layer_name(position, layer)}_{part}" if part else output_layer_name(position, layer)
    cut = keras.Model(model.inputs[0], model.get_layer(name).output)
    return float(np.asarray(cut(drawing.prepare(drawn)[None, ..., None], training=False))[0][tuple(index)])


def _pick(app, label_start: str) -> None:
    target = app.selectbox(key="draw_explain_target")
    choice = next(i for i, label in enumerate(target.options) if label.startswith(label_start))
    target.set_value(choice).run()  # options are shown by label, chosen by their index
    assert not app.exception, app.exception


def _explained(app, language: str = "en") -> tuple[float, float]:
    """(the model's value, the recomputed one) as the panel's two metrics show them."""
    return tuple(float(metric(app, label)) for label in VALUES[language])


def test_a_feature_map_cell_chosen_by_keyboard_is_explained_and_equals_the_map_and_keras(explain_page):
    drawn = strokes.drawing(4)
    app = _open(explain_page, drawn)
    target = app.selectbox(key="draw_explain_target")
    assert target.options[:3] == ["Layer 1 · Conv2D · 26×26×32", "Layer 2 · MaxPooling2D · 13×13×32",
                                  "Layer 3 · Conv2D · 11×11×64"]  # fmt: skip
    _pick(app, "Layer 3 · Conv2D")
    app.number_input(key="draw_explain_channel").set_value(5).run()
    app.number_input(key="draw_explain_row").set_value(4).run()
    app.number_input(key="draw_explain_column").set_value(6).run()
    shown, recomputed = _explained(app)
    cells = array(chart(app, "draw_explain_map")["data"][0]["z"]).reshape(11, 11)
    assert shown == pytest.approx(float(cells[4, 6]), rel=1e-5, abs=1e-6)  # the value the map shows there
    expected = _keras_value(demo.model(), drawn, 3, "", (4, 6, 5))
    assert shown == pytest.approx(expected, rel=1e-5, abs=1e-6)
    assert recomputed == pytest.approx(expected, rel=1e-4, abs=1e-5)
    texts = [m.value for m in app.markdown]
    assert any(text.startswith("**A convolution.** The 3×3 window of layer 2's output") for text in texts)
    assert any(text.startswith("Sum of the 288 products") for text in texts)  # 3×3 × 32 channels
    assert any("relu(" in text for text in texts)
    assert any("The two agree" in s.value for s in app.success)
    # Every cell of the map carries an invisible marker at (column, row): a click on the map selects that cell.
    markers = chart(app, "draw_explain_map")["data"][1]
    assert len(array(markers["x"])) == 121 and markers["marker"]["opacity"] < 0.05


def test_the_output_unit_shows_the_logits_and_softmax_giving_the_probability_shown(explain_page):
    app = _open(explain_page, strokes.drawing(7))
    _pick(app, "Layer 8 · Dense")
    app.number_input(key="draw_explain_unit").set_value(7).run()
    shown, recomputed = _explained(app)
    probabilities = array(chart(app, "draw_probabilities")["data"][0]["y"])
    assert shown == pytest.approx(float(probabilities[7]), rel=1e-5)
    assert recomputed == pytest.approx(float(probabilities[7]), rel=1e-4, abs=1e-6)
    assert any("**Softmax** turns the 10 logits" in m.value for m in app.markdown)
    assert len(app.dataframe) == 2  # the largest contributions, then the logits and probabilities


def test_a_residual_blocks_inner_part_is_explained_and_the_chinese_panel_has_no_english(app_test):
    from tests.inspection.models import trained_for

    trained, _ = trained_for(RESIDUAL, seed=3)
    drawn = strokes.drawing(2)
    for language in ("en", "zh"):
        app = app_test("views/draw.py", timeout=90, lang=language)
        app.session_state["trained_model"] = trained
        app = _open(app, drawn, language)
        labels = app.selectbox(key="draw_explain_target").options
        assert sum(label.startswith(("Layer 2 · ResidualBlock", "第 2 层 · ResidualBlock")) for label in labels) == 8
        for part, index in (("add", (3, 5, 2)), ("skip", (0, 0, 1)), ("bn1", (6, 2, 3)), ("", (5, 5, 0))):
            prefix = "Layer 2 · ResidualBlock · " + (f"part {part}" if part else "13×13")
            _pick(app, prefix if language == "en" else prefix.replace("Layer 2", "第 2 层").replace("part", "部分"))
            for key, value in zip(PLACE, index, strict=True):
                app.number_input(key=key).set_value(value).run()
            shown, recomputed = _explained(app, language)
            expected = _keras_value(trained, drawn, 2, part, index)
            assert shown == pytest.approx(expected, rel=1e-5, abs=1e-6), part
            assert recomputed == pytest.approx(expected, rel=1e-4, abs=1e-5), part
            if language == "zh":
                offending = {text: english_words(text) for text in visible_texts(app) if english_words(text)}
                assert not offending, offending


# ---------------------------------------------------------------- in chromium: a click on the map, then the keyboard


@pytest.mark.e2e
def test_a_click_on_a_map_cell_and_the_keyboard_reach_the_same_explanation(page, server_url):
    from playwright.sync_api import expect

    from tests.ui.test_draw_page import _draw_with_mouse, _idle, _open_draw_page, _prediction

    _open_draw_page(page, server_url)
    _draw_with_mouse(page, 7, strokes.STYLES[0])
    _prediction(page, "7")
    page.get_by_role("tab", name=TAB["en"]).click()
    _idle(page)
    area = page.locator(".st-key-draw_explain_map .nsewdrag").first
    area.wait_for()
    box = area.bounding_box()
    row, column, size = 9, 17, 26  # layer 1 of the demo model: 26×26 maps
    page.mouse.click(box["x"] + (column + 0.5) / size * box["width"], box["y"] + (row + 0.5) / size * box["height"])
    _idle(page)
    expect(page.get_by_label("Row")).to_have_value(str(row))
    expect(page.get_by_label("Column")).to_have_value(str(column))
    page.get_by_text(f"How was the value at row {row}, column {column} of map 0 computed?").wait_for()
    page.get_by_text("The two agree").wait_for()
    clicked = _metric_values(page)
    field = page.get_by_label("Column")  # the keyboard: type another place
    field.fill(str(column - 1))
    field.press("Enter")
    _idle(page)
    page.get_by_text(f"How was the value at row {row}, column {column - 1} of map 0 computed?").wait_for()
    page.get_by_text("The two agree").wait_for()
    assert clicked[0] == pytest.approx(clicked[1], rel=1e-4, abs=1e-5)
    typed = _metric_values(page)
    assert typed[0] == pytest.approx(typed[1], rel=1e-4, abs=1e-5)


def _metric_values(page) -> tuple[float, float]:
    values = []
    for label in VALUES["en"]:
        metric_box = page.locator("[data-testid='stMetric']").filter(has_text=label)
        values.append(float(metric_box.locator("[data-testid='stMetricValue']").inner_text()))
    return tuple(values)


@pytest.mark.e2e
def test_in_chromium_a_pixel_of_a_freshly_trained_models_map_is_explained(page, server_url):
    """Train the seed CNN for one epoch on the Train page, then click a feature-map pixel of that model."""
    import re

    from tests.conftest import wait_for_app
    from tests.ui.test_draw_page import _draw_with_mouse, _idle

    page.goto(server_url + "/train")
    wait_for_app(page)
    main = page.get_by_test_id("stMainBlockContainer")
    main.get_by_role("spinbutton", name="Epochs", exact=True).fill("1")
    page.keyboard.press("Enter")
    wait_for_app(page)
    main.get_by_role("button", name="Start").click()
    main.get_by_text(re.compile(r"Finished: 1 epochs? trained")).first.wait_for(timeout=240_000)
    page.get_by_test_id("stSidebar").get_by_role("link", name="Draw", exact=True).click()
    page.wait_for_selector("[data-testid='stBidiComponentIsolated']", timeout=60_000)
    _idle(page)
    main.get_by_text("Your trained model").first.wait_for()  # not the demo model
    _draw_with_mouse(page, 7, strokes.STYLES[0])
    page.locator("[data-testid='stMetric']").filter(has_text="Prediction").wait_for(timeout=30_000)
    page.get_by_role("tab", name=TAB["en"]).click()
    _idle(page)
    area = page.locator(".st-key-draw_explain_map .nsewdrag").first
    area.wait_for()
    box = area.bounding_box()
    row, column, size = 12, 14, 26  # the seed CNN's first convolution: 26×26 maps
    page.mouse.click(box["x"] + (column + 0.5) / size * box["width"], box["y"] + (row + 0.5) / size * box["height"])
    _idle(page)
    page.get_by_text(f"How was the value at row {row}, column {column} of map 0 computed?").wait_for()
    for shown in ("Input window", "Kernel of filter", "Input × weight", "Sum of the", "Plus the bias", "The two agree"):
        page.get_by_text(shown).first.wait_for()
    model, recomputed = _metric_values(page)
    assert model == pytest.approx(recomputed, rel=1e-4, abs=1e-5)
