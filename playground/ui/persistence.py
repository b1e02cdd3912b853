"""Work that survives a refresh: the browser's token cookie, restoring and saving a session, and uploaded image sets.

The browser keeps an anonymous token in a first-party cookie (written by a one-line script; Streamlit reads
cookies when the page connects). The first script run of every new session restores the runs, the trained model,
the run counter, the model being composed and the image sets stored under that token; the sidebar saves whatever
changed after every run. A job still training when the page was reloaded is picked up again by the new session.
"""

import contextlib
import itertools
import logging
import sqlite3
import threading
import time
import weakref
from dataclasses import replace

import streamlit as st

from playground import bundle, store
from playground.bundle import TrainedModel
from playground.data import own as own_data
from playground.text.common import CATALOGUE as COMMON
from playground.text.models import CATALOGUE
from playground.training.job import TrainingJob
from playground.training.runs import RunRecord
from playground.ui import session

COOKIE = "dlp_session"
TOKEN = "persist_token"
RESTORED = "persist_restored"
SAVED = "persist_saved"  # the fingerprint of each part as last saved
STORED = "persist_stored"  # True once the store holds something of this session
DATASETS = "persist_datasets"  # {name: title} of the session's uploaded image sets
NOTICE = "persist_notice"  # a problem to show once in the sidebar
LIVE_KEEP_S = 3600.0  # a job that went on without its page is kept this long for the next page of its browser

_log = logging.getLogger(__name__)
_live: dict[str, tuple[object, float]] = {}  # owner key -> (its browser's latest job, when it was last seen)
_live_lock = threading.Lock()
_serials: "weakref.WeakKeyDictionary[TrainedModel, int]" = weakref.WeakKeyDictionary()
_counter = itertools.count(1)


def _jobs():
    """The training jobs module, or None where it is not installed (persistence must not break the app)."""
    try:
        from playground.ui import jobs

        return jobs
    except ImportError:
        return None


def _store() -> store.Store | None:
    try:
        return store.default_store()
    except (OSError, sqlite3.Error) as error:
        _log.warning("session store unavailable: %s", error)
        return None


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
    max_age = int(store.Limits.from_env().max_age_s)
    st.html(
        "<script>document.cookie = '"
        + f"{COOKIE}={value}; path=/; max-age={max_age}; SameSite=Lax"
        + "' + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
        width="content",
    )


# ---------------------------------------------------------------- what is saved


def _runs() -> list[RunRecord]:
    jobs = _jobs()
    return list(st.session_state.get(jobs.RUNS, [])) if jobs else []


def stored_runs() -> list[RunRecord]:
    """The session's runs (the ones kept for this browser), oldest first."""
    return _runs()


def session_datasets() -> dict[str, str]:
    """The session's uploaded image sets still on this server: {dataset name: title}."""
    return {name: title for name, title in st.session_state.get(DATASETS, {}).items() if own_data.exists(name)}


def _state() -> dict:
    jobs = _jobs()
    spec = st.session_state.get(session.SPEC)
    return {
        "run_counter": int(st.session_state.get(jobs.RUN_COUNTER, 0)) if jobs else 0,
        "spec": spec.to_dict() if spec is not None else None,
        "datasets": dict(st.session_state.get(DATASETS, {})),
    }


def _serial(trained: TrainedModel | None) -> int:
    """A number that tells trained models apart (an id() may be reused once the object is gone)."""
    if trained is None:
        return 0
    with _live_lock:
        return _serials.setdefault(trained, next(_counter))


def _fingerprints() -> dict[str, object]:
    runs = tuple((run.run_id, run.state, run.history.epochs_done, len(run.history.step), id(run)) for run in _runs())
    return {"runs": runs, "model": _serial(session.trained_model()), "state": repr(_state())}


def _encode(part: str) -> bytes | None:
    if part == "runs":
        runs = _runs()
        return store.encode_runs(runs) if runs else None
    if part == "model":
        trained = session.trained_model()
        return store.encode_model(trained) if trained is not None else None
    return store.encode_state(_state())


