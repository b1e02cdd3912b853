"""My models page: download the trained model (bundle, .keras), upload a bundle, bring own images, what is kept."""

import streamlit as st

from playground.text.models import CATALOGUE
from playground.ui import session
from playground.ui.models import files as model_files

t = session.translator(CATALOGUE)
language = session.language()

st.title(t("title"))
st.caption(t("intro"))
model_column, upload_column = st.columns(2, gap="large")
with model_column:
    model_files.trained_model_panel(t)
with upload_column:
    model_files.upload_panel(t, language)
st.divider()
model_files.own_data_panel(t, language)
st.divider()
model_files.saved_panel(t)
