"""The session's job on screen: the Train page's live panel (status, progress, curves, test metrics), its run
history, and the job's status in every page's sidebar."""

import contextlib
import logging

import streamlit as st
from streamlit.errors import StreamlitAPIException

from playground import data
from playground.figures import training as figures
from playground.text.train import CATALOGUE
from playground.training import scheduler as training
from playground.training.job import Snapshot, TrainingJob
from playground.training.runs import describe_fault, differences
from playground.ui import session, wake
from playground.ui.train import compare as lesson_compare
from playground.ui.train import jobs
from playground.ui.train import replay as replay_view

# Live panels poll their job. A few learners get a refresh every second; a class gets one every few seconds, so that
# the server redraws at most about WATCHERS_PER_S panels a second however many learners watch (20 → every 5 s).
TICK_S = 1.0
MAX_TICK_S = 5.0
WATCHERS_PER_S = 4.0
SIDEBAR_TICKS = 2  # the sidebar's job status refreshes at this multiple of the Train page's interval
PANEL = "train_panel_drawn"  # (what the live panel last drew, its figures): redrawn only when the job moved
COMPARE, OFFERED = "train_compare", "train_compare_offered"
FOCUS = "train_compare_focus"  # the lesson's comparison last put into the overlay

_log = logging.getLogger(__name__)


def tick_interval() -> float:
    """Seconds between refreshes of a live panel now: 1 s for a few watching sessions, longer for more, at most 5 s."""
    watchers = training.scheduler().watched_jobs()
    return min(MAX_TICK_S, max(TICK_S, round(2 * watchers / WATCHERS_PER_S) / 2))


def retick(declared: float) -> bool:
    """True when a panel's refresh interval is far from what the number of watchers asks for now."""
    return abs(tick_interval() - declared) >= max(1.0, declared / 2)


def duration(seconds: float, t) -> str:
    """Seconds as '1 min 05 s' (or '42 s') in the session's language."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return t("time_s", s=seconds)
    return t("time_min_s", m=seconds // 60, s=f"{seconds % 60:02d}")


def progress_text(snap: Snapshot, t) -> str:
    """'Epoch 2/5 · step 40/113 · 1,520 samples/s · about 12 s left' for a running job, else its message."""
    if snap.state not in ("running", "stopping") or not snap.steps_per_epoch:
        return message(snap, t)
    eta = t("eta", time=duration(snap.eta_s, t)) if snap.eta_s is not None else t("eta_unknown")
    if snap.state == "stopping":
        eta = t("state_stopping")
    return t(
        "progress",
        epoch=max(1, snap.epoch),
        epochs=snap.epochs,
        step=snap.step,
        steps=snap.steps_per_epoch,
        speed=f"{snap.samples_per_second:,.0f}",
        eta=eta,
    )


def message(snap: Snapshot, t) -> str:
    """The job's state as a sentence; a diverged run is explained with its likely cause and a fix."""
    key, params = snap.message
    if key == "failed_diverged" and snap.fault:
        return describe_fault(snap.fault, t)
    return t(key, **params)


def _status(snap: Snapshot, t) -> None:
    st.progress(snap.fraction, text=progress_text(snap, t))
    text = message(snap, t)
    if snap.state == "failed":
        st.error(text, icon=":material/error:")
    elif snap.state == "finished":
        st.success(text, icon=":material/check_circle:")
    elif snap.state == "stopped":
        st.warning(text, icon=":material/stop_circle:")
    elif snap.state != "running":
        st.info(text, icon=":material/hourglass_top:")


def _test_metrics(snap: Snapshot, dataset: str, t) -> None:
    if snap.test_accuracy is None:
        if snap.state in ("finished", "stopped") and not snap.settled and snap.test_loss is None:
            st.caption(t("test_pending"))
        return
    count = len(data.load(dataset).x_test) if data.is_cached(dataset) else 0
    st.markdown(f"**{t('test_heading', count=f'{count:,}')}**")
    accuracy, loss = st.columns(2)
    accuracy.metric(t("test_accuracy"), f"{snap.test_accuracy:.2%}")
    loss.metric(t("test_loss"), f"{snap.test_loss:.4f}")
    with contextlib.suppress(StreamlitAPIException):  # no Draw page in this app's navigation
        st.page_link("views/draw.py", label=t("to_draw"), icon=":material/draw:")


def _figures(snap: Snapshot, language: str, t) -> tuple:
    key = (snap.job_id, snap.version, language)
    drawn = st.session_state.get(PANEL)
    if drawn is None or drawn[0] != key:
        steps = figures.step_figure(snap.history, t) if snap.history.step else None
        epochs = figures.epoch_figure(snap.history, t) if snap.history.epoch else None
        drawn = (key, steps, epochs)
        st.session_state[PANEL] = drawn
    return drawn[1], drawn[2]


def _draw(job, t, language: str) -> None:
    job.touch()
    snap = job.snapshot()
    _status(snap, t)
    steps, epochs = _figures(snap, language, t)
    if steps is not None:
        st.markdown(f"**{t('curves_step')}**")
        st.plotly_chart(steps, key="train_chart_steps")
    if epochs is not None:
        st.markdown(f"**{t('curves_epoch')}**")
        st.plotly_chart(epochs, key="train_chart_epochs")
    _test_metrics(snap, job.request.settings.dataset, t)


