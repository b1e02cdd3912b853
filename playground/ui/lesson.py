"""The one widget-locking helper: a lesson from the opening link presets, locks or hides controls; teacher links."""

import math

import streamlit as st

from playground import links, presets
from playground import spec as specs
from playground.text.lesson import CATALOGUE
from playground.ui import session

ACTIVE = "lesson"
ERROR = "lesson_error"
REJECTED = "lesson_rejected"  # controls whose link value did not fit, already reported
MODEL = "model"  # the pseudo-control that locks the Build page's model editing


def apply_from_link() -> None:
    """On a session's first run, read ?lesson= and apply its model; later runs keep what was applied."""
    if ACTIVE in st.session_state:
        return
    st.session_state[ACTIVE] = None
    packed = st.query_params.get("lesson")
    if not packed:
        return
    try:
        lesson = links.lesson_from_value(packed)
        if lesson.spec is not None:
            model_spec = specs.from_dict(lesson.spec)
            specs.check(model_spec)
            session.set_spec(model_spec)
        elif lesson.compare:  # a comparison opens with its first model
            session.set_spec(presets.preset(lesson.compare[0]))
    except (links.LinkError, specs.SpecError) as error:
        st.session_state[ERROR] = str(error)
        return
    st.session_state[ACTIVE] = lesson


def adopt(lesson: links.Lesson) -> None:
    """Make a page's own link (the 2-D page's readable address) the session's lesson, when no ?lesson= came."""
    if active() is None:
        st.session_state[ACTIVE] = lesson


def active() -> links.Lesson | None:
    """The lesson this session was opened with, or None."""
    return st.session_state.get(ACTIVE)


def show_status(page: str) -> None:
    """A one-line note about the page's link: what a lesson fixed on this page, or why a link could not be read."""
    t = session.translator(CATALOGUE)
    session.current_spec()  # reads the address's model, if any, on a session's first run
    if problem := session.link_error():
        st.warning(t("model_link_broken", detail=problem.message(session.language())), icon=":material/link_off:")
    if error := st.session_state.pop(ERROR, None):
        st.warning(t("broken", detail=error), icon=":material/link_off:")
    elif (lesson := active()) and lesson.locked and lesson.page == page:
        st.info(t("lesson_active", count=len(lesson.locked)), icon=":material/school:")


def compared() -> tuple[str, ...]:
    """The presets the session's lesson compares (trained in turn with the same settings), or ()."""
    lesson = active()
    return lesson.compare if lesson else ()


def locked(key: str) -> bool:
    """True when the lesson locks this control."""
    lesson = active()
    return bool(lesson and key in lesson.locked)


def hidden(key: str) -> bool:
    """True when the lesson locks this control and asks to hide locked controls."""
    lesson = active()
    return bool(lesson and lesson.hide_locked and key in lesson.locked)


def model_locked() -> bool:
    """True when the lesson fixes the model: the Build page's editing is disabled."""
    return locked(MODEL)


def value(key: str, default, fits=lambda _: True):
    """The lesson's value for a control when it has the default's type and fits(value), else the default."""
    lesson = active()
    if lesson is None or key not in lesson.settings:
        return default
    chosen = _fitted(lesson.settings[key], default)
    if chosen is None or not fits(chosen):
        _reject(key)
        return default
    return chosen


def _fitted(raw, default):
    """The raw link value as the control's type, or None when it cannot be one."""
    if isinstance(default, bool) or isinstance(raw, bool):
        return raw if isinstance(raw, bool) and isinstance(default, bool) else None
    if isinstance(default, int | float):
        if not isinstance(raw, int | float) or not math.isfinite(raw) or (isinstance(default, int) and raw != int(raw)):
            return None
        return type(default)(raw)
    if isinstance(default, tuple):  # a range slider's (low, high): JSON carries it as a list
        if not isinstance(raw, list) or len(raw) != len(default):
            return None
        items = [_fitted(item, start) for item, start in zip(raw, default, strict=True)]
        return None if None in items else tuple(items)
    return raw if isinstance(raw, type(default)) else None