def _has_work() -> bool:
    return bool(_runs() or session.trained_model() is not None or st.session_state.get(DATASETS))


def _save(parts: list[str]) -> None:
    """Write these parts under the session's token; a problem becomes a notice, never an exception."""
    target = _store()
    if target is None:
        st.session_state[NOTICE] = "notice_save_failed"
        return
    fingerprints = _fingerprints()
    try:
        refused = target.save(token(), {part: _encode(part) for part in parts})
    except (OSError, sqlite3.Error, ValueError) as error:
        _log.warning("could not save the session: %s", error)
        st.session_state[NOTICE] = "notice_save_failed"
        return
    st.session_state[SAVED] = fingerprints
    st.session_state[STORED] = True
    if "model" in refused:
        st.session_state[NOTICE] = "notice_model_too_large"
    if target.maybe_cleanup():
        own_data.cleanup(target.limits.max_age_s)


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
    with st.sidebar:
        notice = st.session_state.pop(NOTICE, None)
        if notice:
            st.caption(session.translator(CATALOGUE)(notice))
        _write_cookie(key)


def save_now() -> None:
    """Save every part now (after an upload on the Models page)."""
    _save(list(store.PARTS))


# ---------------------------------------------------------------- restoring


def _adopt_job(job) -> None:
    """Make job the session's current job, already in its run history."""
    jobs = _jobs()
    if job.session_probe is not None:  # a job followed into a reloaded page: this session now keeps it alive
        job.session_probe = jobs.session_probe()
    st.session_state[jobs.JOB] = job
    st.session_state.setdefault(jobs.RECORDED, set()).add(job.id)


def _remember_live_job(key: str) -> None:
    """Keep the session's running job findable by its browser's token, for a page reloaded mid-training."""
    jobs = _jobs()
    job = jobs.current_job() if jobs else None
    owner, now = store.owner_key(key), time.monotonic()
    with _live_lock:
        for other, (_, seen) in list(_live.items()):
            if now - seen > LIVE_KEEP_S:  # long gone: a job finished by then was never collected, and never will be
                del _live[other]
        if job is not None and not job.settled:
            _live[owner] = (job, now)
        elif job is not None and job.id in st.session_state.get(jobs.RECORDED, ()):
            _live.pop(owner, None)  # collected into this session's runs: a reload restores it from the store


def _live_job(key: str):
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
    except (OSError, sqlite3.Error) as error:
        _log.warning("could not restore the session: %s", error)
        parts = {}
    jobs = _jobs()
    runs = store.decode_runs(parts["runs"]) if "runs" in parts else ()
    trained = store.decode_model(parts["model"]) if "model" in parts else None
    state = store.decode_state(parts["state"]) if "state" in parts else {}
    _apply_state(state)
    if jobs is not None and runs:
        st.session_state[jobs.RUNS] = list(runs)
    if trained is not None:
        session.set_trained_model(trained)
    if jobs is not None:
        _restore_job(jobs, key, runs, trained)
    st.session_state[SAVED] = _fingerprints()
    st.session_state[STORED] = bool(parts)
    if runs or trained is not None:
        t = session.translator(CATALOGUE)
        st.toast(t("restored", runs=len(runs)), icon=":material/history:")


def _apply_state(state: dict) -> None:
    from playground import spec as specs

    jobs = _jobs()
    counter = state.get("run_counter")
    if jobs is not None and isinstance(counter, int):
        st.session_state[jobs.RUN_COUNTER] = counter
    datasets = state.get("datasets")
    if isinstance(datasets, dict):
        kept = {str(name): str(title) for name, title in datasets.items() if own_data.exists(str(name))}
        for name in kept:
            own_data.touch(name)
        st.session_state[DATASETS] = kept
    linked = any(name in st.query_params for name in ("preset", "model"))
    if state.get("spec") and not linked and session.SPEC not in st.session_state:
        with contextlib.suppress(specs.SpecError):
            st.session_state[session.SPEC] = specs.from_dict(state["spec"])


