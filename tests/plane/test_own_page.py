"""Own data on the 2-D page (AppTest, one chromium test): rules, tables and placed points train and travel in links."""

import numpy as np
import pytest

from playground.plane import data as plane
from playground.plane import placed
from playground.ui.plane import state as page_state

PAGE = "views/plane.py"
TIMEOUT = 180  # the first frame compiles the engine
XOR_STEPS = 60  # frames of 5 epochs: within 300 epochs (measured: 155 with the default 4-2 tanh network, SGD 0.03)


def run_of(app):
    return app.session_state[page_state.RUN]


def epoch_of(app) -> int:
    return next(int(m.value.split()[-1]) for m in app.markdown if m.value.startswith("#### Epoch"))


def training_accuracy(app) -> float:
    run = run_of(app)
    return float(np.mean(plane.predicted_class(run.frame.train_output) == run.data.y_train))


def one_line_problems(app) -> list[str]:
    return [e.value for e in (*app.error, *app.info) if not e.value.startswith("Note:")]


def test_a_rule_makes_a_data_set_that_trains_and_its_link_reopens_the_same_points(app_test):
    app = app_test(PAGE, timeout=TIMEOUT)
    app.selectbox(key="plane_w_source").set_value("rule").run()
    app.text_input(key="plane_w_rule").input("x1**2 + x2**2 < 16").run()
    app.button(key="plane_w_step").click().run()
    assert not app.exception and epoch_of(app) == 5
    made = run_of(app).data
    assert made.task == "binary" and len(made.x_train) + len(made.x_test) == 500
    inside = np.hypot(made.x_train[:, 0], made.x_train[:, 1]) < 4
    assert np.array_equal(inside.astype(int), made.y_train)  # the rule labels the points (no jitter, no flips)
    link = dict(app.query_params)
    assert link["source"] == "rule" and link["rule"] == "x1**2 + x2**2 < 16" and "own" not in link
    again = app_test(PAGE, timeout=TIMEOUT, **link)
    assert not again.exception and again.text_input(key="plane_w_rule").value == "x1**2 + x2**2 < 16"
    reopened = run_of(again).data
    for name in ("x_train", "y_train", "x_test", "y_test"):
        assert np.array_equal(getattr(made, name), getattr(reopened, name)), name


def test_an_uploaded_csv_with_chosen_columns_trains(app_test):
    rng = np.random.default_rng(1)
    height, weight, age = rng.uniform(150, 200, 60), rng.uniform(40, 120, 60), rng.integers(10, 80, 60)
    kinds = np.where(weight - 0.8 * height > -60, "heavy", "light")
    rows = ["age,height,weight,kind"] + [
        f"{a},{h:.1f},{w:.1f},{k}" for a, h, w, k in zip(age, height, weight, kinds, strict=True)
    ]
    app = app_test(PAGE, timeout=TIMEOUT)
    app.selectbox(key="plane_w_source").set_value("table").run()
    app.get("file_uploader")[0].upload("people.csv", "\n".join(rows).encode(), "text/csv").run()
    assert not app.exception and not one_line_problems(app)
    assert app.selectbox(key="plane_own_col_label").value == "kind"  # suggested by its name
    app.selectbox(key="plane_own_col_x1").set_value("height").run()
    app.selectbox(key="plane_own_col_x2").set_value("weight").run()
    assert app.radio(key="plane_own_col_task").value == "classes"
    app.button(key="plane_w_step").click().run()
    assert not app.exception and epoch_of(app) == 5
    made = run_of(app).data
    assert made.task == "binary" and len(made.x_train) + len(made.x_test) == 60
    assert np.abs(np.concatenate([made.x_train, made.x_test])).max() == pytest.approx(plane.EXTENT)  # scaled
    assert "own" in app.query_params  # 60 points fit in the link


