"""Data page: the datasets on offer, per-class counts and sample images."""

import streamlit as st

from playground import data
from playground.figures import data as data_figures
from playground.text.common import CATALOGUE as COMMON
from playground.text.data import CATALOGUE
from playground.ui import lesson, session

t = session.translator(CATALOGUE)
common = session.translator(COMMON)

st.title(t("title"))
st.caption(t("intro"))
lesson.show_status("data")
names = data.available()
name = lesson.widget(
    st.selectbox, "data_page_dataset", t("dataset"), names[0], options=names,
    format_func=lambda n: common("dataset_" + n),
)  # fmt: skip
if len(names) < len(data.DATASETS):
    st.info(t("offline_note"), icon=":material/cloud_off:")
try:
    dataset = data.load(name)
except data.DatasetUnavailable as error:
    st.error(t("unavailable", detail=str(error)))
    st.stop()

train, test, classes, size = st.columns(4)
train.metric(t("train_images"), f"{len(dataset.y_train):,}")
test.metric(t("test_images"), f"{len(dataset.y_test):,}")
classes.metric(t("classes"), dataset.num_classes)
size.metric(t("image_size"), "×".join(str(n) for n in dataset.input_shape))

counts, samples = st.columns([3, 2], gap="large")
with counts:
    st.subheader(t("counts"))
    figure = data_figures.class_counts_figure(dataset.class_counts(), t("train"), t("test"), t("class_axis"))
    st.plotly_chart(figure, key="class_counts")
    st.caption(t("split_note"))
with samples:
    st.subheader(t("samples"))
    per_class = 10
    grid = data_figures.sample_grid(data.samples_per_class(dataset, per_class))
    alt = t("samples_alt", count=per_class, classes=dataset.num_classes)
    st.image(grid, width="stretch", caption=alt, alt=alt)
st.caption(t("attribution"))
st.page_link("views/build.py", label=t("next_build"), icon=":material/construction:")
lesson.teacher_panel("data", {"data_page_dataset": t("dataset")})
