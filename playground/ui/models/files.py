"""Panels of the My models page: the trained model's downloads, a bundle upload, an own-images upload, what is kept."""

import contextlib

import numpy as np
import streamlit as st

from playground import bundle
from playground.data import dataset as dataset_sizes
from playground.data import own as own_data
from playground.figures.data import sample_grid
from playground.text.train import CATALOGUE as TRAIN
from playground.training.runs import parameter_count, spec_summary
from playground.ui import persistence, preload, session
from playground.ui.build import layer_editor
from playground.ui.models import image_sets
from playground.ui.train import jobs

BUNDLE_MB = bundle.MAX_BUNDLE_BYTES // 2**20
IMAGES_MB = own_data.MAX_ZIP_BYTES // 2**20
IMAGE_SIZES = dataset_sizes.IMAGE_SIZES
PREVIEW_PER_CLASS = 10
BUNDLE_RESULT = "models_bundle_result"  # (file id, (ok | error | busy | forgotten, params)) of the last bundle upload
OWN_RESULT = "models_own_result"  # ((file id, size), OwnData | OwnDataError) of the last image-set upload
KERAS_USAGE = """import keras
import numpy as np

model = keras.models.load_model("{file}")
images = np.zeros((1, {shape}), dtype="float32")  # your images, scaled to 0–1
probabilities = model.predict(images)"""


def _keras_file(trained) -> bytes:
    # Streamlit calls this when the download is asked for, in a thread of its own: Keras loads under the lock.
    preload.keras()
    return bundle.to_keras_file(trained)


def _page_link(page: str, label: str, icon: str) -> None:
    with contextlib.suppress(st.errors.StreamlitAPIException):  # the page is not in this app's navigation
        st.page_link(page, label=label, icon=icon)


def _accuracy(trained: bundle.TrainedModel) -> str:
    value = trained.metadata.get("test_accuracy")
    return f"{value:.1%}" if isinstance(value, int | float) and not isinstance(value, bool) else "–"


def trained_model_panel(t) -> None:
    """The session's trained model: what it is, a bundle and a .keras download, and where to use it."""
    st.subheader(t("section_model"))
    trained = session.trained_model()
    if trained is None:
        st.info(t("no_model"), icon=":material/info:")
        _page_link("views/train.py", t("go_train"), ":material/model_training:")
        return
    st.markdown(t("model_facts", summary=spec_summary(trained.spec), params=f"{parameter_count(trained.spec) or 0:,}",
                  epochs=bundle.epochs_trained(trained), dataset=image_sets.dataset_title(trained.dataset),
                  accuracy=_accuracy(trained)))  # fmt: skip
    stem = bundle.file_stem(trained)
    left, right = st.columns(2)
    # Built on click only: a .keras export builds a Keras model, which the server must not do on every rerun.
    left.download_button(t("download_bundle"), lambda: bundle.to_bytes(trained), f"{stem}.zip", "application/zip",
                         help=t("download_bundle_help"), on_click="ignore", icon=":material/folder_zip:",
                         type="primary", width="stretch", key="models_download_bundle")  # fmt: skip
    right.download_button(t("download_keras"), lambda: _keras_file(trained), f"{stem}.keras",
                          "application/octet-stream", help=t("download_keras_help"), on_click="ignore",
                          icon=":material/download:", width="stretch", key="models_download_keras")  # fmt: skip
    shape = ", ".join(str(n) for n in trained.spec.input_shape)
    st.caption(t("keras_usage", shape=f"(n, {shape})"))
    st.code(KERAS_USAGE.format(file=f"{stem}.keras", shape=shape), language="python")
    _page_link("views/draw.py", t("open_draw"), ":material/draw:")
    _page_link("views/train.py", t("continue_train"), ":material/fast_forward:")


def upload_panel(t, language: str) -> None:
    """Upload a bundle: validated, it becomes the session's trained model; a refused one changes nothing."""
    st.subheader(t("section_upload"))
    upload = st.file_uploader(t("upload_label"), type=["zip"], help=t("upload_help", mb=BUNDLE_MB),
                              max_upload_size=BUNDLE_MB, key="models_upload_bundle")  # fmt: skip
    if upload is None:
        return
    done = st.session_state.get(BUNDLE_RESULT)
    if done is None or done[0] != upload.file_id or done[1][0] == "busy":
        st.session_state[BUNDLE_RESULT] = done = (upload.file_id, _adopt(upload.getvalue()))
        if done[1][0] == "ok":
            st.rerun()  # the panels above show the new model
    kind, params = done[1]
    if kind == "ok":
        st.success(t("upload_ok", **params), icon=":material/check_circle:")
    elif kind == "busy":
        st.warning(t("upload_busy"), icon=":material/hourglass_top:")
    elif kind == "error":
        st.error(t("upload_refused", detail=params["error"].message(language)), icon=":material/block:")


def _adopt(raw: bytes) -> tuple[str, dict]:
    try:
        trained = bundle.from_bytes(raw)
    except bundle.BundleError as error:
        return "error", {"error": error}
    adopted = jobs.adopt_model(trained)
    if adopted is None:
        return "busy", {}
    layer_editor.replace_spec(adopted.spec)  # the Build page's widgets follow
    persistence.save_now()
    return "ok", {"run": adopted.metadata["run_id"], "summary": spec_summary(adopted.spec)}


def _default_size() -> int:
    return dataset_sizes.size_for(session.current_spec().input_shape)


