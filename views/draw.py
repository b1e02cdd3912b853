"""Draw page: a drawing, a test image or a photo → MNIST-style input → prediction and the network opened up."""

import streamlit as st

from playground import bundle, data
from playground.inspection import evaluation, inspector
from playground.text.draw import CATALOGUE
from playground.ui import lesson, session
from playground.ui.draw import inputs, panels
from playground.ui.models import image_sets
from playground.ui.train import replay as replay_view

t = session.translator(CATALOGUE)


@st.fragment
def workbench(trained, dataset, names: tuple[str, ...]) -> None:
    """Input, prediction and inside the network: a stroke reruns only this part of the page."""
    source = inputs.choose_source(t, test_set=dataset is not None)
    # The canvas column keeps its 280 pixels on a tablet with the sidebar open; the results share the rest.
    left, results = st.columns([1, 1.1], gap="medium")
    middle, right = results.columns([0.8, 1.5])
    with left:
        chosen = inputs.read(t, source, trained, dataset)
    if chosen.x is None:
        if chosen.prompt:
            results.info(t(chosen.prompt), icon=":material/draw:")
        return
    inspection = inspector.inspect(trained, chosen.x)
    with middle:
        panels.prediction(t, chosen.x, inspection, names, chosen.true_class, right)
    panels.inside(t, trained, chosen.x, inspection, names)


st.title(t("title"))
st.caption(t("intro"))
lesson.show_status("draw")
trained = inputs.choose_model(t)
inspector.warm_up(trained.spec)  # compiles in the background while the learner starts drawing
try:
    dataset = data.load(trained.dataset)
except data.DatasetUnavailable as error:
    dataset = None
    st.warning(t("dataset_missing", dataset=trained.dataset, detail=str(error)))
names = dataset.class_names if dataset else bundle.class_names(trained)
workbench(trained, dataset, names)
if trained.replay is not None:  # how this model learned, when it was trained here
    st.divider()
    replay_view.panel(trained.replay, trained.history, names, "draw")
if dataset is not None:
    st.divider()
    dataset_title = image_sets.dataset_title(dataset.name)
    panels.test_set(t, dataset, dataset_title, evaluation.evaluate(trained, dataset), inputs.show_test_image)
lesson.teacher_panel("draw", inputs.lesson_controls(t))
