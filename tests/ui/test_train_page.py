"""The Train page: settings, Start/Stop/Continue/Reset, live curves, test metrics, run history, sidebar status.

AppTest drives the page in this process (its jobs run in real worker processes); the e2e test drives chromium.
"""

import re
import time

import pytest

from playground import presets
from playground.bundle import TrainedModel
from playground.training import scheduler as training
from playground.training.job import TrainingJob
from playground.training.limits import Limits
from playground.training.runs import FitRequest, TrainSettings
from playground.ui.train import jobs

QUICK = {"train_samples": 500, "train_epochs": 2}


@pytest.fixture(autouse=True)
def scheduler():
    """A scheduler of this test's own (no spare worker: the CPU is shared), shut down afterwards."""
    made = training.configure(Limits(max_running=2, cores=2, spare="off"))
    yield made
    made.shutdown()


def train_page(app_test, spec: str = "logistic", lang: str | None = None, **widgets):
    app = app_test("views/train.py", **({"lang": lang} if lang else {}))
    app.session_state["spec"] = presets.preset(spec)
    app.run()
    for key, value in widgets.items():
        widget = app.select_slider(key=key) if key in ("train_samples", "train_batch") else app.number_input(key=key)
        widget.set_value(value).run()
    return app


def run_until(app, predicate, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while True:
        app.run()
        assert not app.exception, app.exception[0].message
        if predicate(app):
            return app
        if time.monotonic() > deadline:
            raise AssertionError("timed out; the page shows: " + " | ".join(e.value for e in app.info + app.error))
        time.sleep(0.5)


def job(app) -> TrainingJob:
    return app.session_state[jobs.JOB]


def test_the_page_offers_settings_and_waits_for_start(app_test):
    app = train_page(app_test, spec="seed-cnn")
    assert not app.exception
    assert app.title[0].value == "Train"
    assert "93,322 parameters" in app.markdown[0].value
    assert not app.button(key="train_start").disabled
    assert app.button(key="train_stop").disabled and app.button(key="train_continue").disabled
    assert app.info[0].value == "No run yet: choose the settings and press Start."
    assert app.selectbox(key="train_opt_Adam").value == "Adam"
    assert app.number_input(key="train_lr_Adam_0.001").value == pytest.approx(0.001)
    precision = app.selectbox(key="train_precision")
    assert precision.value == "auto" and precision.options == ["auto", "float32", "bfloat16 (mixed)"]
    assert "output layer" in precision.help and "float32" in precision.help


def test_start_trains_live_then_shows_test_metrics_history_and_the_trained_model(app_test):
    app = train_page(app_test, **QUICK)
    app.button(key="train_start").click().run()
    assert app.button(key="train_stop").disabled is False  # a job is active
    run_until(app, lambda a: len(a.metric) == 2)
    assert [m.label for m in app.metric] == ["Test accuracy", "Test loss"]
    assert float(app.metric[0].value.rstrip("%")) > 60
    assert app.success[0].value == "Finished: 2 epochs trained."
    charts = app.get("plotly_chart")
    assert len(charts) >= 3  # per step, per epoch, and the run history overlay
    trained = app.session_state["trained_model"]
    assert isinstance(trained, TrainedModel) and trained.metadata["epochs"] == 2
    assert trained.metadata["test_accuracy"] == pytest.approx(job(app).result.test_accuracy)
    assert len(trained.history.loss) == 2 and trained.weights
    assert len(app.session_state[jobs.RUNS]) == 1
    assert app.session_state[jobs.RUNS][0].settings.precision == job(app).result.precision  # "auto" resolved
    assert trained.metadata["settings"]["precision"] in ("float32", "bfloat16")
    assert not app.button(key="train_continue").disabled
    # The worker was spawned from a Streamlit script run (app.py is __main__ there) and still never loaded Streamlit.
    assert job(app).worker_info == {"pid": job(app).worker_info["pid"], "streamlit": False}

    app.number_input(key="train_seed").set_value(1).run()  # a second run that differs in its seed only
    app.button(key="train_start").click().run()
    run_until(app, lambda a: len(a.session_state[jobs.RUNS]) == 2)
    assert app.multiselect(key="train_compare").value == [1, 2]  # a new run joins the comparison
    table = app.dataframe[0].value.set_index("Setting")
    assert list(table.loc["Seed"]) == ["0", "1"] and "Batch size" not in table.index
    assert '"Run 2"' in app.get("plotly_chart")[-1].proto.spec


def test_the_augmentation_can_vary_stroke_thickness_and_the_run_records_it(app_test):
    app = train_page(app_test, train_samples=250, train_epochs=1)
    app.toggle(key="train_augment").set_value(True).run()
    stroke = app.slider(key="train_stroke")
    assert (stroke.value, stroke.min, stroke.max) == (0, 0, 2) and "thick pen" in stroke.help
    stroke.set_value(2).run()
    app.button(key="train_start").click().run()
    settings = job(app).request.settings
    assert (settings.augment_shift, settings.augment_rotation, settings.augment_stroke) == (2, 10.0, 2)
    run_until(app, lambda a: len(a.metric) == 2)
    assert app.session_state["trained_model"].metadata["settings"]["augment_stroke"] == 2
    chinese = train_page(app_test, lang="zh")
    chinese.toggle(key="train_augment").set_value(True).run()
    assert chinese.slider(key="train_stroke").label == "改变笔画粗细（像素）"


def test_a_double_click_on_start_starts_one_job(app_test, scheduler):
    app = train_page(app_test, **QUICK)
    app.button(key="train_start").click().run()
    second = app.button(key="train_start")
    assert second.disabled
    second.proto.disabled = False  # the second click of a double click lands before the browser greys the button out
    second.click().run()
    assert app.session_state[jobs.RUN_COUNTER] == 1
    assert len(scheduler.running()) + scheduler.queue_length() == 1
    job(app).stop()


def test_stop_then_continue_goes_on_from_the_same_run(app_test):
    app = train_page(app_test, train_epochs=30, train_batch=8)
    app.button(key="train_start").click().run()
    run_until(app, lambda a: len(job(a).snapshot().history.step) >= 3)
    app.button(key="train_stop").click().run()
    run_until(app, lambda a: job(a).settled)
    stopped = job(app).snapshot()
    assert stopped.state == "stopped"
    assert re.fullmatch(r"Stopped at epoch \d+, step \d+ of \d+\.", app.warning[0].value)
    app.number_input(key="train_more").set_value(1).run()
    app.button(key="train_continue").click().run()
    continued = job(app)
    assert continued.run_id == stopped.run_id and continued.request.initial_epoch == stopped.history.epochs_done
    run_until(app, lambda a: job(a).settled)
    final = continued.snapshot()
    assert final.state == "finished"
    assert final.history.step[: len(stopped.history.step)] == stopped.history.step  # the curves went on
    assert final.history.epochs_done == stopped.history.epochs_done + 1
    assert [run.run_id for run in app.session_state[jobs.RUNS]] == [stopped.run_id]  # one run, extended


def _sidebar_only():
    from playground.ui.train import jobs
    from playground.ui.train import view as train_view

    jobs.settle()  # as the router does before the sidebar
    train_view.sidebar_status()


def test_the_sidebar_shows_the_running_job_and_records_it_when_it_ends(app_test, scheduler):
    from streamlit.testing.v1 import AppTest

    running = scheduler.submit(
        TrainingJob(FitRequest(presets.preset("logistic"), TrainSettings(epochs=1, train_samples=300)))
    )
    app = AppTest.from_function(_sidebar_only, default_timeout=30)
    app.session_state[jobs.JOB] = running
    app.run()
    assert app.sidebar.markdown[0].value == f"**Training** · Run {running.run_id}"
    assert re.fullmatch(r"(queued|starting|running) · epoch 1/1", app.sidebar.get("progress")[0].proto.text)
    assert running.wait(120)
    app.run()
    assert app.sidebar.get("progress")[0].proto.text == "finished · epoch 1/1"
    assert [run.run_id for run in app.session_state[jobs.RUNS]] == [running.run_id]
    assert app.session_state["trained_model"].weights


def test_reset_forgets_the_current_run(app_test):
    app = train_page(app_test, train_epochs=30, train_batch=8)
    app.button(key="train_start").click().run()
    running = job(app)
    app.button(key="train_reset").click().run()
    assert jobs.JOB not in app.session_state and running.state in ("stopping", "stopped")
    assert app.info[0].value == "No run yet: choose the settings and press Start."


def test_the_page_speaks_chinese(app_test):
    app = train_page(app_test, lang="zh", spec="seed-cnn")
    assert not app.exception
    assert app.title[0].value == "训练"
    assert app.button(key="train_start").label == "开始"
    assert "还没有训练" in app.info[0].value


@pytest.mark.e2e
def start_long_run(page) -> None:
    """On the Train page in chromium: 20 epochs of batch 8 (many steps, minutes of training), then Start."""
    from tests.conftest import wait_for_app

    main = page.get_by_test_id("stMainBlockContainer")
    main.get_by_role("spinbutton", name="Epochs", exact=True).fill("20")
    page.keyboard.press("Enter")
    batch = main.get_by_role("slider", name="Batch size")  # 32 → 8: many steps per epoch
    batch.focus()
    batch.press("ArrowLeft")
    batch.press("ArrowLeft")
    page.wait_for_selector("input[aria-label='Batch size'][aria-valuetext='8']", timeout=10_000)
    wait_for_app(page)
    main.get_by_role("button", name="Start").click()


def test_in_chromium_curves_grow_survive_navigation_stop_and_continue(page, server_url):
    from tests.conftest import wait_for_app

    page.goto(server_url + "/train")
    wait_for_app(page)
    main, sidebar = page.get_by_test_id("stMainBlockContainer"), page.get_by_test_id("stSidebar")
    start_long_run(page)
    points = (
        "() => { const p = document.querySelector('.js-plotly-plot'); return p && p.data ? p.data[0].x.length : 0 }"
    )
    page.wait_for_function(f"({points})() >= 2", timeout=120_000)
    first = page.evaluate(points)
    page.wait_for_function(f"({points})() > {first}", timeout=60_000)  # the curves grow with no input

    sidebar.get_by_role("link", name="Build", exact=True).click()
    page.wait_for_selector("h1:has-text('Build')", timeout=30_000)
    sidebar.get_by_text("running · epoch").wait_for(timeout=30_000)  # the job's status follows the learner
    sidebar.get_by_role("link", name="Train", exact=True).click()
    page.wait_for_function(f"({points})() > {first}", timeout=60_000)
    stop = main.get_by_role("button", name="Stop")
    assert stop.is_enabled()  # still running after the round trip

    # Press Stop early in an epoch, as the progress line tells, and check it stopped before that epoch ended.
    early = (
        "() => { const m = document.querySelector('[data-testid=stMainBlockContainer] [data-testid=stProgress]')"
        "?.innerText.match(/step (\\d+)\\/(\\d+)/); return m && +m[1] < +m[2] / 3 }"
    )
    page.wait_for_function(early, timeout=60_000)
    stop.click()
    stopped = main.get_by_text(re.compile(r"Stopped at epoch \d+, step \d+ of \d+")).first
    stopped.wait_for(timeout=60_000)
    step, steps = map(int, re.search(r"step (\d+) of (\d+)", stopped.inner_text()).groups())
    assert step < steps  # stopped before the epoch ended
    xs_stopped = page.evaluate("() => Array.from(document.querySelector('.js-plotly-plot').data[0].x)")

    main.get_by_role("button", name="Continue").click()
    page.wait_for_function(f"({points})() > {len(xs_stopped)}", timeout=120_000)
    xs = page.evaluate("() => Array.from(document.querySelector('.js-plotly-plot').data[0].x)")
    assert xs[: len(xs_stopped)] == xs_stopped and xs[len(xs_stopped)] > xs_stopped[-1]  # continued where it was
    main.get_by_role("button", name="Stop").click()


@pytest.mark.e2e
def test_in_chromium_switching_to_chinese_shows_chinese_labels_curves_and_messages_and_training_works(page, server_url):
    from tests.conftest import wait_for_app

    page.goto(server_url + "/train")
    wait_for_app(page)
    sidebar, main = page.get_by_test_id("stSidebar"), page.get_by_test_id("stMainBlockContainer")
    sidebar.get_by_role("combobox").first.click()
    page.get_by_role("option", name="简体中文").click()
    page.wait_for_selector("h1:has-text('训练')", timeout=30_000)
    wait_for_app(page)
    assert sidebar.get_by_role("link", name="搭建模型", exact=True).is_visible()
    epochs = main.get_by_role("spinbutton", name="训练轮数", exact=True)
    epochs.fill("2")
    page.keyboard.press("Enter")
    wait_for_app(page)
    main.get_by_role("button", name="开始").click()
    main.get_by_text(re.compile("完成：共训练了 2 轮。")).first.wait_for(timeout=180_000)
    titles = page.evaluate(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap(p => ["
        " p.layout.title?.text, ...(p.layout.annotations || []).map(a => a.text),"
        " ...Object.keys(p.layout).filter(k => /^[xy]axis/.test(k)).map(k => p.layout[k].title?.text),"
        " ...p.data.map(d => d.name)]).filter(Boolean)"
    )
    assert "步数（批次）" in titles and "损失" in titles and "验证集" in titles, titles
    assert not [text for text in titles if re.fullmatch(r"[ -~]+", text) and re.search("[a-z]{3}", text)]
    main.get_by_text("测试准确率").first.wait_for(timeout=60_000)  # the run's test metrics, in Chinese too


@pytest.mark.e2e
def test_in_chromium_a_train_teacher_link_in_a_fresh_context_restores_the_locked_setup(browser, server_url):
    from playground import links

    link = links.lesson_value(
        links.Lesson(
            "train", {"train_epochs": 2, "train_batch": 64}, ("train_epochs", "model"), False,
            presets.preset("mlp").to_dict(),
        )
    )  # fmt: skip
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(f"{server_url}/train?lesson={link}")
    main = tab.get_by_test_id("stMainBlockContainer")
    main.get_by_text("fixed by your teacher").wait_for(timeout=60_000)
    epochs = main.get_by_role("spinbutton", name="Epochs", exact=True)
    assert epochs.input_value() == "2" and epochs.is_disabled()
    tab.wait_for_selector("input[aria-label='Batch size'][aria-valuetext='64']", timeout=10_000)
    assert main.get_by_role("combobox", name=re.compile("Optimizer")).is_disabled()
    context.close()