def live_panel(t, language: str) -> None:
    """Status, progress and curves of the session's job, redrawn while it runs: every second for a few watching
    learners, less often for a class (tick_interval); at once when a background tab is shown again."""
    declared = tick_interval() if jobs.is_live(jobs.current_job()) else None

    @st.fragment(run_every=declared)
    def panel() -> None:
        job = jobs.current_job()
        if job is None:
            st.info(t("no_run"), icon=":material/play_circle:")
            return
        try:
            _draw(job, t, language)
        except Exception:  # one bad tick must not put an error box where the curves were: the next tick redraws
            _log.exception("live panel tick failed")
            st.caption(t("panel_retry"))
        if declared is not None:
            wake.on_visible("train_wake")
            if job.done:  # the job just ended: a full script run settles it, redraws the page and stops ticking
                st.rerun()
            if retick(declared) or jobs.handle_unsaved():  # a new refresh interval; a handle for the session store
                st.rerun()

    panel()


def replay_panel() -> None:
    """The finished run's replay, under its curves: how its filters, the probe's maps and prediction changed."""
    job = jobs.current_job()
    if job is None or not job.done or job.result is None or job.result.replay is None:
        return
    dataset = job.request.settings.dataset
    names = data.load(dataset).class_names if data.is_cached(dataset) else ()
    replay_view.panel(job.result.replay, job.snapshot().history, names, "train")


def _select_new_runs(run_ids: list[int]) -> None:
    # Every new run joins the comparison once; the learner's own removals are kept.
    offered = st.session_state.setdefault(OFFERED, set())
    new = [run_id for run_id in run_ids if run_id not in offered]
    chosen = [run_id for run_id in st.session_state.get(COMPARE, []) if run_id in run_ids]
    if new or len(chosen) != len(st.session_state.get(COMPARE, [])):
        st.session_state[COMPARE] = chosen + new
        offered.update(new)
    # A lesson's comparison, once each of its models has a run: exactly those runs, again whenever one is retrained.
    focus = lesson_compare.focus()
    if focus and focus != st.session_state.get(FOCUS):
        st.session_state[COMPARE] = st.session_state[FOCUS] = focus


def run_history(t) -> None:
    """The session's runs: overlay chosen runs' curves, and a table of what differed between them."""
    st.subheader(t("history"))
    records = jobs.runs()
    if not records:
        st.caption(t("no_runs"))
        return
    st.caption(t("history_text"))
    models = lesson_compare.run_models(records)  # a lesson's compared runs are named by their model too
    labels = {r.run_id: " · ".join((t("run", id=r.run_id), *models.get(r.run_id, ()))) for r in records}
    _select_new_runs(list(labels))
    chosen_ids = st.multiselect(t("compare"), list(labels), format_func=labels.get, key=COMPARE)
    chosen = [record for record in records if record.run_id in chosen_ids]
    if not chosen:
        return
    metrics = ["val_accuracy", "accuracy", "val_loss", "loss"]
    metric = (
        st.segmented_control(
            t("overlay_metric"), metrics, default="val_accuracy", format_func=t, key="train_overlay_metric"
        )
        or "val_accuracy"
    )
    st.plotly_chart(figures.overlay_figure(chosen, metric, t, labels), key="train_chart_overlay")
    st.markdown(f"**{t('differed')}**")
    rows = [
        {t("setting"): t(key), **{labels[r.run_id]: v for r, v in zip(chosen, values, strict=True)}}
        for key, values in differences(chosen, t)
    ]
    st.dataframe(rows, hide_index=True, width="stretch")


def _status_line(job: TrainingJob, t, live_here: bool = False) -> None:
    job.touch()
    snap = job.snapshot()
    st.markdown(f"**{t('sidebar_title')}** · {t('run', id=snap.run_id)}")
    if live_here:  # this status would not move while the page's own panel does: point there instead
        st.caption(t("sidebar_here"))
        return
    line = t(
        "sidebar_line", state=t("name_" + snap.state), epoch=max(1, min(snap.epoch, snap.epochs)), epochs=snap.epochs
    )
    st.progress(snap.fraction, text=line)


def sidebar_status(ticking: bool = True) -> None:
    """A compact status of the session's job in the sidebar, on every page; refreshed while it runs when `ticking`
    (the Train page's own panel refreshes instead)."""
    job = jobs.current_job()
    if job is None:
        return
    t = session.translator(CATALOGUE)
    live = jobs.is_live(job)
    declared = SIDEBAR_TICKS * tick_interval() if live and ticking else None

    @st.fragment(run_every=declared)
    def status() -> None:
        try:
            _status_line(job, t, live_here=live and not ticking)
        except Exception:  # a bad tick must not leave an error box in the sidebar: the next one redraws
            _log.exception("sidebar status tick failed")
        if declared is not None:
            wake.on_visible("sidebar_wake")
            if job.done:  # a full script run settles it
                st.rerun()

    with st.sidebar:
        status()
        if ticking:  # on the Train page itself the link would lead nowhere
            st.page_link("views/train.py", label=t("sidebar_open"), icon=":material/model_training:")
