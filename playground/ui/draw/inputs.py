"""The Draw page's input choosers: which model, and what it reads — the canvas, a test image or an uploaded photo."""

import contextlib
from dataclasses import dataclass

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from playground import data
from playground.bundle import TrainedModel
from playground.data import images as drawing
from playground.inspection import demo, evaluation
from playground.ui import lesson, session
from playground.ui.draw import canvas_toolbar

SOURCE = "draw_source"  # which input the model reads: "draw", "test" or "upload"
SAMPLE = "draw_sample"  # the test image being inspected (index into the test split)
UPLOAD_MB = drawing.MAX_UPLOAD_BYTES // 2**20
# The settings a teacher link can fix, by widget key, with the label's text key.
LESSON_CONTROLS = {"draw_model": "model", SOURCE: "source", "draw_pen": "pen", "draw_pick": "pick",
                   "draw_pick_class": "which_class"}  # fmt: skip


@dataclass(frozen=True)
class Input:
    """What the chosen input gives the model: its prepared image and true class, or the prompt to show instead."""

    x: np.ndarray | None  # (H, W) in [0, 1], MNIST-style; None while there is nothing to read
    true_class: int | None = None  # known for a test image
    prompt: str | None = None  # catalogue key of the message shown while x is None (None: nothing more to say)


def choose_model(t) -> TrainedModel:
    """The session's trained model, or the demo model (with a pointer to the Train page)."""
    own = session.trained_model()
    if own is None:
        st.info(t("no_model"), icon=":material/info:")
        with contextlib.suppress(st.errors.StreamlitAPIException):  # the Train page is not registered
            st.page_link("views/train.py", label=t("train_link"), icon=":material/model_training:")
        return demo.model()
    which = lesson.widget(
        st.segmented_control, "draw_model", t("model"), "own", options=["own", "demo"],
        format_func=lambda k: t("model_" + k), required=True,
    )  # fmt: skip
    return own if which == "own" else demo.model()


def choose_source(t, test_set: bool) -> str:
    """Which input the model reads: "draw", "test" (offered when the dataset's test split is there) or "upload"."""
    sources = ["draw", "test", "upload"] if test_set else ["draw", "upload"]
    return lesson.widget(
        st.segmented_control, SOURCE, t("source"), "draw", options=sources,
        format_func=lambda k: t("source_" + k), required=True,
    )  # fmt: skip


def read(t, source: str, trained: TrainedModel, dataset: data.Dataset | None) -> Input:
    """The chosen input's widgets drawn here, and what they give the model."""
    size = trained.spec.input_shape[0]
    if source == "test":
        return _sample(t, trained, dataset)
    if source == "upload":
        return _upload(t, size)
    return _canvas(t, size)


def show_test_image(index: int) -> None:
    """Switch the input to the test image at this index (a button's callback)."""
    st.session_state[SAMPLE] = index
    st.session_state[SOURCE] = "test"


def lesson_controls(t) -> dict[str, str]:
    """The widget keys a teacher link can fix, with their labels."""
    return {key: t(label) for key, label in LESSON_CONTROLS.items()}


def _canvas(t, size: int) -> Input:
    # White pen on black; the drawing prepared MNIST-style, None while it is blank.
    pen = lesson.widget(st.slider, "draw_pen", t("pen"), 20, min_value=4, max_value=40)
    result = st_canvas(
        stroke_width=pen,
        stroke_color="#FFFFFF",
        background_color="#000000",
        height=280,
        width=280,
        drawing_mode="freedraw",
        return_image_data=True,
        key="draw_canvas",
    )
    canvas_toolbar.below_canvas()
    st.caption(t("canvas_help"))
    image = result.image_data
    return Input(None if image is None else drawing.prepare(image, size), None, "empty_prompt")


def _new_sample() -> None:
    st.session_state.pop(SAMPLE, None)


def _sample(t, trained: TrainedModel, dataset: data.Dataset) -> Input:
    # A test image: any, of one class, or one the model gets wrong; with its true class.
    kinds = ["random", "class", "mistake"]
    kind = lesson.widget(
        st.radio, "draw_pick", t("pick"), kinds[0], options=kinds, format_func=lambda k: t("pick_" + k),
        horizontal=True, on_change=_new_sample,
    )  # fmt: skip
    pool = np.arange(len(dataset.y_test))
    if kind == "class":
        names = dataset.class_names
        classes = range(len(names))
        digit = lesson.widget(
            st.selectbox, "draw_pick_class", t("which_class"), 0, options=classes,
            format_func=names.__getitem__, on_change=_new_sample,
        )  # fmt: skip
        pool = np.flatnonzero(dataset.y_test == digit)
    elif kind == "mistake":
        pool = evaluation.evaluate(trained, dataset).mistakes()
    st.button(t("another"), on_click=_new_sample, icon=":material/shuffle:")
    if not len(pool):
        return Input(None, None, "no_mistakes")
    if st.session_state.get(SAMPLE, len(dataset.y_test)) >= len(dataset.y_test):  # none yet, or another set's
        st.session_state[SAMPLE] = int(np.random.default_rng().choice(pool))
    index = st.session_state[SAMPLE]
    label = int(dataset.y_test[index])
    st.markdown(t("true_label", index=index, label=dataset.class_names[label]))
    alt = t("test_image_alt", index=index, label=dataset.class_names[label])
    st.image(drawing.enlarge(dataset.x_test[index] / 255.0, 6), alt=alt)
    return Input(data.images_as_input(dataset.x_test[index : index + 1])[0, ..., 0], label)


def _upload(t, size: int) -> Input:
    # An uploaded photo or scan, prepared like a drawing; a clear message when it is not a usable image.
    upload = st.file_uploader(t("upload"), type=["png", "jpg", "jpeg"], help=t("upload_help", mb=UPLOAD_MB),
                              max_upload_size=UPLOAD_MB, key="draw_upload")  # fmt: skip
    if upload is None:
        return Input(None, None, "upload_prompt")
    try:
        image = drawing.load_image(upload.getvalue())
    except drawing.ImageError as error:
        st.error(t("not_image", detail=str(error)), icon=":material/broken_image:")
        return Input(None)
    st.image(image, width=200, alt=t("upload_alt"))
    return Input(drawing.prepare(image, size), None, "blank_upload")
