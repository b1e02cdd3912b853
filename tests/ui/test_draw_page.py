"""The Draw page: AppTest drives the canvas through its session-state value; chromium draws with the mouse."""

import base64
import io
import json
import time

import numpy as np
import pytest
from PIL import Image

from playground import bundle, data, presets
from playground.data import images as drawing
from playground.data import strokes
from playground.inspection import demo
from playground.inspection.evaluation import evaluate

PAGE = "views/draw.py"
CANVAS = "[data-testid='stBidiComponentIsolated'] canvas.upper-canvas"


def data_url(rgba: np.ndarray) -> str:
    """The canvas value's image part: a PNG data URL, as the component's frontend sends it."""
    buffer = io.BytesIO()
    Image.fromarray(rgba).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def draw_on(app, rgba: np.ndarray):
    """Set the canvas as if the user had drawn `rgba`, and rerun the page."""
    app.session_state["draw_canvas"] = {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": data_url(rgba)}}
    return app.run()


def metric(app, label: str) -> str | None:
    return next((m.value for m in app.metric if m.label == label), None)


def array(value) -> np.ndarray:
    """A figure's data array: Plotly sends numpy arrays as {"dtype", "bdata"(, "shape")} typed arrays."""
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        return flat.reshape([int(n) for n in str(shape).split(",")]) if shape else flat
    return np.asarray(value)


def chart(app, key: str) -> dict:
    """The Plotly figure of the chart with this key, as the page sent it."""
    for element in app.get("plotly_chart"):
        if element.proto.id.endswith("-" + key):
            return json.loads(element.proto.spec)
    raise AssertionError(f"no chart {key}")


@pytest.fixture
def draw_page(app_test):
    app = app_test(PAGE, timeout=90)
    assert not app.exception
    return app


def test_without_a_trained_model_the_demo_model_is_offered_and_an_empty_canvas_gets_a_prompt(draw_page):
    infos = [info.value for info in draw_page.info]
    assert any("demo model" in text for text in infos)
    assert any("Draw a digit (0–9)" in text for text in infos)
    assert metric(draw_page, "Prediction") is None
    assert metric(draw_page, "Test accuracy").endswith("%")


@pytest.mark.parametrize("style", [strokes.STYLES[0], strokes.STYLES[1], strokes.STYLES[2]], ids=lambda s: s.name)
def test_a_drawn_digit_is_predicted_with_probabilities_equal_to_keras_predict(draw_page, style):
    drawn = strokes.drawing(7, style)
    draw_on(draw_page, drawn)
    assert not draw_page.exception
    assert metric(draw_page, "Prediction") == "7"
    shown = array(chart(draw_page, "draw_probabilities")["data"][0]["y"])
    from playground.backend import keras  # noqa: F401  (plain Keras as the reference)
    from playground.model import build_model

    trained = demo.model()
    model = build_model(trained.spec, compile=False)
    model.set_weights(trained.weights)
    expected = model.predict(drawing.prepare(drawn)[None, ..., None], verbose=0)[0]
    np.testing.assert_allclose(shown, expected, atol=1e-5)


def test_a_blank_or_dot_only_canvas_gets_the_prompt_not_a_prediction(draw_page):
    draw_on(draw_page, strokes.drawing(3))
    assert metric(draw_page, "Prediction") == "3"
    draw_on(draw_page, strokes.render([[(200, 50), (201, 50)]], pen=6))
    assert metric(draw_page, "Prediction") is None
    assert any("Draw a digit (0–9)" in info.value for info in draw_page.info)


def test_inside_the_network_shows_every_feature_map_layer_dense_bars_filters_and_saliency(draw_page):
    draw_on(draw_page, strokes.drawing(2))
    layer = draw_page.selectbox(key="draw_layer")
    assert layer.options == [
        "Layer 1 · Conv2D · 26×26×32",
        "Layer 2 · MaxPooling2D · 13×13×32",
        "Layer 3 · Conv2D · 11×11×64",
        "Layer 4 · MaxPooling2D · 5×5×64",
        "Layer 5 · Conv2D · 3×3×64",
    ]
    assert chart(draw_page, "draw_maps")["layout"]["title"]["text"].startswith("Layer 1 (Conv2D): 32 feature maps")
    layer.set_value("Layer 3 · Conv2D · 11×11×64").run()
    assert chart(draw_page, "draw_maps")["layout"]["title"]["text"].startswith("Layer 3 (Conv2D): 64 feature maps")
    with pytest.raises(AssertionError):
        chart(draw_page, "draw_dense_7")  # only the open tab is computed and sent
    draw_page.session_state["draw_inside_tab"] = "Dense layers"
    draw_page.run()
    assert len(array(chart(draw_page, "draw_dense_7")["data"][0]["y"])) == 64
    draw_page.session_state["draw_inside_tab"] = "Learned filters"
    draw_page.run()
    assert chart(draw_page, "draw_filters")["layout"]["title"]["text"].startswith("First-layer filters (32)")
    draw_page.session_state["draw_inside_tab"] = "Saliency"
    draw_page.run()
    saliency = chart(draw_page, "draw_saliency")
    assert "“2”" in saliency["layout"]["title"]["text"] and saliency["data"][1]["type"] == "contour"


def test_the_sessions_trained_model_is_used_and_the_demo_stays_one_click_away(draw_page):
    spec = presets.preset("logistic")
    weights = (np.zeros((784, 10), np.float32), np.eye(10, dtype=np.float32)[4])  # always says 4
    draw_page.session_state["trained_model"] = bundle.TrainedModel(spec, weights)
    draw_on(draw_page, strokes.drawing(7))
    assert draw_page.segmented_control(key="draw_model").value == "own"
    assert metric(draw_page, "Prediction") == "4"
    assert any("no convolution or pooling layers" in info.value for info in draw_page.info)
    draw_page.segmented_control(key="draw_model").set_value("demo").run()
    assert metric(draw_page, "Prediction") == "7"


def test_a_test_image_can_be_picked_by_class_or_among_the_mistakes(draw_page):
    draw_page.segmented_control(key="draw_source").set_value("test").run()
    assert metric(draw_page, "Prediction") is not None
    draw_page.radio(key="draw_pick").set_value("class").run()
    draw_page.selectbox(key="draw_pick_class").set_value(6).run()
    index = draw_page.session_state["draw_sample"]
    dataset = data.load("mnist-sample")
    assert dataset.y_test[index] == 6
    assert any(f"#{index}, labelled **6**" in md.value for md in draw_page.markdown)
    draw_page.radio(key="draw_pick").set_value("mistake").run()
    index = draw_page.session_state["draw_sample"]
    assert metric(draw_page, "Prediction") != str(dataset.y_test[index])  # a mistake, shown as one
    draw_page.button[0].click().run()  # "Another one"
    assert not draw_page.exception


def test_the_confusion_matrix_cell_lists_its_examples_and_one_can_be_inspected(draw_page):
    evaluation = evaluate(demo.model(), data.load("mnist-sample"))
    mistakes = evaluation.confusion - np.diag(np.diag(evaluation.confusion))
    true, predicted = (int(i) for i in np.unravel_index(np.argmax(mistakes), mistakes.shape))
    assert draw_page.selectbox(key="draw_cell_true").value == true  # the most frequent mistake comes first
    draw_page.selectbox(key="draw_cell_true").set_value(predicted).run()
    draw_page.selectbox(key="draw_cell_predicted").set_value(predicted).run()
    correct = evaluation.examples(predicted, predicted)
    assert any(f"{len(correct)} test images of class {predicted} classified as {predicted}" in c.value
               for c in draw_page.caption)  # fmt: skip
    draw_page.selectbox(key="draw_cell_true").set_value(true).run()
    examples = evaluation.examples(true, predicted)
    assert any(f"{len(examples)} test images of class {true} classified as {predicted}" in c.value
               for c in draw_page.caption)  # fmt: skip
    confusion = array(chart(draw_page, "draw_confusion")["data"][0]["text"])
    assert confusion[true][predicted] == len(examples)
    next(b for b in draw_page.button if b.label == "Inspect this image").click().run()
    assert draw_page.segmented_control(key="draw_source").value == "test"
    assert draw_page.session_state["draw_sample"] == examples[0]
    assert metric(draw_page, "Prediction") == str(predicted)


def test_an_uploaded_photo_is_inverted_and_read_and_a_non_image_gets_a_clear_message(draw_page):
    draw_page.segmented_control(key="draw_source").set_value("upload").run()
    photo = 255 - strokes.drawing(5, strokes.STYLES[1])[..., :3]
    buffer = io.BytesIO()
    Image.fromarray(photo).save(buffer, format="JPEG")
    draw_page.file_uploader[0].upload("five.jpg", buffer.getvalue(), "image/jpeg").run()
    assert metric(draw_page, "Prediction") == "5"
    draw_page.file_uploader[0].set_value(("notes.png", b"not really a picture", "image/png")).run()
    assert metric(draw_page, "Prediction") is None
    assert "This file cannot be used" in draw_page.error[0].value and "not an image" in draw_page.error[0].value


def test_the_page_speaks_chinese(app_test):
    app = app_test(PAGE, timeout=90, lang="zh")
    draw_on(app, strokes.drawing(1))
    assert app.title[0].value == "手写一个数字"
    assert metric(app, "预测") == "1"
    assert chart(app, "draw_probabilities")["layout"]["title"]["text"] == "每个类别的概率"


# ---------------------------------------------------------------- in chromium, with the mouse


def _idle(tab) -> None:
    time.sleep(0.4)
    tab.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')"
    )


