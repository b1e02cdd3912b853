"""What every page shares: the session's language, the model being composed and the trained model.

This module alone reads and writes their keys (playground/ui/state.py names the owner of every key).
"""

import contextlib

import streamlit as st

from playground import i18n, links, presets
from playground.spec import ModelSpec, SpecError, from_dict

LANGUAGE = "language"
SPEC = "spec"
LINK_ERROR = "link_error"


def language() -> str:
    """The session's language: chosen, else ?lang= in the link, else the browser's, else English."""
    if LANGUAGE not in st.session_state:
        chosen = i18n.normalize_language(st.query_params.get("lang"))
        if chosen is None:
            try:
                chosen = i18n.normalize_language(st.context.locale)
            except Exception:  # no browser context, as in AppTest
                chosen = None
        st.session_state[LANGUAGE] = chosen or i18n.DEFAULT_LANGUAGE
    return st.session_state[LANGUAGE]


def set_language(code: str) -> None:
    """Remember the chosen language for this session."""
    st.session_state[LANGUAGE] = i18n.normalize_language(code) or i18n.DEFAULT_LANGUAGE


def translator(catalogue: i18n.Catalogue):
    """t(key, **params) for this session's language."""
    return catalogue.translator(language())


def _spec_from_link() -> ModelSpec | None:
    try:
        return links.spec_from_query(st.query_params.to_dict())
    except SpecError as error:
        st.session_state[LINK_ERROR] = error.problems[0]
        return None


def current_spec() -> ModelSpec:
    """The model the learner is composing: the one in the opening link, else the seed CNN."""
    if SPEC not in st.session_state:
        st.session_state[SPEC] = _spec_from_link() or presets.preset(presets.DEFAULT_PRESET)
    return st.session_state[SPEC]


def show_spec_link(spec: ModelSpec) -> dict[str, str]:
    """Put the spec's share link in the address bar (so a copied address restores the model); its parameters."""
    link = links.spec_query(spec)
    for key in ("preset", "model"):
        if key not in link and key in st.query_params:
            del st.query_params[key]
    st.query_params.update(link)
    return link


def composed_spec() -> ModelSpec | None:
    """The model being composed, or None while no page has asked for one yet (current_spec() then makes it)."""
    return st.session_state.get(SPEC)


def restore_spec(stored: object) -> None:
    """Bring back a stored session's model being composed, unless the opening link names a model or one is set."""
    linked = any(name in st.query_params for name in ("preset", "model"))
    if stored and not linked and SPEC not in st.session_state:
        with contextlib.suppress(SpecError):
            st.session_state[SPEC] = from_dict(stored)


def link_error():
    """The Problem that made the opening link unreadable (shown once), or None."""
    return st.session_state.pop(LINK_ERROR, None)


def set_spec(spec: ModelSpec) -> None:
    """Replace the model being composed."""
    st.session_state[SPEC] = spec


TRAINED = "trained_model"


def trained_model():
    """The session's latest trained model (a playground.bundle.TrainedModel), or None."""
    return st.session_state.get(TRAINED)


def set_trained_model(trained) -> None:
    """Make a TrainedModel the one the Draw page inspects."""
    st.session_state[TRAINED] = trained


def forget_work() -> None:
    """Forget the model being composed and the trained model (Start fresh): the next page starts from the link or
    the seed CNN."""
    for key in (SPEC, TRAINED):
        st.session_state.pop(key, None)
