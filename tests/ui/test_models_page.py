"""The My models page and refresh-proof sessions: AppTest drives uploads and new sessions of one browser token;
chromium trains, reloads, downloads and uploads as a learner would, and a second browser sees nothing."""

import io
import json
import re
import time
import zipfile

import numpy as np
import pytest
from bundles import malformed
from data.image_sets import make_zip, shapes_files, shapes_zip

from playground import bundle, data, store
from playground.data import kept as kept_sets
from playground.data import own as own_data
from playground.inspection import inspector
from playground.training import scheduler as training
from playground.training.limits import Limits
from playground.ui import persistence
from playground.ui.models import image_sets

PAGE = "views/models.py"


@pytest.fixture(scope="module")
def bundle_bytes(trained) -> bytes:
    return bundle.to_bytes(trained)


def browser_session(token: str | None = None, page: str = PAGE, lang: str | None = None):
    """A new session of app.py, as a browser holding this token in its cookie would open it."""
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    if token:
        app.session_state[persistence.TOKEN] = token
    if lang:
        app.query_params["lang"] = lang
    app.run()
    assert not app.exception, app.exception[0].message
    app.first_toasts = [toast.value for toast in app.toast]  # shown on the first run: the restore
    app.switch_page(page).run()
    assert not app.exception, app.exception[0].message
    return app


def upload(app, key: str, name: str, raw: bytes):
    app.file_uploader(key=key).set_value((name, raw, "application/zip")).run()
    assert not app.exception, app.exception[0].message
    return app


def test_before_any_training_there_is_nothing_to_download_or_keep():
    app = browser_session()
    assert app.title[0].value == "My models"
    assert [s.value for s in app.subheader] == ["Your trained model", "Upload a model bundle", "Your own images",
                                                 "Kept for this browser"]  # fmt: skip
    assert "No trained model yet" in app.info[0].value
    assert not app.get("download_button")
    assert any("Nothing is kept yet" in c.value for c in app.caption)
    chinese = browser_session(lang="zh")
    assert chinese.title[0].value == "我的模型" and "还没有训练好的模型" in chinese.info[0].value


def test_an_uploaded_bundle_becomes_the_sessions_model_predicts_as_before_and_can_be_continued(trained, bundle_bytes):
    app = upload(browser_session(), "models_upload_bundle", "model.zip", bundle_bytes)
    assert app.success[0].value.startswith("Loaded as run 1: Conv2D 4 → BatchNorm")
    mine = app.session_state["trained_model"]
    x = data.images_as_input(data.load("mnist-sample").x_test[:100])
    np.testing.assert_array_equal(inspector.predict(mine, x), inspector.predict(trained, x))
    assert [b.label for b in app.get("download_button")] == ["Download bundle (.zip)", "Download for Keras (.keras)"]
    assert (
        "**Conv2D 4 → BatchNormalization → MaxPooling2D → Flatten → Dropout 0.2 → Dense 10**" in app.markdown[0].value
    )
    app.switch_page("views/train.py").run()
    assert not app.exception
    assert not app.button(key="train_continue").disabled  # the uploaded model can be trained further
    assert app.session_state["spec"] == trained.spec


