"""Readable by everyone: text alternatives for the key pictures, and the Draw page used from the keyboard alone."""

import re

import numpy as np
import pytest

from playground.ui.draw.panels import ranking

CJK = re.compile("[\u4e00-\u9fff]")


def image_alts(app) -> list[str]:
    """The alt text of every image the page sent (None where an image has none)."""
    return [img.alt if img.HasField("alt") else None for element in app.get("image") for img in element.proto.imgs]


def test_ranking_lists_the_most_likely_classes_first():
    probabilities = np.array([0.01, 0.03, 0.0, 0.0, 0.0, 0.0, 0.0, 0.92, 0.0, 0.04])
    assert ranking(probabilities, [str(n) for n in range(10)]) == "7 (92.0%), 9 (4.0%), 1 (3.0%)"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_prediction_and_the_test_image_have_text_alternatives(app_test, lang):
    app = app_test("views/draw.py", timeout=90, lang=lang)
    app.segmented_control(key="draw_source").set_value("test").run()
    alts = image_alts(app)
    assert len(alts) == 3 and all(alts), alts  # the test image, what the model sees, a confusion cell's examples
    prediction = next(m.value for m in app.metric if m.label in ("Prediction", "预测"))
    assert any(prediction in alt and "%" in alt for alt in alts)
    assert all(bool(CJK.search(alt)) == (lang == "zh") for alt in alts)
    assert any(("Most likely" if lang == "en" else "可能性最高") in c.value for c in app.caption)


@pytest.mark.parametrize("page", ["views/data.py", "views/train.py"])
def test_every_picture_on_the_data_and_train_pages_has_a_text_alternative(app_test, page):
    app = app_test(page)
    if page == "views/train.py":
        app.toggle(key="train_augment").set_value(True).run()
    alts = image_alts(app)
    assert alts and all(alts), alts


@pytest.mark.e2e
def test_in_chromium_the_draw_page_works_from_the_keyboard_alone(page, server_url):
    from tests.conftest import wait_for_app

    page.goto(server_url + "/draw")
    page.get_by_text("Test image", exact=True).wait_for(timeout=60_000)  # the page has drawn its inputs
    wait_for_app(page)
    focused = "() => document.activeElement?.innerText?.trim()"
    for _ in range(60):  # Tab through the page to the input chooser (one tab stop; arrows move inside it)
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement?.dataset.variant") == "segmented_control":
            break
    else:
        raise AssertionError("the input chooser is not reachable with Tab")
    for _ in range(3):
        if page.evaluate(focused) == "Test image":
            break
        page.keyboard.press("ArrowRight")
    assert page.evaluate(focused) == "Test image"
    page.keyboard.press("Enter")
    picture = page.locator("img[alt*='predicted as']")
    picture.wait_for(timeout=60_000)
    prediction = page.get_by_test_id("stMetricValue").first.inner_text()
    assert f"predicted as {prediction}" in picture.get_attribute("alt")
