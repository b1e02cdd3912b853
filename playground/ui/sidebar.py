"""The sidebar every page shares: language switch (and, as they land, the job status)."""

import streamlit as st

from playground import i18n
from playground.text.common import CATALOGUE
from playground.ui import session


def language_switch() -> None:
    """A select box that switches every page between English and 简体中文."""
    current = session.language()
    choice = st.sidebar.selectbox(
        CATALOGUE.text(current, "language") + " / Language",
        i18n.LANGUAGES,
        index=i18n.LANGUAGES.index(current),
        format_func=i18n.LANGUAGE_NAMES.get,
        key="language_switch",
    )
    if choice != current:
        session.set_language(choice)
        st.rerun()


def render() -> None:
    """Draw the shared sidebar."""
    language_switch()
