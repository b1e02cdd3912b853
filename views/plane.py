"""2-D playground: a small network learns to separate points on a plane, redrawn live (TensorFlow Playground's lesson)."""

import streamlit as st

from playground.plane import settings as plane_state
from playground.text.plane import CATALOGUE
from playground.ui import session
from playground.ui.plane import address, controls, live, panels, state

t = session.translator(CATALOGUE)
address.arrive()  # the first visit starts from the address's settings and locks

st.title(t("title"))
st.caption(t("intro"))
panels.link_notes(t)
controls.toolbar(t)
controls.training_row(t)
controls.place_row(t)  # only while placing points: the plane to click on, across the page

data_column, network_column = st.columns([1, 4.4], gap="medium")
with data_column:
    st.subheader(t("data"))
    controls.data_controls(t)

with network_column:
    st.subheader(t("network"))
    with controls.layer_controls(t):
        controls.control(st.checkbox, "test", t("test"), t)
        controls.control(st.checkbox, "discretize", t("discretize"), t)
    output_layer = plane_state.network_spec(state.settings()).layers[-1].args
    st.caption(t("output_caption", units=output_layer["units"], activation=output_layer["activation"]))
    run = live.current_run(t)
    if run is not None:
        live.live_view(run, t)

panels.export_panel(run, t)
panels.share_panel(t)
address.sync_query()
