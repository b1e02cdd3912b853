"""The drawing canvas's toolbar (undo, redo, clear) moved below the canvas, so that every stroke counts.

streamlit-drawable-canvas 0.13 keeps its toolbar hidden but clickable over the canvas's top-right corner: a
stroke begun there pressed the hidden toolbar and drew nothing. The canvas renders in an open shadow root that
page styles cannot reach, so this invisible component puts a style sheet into it: the toolbar sits, always
visible, under the canvas.
"""

import streamlit as st

STYLE = (
    ".dc-root { margin-bottom: 3rem; }"
    " .dc-toolbar, .dc-root:hover > .dc-toolbar, .dc-toolbar:hover, .dc-toolbar:focus-within,"
    " .dc-toolbar[data-pinned=true] { top: auto; bottom: -2.9rem; opacity: 1; transition: none; }"
)

_JS = """
export default function (component) {
    const style = component.data;
    const apply = () => {
        let found = false;
        for (const host of document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')) {
            const root = host.shadowRoot;
            if (!root || !root.querySelector(".dc-root")) continue;
            found = true;
            if (!root.getElementById("playground-toolbar-below")) {
                const sheet = document.createElement("style");
                sheet.id = "playground-toolbar-below";
                sheet.textContent = style;
                root.appendChild(sheet);
            }
        }
        return found;
    };
    // The canvas may render after this component: watch the page until it is there (and after it is redrawn).
    const observer = new MutationObserver(apply);
    observer.observe(document.body, {childList: true, subtree: true});
    apply();
    return () => observer.disconnect();
}
"""

_component = st.components.v2.component("playground_canvas_toolbar", js=_JS)


def below_canvas() -> None:
    """Mount the fix (no visible element) beside a drawable canvas on this page."""
    _component(key="canvas_toolbar_below", data=STYLE, height=0)
