"""The sidebar every page shares: language switch, presentation mode, the job's status; it saves the session."""

import streamlit as st

from playground import i18n
from playground.text.common import CATALOGUE
from playground.text.lesson import CATALOGUE as LESSON_TEXT
from playground.ui import persistence, session
from playground.ui.train import view as train_view


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


# Larger type for projectors: Streamlit sizes text in rem, so scaling the root font scales the page.
PRESENTATION_CSS = (
    "<style>html { font-size: 22px; } .js-plotly-plot .main-svg text { font-size: 15px !important; }</style>"
)


def presentation_mode() -> None:
    """A toggle that enlarges all text for projectors (remembered for the session)."""
    t = LESSON_TEXT.translator(session.language())
    if st.sidebar.toggle(t("presentation"), key="presentation_mode", help=t("presentation_help")):
        st.html(PRESENTATION_CSS)


def render(page: str = "") -> None:
    """Draw the shared sidebar for the page at this URL path."""
    language_switch()
    presentation_mode()
    train_view.sidebar_status(ticking=page != "train")  # the Train page's own panel refreshes the job
    persistence.save_session()
