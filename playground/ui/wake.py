"""Live panels redraw as soon as their browser tab is shown again: browsers slow the timers of background tabs.

A learner who switches tabs during a lesson would otherwise come back to a panel that catches up only when its
throttled timer next fires (a minute or more). An invisible component listens for the page becoming visible (or its
window getting the focus back) and reruns the fragment it sits in.
"""

import streamlit as st

_JS = """
export default function (component) {
    const { setTriggerValue } = component;
    const wake = () => {
        if (document.visibilityState === "visible") setTriggerValue("visible", Date.now());
    };
    document.addEventListener("visibilitychange", wake);
    window.addEventListener("focus", wake);
    return () => {
        document.removeEventListener("visibilitychange", wake);
        window.removeEventListener("focus", wake);
    };
}
"""

_component = st.components.v2.component("playground_wake", js=_JS)


def on_visible(key: str) -> None:
    """Mount the listener (no visible element): the enclosing fragment reruns when the tab becomes visible."""
    _component(key=key, on_visible_change=_noop, height=0)


def _noop() -> None:
    pass
