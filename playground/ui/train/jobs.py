"""The session's training: its current job, run history and run counter; start, stop, continue, reset, settle.

The job itself runs in a worker (playground.training); this module keeps a handle to it in st.session_state, so
training goes on while the learner visits other pages. It is the only module that reads or writes these keys
(playground/ui/state.py): persistence and the Models page save, restore and add runs through its functions.
"""

import threading
import time
from dataclasses import replace

import streamlit as st

from playground.bundle import TrainedModel
from playground.spec import ModelSpec
from playground.spec import from_dict as spec_from_dict
from playground.training import outcome
from playground.training import scheduler as training
from playground.training.job import TrainingJob
from playground.training.limits import JobRejected, Limits
from playground.training.runs import FitRequest, RunRecord, TrainSettings
from playground.ui import session

JOB = "train_job"
RUNS = "train_runs"
RECORDED = "train_recorded"  # ids of the jobs already in the run history
RUN_COUNTER = "train_run_counter"
LOCK = "train_lock"
SAVED_HANDLE = "train_saved_handle"  # the live_handle() last kept with the session (persistence says so)
MAX_RUNS = 30  # the run history keeps this many runs per session
SETTLE_WAIT_S = 5.0  # how long a new Start waits for the previous run's result, which follows its finish


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


# ---------------------------------------------------------------- the current job


def current_job() -> TrainingJob | None:
    """The session's latest job, running or not, or None."""
    return st.session_state.get(JOB)


def active_job() -> TrainingJob | None:
    """The session's job while it is queued, starting, running or stopping; else None."""
    job = current_job()
    return job if job is not None and job.active else None


def _recorded() -> set[int]:
    return st.session_state.setdefault(RECORDED, set())


def is_live(job: TrainingJob | None) -> bool:
    """True until the job's outcome is in the run history: while it can still change, and from its end until the
    next script run settles it (a live panel reruns the page then)."""
    return job is not None and not (job.done and job.id in _recorded())


def is_recorded(job: TrainingJob) -> bool:
    """True when the job's outcome is in the session's run history."""
    return job.id in _recorded()


def _submit(job: TrainingJob) -> TrainingJob:
    training.scheduler().submit(job)
    st.session_state[JOB] = job
    return job


def start(spec: ModelSpec, settings: TrainSettings) -> TrainingJob | None:
    """Start a new run, or None when the session's job is still active (a double click starts one job)."""
    with _lock():
        if active_job() is not None:
            return None
        _settle_previous()
        run_id = run_counter() + 1
        job = _submit(TrainingJob(FitRequest(spec, settings), run_id=run_id, session_probe=session_probe()))
        st.session_state[RUN_COUNTER] = run_id  # only once the server took the job
        return job


def _settle_previous() -> None:
    """Record the last run before a new one replaces it as the current job: a Start pressed as soon as the page
    shows the finish can come before the script run that settles it (its result may be a moment behind)."""
    job = current_job()
    if job is not None and not job.active and not is_recorded(job):
        if not job.done:
            job.wait(SETTLE_WAIT_S)
        settle()


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
    """Train the last run's model for more epochs from its weights and optimizer state; None if it cannot (also
    while its outcome is not yet in the run history, which the script run that shows Continue has settled)."""
    with _lock():
        job = current_job()
        if job is None or job.active or job.result is None or not is_recorded(job):
            return None
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


# ---------------------------------------------------------------- the run history


def runs() -> list[RunRecord]:
    """Every run of this session, oldest first."""
    return list(st.session_state.get(RUNS, []))


def run_counter() -> int:
    """The number of the session's latest run (0 before any)."""
    return st.session_state.get(RUN_COUNTER, 0)


def _keep(record: RunRecord) -> None:
    """Put a record into the run history, replacing an earlier record of the same run (a continued run)."""
    history = [run for run in runs() if run.run_id != record.run_id] + [record]
    st.session_state[RUNS] = history[-MAX_RUNS:]


def settle() -> RunRecord | None:
    """Move a finished job into the run history and, when it has weights, make it the session's trained model;
    returns the new record. Called once per script run, by the router before the page (app.py)."""
    job = current_job()
    if job is None or not job.done or is_recorded(job):
        return None
    _recorded().add(job.id)
    record = job.record()
    _keep(record)
    if job.result is not None and job.result.weights:
        session.set_trained_model(outcome.trained_model(job.request, job.result, record.history, job.run_id))
    return record


# ---------------------------------------------------------------- what persistence and uploads bring back


def _adopt(job: TrainingJob, recorded: bool) -> None:
    """Make a job the session's current one; `recorded` when its run is in the run history already."""
    st.session_state[JOB] = job
    st.session_state[RUN_COUNTER] = max(run_counter(), job.run_id)
    if recorded:
        _recorded().add(job.id)


