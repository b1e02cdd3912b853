"""The session's own image sets: uploaded on the Models page, kept in the session store, offered by the Train page."""

import streamlit as st

from playground.data import kept as kept_sets
from playground.data import own as own_data
from playground.text.common import CATALOGUE as COMMON
from playground.text.models import CATALOGUE
from playground.ui import session

SETS = "own_image_sets"  # {dataset name: title} of the session's uploaded image sets


def kept() -> dict[str, str]:
    """The session's uploaded image sets, kept in the session store: {dataset name: title}."""
    return dict(st.session_state.get(SETS, {}))


def saved() -> dict[str, str]:
    """Every image set the session recorded, as the session store keeps it: {dataset name: title}."""
    return dict(st.session_state.get(SETS, {}))


def restore(kept_sets: dict[str, str]) -> None:
    """Bring back a stored session's image sets: those the store still keeps for its browser, {name: title}."""
    if kept_sets:
        st.session_state[SETS] = {str(name): str(title) for name, title in kept_sets.items()}


def add(name: str, title: str) -> str:
    """List an image set the store now keeps among the session's datasets; returns its name."""
    sets = saved()
    sets[name] = title
    st.session_state[SETS] = sets
    return name


def forget() -> None:
    """Forget the session's image sets (Start fresh; the files expire on the server)."""
    st.session_state.pop(SETS, None)


def dataset_title(name: str, language: str | None = None) -> str:
    """A dataset's name for people: the catalogue's for a registered one, '<title> (your images)' for an upload."""
    language = language or session.language()
    if own_data.is_own(name):
        title = st.session_state.get(SETS, {}).get(name) or kept_sets.title_of(name)
        return CATALOGUE.text(language, "own_dataset_label", title=title)
    if ("dataset_" + name) in COMMON.languages["en"]:
        return COMMON.text(language, "dataset_" + name)
    return name
