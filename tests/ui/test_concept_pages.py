"""The four concept pages: AppTest drives every control and checks the numbers shown; chromium checks the charts."""

import base64
import json
import math

import numpy as np
import pytest

from playground.text import activations as activations_text
from playground.text import backprop as backprop_text
from playground.text import losses as losses_text
from playground.text import optimizers as optimizers_text

CATALOGUES = [activations_text.CATALOGUE, losses_text.CATALOGUE, optimizers_text.CATALOGUE, backprop_text.CATALOGUE]


def _decode(value):
    # Plotly sends numeric arrays as {"dtype", "bdata"} (base64); turn them back into lists.
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = value.get("shape")
        return array.reshape([int(n) for n in str(shape).split(",")]) if shape else array
    if isinstance(value, dict):
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def chart(app, index: int = 0) -> dict:
    """The index-th Plotly figure on the page, as plain data."""
    return _decode(json.loads(app.get("plotly_chart")[index].proto.spec))


def table(app, index: int = 0):
    """The index-th dataframe on the page."""
    return app.dataframe[index].value


def rows(frame, column: str) -> dict:
    """A dataframe as {first column value: value of `column`}."""
    return dict(zip(frame.iloc[:, 0], frame[column], strict=True))


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda c: c.name)
def test_every_string_exists_in_both_languages(catalogue):
    assert catalogue.missing() == {"en": set(), "zh": set()}


# --- activations ---


def test_activations_page_shows_values_slopes_and_flat_regions(app_test):
    app = app_test("views/activations.py")
    assert not app.exception
    probe = table(app)
    assert list(probe["Activation"]) == ["sigmoid", "tanh", "relu"]
    assert rows(probe, "f(x)")["sigmoid"] == pytest.approx(1 / (1 + math.exp(-1)), abs=1e-4)
    assert rows(probe, "f′(x)")["tanh"] == pytest.approx(1 - math.tanh(1) ** 2, abs=1e-4)
    assert set(probe["Flat here?"]) == {"no"}

    app.number_input(key="act_probe").set_value(6.0).run()
    flat = rows(table(app), "Flat here?")
    assert flat == {"sigmoid": "yes", "tanh": "yes", "relu": "no"}  # saturated at 6; ReLU's slope is 1
    app.number_input(key="act_probe").set_value(-2.0).run()
    assert rows(table(app), "Flat here?")["relu"] == "yes"

    before = chart(app)
    app.slider(key="act_range").set_value((-3.0, 3.0)).run()
    after = chart(app)
    assert min(after["data"][1]["x"]) == -3.0 and min(before["data"][1]["x"]) == -6.0


def test_activation_parameters_appear_and_change_the_numbers(app_test):
    app = app_test("views/activations.py")
    app.multiselect(key="act_names").set_value(["leaky_relu", "elu", "softmax"]).run()
    app.number_input(key="act_probe").set_value(-2.0).run()
    assert rows(table(app), "f(x)")["leaky_relu (negative_slope=0.2)"] == pytest.approx(-0.4)
    app.slider(key="act_leaky_relu_negative_slope").set_value(0.5).run()
    app.slider(key="act_elu_alpha").set_value(2.0).run()
    shown = table(app)
    assert rows(shown, "f(x)")["leaky_relu (negative_slope=0.5)"] == pytest.approx(-1.0)
    assert rows(shown, "f′(x)")["leaky_relu (negative_slope=0.5)"] == pytest.approx(0.5)
    assert rows(shown, "f(x)")["elu (alpha=2)"] == pytest.approx(2 * (math.exp(-2) - 1), abs=1e-4)
    assert rows(shown, "f(x)")["softmax"] == pytest.approx(1 / (1 + math.exp(2)), abs=1e-4)
    assert any("softmax acts on a whole vector" in caption.value for caption in app.caption)
    legend = [trace["name"] for trace in chart(app)["data"] if trace.get("showlegend")]
    assert legend == ["leaky_relu (negative_slope=0.5)", "elu (alpha=2)", "softmax"]


