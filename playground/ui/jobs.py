"""The session's training job and run history: start, stop, continue, reset, heartbeat, and the sidebar status.

The job itself runs in a worker process (playground.training); this module keeps a handle to it in
st.session_state, so training goes on while the learner visits other pages.
"""

import logging
import threading

import streamlit as st

from playground.spec import ModelSpec
from playground.text.train import CATALOGUE
from playground.training import outcome
from playground.training import scheduler as training
from playground.training.job import TrainingJob
from playground.training.limits import Limits
from playground.training.runs import FitRequest, RunRecord, TrainSettings
from playground.ui import session, wake

JOB = "train_job"
RUNS = "train_runs"
RECORDED = "train_recorded"  # ids of the jobs already in the run history
RUN_COUNTER = "train_run_counter"
LOCK = "train_lock"
_log = logging.getLogger(__name__)
MAX_RUNS = 30  # the run history keeps this many runs per session
# Live panels poll their job. A few learners get a refresh every second; a class gets one every few seconds, so that
# the server redraws at most about WATCHERS_PER_S panels a second however many learners watch (20 → every 5 s).
TICK_S = 1.0
MAX_TICK_S = 5.0
WATCHERS_PER_S = 4.0
SIDEBAR_TICKS = 2  # the sidebar's job status refreshes at this multiple of the Train page's interval


def _lock() -> threading.Lock:
    return st.session_state.setdefault(LOCK, threading.Lock())


def session_probe():
    """() -> True while this browser session is connected, judged by the server; None outside `streamlit run`.

    A job adopted by another session (a reloaded page) should get that session's probe.
    """
    try:
        from streamlit.runtime import Runtime
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

        context = get_script_run_ctx(suppress_warning=True)
        if context is None or not Runtime.exists():
            return None
        runtime, session_id = Runtime.instance(), context.session_id
        return lambda: runtime.is_active_session(session_id)
    except Exception:  # an internal API that moved: fall back to the page heartbeat alone
        return None


def limits() -> Limits:
    """The server's training limits (cap, epoch and time budgets)."""
    return training.scheduler().limits


def prewarm() -> None:
    """Have a worker process import TensorFlow ahead of the next Start (when memory allows)."""
    training.scheduler().prewarm()


def tick_interval() -> float:
    """Seconds between refreshes of a live panel now: 1 s for a few watching sessions, longer for more, at most 5 s."""
    watchers = training.scheduler().watched_jobs()
    return min(MAX_TICK_S, max(TICK_S, round(2 * watchers / WATCHERS_PER_S) / 2))


def retick(declared: float) -> bool:
    """True when a panel's refresh interval is far from what the number of watchers asks for now."""
    return abs(tick_interval() - declared) >= max(1.0, declared / 2)


def current_job() -> TrainingJob | None:
    """The session's latest job, running or not, or None."""
    return st.session_state.get(JOB)


def active_job() -> TrainingJob | None:
    """The session's job while it is queued, starting, running or stopping; else None."""
    job = current_job()
    return job if job is not None and job.active else None


def _submit(job: TrainingJob) -> TrainingJob:
    training.scheduler().submit(job)
    st.session_state[JOB] = job
    return job


def start(spec: ModelSpec, settings: TrainSettings) -> TrainingJob | None:
    """Start a new run, or None when the session's job is still active (a double click starts one job)."""
    with _lock():
        if active_job() is not None:
            return None
        run_id = st.session_state.get(RUN_COUNTER, 0) + 1
        job = _submit(TrainingJob(FitRequest(spec, settings), run_id=run_id, session_probe=session_probe()))
        st.session_state[RUN_COUNTER] = run_id  # only once the server took the job
        return job


def can_continue(spec: ModelSpec) -> bool:
    """True when the last run ended with weights and the model (with its optimizer) is unchanged since."""
    job = current_job()
    return (
        job is not None
        and job.done
        and job.result is not None
        and bool(job.result.weights)
        and job.state in ("finished", "stopped")
        and job.request.spec == spec
    )


def continue_run(extra_epochs: int) -> TrainingJob | None:
    """Train the last run's model for more epochs from its weights and optimizer state; None if it cannot."""
    with _lock():
        job = current_job()
        if job is None or job.active or job.result is None:
            return None
        collect()
        return _submit(training.continuation(job, extra_epochs, session_probe=session_probe()))


def stop() -> None:
    """Stop the session's job (a queued one is cancelled)."""
    job = active_job()
    if job is not None:
        job.stop("user")


def reset() -> None:
    """Stop the session's job and forget its curves; the run history stays."""
    stop()
    st.session_state.pop(JOB, None)


def touch() -> None:
    """Heartbeat: the session is still looking at its job."""
    job = current_job()
    if job is not None:
        job.touch()


def runs() -> list[RunRecord]:
    """Every run of this session, oldest first."""
    return list(st.session_state.get(RUNS, []))


def collect() -> bool:
    """Put a settled job into the run history (a continued run replaces its earlier record) and, when it has
    weights, make it the session's trained model. True when something new was recorded."""
    job = current_job()
    recorded = st.session_state.setdefault(RECORDED, set())
    if job is None or not job.done or job.id in recorded:
        return False
    recorded.add(job.id)
    record = job.record()
    history = [run for run in runs() if run.run_id != record.run_id] + [record]
    st.session_state[RUNS] = history[-MAX_RUNS:]
    if job.result is not None and job.result.weights:
        session.set_trained_model(outcome.trained_model(job.request, job.result, record.history, job.run_id))
    return True


def is_live(job: TrainingJob | None) -> bool:
    """True while the job's outcome can still change."""
    return job is not None and not job.done


def _status_line(job: TrainingJob, t) -> None:
    job.touch()
    snap = job.snapshot()
    st.markdown(f"**{t('sidebar_title')}** · {t('run', id=snap.run_id)}")
    line = t(
        "sidebar_line", state=t("name_" + snap.state), epoch=max(1, min(snap.epoch, snap.epochs)), epochs=snap.epochs
    )
    st.progress(snap.fraction, text=line)


def sidebar_status(ticking: bool = True) -> None:
    """A compact status of the session's job in the sidebar, on every page; refreshed while it runs when `ticking`
    (the Train page's own panel refreshes instead)."""
    collect()
    job = current_job()
    if job is None:
        return
    t = session.translator(CATALOGUE)
    live = is_live(job)
    declared = SIDEBAR_TICKS * tick_interval() if live and ticking else None

    @st.fragment(run_every=declared)
    def status() -> None:
        try:
            _status_line(job, t)
        except Exception:  # a bad tick must not leave an error box in the sidebar: the next one redraws
            _log.exception("sidebar status tick failed")
        if declared is not None:
            wake.on_visible("sidebar_wake")
            if job.done:
                collect()
                st.rerun()

    with st.sidebar:
        status()
        st.page_link("views/train.py", label=t("sidebar_open"), icon=":material/model_training:")
