"""The 2-D playground's session state: the settings, whether training plays, and the session's run.

The settings (a frozen PlaneSettings) are the truth: every widget writes its change into them from its callback,
and before drawing, every widget key is set from them (controls.py). So presets, links and widgets never disagree.
"""

import streamlit as st

from playground.plane import settings as plane_state
from playground.plane.settings import PlaneSettings

SETTINGS, PLAYING = "plane_settings", "plane_playing"
RUN, RUN_KEYS, RESETS = "plane_run", "plane_run_keys", "plane_resets"
PREFIX = "plane_w_"  # widget keys


def key(name: str) -> str:
    """The widget key of the control for this settings field (a lesson locks the control by it)."""
    return PREFIX + name


def start(first: PlaneSettings) -> None:
    """The settings a session starts from (what its address said)."""
    st.session_state[SETTINGS] = first


def settings() -> PlaneSettings:
    """The learner's current settings."""
    return st.session_state.get(SETTINGS, plane_state.DEFAULTS)


def set_settings(new: PlaneSettings) -> None:
    """Replace the settings; a change of data or network pauses training (the run starts over)."""
    old, new = settings(), plane_state.normalized(new)
    if any(of(new) != of(old) for of in (plane_state.data_key, plane_state.network_key)):
        st.session_state[PLAYING] = False
    st.session_state[SETTINGS] = new


def playing() -> bool:
    """True while training runs frame after frame."""
    return st.session_state.get(PLAYING, False)


def pause() -> None:
    """Stop training frame after frame."""
    st.session_state[PLAYING] = False


def toggle_play() -> None:
    """Callback: play or pause."""
    st.session_state[PLAYING] = not playing()


def run(keys: tuple):
    """The session's run when it was built for these keys (data and network), else None."""
    return st.session_state.get(RUN) if st.session_state.get(RUN_KEYS) == keys else None


def keep_run(run, keys: tuple) -> None:
    """Make this run, built for these keys, the session's run."""
    st.session_state[RUN], st.session_state[RUN_KEYS] = run, keys


def step_once() -> None:
    """Callback: pause and train one frame's epochs."""
    pause()
    current = st.session_state.get(RUN)
    if current is not None:
        current.step(settings().speed)


def reset_run() -> None:
    """Callback: pause and start again from new random weights."""
    pause()
    current = st.session_state.get(RUN)
    if current is not None:
        st.session_state[RESETS] = st.session_state.get(RESETS, 0) + 1
        current.reset(settings().seed + 7919 * st.session_state[RESETS])