def _restore_job(jobs, key: str, runs: tuple[RunRecord, ...], trained: TrainedModel | None) -> None:
    live = _live_job(key)
    if live is not None:  # the page was reloaded while this job trained: follow it again
        st.session_state[jobs.JOB] = live
        st.session_state[jobs.RUN_COUNTER] = max(st.session_state.get(jobs.RUN_COUNTER, 0), live.run_id)
        return
    run_id = trained.metadata.get("run_id") if trained is not None else None
    record = next((run for run in runs if run.run_id == run_id), None)
    if record is not None and record.spec == trained.spec:
        with contextlib.suppress(Exception):  # a changed job API: the model is restored, only Continue is lost
            _adopt_job(TrainingJob.restored(record, trained))


# ---------------------------------------------------------------- what the Models page changes


def use_trained_model(trained: TrainedModel) -> int | None:
    """Make an uploaded model the session's: for the Draw page, a run in the history, and continuable on Train.

    Returns its run number, or None when a job is training (the upload must wait for it).
    """
    jobs = _jobs()
    if jobs is not None and jobs.active_job() is not None:
        return None
    run_id = None
    if jobs is not None:
        run_id = st.session_state.get(jobs.RUN_COUNTER, 0) + 1
        st.session_state[jobs.RUN_COUNTER] = run_id
        test = trained.metadata
        record = RunRecord(run_id, trained.spec, bundle.train_settings(trained), trained.history,
                           "finished", _number(test.get("test_loss")), _number(test.get("test_accuracy")))  # fmt: skip
        trained = replace(trained, metadata={**trained.metadata, "run_id": run_id})
        runs = [run for run in _runs() if run.run_id != run_id] + [record]
        st.session_state[jobs.RUNS] = runs[-getattr(jobs, "MAX_RUNS", 30) :]
        with contextlib.suppress(Exception):
            _adopt_job(TrainingJob.restored(record, trained))
    session.set_trained_model(trained)
    try:
        from playground.ui import layer_editor

        layer_editor.replace_spec(trained.spec)  # the Build page's widgets follow
    except ImportError:
        session.set_spec(trained.spec)
    save_now()
    return run_id


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def add_dataset(own: own_data.OwnData) -> str:
    """Keep an uploaded image set on the server and list it among the session's datasets; returns its name."""
    own_data.save(own)
    datasets = dict(st.session_state.get(DATASETS, {}))
    datasets[own.dataset.name] = own.title
    st.session_state[DATASETS] = datasets
    save_now()
    return own.dataset.name


def dataset_title(name: str, language: str | None = None) -> str:
    """A dataset's name for people: the catalogue's for a registered one, '<title> (your images)' for an upload."""
    language = language or session.language()
    if own_data.is_own(name):
        title = st.session_state.get(DATASETS, {}).get(name) or own_data.title_of(name)
        return CATALOGUE.text(language, "own_dataset_label", title=title)
    if ("dataset_" + name) in COMMON.languages["en"]:
        return COMMON.text(language, "dataset_" + name)
    return name


def start_fresh() -> None:
    """Forget this browser's work here and on the server, and give it a new token."""
    jobs = _jobs()
    key = token()
    if jobs is not None:
        with contextlib.suppress(Exception):
            jobs.stop()
        for name in (jobs.JOB, jobs.RUNS, jobs.RECORDED, jobs.RUN_COUNTER):
            st.session_state.pop(name, None)
    for name in (session.TRAINED, session.SPEC, DATASETS, SAVED, STORED):
        st.session_state.pop(name, None)
    target = _store()
    if target is not None:
        with contextlib.suppress(OSError, sqlite3.Error):
            target.clear(key)
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
    except (OSError, sqlite3.Error):
        return {}