def _open_draw_page(page, server_url) -> None:
    # Open the app's root first: a fresh server only knows st.navigation's pages once app.py has run
    # (before that, /draw would run views/draw.py alone, as a plain pages/ folder app).
    page.goto(server_url)
    page.get_by_text("Welcome").first.wait_for()
    page.goto(server_url + "/draw")
    page.wait_for_selector(CANVAS)
    _idle(page)


def _draw_with_mouse(page, digit: int, style: strokes.Style) -> None:
    box = page.locator(CANVAS).bounding_box()
    for stroke in strokes.canvas_strokes(digit, style):
        page.mouse.move(box["x"] + stroke[0][0], box["y"] + stroke[0][1])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x, box["y"] + y, steps=3)
        page.mouse.up()
        _idle(page)


def _prediction(page, expected: str) -> str:
    locator = page.locator("[data-testid='stMetric']").filter(has_text="Prediction")
    locator.get_by_text(expected, exact=True).wait_for(timeout=30_000)
    return locator.locator("[data-testid='stMetricValue']").inner_text()


def _toolbar(page, name: str) -> None:
    page.locator(CANVAS).hover()
    page.get_by_role("button", name=name).click()
    _idle(page)


@pytest.mark.e2e
def test_digits_drawn_with_the_mouse_are_read_and_clear_empties_the_canvas(page, server_url):
    _open_draw_page(page, server_url)
    prompt = page.get_by_text("Draw a digit (0–9) on the black canvas")
    prompt.wait_for()
    for digit, style in [(7, strokes.STYLES[0]), (3, strokes.STYLES[2]), (4, strokes.STYLES[5])]:
        _draw_with_mouse(page, digit, style)
        assert _prediction(page, str(digit)) == str(digit)
        _toolbar(page, "Reset canvas & history")
        prompt.wait_for()


