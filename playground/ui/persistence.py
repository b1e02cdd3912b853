"""Work that survives a refresh: the browser's token cookie, and saving and restoring the session's work.

The browser keeps an anonymous token in a first-party cookie (written by a one-line script; Streamlit reads
cookies when the page connects). Persistence knows the token, the store and what it saves; the work itself comes
from its owners — the runs and run counter (jobs), the model being composed and the trained model (session), the
uploaded image sets (image_sets), the 2-D playground's placed and uploaded points (plane.own) — and goes back
through their functions. The first script run of every new session restores it; the sidebar saves whatever changed
after every run. A job still training when the page was reloaded is handed to the new session: by this replica,
or — when the replica that started it is gone and jobs run on a Ray cluster — found by the actor name kept with
the session and followed from its first message. A job still waiting for a slot when its replica went (or this
server restarted) is queued again from what was kept, at the place of its Start.
"""

import itertools
import logging
import threading
import time
import weakref

import streamlit as st

from playground import store
from playground.bundle import TrainedModel
from playground.data import kept as kept_sets
from playground.data import own as own_data
from playground.text.models import CATALOGUE
from playground.training.job import TrainingJob
from playground.ui import session
from playground.ui.models import image_sets
from playground.ui.plane import own as plane_own
from playground.ui.train import jobs

COOKIE = "dlp_session"
TOKEN = "persist_token"
RESTORED = "persist_restored"
SAVED = "persist_saved"  # the fingerprint of each part as last saved
STORED = "persist_stored"  # True once the store holds something of this session
NOTICE = "persist_notice"  # a problem to show once in the sidebar
LIVE_KEEP_S = 3600.0  # a job that went on without its page is kept this long for the next page of its browser

_log = logging.getLogger(__name__)
# Uploaded image sets are kept in the session store; the data layer reads them by name through it.
kept_sets.keep_in(store.keeper())
_live: dict[str, tuple[TrainingJob, float]] = {}  # owner key -> (its browser's latest job, when it was last seen)
_live_lock = threading.Lock()
_serials: "weakref.WeakKeyDictionary[TrainedModel, int]" = weakref.WeakKeyDictionary()
_counter = itertools.count(1)


def _store() -> store.Store | None:
    try:
        return store.default_store()
    except (store.StoreError, store.SettingsError) as error:
        _log.error("session store unavailable, nothing is kept: %s", error)
        return None


def limits() -> store.Limits:
    """The store's limits (the defaults when it cannot be used)."""
    target = _store()
    return target.limits if target is not None else store.Limits()


# ---------------------------------------------------------------- the token


def _cookie_token() -> str | None:
    try:
        value = st.context.cookies.get(COOKIE)
    except Exception:  # no browser behind this session (AppTest, bare mode)
        return None
    return value if store.is_valid_token(value) else None


def token() -> str:
    """This browser's anonymous token: from its cookie, else a fresh one (the cookie is written by save_session)."""
    if TOKEN not in st.session_state:
        st.session_state[TOKEN] = _cookie_token() or store.new_token()
    return st.session_state[TOKEN]


def _write_cookie(value: str) -> None:
    max_age = int(limits().max_age_s)
    st.html(
        "<script>document.cookie = '"
        + f"{COOKIE}={value}; path=/; max-age={max_age}; SameSite=Lax"
        + "' + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
        width="content",
    )


# ---------------------------------------------------------------- what is saved


def _state(plane_sets: bool = True) -> dict:
    spec = session.composed_spec()
    state = {"run_counter": jobs.run_counter(), "spec": spec.to_dict() if spec is not None else None,
             "live": jobs.live_handle()}  # fmt: skip
    if plane_sets:
        state["plane"] = plane_own.saved()
    return state


def _serial(trained: TrainedModel | None) -> int:
    """A number that tells trained models apart (an id() may be reused once the object is gone)."""
    if trained is None:
        return 0
    with _live_lock:
        return _serials.setdefault(trained, next(_counter))


def _fingerprints() -> dict[str, object]:
    runs = tuple(
        (run.run_id, run.state, run.history.epochs_done, len(run.history.step), id(run)) for run in jobs.runs()
    )
    small = repr(_state(plane_sets=False))  # the 2-D playground's sets by their version: no repr of every point
    return {"runs": runs, "model": _serial(session.trained_model()), "state": (small, plane_own.version())}


def _encode(part: str) -> bytes | None:
    if part == "runs":
        runs = jobs.runs()
        return store.encode_runs(runs) if runs else None
    if part == "model":
        trained = session.trained_model()
        return store.encode_model(trained) if trained is not None else None
    return store.encode_state(_state())


def _has_work() -> bool:
    return bool(jobs.runs() or session.trained_model() is not None or image_sets.saved() or plane_own.saved()
                or jobs.live_handle())  # fmt: skip


