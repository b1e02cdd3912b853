"""The 2-D playground's address: read once at the session's first visit, then kept equal to the settings.

The readable parameters (`?dataset=spiral&layers=8-tanh.8-tanh&lock=dataset&hide=1`) give the starting settings;
the locked controls become the session's lesson (ui/lesson), which every control of the page asks.
"""

from urllib.parse import urlencode

import streamlit as st

from playground import links
from playground.plane import settings as plane_state
from playground.ui import lesson
from playground.ui.plane import own, state

UNREADABLE = "plane_link"  # the link's values that could not be read; present once the address was read
PAGE = "plane"
OWN = "own"  # the parameter that carries a placed or uploaded set (packed)
PATH = "/" + PAGE  # the page's address when the browser's is unknown


def arrive() -> None:
    """On the session's first visit, start from the address's settings and adopt its locks as the lesson."""
    if UNREADABLE in st.session_state:
        return
    query = st.query_params.to_dict()
    link = plane_state.from_query(query)
    state.start(link.settings)
    readable = own.arrive(link.settings, query.get(OWN))
    st.session_state[UNREADABLE] = link.unreadable if readable else (*link.unreadable, OWN)
    if link.lock:
        lesson.adopt(links.Lesson(PAGE, {}, tuple(state.key(name) for name in link.lock), link.hide))


def unreadable() -> tuple[str, ...]:
    """The names of the link's values that could not be read (they fell back to their defaults)."""
    return st.session_state.get(UNREADABLE, ())


def locked_controls() -> tuple[str, ...]:
    """The settings fields the session's lesson locks."""
    return tuple(name for name in plane_state.CONTROLS if lesson.locked(state.key(name)))


def hides_locked() -> bool:
    """True when the lesson hides the controls it locks."""
    return any(lesson.hidden(state.key(name)) for name in locked_controls())


def query(lock: tuple[str, ...] = (), hide: bool = False) -> dict[str, str]:
    """The settings' link parameters, with the placed or uploaded set when it fits in a link."""
    current = state.settings()
    wanted = plane_state.to_query(current, lock, hide)
    packed, _ = own.link_value(current)
    if packed is not None:
        wanted[OWN] = packed
    return wanted


def sync_query() -> None:
    """Keep the address bar equal to the share link of the current settings (like TensorFlow Playground)."""
    wanted = query(locked_controls(), hides_locked())
    if "lang" in st.query_params:
        wanted["lang"] = st.query_params["lang"]
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def share_url(query: dict[str, str], language: str) -> str:
    """The page's address with these query parameters (relative when the browser's address is unknown)."""
    try:
        base = st.context.url or PATH
    except Exception:  # no browser context, as in AppTest
        base = PATH
    return base.split("?")[0] + "?" + urlencode({**query, "lang": language})
