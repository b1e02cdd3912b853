"""Landing page: what the playground is, and the way through Build → Train → Draw."""

import streamlit as st

from playground.text.home import CATALOGUE
from playground.ui import session

t = session.translator(CATALOGUE)

st.title(t("title"))
st.subheader(t("tagline"))
st.write(t("intro"))

for column, step in zip(st.columns(3), ("build", "train", "draw"), strict=True):
    with column, st.container(border=True):
        st.markdown(f"#### {t('step_' + step)}")
        st.write(t(f"step_{step}_text"))

if st.button(t("go_build"), type="primary", icon=":material/construction:"):
    st.switch_page("views/build.py")

st.markdown(f"#### {t('concepts')}")
st.write(t("concepts_text"))