def _save(parts: list[str]) -> None:
    """Write these parts under the session's token; a problem becomes a notice, never an exception."""
    target = _store()
    if target is None:
        st.session_state[NOTICE] = "notice_save_failed"
        return
    fingerprints = _fingerprints()
    try:
        refused = target.save(token(), {part: _encode(part) for part in parts})
    except (store.StoreError, ValueError) as error:
        _log.warning("could not save the session: %s", error)
        st.session_state[NOTICE] = "notice_save_failed"
        return
    st.session_state[SAVED] = fingerprints
    st.session_state[STORED] = True
    if "model" in refused:
        st.session_state[NOTICE] = "notice_model_too_large"
    target.maybe_cleanup()


def save_session() -> None:
    """Persist what changed in this session's runs, trained model and state, and keep the browser's token cookie.

    Cheap when nothing changed (a fingerprint per part); the sidebar calls it on every run. A visitor with no run,
    model or image set yet gets no row in the store.
    """
    key = token()
    _remember_live_job(key)
    if st.session_state.get(STORED) or _has_work():
        last = st.session_state.get(SAVED, {})
        fingerprints = _fingerprints()
        changed = [part for part in store.PARTS if fingerprints[part] != last.get(part)]
        if changed:
            _save(changed)
    jobs.handle_saved(jobs.live_handle())  # offered to the store (a failure is a notice, never a rerun loop)
    with st.sidebar:
        notice = st.session_state.pop(NOTICE, None)
        if notice:
            st.caption(session.translator(CATALOGUE)(notice))
        _write_cookie(key)


def keep_image_set(own: own_data.OwnData) -> bool:
    """Keep an uploaded image set in the store under this browser's token and offer it; False when it does not fit."""
    target = _store()
    try:
        kept = target is not None and target.save_image_set(
            token(), own.dataset.name, own.title, kept_sets.to_bytes(own)
        )
    except store.StoreError as error:
        _log.warning("could not keep the image set: %s", error)
        kept = False
    if kept:
        image_sets.add(own.dataset.name, own.title)
        save_now()
    return kept


def _kept_sets(target: store.Store | None, key: str) -> dict[str, str]:
    if target is None:
        return {}
    try:
        return target.image_sets(key)
    except store.StoreError as error:
        _log.warning("could not list the image sets: %s", error)
        return {}


def save_now() -> None:
    """Save every part now (after an upload on the Models page)."""
    _save(list(store.PARTS))


# ---------------------------------------------------------------- restoring


def _remember_live_job(key: str) -> None:
    """Keep the session's running job findable by its browser's token, for a page reloaded mid-training."""
    job = jobs.current_job()
    owner, now = store.owner_key(key), time.monotonic()
    with _live_lock:
        for other, (_, seen) in list(_live.items()):
            if now - seen > LIVE_KEEP_S:  # long gone: a job finished by then was never settled, and never will be
                del _live[other]
        if job is not None and not job.settled:
            _live[owner] = (job, now)
        elif job is not None and jobs.is_recorded(job):
            _live.pop(owner, None)  # in this session's runs: a reload restores it from the store


def _live_job(key: str) -> TrainingJob | None:
    with _live_lock:
        kept = _live.get(store.owner_key(key))
    return kept[0] if kept else None


def restore_session() -> None:
    """On a session's first run, bring back the work stored under its browser's token (once per session)."""
    if st.session_state.get(RESTORED):
        return
    st.session_state[RESTORED] = True
    key = token()
    target = _store()
    try:
        parts = target.load(key) if target is not None else {}
    except store.StoreError as error:
        _log.warning("could not restore the session: %s", error)
        parts = {}
    runs = store.decode_runs(parts["runs"]) if "runs" in parts else ()
    trained = store.decode_model(parts["model"]) if "model" in parts else None
    state = store.decode_state(parts["state"]) if "state" in parts else {}
    counter = state.get("run_counter")
    image_sets.restore(_kept_sets(target, key))
    plane_own.restore(state.get("plane"))
    session.restore_spec(state.get("spec"))
    # The job still training or waiting for this browser: held by this replica, else found by its stored name (on a
    # cluster) or queued again at its place (its replica, or this server before a restart, is gone).
    live = _live_job(key) or jobs.reattach(state.get("live"), list(runs), trained)
    jobs.restore(list(runs), counter if isinstance(counter, int) else None, trained, live)
    st.session_state[SAVED] = _fingerprints()
    st.session_state[STORED] = bool(parts)
    if runs or trained is not None:
        t = session.translator(CATALOGUE)
        st.toast(t("restored", runs=len(runs)), icon=":material/history:")


def start_fresh() -> None:
    """Forget this browser's work here and on the server, and give it a new token."""
    key = token()
    jobs.forget()
    session.forget_work()
    image_sets.forget()
    plane_own.forget()
    for name in (SAVED, STORED):
        st.session_state.pop(name, None)
    target = _store()
    if target is not None:
        try:
            target.clear(key)
        except store.StoreError as error:
            _log.warning("could not clear the session: %s", error)
    with _live_lock:
        _live.pop(store.owner_key(key), None)
    st.session_state[TOKEN] = store.new_token()
    st.session_state[SAVED] = _fingerprints()


def stored_summary() -> dict[str, int]:
    """What the store holds for this browser now: parts and their bytes."""
    target = _store()
    if target is None:
        return {}
    try:
        return target.sizes(token())
    except store.StoreError:
        return {}