def test_a_reloaded_page_gets_its_runs_and_model_back_and_another_browser_does_not(trained, bundle_bytes):
    token = store.new_token()
    first = upload(browser_session(token), "models_upload_bundle", "model.zip", bundle_bytes)
    before = first.session_state["trained_model"]

    again = browser_session(token)  # F5: a new session, the same cookie
    restored = again.session_state["trained_model"]
    for a, b in zip(restored.weights + restored.optimizer_state, before.weights + before.optimizer_state, strict=True):
        np.testing.assert_array_equal(a, b)
    assert [run.run_id for run in again.session_state["train_runs"]] == [1]
    assert again.first_toasts == ["Welcome back: your work was restored (runs: 1)."]
    assert [b.label for b in again.get("download_button")] == ["Download bundle (.zip)", "Download for Keras (.keras)"]
    again.switch_page("views/train.py").run()
    assert not again.button(key="train_continue").disabled
    assert again.success[0].value == "Finished: 2 epochs trained."

    stranger = browser_session(store.new_token())
    assert "trained_model" not in stranger.session_state
    assert "No trained model yet" in stranger.info[0].value
    guessed = browser_session(token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert "trained_model" not in guessed.session_state


def test_malformed_bundles_each_give_a_message_and_change_nothing(trained, bundle_bytes, tmp_path):
    token = store.new_token()
    app = upload(browser_session(token), "models_upload_bundle", "good.zip", bundle_bytes)
    model, runs = app.session_state["trained_model"], list(app.session_state["train_runs"])
    stored = store.default_store().load(token)
    cases = malformed(trained, tmp_path / "unpickled")
    for case, (raw, _) in cases.items():
        upload(app, "models_upload_bundle", f"{case}.zip", raw)
        with pytest.raises(bundle.BundleError) as refused:
            bundle.from_bytes(raw)
        assert [e.value for e in app.error] == [f"This file was not loaded, and nothing changed: {refused.value}"], case
        assert app.session_state["trained_model"] is model, case
        assert list(app.session_state["train_runs"]) == runs, case
    assert store.default_store().load(token) == stored
    assert not (tmp_path / "unpickled").exists()


def test_start_fresh_forgets_everything_here_and_on_the_server(bundle_bytes):
    token = store.new_token()
    app = upload(browser_session(token), "models_upload_bundle", "model.zip", bundle_bytes)
    assert store.default_store().load(token)
    app.button(key="models_fresh").click().run()
    assert not app.exception
    assert "trained_model" not in app.session_state and not app.session_state.get("train_runs")
    assert store.default_store().load(token) == {}
    assert app.session_state[persistence.TOKEN] != token
    assert "trained_model" not in browser_session(token).session_state


def test_own_images_are_previewed_per_class_and_offered_for_training():
    app = upload(browser_session(), "models_upload_images", "shapes.zip", shapes_zip(per_class=10))
    assert "30 images in 3 classes: 24 for training, 6 held out for testing." in [m.value for m in app.markdown]
    warnings = [w.value for w in app.warning]
    assert any("resized to 28×28" in w for w in warnings) and any("inverted" in w for w in warnings)
    captions = [caption for image in app.get("image") for caption in image.captions]
    assert captions == ["circle (10 images)", "cross (10 images)", "square (10 images)"]
    app.button(key="models_use_images").click().run()
    names = persistence_datasets(app)
    assert len(names) == 1 and own_data.is_own(next(iter(names)))
    assert any("“shapes” is ready" in s.value for s in app.success)
    assert data.is_cached(next(iter(names)))
    app.button(key="models_adapt").click().run()
    spec = app.session_state["spec"]
    assert spec.num_classes == 3 and spec.layers[-1].args["units"] == 3
    assert any("fits these images (3 classes)" in c.value for c in app.caption)


def persistence_datasets(app) -> dict:
    return {name: title for name, title in app.session_state[image_sets.SETS].items() if kept_sets.exists(name)}


def test_an_unusable_image_set_is_explained_and_nothing_is_registered():
    files = shapes_files(per_class=3)
    files["triangle/notes.txt"] = b"draw some"
    app = upload(browser_session(lang="zh"), "models_upload_images", "bad.zip", make_zip(files))
    assert "无法使用这个图片集" in app.error[0].value and "triangle" in app.error[0].value
    assert "models_use_images" not in [button.key for button in app.button]
    assert image_sets.SETS not in app.session_state


def test_own_images_train_on_the_train_page_and_their_classes_appear_on_the_draw_page():
    scheduler = training.configure(Limits(max_running=1, spare="off"))
    try:
        app = upload(browser_session(), "models_upload_images", "shapes.zip", shapes_zip(per_class=30, seed=5))
        app.button(key="models_use_images").click().run()
        app.button(key="models_adapt").click().run()
        name = next(iter(persistence_datasets(app)))
        app.switch_page("views/train.py").run()
        assert "shapes (your images)" in app.selectbox(key="train_dataset").options
        app.selectbox(key="train_dataset").set_value(name).run()
        app.number_input(key="train_epochs").set_value(4).run()
        app.button(key="train_start").click().run()
        deadline = time.monotonic() + 240
        while app.session_state["train_job"].active or not app.session_state["train_job"].settled:
            assert time.monotonic() < deadline, "training did not finish"
            time.sleep(0.5)
            app.run()
        app.run()
        assert app.session_state["train_job"].state == "finished"
        trained = app.session_state["trained_model"]
        assert trained.dataset == name and trained.spec.num_classes == 3
        app.switch_page("views/draw.py").run()
        assert not app.exception, app.exception[0].message
        app.segmented_control(key="draw_source").set_value("test").run()
        assert not app.exception, app.exception[0].message
        chart = next(e for e in app.get("plotly_chart") if e.proto.id.endswith("-draw_probabilities"))
        assert json.loads(chart.proto.spec)["data"][0]["x"] == ["circle", "cross", "square"]
        assert bundle.from_bytes(bundle.to_bytes(trained)).metadata["class_names"] == ["circle", "cross", "square"]
    finally:
        scheduler.shutdown()


# ---------------------------------------------------------------- in chromium


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def _upload_bundle(tab, path) -> None:
    # By its label: while a run is drawing, the image-set uploader can come first in the page.
    uploader = tab.get_by_test_id("stFileUploader").filter(has_text="Model bundle (.zip)")
    uploader.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))


def _open(page, url: str):
    from tests.conftest import wait_for_app

    page.goto(url)
    wait_for_app(page)
    return page


def _train_one_epoch(page, server_url: str) -> None:
    _open(page, server_url + "/")  # a fresh server's first session must start at the app (see the report)
    _open(page, server_url + "/train")
    epochs = page.get_by_label("Epochs", exact=True)
    epochs.fill("1")
    epochs.press("Enter")
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="Start").click()
    page.wait_for_selector("text=Finished: 1 epochs trained.", timeout=240_000)
    # The finish shows as soon as training ends; the run is the session's model once its result is in (Continue).
    page.wait_for_selector("button:has-text('Continue'):not([disabled])", timeout=60_000)


