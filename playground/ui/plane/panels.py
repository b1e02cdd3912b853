"""The 2-D playground's panels: notes about its link, the experiment as Keras code, share and classroom links."""

import streamlit as st

from playground.plane import code as plane_code
from playground.plane import placed
from playground.plane import settings as plane_state
from playground.ui import session
from playground.ui.plane import address, own, state


def _control_label(name: str, t) -> str:
    return t({"layers": "hidden_layers", "seed": "regenerate"}.get(name, name))


def link_notes(t) -> None:
    """One line about unreadable link values, and one naming the locked controls."""
    if address.unreadable():
        st.warning(t("link_unreadable", names=", ".join(address.unreadable())), icon=":material/link_off:")
    if locked := address.locked_controls():
        st.caption(t("locked_note", names=", ".join(_control_label(name, t) for name in locked)))


def export_panel(run, t) -> None:
    """The experiment as a Keras script, and the network on the Build page."""
    current = state.settings()
    epochs = run.epoch if run is not None and run.epoch else 100
    data = run.data if run is not None else None
    if data is None and current.source != "builtin":
        return  # own data not yet a data set: nothing to export
    source = plane_code.plane_source(current, epochs=epochs, language=session.language(), data=data)
    with st.expander(t("code"), icon=":material/code:"):
        st.caption(t("code_caption"))
        st.code(source, language="python")
        left, right = st.columns(2)
        left.download_button(t("download_code"), source, file_name="playground_2d.py", mime="text/x-python")
        if data is not None and current.source != "builtin":
            st.caption(t("code_points", limit=plane_code.MAX_EMBEDDED, file=plane_code.POINTS_FILE))
            left.download_button(
                t("download_points"), plane_code.points_table(data), file_name=plane_code.POINTS_FILE,
                mime="text/csv", key="plane_share_points",
            )  # fmt: skip
        if right.button(
            t("open_build"), icon=":material/construction:", key="plane_share_open_build", help=t("help_open_build")
        ):
            session.set_spec(plane_state.network_spec(current))
            st.switch_page("views/build.py")


def share_panel(t) -> None:
    """The share link, and a classroom link that locks (and may hide) chosen controls."""
    current, language = state.settings(), session.language()
    names = {name: _control_label(name, t) for name in plane_state.CONTROLS}
    with st.expander(t("share"), icon=":material/share:"):
        st.caption(t("share_caption"))
        st.markdown(f"**{t('share_link')}**")
        st.code(address.share_url(address.query(), language), language=None)
        if own.link_value(current)[1]:
            st.caption(t("own_link_too_long", limit=f"{placed.LINK_LIMIT:,}"))
        lock = st.multiselect(
            t("lock"), plane_state.CONTROLS, format_func=names.get, key="plane_share_lock", help=t("help_lock")
        )
        hide = st.checkbox(t("hide"), key="plane_share_hide", help=t("help_hide"))
        if lock:
            st.markdown(f"**{t('classroom_link')}**")
            st.code(address.share_url(address.query(tuple(lock), hide), language), language=None)