def test_xor_clusters_placed_with_the_keyboard_reach_training_accuracy_one(app_test):
    app = app_test(PAGE, timeout=TIMEOUT)
    app.selectbox(key="plane_w_source").set_value("place").run()
    app.slider(key="plane_w_classes").set_value(2).run()
    offsets = ((0, 0), (0.5, 0.5), (-0.5, 0.5), (0.5, -0.5), (-0.5, -0.5))
    for cx, cy in ((3, 3), (-3, -3), (3, -3), (-3, 3)):
        for dx, dy in offsets:
            app.selectbox(key="plane_own_class").set_value(int(cx * cy > 0))
            app.number_input(key="plane_own_x1").set_value(cx + dx)
            app.number_input(key="plane_own_x2").set_value(cy + dy)
            app.button(key="plane_own_add").click().run()
    assert not app.exception and not one_line_problems(app)
    assert any(c.value == "Points per class: 10 · 10." for c in app.caption)
    steps = 0
    while steps < XOR_STEPS:
        app.button(key="plane_w_step").click().run()
        steps += 1
        if training_accuracy(app) == 1.0:
            break
    assert training_accuracy(app) == 1.0, f"not learnt in {XOR_STEPS * 5} epochs"
    # Training goes on while points are added: one more point joins the same run at the same epoch.
    epoch, run = epoch_of(app), run_of(app)
    app.number_input(key="plane_own_x1").set_value(4.0)
    app.number_input(key="plane_own_x2").set_value(4.0)
    app.button(key="plane_own_add").click().run()
    assert run_of(app) is run and epoch_of(app) == epoch
    assert len(run.data.x_train) + len(run.data.x_test) == 21
    app.button(key="plane_own_undo").click().run()
    assert len(run_of(app).data.x_train) + len(run_of(app).data.x_test) == 20
    # The placed set travels in the link and reopens as the same points.
    again = app_test(PAGE, timeout=TIMEOUT, **dict(app.query_params))
    assert not again.exception and not again.warning
    for name in ("x_train", "y_train", "x_test", "y_test"):
        assert np.array_equal(getattr(run_of(app).data, name), getattr(run_of(again).data, name)), name


def place_by_keyboard(app, points) -> None:
    for x1, x2, label in points:
        key, value = ("plane_own_class", int(label)) if isinstance(label, int) else ("plane_own_value", label)
        (app.selectbox if key == "plane_own_class" else app.slider)(key=key).set_value(value)
        app.number_input(key="plane_own_x1").set_value(x1)
        app.number_input(key="plane_own_x2").set_value(x2)
        app.button(key="plane_own_add").click().run()


def test_a_placed_three_class_set_and_a_placed_regression_set_train(app_test):
    app = app_test(PAGE, timeout=TIMEOUT, source="place", classes="3", loss="ce")
    place_by_keyboard(app, [(x, y + d, k) for k, (x, y) in enumerate(((-4, 4), (4, 4), (0, -4))) for d in (0, 1)])
    app.button(key="plane_w_step").click().run()
    assert not app.exception and epoch_of(app) == 5
    assert run_of(app).data.task == "multiclass" and run_of(app).spec.layers[-1].args["units"] == 3
    assert "Own points" in " ".join(c.value for c in app.caption)  # the export embeds them
    app.selectbox(key="plane_w_target").set_value("regression").run()
    assert any(c.value == "0 points placed." for c in app.caption)  # values and classes do not mix
    place_by_keyboard(app, [(-4, -4, -1.0), (-3, -4, -0.8), (4, 4, 1.0), (3, 4, 0.8), (0, 0, 0.0), (1, 0, 0.1)])
    app.button(key="plane_w_step").click().run()
    assert not app.exception and epoch_of(app) == 5
    assert run_of(app).data.task == "regression" and len(run_of(app).data.x_train) == 3


def test_hostile_tables_and_formulas_give_one_line_and_the_page_keeps_working(app_test):
    app = app_test(PAGE, timeout=TIMEOUT)
    app.selectbox(key="plane_w_source").set_value("rule").run()
    for formula in ("__import__('os').system('true')", "x1 ** 9 ** 9 ** 9", "(" * 60 + "x1" + ")" * 60, "x1.real > 0"):
        app.text_input(key="plane_w_rule").input(formula).run()
        assert not app.exception
        problems = one_line_problems(app)
        assert len(problems) == 1 and "\n" not in problems[0], (formula, problems)
    app.selectbox(key="plane_w_source").set_value("table").run()
    for raw in (b"\x00\x01PK\x03\x04" * 100, b"a,b,c\n1,2,x\n3,nan,y\n" * 3, b"x" * (2**20 + 1)):
        app.get("file_uploader")[0].set_value(("bad.csv", raw, "text/csv")).run()
        assert not app.exception
        problems = one_line_problems(app)
        assert len(problems) == 1 and "\n" not in problems[0], (raw[:20], problems)
    app.selectbox(key="plane_w_source").set_value("rule").run()
    app.text_input(key="plane_w_rule").input("sin(x1) > x2").run()
    app.button(key="plane_w_step").click().run()
    assert not app.exception and epoch_of(app) == 5


