"""A job still waiting for a slot when its server went (a replica that died, a server restarted) is not lost: the
reload, served by another server, queues it again from what the session store kept, at the place of its Start."""

import time

import numpy as np
import pytest

from playground import bundle, presets, store
from playground.training import scheduler as training
from playground.training.job import TrainingJob
from playground.training.limits import Limits
from playground.training.runs import FitRequest, TrainSettings
from playground.ui import persistence
from playground.ui.train import jobs
from tests.ui.test_models_page import browser_session, upload

TRAIN = "views/train.py"


def server() -> training.Scheduler:
    """A new process-wide scheduler that starts nothing (every job waits): the old one is shut down, as a server
    that went away, and what it held in memory is forgotten."""
    made = training.configure(Limits(max_running=0, cores=2, spare="off"))
    persistence._live.clear()
    return made


@pytest.fixture(autouse=True)
def first_server():
    made = server()
    yield made
    training.scheduler().shutdown()  # the last server() the test made


def stored_live(token: str) -> dict | None:
    return store.decode_state(store.default_store().load(token)["state"]).get("live")


def test_a_waiting_start_is_queued_again_at_its_place_on_the_next_server_and_can_be_stopped_there():
    token = store.new_token()
    app = browser_session(token, TRAIN)
    app.session_state["spec"] = presets.preset("logistic")
    app.number_input(key="train_epochs").set_value(2).run()
    app.button(key="train_start").click().run()
    assert not app.exception
    waiting = app.session_state[jobs.JOB]
    assert waiting.state == "queued" and waiting.run_id == 1
    kept = stored_live(token)
    assert kept["run_id"] == 1 and kept["queued"]["settings"]["epochs"] == 2 and not kept["queued"]["continues"]

    other = server()  # the server that queued it is gone; another learner pressed Start there after ours
    later = other.submit(TrainingJob(FitRequest(presets.preset("logistic"), TrainSettings(epochs=1))))
    again = browser_session(token, TRAIN)
    job = again.session_state[jobs.JOB]
    assert job is not waiting and job.state == "queued" and job.run_id == 1
    assert job.request == waiting.request and job.submitted == waiting.submitted
    assert (other.queue_position(job), other.queue_position(later)) == (1, 2)  # its place: before the later Start
    assert "Queued: position 1 of 2" in again.info[0].value
    assert again.button(key="train_start").disabled

    again.button(key="train_stop").click().run()
    assert not again.exception
    assert job.state == "stopped" and other.queue_position(later) == 1
    assert stored_live(token) is None  # nothing left to take up


def test_a_waiting_continue_is_queued_again_from_the_stored_model_of_its_run(trained):
    token = store.new_token()
    app = upload(browser_session(token), "models_upload_bundle", "model.zip", bundle.to_bytes(trained))
    app.switch_page(TRAIN).run()
    app.number_input(key="train_more").set_value(3).run()
    app.button(key="train_continue").click().run()
    assert not app.exception
    waiting = app.session_state[jobs.JOB]
    assert waiting.state == "queued" and stored_live(token)["queued"]["continues"]

    other = server()
    job = browser_session(token, TRAIN).session_state[jobs.JOB]
    assert job is not waiting and job.state == "queued" and other.queue_position(job) == 1
    assert (job.run_id, job.request.initial_epoch, job.request.settings.epochs) == (1, 2, 3)
    assert job.snapshot().history.epoch == [1, 2]  # the run's curves, which the Continue goes on from
    for restored, original in zip(job.request.weights + job.request.optimizer_state,
                                  waiting.request.weights + waiting.request.optimizer_state, strict=True):  # fmt: skip
        np.testing.assert_array_equal(restored, original)


@pytest.mark.parametrize(
    "live",
    [
        "old",  # a Start longer ago than a job may run: its page was left, the job was not lost
        {"queued": {"settings": "epochs=2"}, "run_id": 1},  # kept by another version
        {"queued": {"spec": {"layers": []}, "settings": {}, "submitted": 0}, "run_id": 1},
        {"queued": [], "run_id": 1},
        # a Continue whose run has no stored model to go on from
        {"queued": {"spec": {}, "settings": {"epochs": 2}, "continues": True, "submitted": time.time()}, "run_id": 1},
        {"handle": 3, "run_id": 1},
    ],
)
def test_what_cannot_be_taken_up_again_is_left_and_the_page_works(live):
    token = store.new_token()
    app = browser_session(token, TRAIN)
    app.session_state["spec"] = presets.preset("logistic")
    app.button(key="train_start").click().run()
    state = store.decode_state(store.default_store().load(token)["state"])
    if live == "old":
        state["live"]["queued"]["submitted"] = time.time() - training.scheduler().limits.max_wall_s - 60
    else:
        state["live"] = live
    store.default_store().save(token, {"state": store.encode_state(state)})

    other = server()
    again = browser_session(token, TRAIN)
    assert jobs.JOB not in again.session_state and other.queue_length() == 0
    assert not again.button(key="train_start").disabled
