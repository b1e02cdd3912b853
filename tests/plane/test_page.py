"""The 2-D playground page: AppTest of what it shows and does, and chromium pressing play."""

import re

import pytest

from playground.plane import settings as plane_state
from playground.ui import lesson
from playground.ui.plane import state as page_state

PAGE = "views/plane.py"
TIMEOUT = 120  # the first frame compiles the engine


def settings_of(app) -> plane_state.PlaneSettings:
    return app.session_state[page_state.SETTINGS]


def epoch_of(app) -> int:
    return next(int(m.value.split()[-1]) for m in app.markdown if m.value.startswith("#### Epoch"))


def test_the_page_shows_the_network_its_output_and_the_keras_code(app_test):
    app = app_test(PAGE, timeout=TIMEOUT)
    assert not app.exception
    assert app.title[0].value == "2-D playground"
    assert epoch_of(app) == 0
    assert len(app.get("plotly_chart")) == 3  # network diagram, output over the plane, loss curves
    assert any(c.value.startswith("Training loss") for c in app.caption)
    code = app.code[0].value
    assert "layers.Dense(4, activation='tanh')" in code and "def circle(" in code
    assert app.code[1].value.endswith("/plane?lang=en")  # the defaults need no parameters
    # One plain sentence beside each control: every widget has its help text.
    mine = [w for w in (*app.selectbox, *app.select_slider, *app.slider, *app.checkbox, *app.button) if w.key]
    mine = [w for w in mine if w.key.startswith(page_state.PREFIX)]
    assert len(mine) >= 20
    for widget in mine:
        assert widget.help, widget.key


def test_step_and_play_advance_the_epoch(app_test):
    app = app_test(PAGE, timeout=TIMEOUT)
    app.button(key="plane_w_step").click().run()
    assert epoch_of(app) == 5 and not app.session_state[page_state.PLAYING]
    app.button(key="plane_w_play").click().run()
    assert app.session_state[page_state.PLAYING] and app.button(key="plane_w_play").label == "Pause"
    first = epoch_of(app)
    app.run()  # in AppTest the run_every fragment ticks with each run
    assert epoch_of(app) == first + 5
    app.button(key="plane_w_reset").click().run()
    assert epoch_of(app) == 0 and not app.session_state[page_state.PLAYING]


def test_the_spiral_challenge_is_one_click_and_lands_in_the_link(app_test):
    app = app_test(PAGE, timeout=TIMEOUT)
    app.selectbox(key="plane_w_preset").set_value("spiral_challenge").run()
    chosen = settings_of(app)
    assert chosen == plane_state.PRESETS["spiral_challenge"]
    assert app.selectbox(key="plane_w_dataset").value == "spiral"
    assert "np.sin(p[:, 0])" in app.code[0].value
    assert app.query_params["dataset"] == "spiral" and app.query_params["layers"] == "8-tanh.8-tanh"
    assert any("Goal: test loss below 0.05" in c.value for c in app.caption)


def test_neurons_and_layers_are_added_and_removed_per_layer(app_test):
    app = app_test(PAGE, timeout=TIMEOUT)
    app.button(key="plane_w_neurons0_plus").click().run()
    assert settings_of(app).layers == ((5, "tanh"), (2, "tanh"))
    app.button(key="plane_w_neurons1_minus").click().run()
    assert settings_of(app).layers == ((5, "tanh"), (1, "tanh"))
    assert app.button(key="plane_w_neurons1_minus").disabled  # one neuron is the least
    app.selectbox(key="plane_w_activation0").set_value("relu").run()
    app.button(key="plane_w_layers_plus").click().run()
    assert settings_of(app).layers == ((5, "relu"), (1, "tanh"), (1, "tanh"))
    for _ in range(3):
        app.button(key="plane_w_layers_minus").click().run()
    assert settings_of(app).layers == () and app.button(key="plane_w_layers_minus").disabled
    assert not app.exception
    assert "layers.Dense(1, activation='tanh')" in app.code[0].value  # just the output neuron now


def test_three_classes_train_with_softmax_and_cross_entropy(app_test):
    app = app_test(PAGE, timeout=TIMEOUT)
    app.selectbox(key="plane_w_dataset").set_value("blobs").run()
    app.selectbox(key="plane_w_loss").set_value("ce").run()
    assert any(c.value == "3 classes, one colour each." for c in app.caption)
    assert any(c.value == "Output: 3 softmax neuron(s)" for c in app.caption)
    app.button(key="plane_w_step").click().run()
    assert epoch_of(app) == 5 and not app.exception
    assert "loss='categorical_crossentropy'" in app.code[0].value


def test_a_classroom_link_locks_and_hides_the_chosen_controls(app_test):
    app = app_test(PAGE, timeout=TIMEOUT, dataset="spiral", layers="8-tanh.8-tanh", lock="dataset.layers", hide="1")
    assert settings_of(app).dataset == "spiral" and settings_of(app).layers == ((8, "tanh"), (8, "tanh"))
    keys = {widget.key for widget in app.selectbox}
    assert "plane_w_dataset" not in keys and "plane_w_preset" not in keys and "plane_w_activation0" not in keys
    assert "plane_w_lr" in keys
    assert not [b for b in app.button if b.key and b.key.startswith("plane_w_neurons")]
    assert any(c.value.startswith("Some controls are set by this link") for c in app.caption)
    assert app.query_params["lock"] == "dataset.layers" and app.query_params["hide"] == "1"
    # The link's locks are the session's lesson, which every control asks (ui/lesson: the one locking helper).
    active = app.session_state[lesson.ACTIVE]
    assert active.page == "plane" and active.locked == ("plane_w_dataset", "plane_w_layers") and active.hide_locked


