"""Two real app replicas behind nginx, jobs on a loopback Ray head, sessions in a loopback PostgreSQL: a learner
trains, reloads, loses the replica that served it, reloads again — and finds the runs, the trained model and the
still-running job with its live curves on the other replica."""

import os
import re
import signal
import tempfile

import pytest

from scripts import app_server, services
from tests.cluster_services import require_service
from tests.conftest import _warm_up, wait_for_app
from tests.ui.test_train_page import start_long_run

pytestmark = [pytest.mark.cluster, pytest.mark.e2e, pytest.mark.slow]
POINTS = "() => { const p = document.querySelector('.js-plotly-plot'); return p && p.data ? p.data[0].x.length : 0 }"


@pytest.fixture
def cluster(browser, postgres_url, ray_head):
    """{"nginx": its URL, "replicas": {"r1": process, "r2": process}} — two `streamlit run app.py` sharing the store
    and the Ray cluster, behind nginx; everything stopped after."""
    require_service("nginx")
    env = {**os.environ, **services.RAY_LOOPBACK_ENV, "PLAYGROUND_RAY_ADDRESS": ray_head.address,
           "PLAYGROUND_DATABASE_URL": postgres_url}  # fmt: skip
    started, logs = {}, []
    try:
        for name in ("r1", "r2"):
            logs.append(open(tempfile.mktemp(prefix=f"replica-{name}-", suffix=".log"), "w"))  # noqa: SIM115
            process, url = app_server.start(output=logs[-1], env=env, wait_s=90)
            started[name] = (process, url)
            _warm_up(browser, url)  # as a replica that has served learners before: it knows its pages
        backends = [url.removeprefix("http://") for _, url in started.values()]
        with services.start_nginx(backends) as nginx:
            yield {"nginx": nginx.address, "replicas": {name: process for name, (process, _) in started.items()}}
    finally:
        for process, _ in started.values():
            if process.poll() is None:
                app_server.stop(process)
        for log in logs:
            log.close()


def _route(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "dlp_route")


def _points_grow(page, timeout_ms: int = 120_000) -> None:
    page.wait_for_function(f"({POINTS})() >= 1", timeout=timeout_ms)
    first = page.evaluate(POINTS)
    page.wait_for_function(f"({POINTS})() > {first}", timeout=timeout_ms)  # live: more points with no input


def test_a_learner_loses_the_replica_that_served_it_and_finds_runs_model_and_the_live_job_on_the_other(
    browser, cluster
):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(60_000)
    url = cluster["nginx"]
    main = page.get_by_test_id("stMainBlockContainer")
    try:
        page.goto(url + "/train")
        wait_for_app(page)
        # Run 1: one short epoch on Ray, to the end: the session now has a run and a trained model.
        epochs = main.get_by_role("spinbutton", name="Epochs", exact=True)
        epochs.fill("1")
        epochs.press("Enter")
        wait_for_app(page)
        main.get_by_role("button", name="Start").click()
        main.get_by_text(re.compile(r"Finished: 1 epochs? trained")).first.wait_for(timeout=300_000)
        page.wait_for_selector("button:has-text('Continue'):not([disabled])", timeout=60_000)  # its result is in

        # Run 2: long (20 epochs, batch 8), still running when its replica goes.
        start_long_run(page)
        _points_grow(page)

        page.reload()  # the same replica (the route cookie) hands the job to the new session
        wait_for_app(page)
        _points_grow(page)
        served = _route(context)
        lost = cluster["replicas"][served]
        lost.send_signal(signal.SIGKILL)  # the replica dies with its machine: no shutdown, no goodbye
        lost.wait(15)

        page.reload()  # nginx fails over; the other replica restores the session from the shared store
        wait_for_app(page)
        assert _route(context) != served
        _points_grow(page)  # the job is re-attached: its curves go on, live
        main.get_by_role("button", name="Stop").wait_for()
        assert main.get_by_role("button", name="Stop").is_enabled()
        main.get_by_text("Run 1", exact=True).first.wait_for()  # the first run's record came back
        # On another page the sidebar follows the job (on the Train page its own panel does): still running.
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_role("link", name="Build", exact=True).click()
        sidebar.get_by_text("running · epoch").wait_for(timeout=30_000)
        sidebar.get_by_role("link", name="Train", exact=True).click()
        wait_for_app(page)

        main.get_by_role("button", name="Stop").click()  # the surviving replica drives the job now
        main.get_by_text(re.compile(r"Stopped at epoch \d+, step \d+ of \d+")).first.wait_for(timeout=120_000)
        main.get_by_text("Run 2", exact=True).first.wait_for()

        page.get_by_test_id("stSidebar").get_by_role("link", name="My models", exact=True).click()
        wait_for_app(page)
        page.get_by_role("button", name="Download bundle (.zip)").wait_for()  # a trained model is there
    finally:
        context.close()