def test_a_placed_set_too_long_for_a_link_stays_out_of_it_and_the_page_says_why(app_test, monkeypatch):
    monkeypatch.setattr(placed, "LINK_LIMIT", 10)
    app = app_test(PAGE, timeout=TIMEOUT, source="place", classes="2")
    place_by_keyboard(app, [(1, 1, 0), (2, 2, 1)])
    assert not app.exception and "own" not in app.query_params and app.query_params["source"] == "place"
    assert any(c.value.startswith("Your points are not in the link") for c in app.caption)


@pytest.mark.parametrize("source", ["place", "table", "rule"])
def test_each_own_source_speaks_one_language(app_test, source):
    from tests.ui.test_visible_text import CJK, english_words, visible_texts

    for language in ("zh", "en"):
        # Two classes: three with MSE adds the spec's note, whose field name "loss" stays English (not ours).
        app = app_test(PAGE, timeout=TIMEOUT, lang=language, source=source, classes="2")
        assert not app.exception
        texts = visible_texts(app)
        if language == "zh":
            assert not {text: english_words(text) for text in texts if english_words(text)}
        else:
            assert not [text for text in texts if CJK.search(text)]


def test_a_teacher_lock_on_the_data_fixes_the_source_and_the_own_points(app_test):
    app = app_test(PAGE, timeout=TIMEOUT, source="rule", rule="x1 > x2", lock="source.rule")
    assert not app.exception
    assert app.selectbox(key="plane_w_source").disabled and app.text_input(key="plane_w_rule").disabled
    app = app_test(PAGE, timeout=TIMEOUT, source="place", classes="2", lock="dataset")
    assert app.selectbox(key="plane_w_source").disabled
    assert app.button(key="plane_own_add").disabled and app.button(key="plane_own_clear").disabled


@pytest.mark.e2e
def test_xor_clusters_placed_by_clicks_train_to_accuracy_one_in_chromium(page, server_url):
    page.goto(server_url + "/plane?source=place&classes=2")
    page.wait_for_selector("text=Points per class: 0 · 0.", timeout=180_000)
    box = page.locator("[data-testid='stPlotlyChart']").first.locator(".nsewdrag").first.bounding_box()
    placed_so_far = [0, 0]
    for label, corners in ((0, ((0.25, 0.25), (0.75, 0.75))), (1, ((0.25, 0.75), (0.75, 0.25)))):
        if label == 1:
            page.get_by_role("combobox", name="Class to place").click()
            page.get_by_role("option", name="class 1").click()
        for fx, fy in corners:  # a cluster of three neighbouring grid cells in each corner
            for dx, dy in ((0, 0), (0.04, 0), (0, 0.04)):
                page.mouse.click(box["x"] + (fx + dx) * box["width"], box["y"] + (fy + dy) * box["height"])
                placed_so_far[label] += 1
                page.wait_for_selector(f"text=Points per class: {placed_so_far[0]} · {placed_so_far[1]}.")
    page.get_by_role("button", name="Play").click()
    # Within 300 epochs (60 frames of 5), as the AppTest of the keyboard path measures.
    page.wait_for_selector("text=/Training accuracy 100%/", timeout=180_000)
    page.get_by_role("button", name="Pause").click()


def test_placed_points_survive_a_reload_from_the_session_store_when_the_link_cannot_carry_them():
    from streamlit.testing.v1 import AppTest

    from playground import store
    from playground.ui import persistence
    from tests.conftest import ROOT

    def browser(token, query):
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
        app.session_state[persistence.TOKEN] = token
        for name, value in query.items():
            app.query_params[name] = value
        app.run()
        app.switch_page(PAGE).run()
        return app

    token = store.new_token()
    app = browser(token, {})
    app.selectbox(key="plane_w_source").set_value("place").run()
    points = [(-3.0, -3.0, 0), (-2.0, -3.5, 0), (-3.5, -2.0, 0), (3.0, 3.0, 1), (2.0, 3.5, 1), (3.5, 2.0, 1)]
    place_by_keyboard(app, points)
    placed_before = app.session_state["plane_own_sets"]["place"]
    counts = next(c.value for c in app.caption if c.value.startswith("Points per class"))
    query = {name: value for name, value in app.query_params.items() if name != "own"}  # as if too long to carry
    again = browser(token, query)
    assert not again.exception
    assert again.session_state["plane_own_sets"]["place"] == placed_before
    assert counts.startswith("Points per class: 3 · 3") and counts in [c.value for c in again.caption]
    stranger = browser(store.new_token(), query)  # another browser with the same address gets no points
    assert (
        "place" not in stranger.session_state["plane_own_sets"] if "plane_own_sets" in stranger.session_state else True
    )


