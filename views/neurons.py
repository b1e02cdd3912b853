"""2-D playground: a small network learns to separate points on a plane, redrawn live (TensorFlow Playground's lesson)."""

import streamlit as st

from playground import catalog
from playground.plane import data as plane
from playground.plane import settings as plane_state
from playground.text.neurons import CATALOGUE
from playground.ui import plane_view as view
from playground.ui import session

t = session.translator(CATALOGUE)
control = view.control

st.title(t("title"))
st.caption(t("intro"))
view.link_notes(t)
settings = view.settings()

# Toolbar: preset, play / pause, step, reset, and how much is trained per frame.
preset, play, step, reset, speed = st.columns([3, 1, 1, 1, 2], vertical_alignment="bottom")
with preset:  # a preset would change locked settings: a classroom link leaves it out
    if not view.link().lock:
        view.preset_picker(t)
view.run_buttons(play, step, reset, t)
with speed:
    control(st.select_slider, "speed", t("speed"), t, options=plane_state.SPEEDS)

# Training settings in one row, as in TensorFlow Playground's top bar.
task = plane_state.task(settings)
row = st.columns(7)
with row[0]:
    control(st.selectbox, "lr", t("lr"), t, options=plane_state.LEARNING_RATES, format_func=lambda v: f"{v:g}")
with row[1]:
    control(st.selectbox, "optimizer", t("optimizer"), t, options=tuple(catalog.OPTIMIZERS))
with row[2]:
    control(
        st.selectbox, "loss", t("loss"), t, options=tuple(plane_state.LOSSES),
        format_func=lambda name: t("loss_" + name), disabled=task == "regression",
    )  # fmt: skip
with row[3]:
    control(st.slider, "batch", t("batch"), t, min_value=1, max_value=30)
with row[4]:
    control(
        st.selectbox, "regularization", t("regularization"), t, options=plane_state.REGULARIZATIONS,
        format_func=lambda name: t("regularization_" + name),
    )  # fmt: skip
with row[5]:
    control(
        st.selectbox, "rate", t("rate"), t, options=plane_state.REGULARIZATION_RATES, format_func=lambda v: f"{v:g}",
        disabled=settings.regularization == "none",
    )  # fmt: skip
with row[6]:
    control(st.selectbox, "dropout", t("dropout"), t, options=plane_state.DROPOUT_RATES, format_func=lambda v: f"{v:g}")

data_column, network_column = st.columns([1, 4.4], gap="medium")
with data_column:
    st.subheader(t("data"))
    control(
        st.selectbox, "dataset", t("dataset"), t, options=tuple(plane.DATASETS),
        format_func=lambda name: t("dataset_" + name),
    )  # fmt: skip
    if task == "multiclass":
        control(st.slider, "classes", t("classes"), t, min_value=plane.MIN_CLASSES, max_value=plane.MAX_CLASSES)
    st.caption(t("task_" + task, classes=settings.classes))
    control(
        st.select_slider, "noise", t("noise"), t, options=plane_state.NOISE_LEVELS, format_func=lambda v: f"{v:.0%}"
    )
    control(st.select_slider, "train", t("train"), t, options=plane_state.TRAIN_PERCENTS)
    control(st.select_slider, "points", t("points"), t, options=plane_state.POINT_COUNTS)
    view.regenerate_button(t)
    control(
        st.pills, "features", t("features"), t, options=tuple(plane.FEATURES), selection_mode="multi",
        format_func=plane.FEATURE_SYMBOLS.get, width="stretch", wrap=True,
    )  # fmt: skip

with network_column:
    st.subheader(t("network"))
    with view.layer_controls(t):
        control(st.checkbox, "test", t("test"), t)
        control(st.checkbox, "discretize", t("discretize"), t)
    spec = plane_state.network_spec(settings)
    output_layer = spec.layers[-1].args
    st.caption(t("output_caption", units=output_layer["units"], activation=output_layer["activation"]))
    run = view.current_run(t)
    if run is not None:
        view.live_view(run, t)

view.export_panel(run, t)
view.share_panel(t)
view.sync_query()
