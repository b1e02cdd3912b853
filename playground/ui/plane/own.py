"""The 2-D playground's own data: placing points (clicks or keyboard), uploading a table, and the data set they make.

A placed or uploaded set is a PointSet (plane/placed.py) kept per source; a rule set lives in the settings
(its formula, count, seed, jitter and flip travel in the address like every setting). The data set made from
either is kept with what it was made from, so a rerun reuses it and the live run can tell when it changed.
"""

from dataclasses import replace

import streamlit as st

from playground.plane import data as plane
from playground.plane import placed, rule
from playground.plane import settings as plane_state
from playground.plane import table as tables
from playground.plane.own import PlaneDataError
from playground.plane.settings import PlaneSettings
from playground.ui import preload, session
from playground.ui.plane import state

SETS, UNDO, TABLE, MADE, CLICKS = (
    "plane_own_sets",
    "plane_own_history",
    "plane_own_table",
    "plane_own_made",
    "plane_own_n",
)
W = "plane_own_"  # this module's widget keys
MAX_UNDO = 100
PREVIEW_ROWS = 5


# ---------------------------------------------------------------- the sets


def point_set(current: PlaneSettings) -> placed.PointSet:
    """The placed or uploaded set of the current source, made to fit the settings' target and class count."""
    found = st.session_state.get(SETS, {}).get(current.source) or placed.PointSet(current.target, current.classes)
    if found.target != current.target:  # values and classes do not mix: a new set (the old one is in undo)
        found = placed.PointSet(current.target, current.classes)
    elif found.target == "classes" and found.classes != current.classes:
        kept = tuple(p for p in found.points if p[2] < current.classes)
        found = replace(found, classes=current.classes, points=kept)
    return found


def keep_set(source: str, new: placed.PointSet, undoable: bool = True) -> None:
    """Make `new` the set of `source`; the set it replaces goes onto the undo stack."""
    sets = dict(st.session_state.get(SETS, {}))
    old = sets.get(source)
    if old == new:
        return
    if undoable and old is not None:
        st.session_state[UNDO] = [*st.session_state.get(UNDO, [])[-MAX_UNDO + 1 :], old]
    sets[source] = new
    st.session_state[SETS] = sets


def arrive(current: PlaneSettings, packed: str | None) -> bool:
    """Adopt the placed or uploaded set a link carries; False when it carries one that cannot be read."""
    if packed is None or current.source not in ("place", "table"):
        return True
    try:
        found = placed.from_link(packed)
    except ValueError:  # links.LinkError
        return False
    keep_set(current.source, found, undoable=False)
    state.start(replace(current, target=found.target, classes=found.classes))
    return True


def saved() -> dict[str, dict]:
    """The placed and uploaded sets as the session store keeps them: {source: placed.to_plain(set)}."""
    return {source: placed.to_plain(found) for source, found in st.session_state.get(SETS, {}).items() if found.points}


def version() -> int:
    """A number that changes whenever a set does (each change makes a new dict of sets)."""
    return id(st.session_state.get(SETS))


def restore(stored: object) -> None:
    """Bring back the sets a stored session kept (a link that carries a set still wins: it arrives later)."""
    if not isinstance(stored, dict):
        return
    for source, data in stored.items():
        try:
            found = placed.from_plain(data)
        except ValueError:  # links.LinkError: a damaged row is left out
            continue
        if source in ("place", "table"):
            keep_set(source, found, undoable=False)


def forget() -> None:
    """Forget the placed and uploaded sets and their undo history (Start fresh)."""
    for name in (SETS, UNDO):
        st.session_state.pop(name, None)


def link_value(current: PlaneSettings) -> tuple[str | None, bool]:
    """(the packed set for the link or None, whether it was too long to carry)."""
    if current.source not in ("place", "table"):
        return None, False
    found = point_set(current)
    if not found.points:
        return None, False
    packed = placed.to_link(found)
    return packed, packed is None