def preview_strips(own: own_data.OwnData, per_class: int = PREVIEW_PER_CLASS) -> list[np.ndarray]:
    """One enlarged strip of example images per class."""
    factor = max(1, 56 // own.dataset.input_shape[0])
    return [np.kron(sample_grid({0: images}), np.ones((factor, factor), np.uint8))
            for images in own.preview(per_class).values()]  # fmt: skip


def own_data_panel(t, language: str) -> None:
    """Upload a zip of labelled images: checked, previewed per class, then offered to the Train page."""
    st.subheader(t("section_data"))
    size = st.select_slider(t("data_size"), IMAGE_SIZES, _default_size(), help=t("data_size_help"),
                            key="models_image_size")  # fmt: skip
    st.markdown(t("data_intro", images=f"{own_data.MAX_IMAGES:,}", classes=own_data.MAX_CLASSES, mb=IMAGES_MB,
                  size=size))  # fmt: skip
    kept = image_sets.kept()
    if kept:
        st.caption(t("data_kept", names=", ".join(f"“{title}”" for title in kept.values())))
    upload = st.file_uploader(t("data_label"), type=["zip"], max_upload_size=IMAGES_MB, key="models_upload_images")
    if upload is None:
        return
    key = (upload.file_id, size)
    done = st.session_state.get(OWN_RESULT)
    if done is None or done[0] != key:
        with st.spinner(t("data_reading")):
            try:
                result = own_data.from_zip(upload.getvalue(), upload.name, size)
            except own_data.OwnDataError as error:
                result = error
        st.session_state[OWN_RESULT] = done = (key, result)
    own = done[1]
    if isinstance(own, own_data.OwnDataError):
        st.error(t("data_refused", detail=own.issue.message(language)), icon=":material/block:")
        return
    _show_own_data(t, language, own)


def _show_own_data(t, language: str, own: own_data.OwnData) -> None:
    dataset = own.dataset
    for issue in own.warnings:
        st.warning(issue.message(language), icon=":material/warning:")
    st.markdown(t("data_summary", images=len(dataset.y_train) + len(dataset.y_test), classes=dataset.num_classes,
                  train=len(dataset.y_train), test=len(dataset.y_test)))  # fmt: skip
    st.markdown(f"**{t('data_preview')}**")
    counts = dataset.class_counts()
    captions = [t("class_caption", name=name, count=sum(counts[name])) for name in dataset.class_names]
    st.image(preview_strips(own), caption=captions, alt=captions)
    if dataset.name in image_sets.kept():
        st.success(t("data_ready", title=own.title), icon=":material/check_circle:")
    elif st.button(t("data_use"), type="primary", icon=":material/add_photo_alternate:", key="models_use_images"):
        if persistence.keep_image_set(own):
            st.rerun()
        mb = round(persistence.limits().max_session_bytes / 2**20)
        st.error(t("data_not_kept", title=own.title, mb=mb), icon=":material/error:")
    _adapt_model(t, own)


def _adapt_model(t, own: own_data.OwnData) -> None:
    dataset = own.dataset
    spec = session.current_spec()
    params = {"size": dataset.input_shape[0], "classes": dataset.num_classes}
    if tuple(spec.input_shape) == dataset.input_shape and spec.num_classes == dataset.num_classes:
        st.caption(t("data_fits", **params))
        return
    adapted = own_data.adapt_spec(spec, dataset.input_shape, dataset.num_classes)
    if adapted is None:
        st.warning(t("data_cannot_adapt", **params))
    elif st.button(t("data_adapt"), help=t("data_adapt_help", **params), icon=":material/tune:", key="models_adapt"):
        layer_editor.replace_spec(adapted)
        st.toast(t("data_adapted", **params))
        st.rerun()


def saved_panel(t) -> None:
    """The runs kept for this browser, their size on the server, and Start fresh."""
    st.subheader(t("section_saved"))
    days = round(persistence.limits().max_age_s / 86400)
    st.caption(t("saved_intro", days=days))
    runs = jobs.runs()
    train = session.translator(TRAIN)
    if runs:
        rows = [{t("col_run"): train("run", id=run.run_id), t("col_model"): spec_summary(run.spec),
                 t("col_dataset"): image_sets.dataset_title(run.settings.dataset), t("col_epochs"):
                 run.history.epochs_done, t("col_state"): train("name_" + run.state), t("col_accuracy"):
                 "–" if run.test_accuracy is None else f"{run.test_accuracy:.1%}"} for run in runs]  # fmt: skip
        st.dataframe(rows, hide_index=True, width="stretch")
    else:
        st.caption(t("saved_none"))
    stored = sum(persistence.stored_summary().values())
    if stored:
        st.caption(t("saved_size", kb=f"{stored / 1024:,.0f}"))
    with st.popover(t("fresh"), help=t("fresh_help"), icon=":material/restart_alt:"):
        st.markdown(t("fresh_confirm"))
        if st.button(t("fresh_yes"), type="primary", key="models_fresh"):
            persistence.start_fresh()
            uploaded = st.session_state.get(BUNDLE_RESULT)
            if uploaded is not None:  # the file stays in its uploader: it must not come back as the model
                st.session_state[BUNDLE_RESULT] = (uploaded[0], ("forgotten", {}))
            st.session_state.pop(OWN_RESULT, None)
            st.toast(t("fresh_done"), icon=":material/restart_alt:")
            st.rerun()
