"""The session's own image sets: uploaded on the Models page, kept on this server, offered by the Train page."""

import streamlit as st

from playground.data import own as own_data
from playground.text.common import CATALOGUE as COMMON
from playground.text.models import CATALOGUE
from playground.ui import session

SETS = "own_image_sets"  # {dataset name: title} of the session's uploaded image sets


def kept() -> dict[str, str]:
    """The session's uploaded image sets still on this server: {dataset name: title}."""
    return {name: title for name, title in st.session_state.get(SETS, {}).items() if own_data.exists(name)}


def saved() -> dict[str, str]:
    """Every image set the session recorded, as the session store keeps it: {dataset name: title}."""
    return dict(st.session_state.get(SETS, {}))


def restore(stored: object) -> None:
    """Bring back a stored session's image sets: those still on this server, kept from expiring."""
    if not isinstance(stored, dict):
        return
    found = {str(name): str(title) for name, title in stored.items() if own_data.exists(str(name))}
    for name in found:
        own_data.touch(name)
    st.session_state[SETS] = found


def add(own: own_data.OwnData) -> str:
    """Keep an uploaded image set on the server and list it among the session's datasets; returns its name."""
    own_data.save(own)
    sets = saved()
    sets[own.dataset.name] = own.title
    st.session_state[SETS] = sets
    return own.dataset.name


def forget() -> None:
    """Forget the session's image sets (Start fresh; the files expire on the server)."""
    st.session_state.pop(SETS, None)


def dataset_title(name: str, language: str | None = None) -> str:
    """A dataset's name for people: the catalogue's for a registered one, '<title> (your images)' for an upload."""
    language = language or session.language()
    if own_data.is_own(name):
        title = st.session_state.get(SETS, {}).get(name) or own_data.title_of(name)
        return CATALOGUE.text(language, "own_dataset_label", title=title)
    if ("dataset_" + name) in COMMON.languages["en"]:
        return COMMON.text(language, "dataset_" + name)
    return name