def current_data(current: PlaneSettings):
    """The own data set for the settings, or the PlaneDataError that says why there is none yet."""
    if current.source == "rule":
        made_from = (plane_state.data_key(current),)
    else:
        made_from = (plane_state.data_key(current), point_set(current))
    kept = st.session_state.get(MADE)
    if kept is not None and kept[0] == made_from:
        return kept[1]
    try:
        if current.source == "rule":
            made = rule.make_rule_data(
                current.rule, current.points, current.seed, jitter=current.noise, flip=current.flip,
                train_fraction=current.train / 100,
            )  # fmt: skip
        else:
            made = placed.to_data(point_set(current), current.seed, current.train / 100)
    except PlaneDataError as error:
        made = error
    st.session_state[MADE] = (made_from, made)
    return made


def awaits_table(current: PlaneSettings) -> bool:
    """True while the table source has no points yet: the uploader is all there is to say."""
    return current.source == "table" and not point_set(current).points


def run_identity(current: PlaneSettings):
    """What, beside the settings, a new run is built for: an uploaded set; placed points swap into the same run."""
    return point_set(current) if current.source == "table" else None


# ---------------------------------------------------------------- placing points


def _label() -> float:
    return st.session_state.get(W + "value", 0.0) if state.settings().target == "regression" else \
        st.session_state.get(W + "class", 0)  # fmt: skip


def _edit(change) -> None:
    current = state.settings()
    keep_set("place", change(point_set(current)))


def clicked() -> None:
    """Callback of the plane: add a point at each clicked grid marker (or erase the nearest one)."""
    event = st.session_state.get(W + f"click{st.session_state.get(CLICKS, 0)}")
    erase = st.session_state.get(W + "mode") == "erase"
    for x1, x2 in placed.clicked(event):
        _edit(lambda s, x1=x1, x2=x2: s.erase_nearest(x1, x2) if erase else s.add(x1, x2, _label()))
    st.session_state[CLICKS] = st.session_state.get(CLICKS, 0) + 1  # a fresh chart: the next click selects anew


def _typed(erase: bool) -> None:
    x1, x2 = st.session_state.get(W + "x1", 0.0), st.session_state.get(W + "x2", 0.0)
    _edit(lambda s: s.erase_nearest(x1, x2) if erase else s.add(x1, x2, _label()))


def undo() -> None:
    """Callback: the placed set as it was before the last change."""
    stack = st.session_state.get(UNDO, [])
    if stack:
        sets = dict(st.session_state.get(SETS, {}))
        sets["place"] = stack[-1]
        st.session_state[SETS], st.session_state[UNDO] = sets, stack[:-1]


def _clear() -> None:
    _edit(lambda s: replace(s, points=()))


def place_controls(t, current: PlaneSettings, disabled: bool) -> None:
    """The class or value the next point gets, and what a click on the plane does."""
    if current.target == "regression":
        st.slider(t("place_value"), -1.0, 1.0, 0.5, 0.1, key=W + "value", disabled=disabled, help=t("help_place_value"))
    else:
        if st.session_state.get(W + "class", 0) >= current.classes:
            st.session_state[W + "class"] = 0  # fewer classes now: the first one
        st.selectbox(
            t("place_class"), range(current.classes), key=W + "class", format_func=lambda k: t("class_name", number=k),
            disabled=disabled, help=t("help_place_class"),
        )  # fmt: skip
    st.radio(
        t("click_does"), ("add", "erase"), key=W + "mode", format_func=lambda m: t("click_" + m), horizontal=True,
        disabled=disabled,
        help=t("help_click_does", resolution=placed.CLICK_RESOLUTION),
    )  # fmt: skip