MODEL_SEES = "img[alt^='The 28×28 input the model reads']"


def _model_input(page, server_url: str) -> tuple[str, np.ndarray]:
    """The picture of what the model reads, as the page shows it: its address and its 28×28 pixels in [0, 1]."""
    source = page.locator(MODEL_SEES).get_attribute("src")
    response = page.request.get(source if source.startswith("http") else server_url.rstrip("/") + source)
    pixels = np.asarray(Image.open(io.BytesIO(response.body())).convert("L"), dtype=np.float32) / 255
    return source, pixels[::5, ::5]  # the page enlarges each input pixel to a 5×5 block


@pytest.mark.e2e
def test_strokes_begun_in_each_corner_of_the_canvas_reach_the_model(page, server_url):
    # The canvas's hidden toolbar once sat over its top-right corner and slid away only once the pointer had
    # hovered there a moment: a press 12 px in from both edges, straight after coming in from outside the canvas
    # (as a stroke begun there does), hit its buttons (reset: 22 px square, 4 px from the right edge).
    _open_draw_page(page, server_url)
    box = page.locator(CANVAS).bounding_box()
    inset, reach, shown = 12, 70, None
    from playwright.sync_api import TimeoutError as Timeout

    corners = {"top-left": (0, 0), "top-right": (1, 0), "bottom-right": (1, 1), "bottom-left": (0, 1)}
    for name, (right, bottom) in corners.items():
        x = box["x"] + (box["width"] - inset if right else inset)
        y = box["y"] + (box["height"] - inset if bottom else inset)
        toward = (-1 if right else 1, -1 if bottom else 1)  # inwards, along the diagonal
        page.mouse.move(box["x"] - 150, box["y"] + box["height"] / 2)  # away from the canvas and its toolbar
        page.mouse.move(x, y)  # one jump, then the press at once
        page.mouse.down()
        page.mouse.move(x + toward[0] * reach, y + toward[1] * reach, steps=12)
        page.mouse.up()
        # Each stroke changes what the model reads: the picture of its input gets a new address.
        try:
            page.wait_for_function(
                "([selector, old]) => { const img = document.querySelector(selector);"
                " return img && img.getAttribute('src') !== old; }",
                arg=[MODEL_SEES, shown],
                timeout=20_000,
            )
        except Timeout:
            pytest.fail(f"the stroke begun in the {name} corner did not reach the model's input")
        _idle(page)
        shown, pixels = _model_input(page, server_url)
    # All four strokes, fitted MNIST-style into the middle 20×20: ink in each quadrant, along the diagonals.
    quadrants = [pixels[:14, :14], pixels[:14, 14:], pixels[14:, 14:], pixels[14:, :14]]
    assert all(quadrant.max() > 0.5 for quadrant in quadrants), [round(float(q.sum()), 1) for q in quadrants]
    ends = [pixels[4:10, 4:10], pixels[4:10, 18:24], pixels[18:24, 18:24], pixels[18:24, 4:10]]
    assert all(end.sum() > 3 for end in ends), [round(float(end.sum()), 1) for end in ends]