def test_locked_but_shown_controls_are_disabled(app_test):
    app = app_test(PAGE, timeout=TIMEOUT, noise="0.2", lock="noise")
    assert app.select_slider(key="plane_w_noise").value == 0.2 and app.select_slider(key="plane_w_noise").disabled
    assert not app.selectbox(key="plane_w_dataset").disabled
    # Disabled with the lesson's explanation beside the control's own help.
    assert app.select_slider(key="plane_w_noise").help.endswith("Set by your teacher's lesson link.")
    assert "teacher" not in app.selectbox(key="plane_w_dataset").help


def test_a_malformed_link_gives_one_line_and_the_defaults(app_test):
    app = app_test(PAGE, timeout=TIMEOUT, noise="lots", layers="99-tanh", dataset="moons", lock="everything")
    assert not app.exception
    assert len(app.warning) == 1
    assert re.search(
        r"could not read \((noise|layers|dataset|lock)(, (noise|layers|dataset|lock)){3}\)", app.warning[0].value
    )
    assert settings_of(app) == plane_state.PlaneSettings()
    assert epoch_of(app) == 0


def test_the_page_speaks_chinese(app_test):
    app = app_test(PAGE, timeout=TIMEOUT, lang="zh")
    assert app.title[0].value == "二维游乐场"
    assert any(m.value == "#### 第 0 轮" for m in app.markdown)
    assert app.button(key="plane_w_play").label == "播放"
    assert "# 网络：先是 keras.Input" in app.code[0].value


def test_the_network_opens_on_the_build_page_as_a_model_spec(app_test):
    app = app_test(PAGE, timeout=TIMEOUT)
    app.button(key="plane_share_open_build").click().run()
    assert not app.exception
    model_spec = app.session_state["spec"]
    assert model_spec == plane_state.network_spec(plane_state.PlaneSettings())
    assert model_spec.input_shape == (2,) and model_spec.layers[-1].args == {"units": 1, "activation": "tanh"}


@pytest.mark.e2e
def test_play_advances_the_epoch_and_redraws_the_boundary(page, server_url):
    page.goto(server_url + "/plane")
    page.wait_for_selector("h4:has-text('Epoch 0')", timeout=180_000)
    # Paused: interactive figures (network, output plane, losses).
    page.wait_for_function("() => document.querySelectorAll(\"[data-testid='stPlotlyChart']\").length === 3")

    def epoch() -> int:
        return int(page.locator("h4", has_text="Epoch").first.inner_text().split()[-1])

    # While playing the frames are pictures (network, output plane, losses): the second is the boundary.
    boundary_js = (
        "() => { const i = document.querySelectorAll(\"[data-testid='stImage'] img\")[1]; return i && i.src; }"
    )
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('h4')].some(h => /^Epoch ([1-9][0-9]+)$/.test(h.innerText))",
        timeout=120_000,
    )
    page.wait_for_function(boundary_js, timeout=60_000)
    assert "test loss" in page.locator("[data-testid='stImage'] img").nth(1).get_attribute("alt")  # a text alternative
    first_epoch, first_picture = epoch(), page.evaluate(boundary_js)
    page.wait_for_function(
        f"first => ({boundary_js})() && ({boundary_js})() !== first", arg=first_picture, timeout=60_000
    )
    second_picture = page.evaluate(boundary_js)
    # The heading and the picture arrive as separate updates: wait for the heading rather than read it at once.
    page.wait_for_function(
        "first => [...document.querySelectorAll('h4')].some(h => /^Epoch ([0-9]+)$/.test(h.innerText)"
        " && +h.innerText.split(' ')[1] > first)",
        arg=first_epoch,
        timeout=60_000,
    )
    assert epoch() > first_epoch > 0
    assert first_picture != second_picture  # a new picture: Streamlit names media files by their content
    page.get_by_role("button", name="Pause").click()
    page.wait_for_selector("[data-testid='stPlotlyChart']", timeout=60_000)


@pytest.mark.e2e
def test_a_classroom_link_in_a_fresh_browser_context_restores_the_locked_setup(browser, server_url):
    context = browser.new_context()
    tab = context.new_page()
    # The page's old address (/neurons) still opens it, with every parameter: the address bar then says /plane.
    tab.goto(server_url + "/neurons?dataset=spiral&noise=0.2&layers=8-tanh.8-tanh&lock=noise.dataset")
    tab.wait_for_selector("h4:has-text('Epoch 0')", timeout=180_000)
    tab.wait_for_url(re.compile(r"/plane\?.*lock=dataset\.noise"), timeout=30_000)
    noise = tab.get_by_role("slider", name="Noise")
    assert noise.get_attribute("aria-valuetext") == "20%" and noise.is_disabled()
    dataset = tab.get_by_role("combobox", name="Dataset")
    assert dataset.is_disabled() and "Spiral" in dataset.input_value()
    assert tab.get_by_text("Some controls are set by this link").is_visible()
    context.close()