def restore(
    records: list[RunRecord], counter: int | None, trained: TrainedModel | None, live: TrainingJob | None
) -> None:
    """Bring back a stored session: its runs, run counter and trained model, and as its current job either the job
    still running for this browser (`live`, from a page reloaded mid-training) or the trained model's finished run."""
    if records:
        st.session_state[RUNS] = list(records)[-MAX_RUNS:]
    if counter is not None:
        st.session_state[RUN_COUNTER] = counter
    if trained is not None:
        session.set_trained_model(trained)
    if live is not None:  # the page was reloaded while this job trained: follow it again
        if live.session_probe is not None:  # this session now keeps it alive
            live.session_probe = session_probe()
        _adopt(live, recorded=False)  # settled by the next settle() once it ends
        return
    finished = _stored_run(records, trained)
    if finished is not None:
        _adopt(finished, recorded=True)


def _stored_run(records: list[RunRecord], trained: TrainedModel | None) -> TrainingJob | None:
    """The trained model's own run as a settled job (Continue trains it on), or None when no stored run of that
    number has the model's spec."""
    run_id = trained.metadata.get("run_id") if trained is not None else None
    record = next((run for run in records if run.run_id == run_id), None)
    if record is None or record.spec != trained.spec:
        return None
    return TrainingJob.restored(record, trained)


def live_handle() -> dict | None:
    """What a reload served elsewhere needs to take up the session's job, kept with the session: {"handle",
    "run_id"} while it trains where another replica can re-attach to it (a Ray actor); {"queued", "run_id"} while it
    waits for a slot (its settings, model and Start time: another replica, or this server restarted, queues it again
    at its place); else None."""
    job = active_job()
    if job is None:
        return None
    if job.worker is not None:
        handle = job.worker.handle
        return {"handle": handle, "run_id": job.run_id} if handle else None
    if job.state != "queued":
        return None
    request = job.request
    waiting = {"spec": request.spec.to_dict(), "settings": request.settings.to_dict(),
               "continues": request.initial_epoch > 0, "submitted": job.submitted}  # fmt: skip
    return {"queued": waiting, "run_id": job.run_id}


def handle_saved(live: dict | None) -> None:
    """Note that this live_handle() is kept with the session now (persistence saved it)."""
    st.session_state[SAVED_HANDLE] = live


def handle_unsaved() -> bool:
    """True when the session's live_handle() differs from the one kept with the session (a queued job that began
    between two full script runs): a full run saves it."""
    return live_handle() != st.session_state.get(SAVED_HANDLE)


def reattach(live: object, records: list[RunRecord], trained: TrainedModel | None = None) -> TrainingJob | None:
    """The job another replica (or this server before a restart) had for this browser, from a stored live_handle():
    followed here when it trains, queued here again when it waited; None when there is none, it has ended, or it
    cannot be taken up."""
    if not isinstance(live, dict):
        return None
    run_id = live.get("run_id")
    run_id = run_id if isinstance(run_id, int) and run_id > 0 else 0
    if isinstance(live.get("handle"), str):
        earlier = next((run.history for run in records if run.run_id == run_id), None)
        return training.scheduler().reattach(live["handle"], earlier, run_id, session_probe())
    if isinstance(live.get("queued"), dict) and run_id:
        return _queue_again(live["queued"], run_id, records, trained)
    return None


def _queue_again(waiting: dict, run_id: int, records: list[RunRecord], trained: TrainedModel | None):
    """The waiting job rebuilt from its stored settings (a Continue from the stored model of its run) and queued at
    its Start's place; None when it cannot be rebuilt, its Start is older than a job may run, or the server refuses
    it."""
    try:
        settings = TrainSettings.from_dict(waiting["settings"])
        now = time.time()
        submitted = min(float(waiting["submitted"]), now)
        if now - submitted > limits().max_wall_s:  # a Start that long ago was left (its page closed), not lost
            return None
        if waiting.get("continues"):
            finished = _stored_run(records, trained)
            if finished is None or finished.run_id != run_id:
                return None  # the model it went on from is not the stored one
            job = training.continuation(finished, settings.epochs, session_probe())
        else:
            request = FitRequest(spec_from_dict(waiting["spec"]), settings)
            job = TrainingJob(request, run_id=run_id, session_probe=session_probe())
        job.submitted = submitted
        return training.scheduler().submit(job)
    except (AttributeError, KeyError, TypeError, ValueError, JobRejected):  # kept by another version; too big here
        return None


def adopt_model(trained: TrainedModel) -> TrainedModel | None:
    """Make an uploaded model the session's next run: in the run history, the trained model, and continuable on the
    Train page. Returns it numbered as that run, or None while a job is training (the upload must wait)."""
    with _lock():
        if active_job() is not None:
            return None
        run_id = run_counter() + 1
        trained = replace(trained, metadata={**trained.metadata, "run_id": run_id})
        record = outcome.run_record(trained, run_id)
        _keep(record)
        _adopt(TrainingJob.restored(record, trained), recorded=True)
        session.set_trained_model(trained)
        return trained


def forget() -> None:
    """Stop the session's job and forget it, the run history and the run counter (Start fresh)."""
    stop()
    for key in (JOB, RUNS, RECORDED, RUN_COUNTER, SAVED_HANDLE):
        st.session_state.pop(key, None)