def _metric(page, label: str) -> str:
    metric = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    metric.wait_for(timeout=60_000)
    return metric.locator("[data-testid='stMetricValue']").inner_text()


@pytest.mark.e2e
def test_in_chromium_a_reload_keeps_the_run_and_model_and_a_second_browser_does_not_see_them(
    page, browser, server_url, tmp_path
):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    _train_one_epoch(page, server_url)
    _open(page, server_url + "/draw")
    accuracy = _metric(page, "Test accuracy")

    page.reload()  # F5: a new Streamlit session
    _open(page, server_url + "/models")
    page.get_by_text("Stored on the server for this browser").wait_for(timeout=30_000)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download bundle (.zip)").click()
    saved = tmp_path / "model.zip"
    download.value.save_as(saved)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download for Keras (.keras)").click()
    download.value.save_as(tmp_path / "model.keras")
    assert zipfile.is_zipfile(tmp_path / "model.keras")
    _open(page, server_url + "/train")
    page.get_by_text("Finished: 1 epochs trained.").wait_for(timeout=30_000)
    expect(page.get_by_role("button", name="Continue")).to_be_enabled(timeout=30_000)
    _open(page, server_url + "/draw")
    assert _metric(page, "Test accuracy") == accuracy

    other = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    try:
        stranger = other.new_page()
        _open(stranger, server_url + "/models")
        stranger.get_by_text("No trained model yet").wait_for(timeout=30_000)
        stranger.get_by_text("Nothing is kept yet").wait_for()
        _upload_bundle(stranger, saved)
        try:
            stranger.get_by_text(re.compile(r"Loaded as run \d+")).wait_for(timeout=90_000)
        except PlaywrightTimeout:  # a rare CI failure here: keep what the page said, for the log
            text = stranger.get_by_test_id("stMain").inner_text()
            raise AssertionError("no upload result; the page read: " + text) from None
        assert stranger.get_by_text("Loaded as run 1").is_visible()  # the stranger's first run
        _open(stranger, server_url + "/draw")
        assert _metric(stranger, "Test accuracy") == accuracy  # the uploaded model predicts exactly as before
    finally:
        other.close()
    trained = bundle.from_bytes(saved.read_bytes())
    assert trained.metadata["epochs"] == 1 and trained.metadata["versions"]["keras"]


@pytest.mark.e2e
def test_in_chromium_a_reload_during_training_follows_the_same_job(page, server_url):
    _open(page, server_url + "/")
    _open(page, server_url + "/train")
    epochs = page.get_by_label("Epochs", exact=True)
    epochs.fill("3")
    epochs.press("Enter")
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="Start").click()
    points = (
        "() => { const p = document.querySelector('.js-plotly-plot'); return p && p.data ? p.data[0].x.length : 0 }"
    )
    page.wait_for_function(f"({points})() >= 2", timeout=120_000)
    page.reload()
    _open(page, server_url + "/train")
    page.wait_for_function(f"({points})() >= 3", timeout=120_000)  # the same run's curve, still growing
    page.wait_for_selector("text=Finished: 3 epochs trained.", timeout=300_000)
    expect(page.get_by_role("button", name="Continue")).to_be_enabled(timeout=30_000)


@pytest.mark.e2e
def test_in_chromium_start_fresh_forgets_the_work_for_good(page, server_url, bundle_bytes, tmp_path):
    saved = tmp_path / "model.zip"
    saved.write_bytes(bundle_bytes)
    _open(page, server_url + "/")  # a fresh server's first session must start at the app, not at a page
    _open(page, server_url + "/models")
    _upload_bundle(page, saved)
    page.get_by_text("Loaded as run 1").wait_for(timeout=60_000)
    cookie = next(c["value"] for c in page.context.cookies() if c["name"] == persistence.COOKIE)
    page.reload()
    _open(page, server_url + "/models")
    page.get_by_text("Stored on the server for this browser").wait_for(timeout=30_000)
    page.get_by_role("button", name="Start fresh").click()
    confirm = page.get_by_role("button", name="Yes, forget everything")
    confirm.focus()  # by keyboard: a popover at the page's foot can sit outside the viewport while the page redraws
    page.keyboard.press("Enter")
    page.get_by_text("No trained model yet").wait_for(timeout=30_000)
    page.wait_for_function(
        f"() => !document.cookie.includes('{persistence.COOKIE}={cookie}')", timeout=30_000
    )  # a new token: the old one is dead
    page.reload()
    _open(page, server_url + "/models")
    page.get_by_text("Nothing is kept yet").wait_for(timeout=30_000)
    assert store.default_store().load(cookie) == {}


def test_the_bundle_download_is_a_zip_with_the_documented_members(bundle_bytes):
    with zipfile.ZipFile(io.BytesIO(bundle_bytes)) as archive:
        assert sorted(archive.namelist()) == ["history.json", "metadata.json", "optimizer.npz", "spec.json",
                                              "weights.npz"]  # fmt: skip