def test_own_points_in_presentation_mode(app_test):
    app = app_test(PAGE, timeout=TIMEOUT)
    app.toggle(key="presentation_mode").set_value(True).run()
    app.selectbox(key="plane_w_source").set_value("place").run()
    place_by_keyboard(app, [(-3.0, -3.0, 0), (3.0, 3.0, 1)])
    assert not app.exception and len(app.session_state["plane_own_sets"]["place"].points) == 2
    assert any("font-size" in html.proto.body for html in app.get("html"))  # the large type is on


TRAIN_POINTS = """() => {
  const plot = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
  return plot ? plot.data.filter(t => t.mode === 'markers' && t.x && t.x.length).map(t => [Array.from(t.x), Array.from(t.y)]) : null;
}"""


@pytest.mark.e2e
def test_in_chromium_a_rule_link_reopens_the_same_points_in_a_fresh_browser(browser, server_url):
    first = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page = first.new_page()
    page.goto(server_url + "/plane?source=rule")
    rule_box = page.get_by_role("textbox", name="Rule", exact=True)
    rule_box.wait_for(timeout=180_000)
    rule_box.fill("x1**2 + x2**2 < 16")
    rule_box.press("Enter")
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('rule') === 'x1**2 + x2**2 < 16'", timeout=60_000
    )
    page.wait_for_function(f"() => {{ const p = ({TRAIN_POINTS})(); return p && p.length > 0; }}", timeout=60_000)
    link, points = page.url, page.evaluate(TRAIN_POINTS)
    first.close()
    fresh = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")  # no cookie, no session
    again = fresh.new_page()
    again.goto(link)
    again.wait_for_function(f"() => {{ const p = ({TRAIN_POINTS})(); return p && p.length > 0; }}", timeout=180_000)
    assert again.get_by_role("textbox", name="Rule", exact=True).input_value() == "x1**2 + x2**2 < 16"
    assert again.evaluate(TRAIN_POINTS) == points
    fresh.close()


@pytest.mark.e2e
def test_in_chromium_an_uploaded_table_and_placed_three_class_and_regression_sets_train(page, server_url, tmp_path):
    rows = ["length,width,kind"] + [f"{i % 13},{(i * 5) % 17},{'ab'[(i % 13) > 6]}" for i in range(80)]
    (tmp_path / "leaves.csv").write_text("\n".join(rows) + "\n")
    page.goto(server_url + "/plane?source=table")
    page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(tmp_path / "leaves.csv")
    page.get_by_text("Feature column x₁").wait_for(timeout=180_000)
    page.get_by_role("button", name="Play").click()
    page.wait_for_selector("text=/Training accuracy [0-9]+%/", timeout=120_000)
    page.get_by_role("button", name="Pause").click()
    assert not page.locator("[data-testid='stException']").count()

    for query, places in (
        ("source=place&classes=3", [(-3, -3, 0), (-3, -2, 0), (3, 3, 1), (2, 3, 1), (3, -3, 2), (2, -3, 2)]),
        ("source=place&target=regression", [(-3, -3, None), (-2, -3, None), (3, 3, None), (2, 3, None)]),
    ):
        page.goto(f"{server_url}/plane?{query}")
        page.get_by_role("button", name="Add", exact=True).wait_for(timeout=120_000)
        for number, (x1, x2, label) in enumerate(places, start=1):
            if label is not None:
                page.get_by_role("combobox", name="Class to place").click()
                page.get_by_role("option", name=f"class {label}").click()
            for name, value in (("x₁", x1), ("x₂", x2)):
                field = page.get_by_role("spinbutton", name=name, exact=True)
                field.fill(str(value))
                field.press("Enter")
            page.get_by_role("button", name="Add", exact=True).click()
            marker = "Points per class: " if label is not None else f"{number} points placed."
            page.wait_for_selector(f"text={marker}")
        page.get_by_role("button", name="Play").click()
        page.wait_for_selector("text=/Epoch [1-9][0-9]*/", timeout=120_000)
        page.get_by_role("button", name="Pause").click()
        assert not page.locator("[data-testid='stException']").count()