@pytest.mark.e2e
def test_undo_takes_back_the_last_stroke(page, server_url):
    _open_draw_page(page, server_url)
    _draw_with_mouse(page, 1, strokes.STYLES[4])
    assert _prediction(page, "1") == "1"
    _toolbar(page, "Undo")
    from playwright.sync_api import expect

    page.get_by_text("Draw a digit (0–9) on the black canvas").wait_for()
    expect(page.locator("[data-testid='stMetric']").filter(has_text="Prediction")).to_have_count(0)


@pytest.mark.e2e
def test_a_digit_drawn_with_a_finger_on_a_touch_screen_is_read(browser, server_url):
    context = browser.new_context(viewport={"width": 1024, "height": 1300}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        _open_draw_page(page, server_url)
        box = page.locator(CANVAS).bounding_box()
        stroke = strokes.canvas_strokes(7, strokes.STYLES[0])[0]
        points = [(box["x"] + x, box["y"] + y) for x, y in stroke]
        touch = context.new_cdp_session(page)  # Playwright has tap, not drag, for touch: send the events
        touch.send(
            "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": points[0][0], "y": points[0][1]}]}
        )
        for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
            for step in range(1, 6):
                where = {"x": x0 + (x1 - x0) * step / 5, "y": y0 + (y1 - y0) * step / 5}
                touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [where]})
        touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        assert _prediction(page, "7") == "7"
    finally:
        context.close()
