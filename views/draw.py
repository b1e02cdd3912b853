"""Draw page: a drawing, a test image or a photo → MNIST-style input → prediction and the network opened up."""

import contextlib

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from playground import bundle, data
from playground.data import images as drawing
from playground.inspection import inspector as inference
from playground.text.draw import CATALOGUE
from playground.ui import image_sets, lesson, session
from playground.ui import inspect_panels as panels

t = session.translator(CATALOGUE)
UPLOAD_MB = drawing.MAX_UPLOAD_BYTES // 2**20
# The settings a teacher link can fix, by widget key, with the label's text key.
LESSON_CONTROLS = {"draw_model": "model", panels.SOURCE: "source", "draw_pen": "pen", "draw_pick": "pick",
                   "draw_pick_class": "which_class"}  # fmt: skip


def choose_model():
    """The session's trained model, or the demo model (with a pointer to the Train page)."""
    own = session.trained_model()
    if own is None:
        demo = inference.demo_model()
        st.info(t("no_model"), icon=":material/info:")
        with contextlib.suppress(st.errors.StreamlitAPIException):  # the Train page is not registered
            st.page_link("views/train.py", label=t("train_link"), icon=":material/model_training:")
        return demo
    which = lesson.widget(
        st.segmented_control, "draw_model", t("model"), "own", options=["own", "demo"],
        format_func=lambda k: t("model_" + k), required=True,
    )  # fmt: skip
    return own if which == "own" else inference.demo_model()


def canvas_input(size: int):
    """The canvas (white pen on black); its drawing prepared MNIST-style, or None while it is blank."""
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
    st.caption(t("canvas_help"))
    image = result.image_data
    return (None if image is None else drawing.prepare(image, size)), None, "empty_prompt"


def sample_input(dataset, evaluate):
    """A test image: any, of one class, or one the model gets wrong (evaluate() says which); with its true class."""
    kinds = ["random", "class", "mistake"]
    kind = lesson.widget(
        st.radio, "draw_pick", t("pick"), kinds[0], options=kinds, format_func=lambda k: t("pick_" + k),
        horizontal=True, on_change=panels.new_sample,
    )  # fmt: skip
    pool = np.arange(len(dataset.y_test))
    if kind == "class":
        names = dataset.class_names
        classes = range(len(names))
        digit = lesson.widget(
            st.selectbox, "draw_pick_class", t("which_class"), 0, options=classes,
            format_func=names.__getitem__, on_change=panels.new_sample,
        )  # fmt: skip
        pool = np.flatnonzero(dataset.y_test == digit)
    elif kind == "mistake":
        pool = evaluate().mistakes()
    st.button(t("another"), on_click=panels.new_sample, icon=":material/shuffle:")
    if not len(pool):
        return None, None, "no_mistakes"
    index = panels.sample_index(pool, len(dataset.y_test))
    label = int(dataset.y_test[index])
    st.markdown(t("true_label", index=index, label=dataset.class_names[label]))
    alt = t("test_image_alt", index=index, label=dataset.class_names[label])
    st.image(drawing.enlarge(dataset.x_test[index] / 255.0, 6), alt=alt)
    return data.images_as_input(dataset.x_test[index : index + 1])[0, ..., 0], label, None


def upload_input(size: int):
    """An uploaded photo or scan, prepared like a drawing; a clear message when it is not a usable image."""
    upload = st.file_uploader(t("upload"), type=["png", "jpg", "jpeg"], help=t("upload_help", mb=UPLOAD_MB),
                              max_upload_size=UPLOAD_MB, key="draw_upload")  # fmt: skip
    if upload is None:
        return None, None, "upload_prompt"
    try:
        image = drawing.load_image(upload.getvalue())
    except drawing.ImageError as error:
        st.error(t("not_image", detail=str(error)), icon=":material/broken_image:")
        return None, None, None
    st.image(image, width=200, alt=t("upload_alt"))
    return drawing.prepare(image, size), None, "blank_upload"


@st.fragment
def workbench(trained, dataset, names: tuple[str, ...]) -> None:
    """Input, prediction and inside the network: a stroke reruns only this part of the page."""
    size = trained.spec.input_shape[0]
    sources = ["draw", "test", "upload"] if dataset else ["draw", "upload"]
    source = panels.source_choice(t, sources)
    # The canvas column keeps its 280 pixels on a tablet with the sidebar open; the results share the rest.
    left, results = st.columns([1, 1.1], gap="medium")
    middle, right = results.columns([0.8, 1.5])
    with left:
        if source == "test":
            x, true_class, prompt = sample_input(dataset, lambda: inference.evaluate(trained, dataset))
        elif source == "upload":
            x, true_class, prompt = upload_input(size)
        else:
            x, true_class, prompt = canvas_input(size)
    if x is None:
        if prompt:
            results.info(t(prompt), icon=":material/draw:")
        return
    inspection = inference.inspect(trained, x)
    with middle:
        panels.prediction(t, x, inspection, names, true_class, right)
    panels.inside(t, trained, x, inspection, names)


st.title(t("title"))
st.caption(t("intro"))
lesson.show_status()
trained = choose_model()
inference.warm_up(trained.spec)  # compiles in the background while the learner starts drawing
try:
    dataset = data.load(trained.dataset)
except data.DatasetUnavailable as error:
    dataset = None
    st.warning(t("dataset_missing", dataset=trained.dataset, detail=str(error)))
names = dataset.class_names if dataset else bundle.class_names(trained)
workbench(trained, dataset, names)
if dataset is not None:
    st.divider()
    dataset_title = image_sets.dataset_title(dataset.name)
    panels.test_set(t, dataset, dataset_title, inference.evaluate(trained, dataset))
lesson.teacher_panel("draw", {key: t(label) for key, label in LESSON_CONTROLS.items()})