def _reject(key: str) -> None:
    # One line, once per session, right where the control is drawn.
    rejected = st.session_state.setdefault(REJECTED, set())
    if key not in rejected:
        rejected.add(key)
        st.warning(CATALOGUE.text(session.language(), "value_rejected"), icon=":material/link_off:")


def control(key: str, help: str | None = None) -> dict:
    """Keyword arguments for a widget: its key and help, and disabled with an explanation when locked."""
    if locked(key):
        note = CATALOGUE.text(session.language(), "locked_help")
        return {"key": key, "disabled": True, "help": f"{help}\n\n{note}" if help else note}
    return {"key": key, "help": help}


# The argument that carries a widget's starting value, by widget.
_START = {
    "selectbox": "index",
    "radio": "index",
    "segmented_control": "default",
    "pills": "default",
    "multiselect": "default",
}


def _fits_widget(chosen, options=None, min_value=None, max_value=None, step=None, **_) -> bool:
    """True when a widget drawn with these arguments can hold the value: its options, bounds and whole-number step."""
    if options is not None:
        options = list(options)
        return set(chosen) <= set(options) if isinstance(chosen, list) else chosen in options
    values = list(chosen) if isinstance(chosen, tuple) else [chosen]  # a range slider's (low, high)
    if values != sorted(values):
        return False
    if min_value is not None and any(v < min_value for v in values):
        return False
    if max_value is not None and any(v > max_value for v in values):
        return False
    return not (isinstance(step, int) and min_value is not None and any((v - min_value) % step for v in values))


def widget(draw, key: str, label: str, default, **kwargs):
    """Draw a widget that a lesson may preset and lock; a hidden one returns the lesson's value undrawn.

    A link's value is used only when the widget could hold it (see _fits_widget), else the default with a note.
    """
    chosen = value(key, default, lambda v: _fits_widget(v, **kwargs))
    if hidden(key):
        return chosen
    start = _START.get(draw.__name__, "value")
    kwargs[start] = list(kwargs["options"]).index(chosen) if start == "index" else chosen
    extra = control(key, kwargs.pop("help", None))
    return draw(label, **kwargs, **extra)


def teacher_panel(page: str, controls: dict[str, str], with_model: bool = False) -> None:
    """A sidebar expander where a teacher picks locked controls and copies a link that restores this page."""
    t = session.translator(CATALOGUE)
    names = ([MODEL] if with_model else []) + list(controls)
    labels = {MODEL: t("model"), **controls}
    with st.sidebar.expander(t("teacher"), icon=":material/school:"):
        st.caption(t("teacher_help"))
        chosen = st.multiselect(t("lock"), names, format_func=labels.get, key=f"teacher-lock-{page}")
        hide = st.checkbox(t("hide"), key=f"teacher-hide-{page}")
        compare = ()
        if with_model:  # or presets side by side: the learner trains each with the same settings
            compare = st.multiselect(
                t("compare"), list(presets.PRESETS), max_selections=links.MAX_COMPARED, help=t("compare_help"),
                key=f"teacher-compare-{page}",
            )  # fmt: skip
        settings = {key: st.session_state[key] for key in controls if _plain(st.session_state.get(key))}
        model = session.current_spec().to_dict() if with_model and len(compare) < 2 else None
        lesson = links.Lesson(page, settings, tuple(chosen), hide, model, tuple(compare) if len(compare) > 1 else ())
        query = f"lesson={links.lesson_value(lesson)}&lang={session.language()}"
        base = (st.context.url or "").split("?")[0].rsplit("/", 1)[0]
        st.caption(t("link"))
        st.code(f"{base}/{page}?{query}", language=None, wrap_lines=True)


def _plain(item) -> bool:
    return isinstance(item, str | int | float | bool) or (
        isinstance(item, list | tuple) and all(isinstance(x, str | int | float | bool) for x in item)
    )