def test_the_depth_experiment_shows_sigmoid_gradients_vanishing(app_test):
    app = app_test("views/activations.py", timeout=240)
    app.select_slider(key="act_samples").set_value(500).run()
    app.slider(key="act_epochs").set_value(1).run()
    app.button(key="act_run").click().run()
    assert not app.exception and not app.error
    labels = [metric.label for metric in app.metric]
    assert labels == ["sigmoid network: test accuracy", "ReLU network: test accuracy"]
    bars = chart(app, 1)["data"]
    sigmoid, relu = bars[0]["y"], bars[1]["y"]
    assert relu[0] > 30 * sigmoid[0]
    assert "smaller than the ReLU network's" in app.success[0].value
    app.button_group(key="act_when").set_value("end").run()
    assert list(chart(app, 1)["data"][0]["y"]) != list(sigmoid)  # after training: other numbers


# --- losses ---


def test_losses_page_values_follow_the_slider(app_test):
    app = app_test("views/losses.py")
    assert not app.exception
    values = rows(table(app), "Value")
    assert values["Cross-entropy"] == pytest.approx(-math.log(0.7), abs=1e-5)
    assert values["Mean squared error"] == pytest.approx(0.01, abs=1e-6)
    before = chart(app)
    app.slider(key="loss_p").set_value(0.02).run()
    shown = table(app)
    values, slopes = rows(shown, "Value"), rows(shown, "Slope d loss / d p")
    assert values["Cross-entropy"] == pytest.approx(-math.log(0.02), abs=1e-5)
    assert values["Cross-entropy"] > 30 * values["Mean squared error"]  # a confident mistake
    assert slopes["Cross-entropy"] < 100 * slopes["Mean squared error"] < 0
    assert chart(app)["layout"]["shapes"] != before["layout"]["shapes"]  # the marker moved
    app.selectbox(key="loss_class").set_value(8).run()
    bars = chart(app, 1)["data"][0]["y"]
    assert bars[8] == pytest.approx(0.02) and np.argmax(bars) != 8


def test_losses_page_full_vector_mode(app_test):
    app = app_test("views/losses.py")
    app.radio(key="loss_mode").set_value("vector").run()
    for c in range(10):
        app.slider(key=f"loss_w{c}").set_value(0.3 if c == 3 else 0.0)
    app.slider(key="loss_w8").set_value(0.9).run()
    values = rows(table(app), "Value")
    assert values["Cross-entropy"] == pytest.approx(-math.log(0.25), abs=1e-5)  # 0.3 / (0.3 + 0.9)
    assert values["Hinge (categorical)"] == pytest.approx(1 + 0.75 - 0.25, abs=1e-6)
    gradients = rows(table(app), "∂loss/∂p(true class)")
    assert gradients["Mean absolute error"] == pytest.approx(-0.1, abs=1e-6)
    assert chart(app)["data"][0]["y"][8] == pytest.approx(0.75)


def test_losses_page_outlier_moves_the_mse_line_more(app_test):
    app = app_test("views/losses.py")
    on_line = table(app, 1)
    app.slider(key="loss_outlier").set_value(7.0).run()
    near = rows(table(app, 1), "Slope")
    app.slider(key="loss_outlier").set_value(30.0).run()
    far = rows(table(app, 1), "Slope")
    assert abs(far["Mean squared error"] - near["Mean squared error"]) > 0.5
    assert abs(far["Mean absolute error"] - near["Mean absolute error"]) < 0.1
    assert list(on_line["Slope"]) != list(table(app, 1)["Slope"])


# --- optimizers ---


def test_optimizers_page_races_and_reports(app_test):
    app = app_test("views/optimizers.py")
    assert not app.exception and not app.error
    results = rows(table(app), "Result")
    assert len(results) == 7
    assert results["Gradient descent (GD)"] == "reached a minimum at step 48"
    figure = chart(app)
    assert len(figure["frames"]) > 10 and figure["layout"]["updatemenus"][0]["buttons"][0]["method"] == "animate"

    app.selectbox(key="opt_surface").set_value("rosenbrock").run()
    results = rows(table(app), "Result")
    assert results["Adam"].startswith("reached a minimum at step")
    assert results["Gradient descent (GD)"] == "not at a minimum after 800 steps"

    app.select_slider(key="opt_lr_rosenbrock_gd").set_value(0.02).run()
    assert "Gradient descent (GD)" in app.error[0].value and "too high" in app.error[0].value
    assert rows(table(app), "Result")["Gradient descent (GD)"].startswith("diverged at step")