def place_plane(t, current: PlaneSettings, disabled: bool) -> None:
    """The plane to click on (wide, above the network), and beside it the keyboard path, undo, erase and clear."""
    figures = preload.module("playground.plane.figures")
    found = point_set(current)
    picture, keys = st.columns([1, 1], gap="medium")
    with picture:
        st.markdown(f"**{t('place_title')}**", help=t("help_click_does", resolution=placed.CLICK_RESOLUTION))
        figure = figures.place_figure(found.points, found.target, placed.click_grid(), t)
        st.plotly_chart(
            figure, key=W + f"click{st.session_state.get(CLICKS, 0)}", on_select="ignore" if disabled else clicked,
            selection_mode="points", config={"displayModeBar": False},
        )  # fmt: skip
    with keys:
        place_controls(t, current, disabled)
        extent = float(plane.EXTENT)
        st.number_input("x₁", -extent, extent, 0.0, 0.5, key=W + "x1", disabled=disabled, help=t("help_place_x"))
        st.number_input("x₂", -extent, extent, 0.0, 0.5, key=W + "x2", disabled=disabled, help=t("help_place_x"))
        with st.container(horizontal=True, gap="small"):
            for name, action, args in (("add", _typed, (False,)), ("erase", _typed, (True,)), ("undo", undo, ()),
                                       ("clear", _clear, ())):  # fmt: skip
                st.button(t("place_" + name), key=W + name, on_click=action, args=args, disabled=disabled,
                          help=t("help_place_" + name))  # fmt: skip
        counts = found.counts()
        if found.target == "regression":
            st.caption(t("placed_values", count=counts[0]))
        else:
            st.caption(t("placed_classes", counts=" · ".join(str(c) for c in counts)))


# ---------------------------------------------------------------- uploading a table


def _read(upload) -> object:
    kept = st.session_state.get(TABLE)
    if kept is not None and kept[0] == upload.file_id:
        return kept[1]
    for name in ("x1", "x2", "label", "task"):
        st.session_state.pop(W + "col_" + name, None)  # the columns of an earlier file do not apply
    try:
        read = tables.read_table(upload.getvalue()) if upload.size <= tables.MAX_BYTES else None
    except tables.TableError as error:
        read = error
    read = tables.TableError("table_too_large", mb=tables.MAX_BYTES // 2**20) if read is None else read
    st.session_state[TABLE] = (upload.file_id, read)
    return read


def table_editor(t, current: PlaneSettings, disabled: bool) -> None:
    """Upload, preview, choose two feature columns and a label column, and classes or regression."""
    upload = st.file_uploader(t("upload"), type=["csv", "tsv", "txt"], key=W + "upload", disabled=disabled,
                              help=t("help_upload", mb=tables.MAX_BYTES // 2**20, rows=tables.MAX_ROWS))  # fmt: skip
    if upload is None:
        if point_set(current).points:
            st.caption(t("upload_link_points", count=len(point_set(current).points)))
        return
    read = _read(upload)
    if isinstance(read, tables.TableError):
        st.error(read.message(session.language()), icon=":material/error:")
        return
    st.dataframe([dict(zip(read.columns, row, strict=True)) for row in read.rows[:PREVIEW_ROWS]], hide_index=True)
    st.caption(t("upload_rows", count=len(read.rows)))
    guess = tables.suggest(read)
    chosen, spare = {}, [c for c in read.columns if c not in (guess.x1, guess.x2, guess.label)]
    defaults = [guess.x1 or spare.pop(0), guess.x2 or spare.pop(0), guess.label]  # three columns: at least one spare
    for name, default in zip(("x1", "x2", "label"), defaults, strict=True):
        index = read.columns.index(default) if default in read.columns else 0
        chosen[name] = st.selectbox(t("column_" + name), read.columns, index=index, key=W + "col_" + name,
                                    disabled=disabled, help=t("help_column_" + name))  # fmt: skip
    suggested = tables.label_task(read, chosen["label"]) or "classes"
    task = st.radio(t("column_task"), plane_state.TARGETS, index=plane_state.TARGETS.index(suggested),
                    key=W + "col_task", horizontal=True, format_func=lambda k: t("target_" + k), disabled=disabled,
                    help=t("help_column_task", suggested=t("target_" + suggested)))  # fmt: skip
    try:
        found = placed.from_table(read, chosen["x1"], chosen["x2"], chosen["label"], task)
    except PlaneDataError as error:
        st.error(error.message(session.language()), icon=":material/error:")
        return
    if found != st.session_state.get(SETS, {}).get("table"):
        keep_set("table", found, undoable=False)
        state.set_settings(replace(current, target=found.target, classes=found.classes))
        st.rerun()  # the settings above were drawn from the old target