def test_optimizers_page_every_control_changes_the_race(app_test):
    app = app_test("views/optimizers.py")
    app.multiselect(key="opt_racers").set_value(["sgd", "adam"]).run()
    assert list(table(app)["Racer"]) == ["SGD (mini-batch noise)", "Adam"]
    noisy = rows(table(app), "Final (w₁, w₂)")["SGD (mini-batch noise)"]
    app.slider(key="opt_noise").set_value(0.0).run()
    assert rows(table(app), "Final (w₁, w₂)")["SGD (mini-batch noise)"] != noisy
    app.slider(key="opt_steps_bowl").set_value(20).run()
    assert rows(table(app), "Result")["Adam"] == "not at a minimum after 20 steps"
    app.number_input(key="opt_x_bowl").set_value(1.0).run()
    app.number_input(key="opt_y_bowl").set_value(0.0).run()
    start = next(trace for trace in chart(app)["data"] if trace.get("name") == "start")
    assert list(start["x"]) == [1.0] and list(start["y"]) == [0.0]
    app.select_slider(key="opt_lr_bowl_adam").set_value(0.01).run()
    assert rows(table(app), "Learning rate")["Adam"] == "0.01"


# --- back-propagation ---


def test_backprop_page_steps_and_the_loss_falls(app_test):
    app = app_test("views/backprop.py")
    assert not app.exception
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics == {"Steps taken": "0", "Loss now": "0.549622", "Output o": "0.751365"}
    shown = table(app)
    autodiff = [float(v) for v in shown["∂L/∂w (automatic differentiation)"]]
    numeric = [float(v) for v in shown["∂L/∂w (finite differences)"]]
    np.testing.assert_allclose(autodiff, numeric, rtol=1e-6)
    assert rows(shown, "After the step")["w5"] == pytest.approx(0.4 - 0.5 * autodiff[6], abs=1e-6)

    before = chart(app)
    app.button(key="bp_step").click().run()
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Steps taken"] == "1" and float(metrics["Loss now"]) < 0.549622
    assert chart(app)["layout"]["annotations"] != before["layout"]["annotations"]
    app.button(key="bp_step10").click().run()
    history = chart(app, 1)["data"][0]["y"]
    assert len(history) == 12 and all(b < a for a, b in zip(history, history[1:], strict=False))
    app.button(key="bp_reset").click().run()
    assert {metric.label: metric.value for metric in app.metric}["Steps taken"] == "0"


def test_backprop_page_every_setting_changes_the_numbers(app_test):
    app = app_test("views/backprop.py")
    losses = {}
    for key, value in (("bp_x1", 1.0), ("bp_x2", -1.0), ("bp_target", 0.9), ("bp_activation", "tanh"),
                       ("bp_loss", "binary_crossentropy")):  # fmt: skip
        widget = app.selectbox(key=key) if key in ("bp_activation", "bp_loss") else app.number_input(key=key)
        widget.set_value(value).run()
        losses[key] = {metric.label: metric.value for metric in app.metric}["Loss now"]
    assert len(set(losses.values())) == len(losses)
    app.select_slider(key="bp_rate").set_value(2.0).run()
    update = rows(table(app), "−η · ∂L/∂w")
    gradient = rows(table(app), "∂L/∂w (automatic differentiation)")
    assert float(update["b3"]) == pytest.approx(-2.0 * float(gradient["b3"]), rel=1e-4)


def test_pages_speak_chinese(app_test):
    pages = (("views/activations.py", activations_text, "col_activation"), ("views/losses.py", losses_text, "col_loss"),
             ("views/optimizers.py", optimizers_text, "col_racer"), ("views/backprop.py", backprop_text, "col_weight"))  # fmt: skip
    for page, text, column in pages:
        app = app_test(page, lang="zh")
        assert not app.exception
        assert app.title[0].value == text.CATALOGUE.text("zh", "title")
        assert table(app).columns[0] == text.CATALOGUE.text("zh", column)


# --- in chromium ---


def _figure_data(tab, index: int = 0) -> str:
    return tab.evaluate(
        """(index) => {
            const plot = document.querySelectorAll('.js-plotly-plot')[index];
            const data = plot._fullData.map(t => ({name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || [])}));
            const notes = (plot.layout.annotations || []).map(a => a.text);
            return JSON.stringify({data, notes, frames: (plot._transitionData._frames || []).length});
        }""",
        index,
    )


def _settle(tab, charts: int = 1) -> None:
    tab.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot').length >= {charts}", timeout=120_000)
    # Streamlit shows its status widget (Running…/Stop) while the script runs.
    tab.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)


def _slider(tab, label: str):
    return tab.locator("[data-testid='stSlider']", has_text=label).get_by_role("slider").first


def _wait_for_plot(tab, condition: str, index: int = 0) -> dict:
    """Wait until `condition` (JS over `plot`, the index-th Plotly chart) holds; the chart's data then."""
    tab.wait_for_function(
        f"(index) => {{ const plot = document.querySelectorAll('.js-plotly-plot')[index];"
        f" return !!plot && !!plot._fullData && ({condition}); }}",
        arg=index,
        timeout=60_000,
    )
    return json.loads(_figure_data(tab, index))


@pytest.mark.e2e
def test_activations_chart_changes_in_chromium(page, server_url):
    page.goto(server_url + "/activations")
    _settle(page)
    before = json.loads(_figure_data(page))
    assert before["data"][1]["name"] == "sigmoid" and before["data"][1]["x"][0] == -6
    _slider(page, "Input range").focus()
    page.keyboard.press("ArrowRight")  # the range's lower end: -6 → -5.5
    after = _wait_for_plot(page, "plot._fullData[1].x[0] === -5.5")
    assert after["data"][1]["y"] != before["data"][1]["y"]


@pytest.mark.e2e
def test_losses_chart_changes_in_chromium(page, server_url):
    page.goto(server_url + "/losses")
    _settle(page, 3)
    before = json.loads(_figure_data(page, 1))  # the predicted probabilities: 0.7 on class 3
    assert before["data"][0]["y"][3] == pytest.approx(0.7)
    page.get_by_text("Set all 10 probabilities").click()
    # Now ten sliders set the vector: 0.6 on class 8 and 0.1 elsewhere, scaled to sum to one.
    after = _wait_for_plot(page, "Math.abs(plot._fullData[0].y[8] - 0.4) < 1e-9", index=0)
    assert after["data"][0]["y"][3] == pytest.approx(0.1 / 1.5)
    assert page.get_by_text("Class 9").is_visible()


@pytest.mark.e2e
def test_optimizers_race_animates_and_diverges_in_chromium(page, server_url):
    page.goto(server_url + "/optimizers")
    _settle(page)
    before = json.loads(_figure_data(page))
    assert before["frames"] > 10  # the animation frames reached the browser
    _slider(page, "Gradient descent (GD)").focus()
    page.keyboard.press("End")  # the highest learning rate
    page.wait_for_timeout(500)
    _settle(page)
    page.get_by_text("the learning rate is too high").wait_for(timeout=60_000)
    after = json.loads(_figure_data(page))
    assert after["data"] != before["data"]
    # Plotly's own Play button replays the race in the browser: the first path restarts short and grows.
    full = len(after["data"][3]["x"])
    page.locator(".updatemenu-button", has_text="Play").click()
    page.wait_for_function(
        "(full) => { const n = document.querySelector('.js-plotly-plot')._fullData[3].x.length;"
        " return n > 1 && n < full; }",
        arg=full,
        timeout=30_000,
    )


@pytest.mark.e2e
def test_backprop_step_in_chromium(page, server_url):
    from playwright.sync_api import expect

    page.goto(server_url + "/backprop")
    _settle(page, 2)
    before = json.loads(_figure_data(page))
    page.get_by_role("button", name="1 step").click()
    steps = page.locator("[data-testid='stMetric']", has_text="Steps taken").locator("[data-testid='stMetricValue']")
    expect(steps).to_have_text("1", timeout=60_000)
    # The diagram follows: every weight's label shows its new value and gradient.
    page.wait_for_function(
        "(before) => JSON.stringify(document.querySelector('.js-plotly-plot').layout.annotations.map(a => a.text))"
        " !== before",
        arg=json.dumps(before["notes"], ensure_ascii=False, separators=(",", ":")),
        timeout=60_000,
    )
    after = json.loads(_figure_data(page))
    assert "<b>w5</b> = 0.3178" in " ".join(after["notes"])  # 0.4 − 0.5 × 0.1643
    page.goto(server_url + "/backprop?lang=zh")
    _settle(page, 2)
    assert page.get_by_text("反向传播，一步一步来").is_visible()
