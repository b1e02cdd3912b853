"""Shared fixtures: an offline Keras home, AppTest, a headless `streamlit run app.py`, and chromium."""

import os
import tempfile
from pathlib import Path

import pytest

from scripts import app_server

ROOT = Path(__file__).resolve().parent.parent
# PostgreSQL, Ray and nginx fixtures for the cluster tests (tests/cluster_services.py).
pytest_plugins = ["cluster_services"]

# Never let a test reach the network or a developer's real Keras cache.
os.environ["KERAS_HOME"] = tempfile.mkdtemp(prefix="keras-home-")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["PLAYGROUND_OFFLINE"] = "1"
# Nor a developer's stored sessions and uploaded image sets (the app's data directory).
os.environ["PLAYGROUND_DATA_DIR"] = tempfile.mkdtemp(prefix="playground-data-")


@pytest.fixture(scope="session")
def trained():
    """A small CNN trained briefly on the MNIST sample, with Adam state and history: trained once per test run."""
    from tests.bundles import trained_model

    return trained_model()


@pytest.fixture
def app_test():
    """A factory for AppTest of app.py, switched to a page: app_test("views/build.py")."""
    from streamlit.testing.v1 import AppTest

    def make(page: str | None = None, timeout: float = 60, **query):
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        for key, value in query.items():
            app.query_params[key] = value
        app.run()
        if page:
            app.switch_page(page).run()
        return app

    return make


@pytest.fixture(scope="session")
def server_url(browser):
    """A headless `streamlit run app.py` on a free loopback port, for the browser tests."""
    log = open(tempfile.mktemp(prefix="streamlit-", suffix=".log"), "w")  # noqa: SIM115 - open while the server runs
    try:
        process, url = app_server.start(ROOT / "app.py", output=log, wait_s=60)
    except RuntimeError as error:
        raise RuntimeError(f"{error}; see {log.name}") from None
    _warm_up(browser, url)
    yield url
    app_server.stop(process)
    log.close()


def _warm_up(browser, url: str) -> None:
    # Run app.py once so the server knows its st.navigation pages before a test opens a deep link.
    context = browser.new_context()
    context.new_page().goto(url)
    context.pages[0].get_by_test_id("stSidebar").get_by_text("Language").first.wait_for(timeout=120_000)
    context.close()


@pytest.fixture(scope="session")
def browser():
    """Chromium driven by Playwright (Debian's by default; $PLAYGROUND_BROWSER overrides)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=app_server.browser_path(), args=app_server.CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, server_url):
    """A fresh browser context and page; page.goto(server_url + '/build') to open a page."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    context.close()


def wait_for_app(tab, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished running the script (no 'running' indicator)."""
    tab.wait_for_selector("[data-testid='stApp']", timeout=timeout)
    tab.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
        timeout=timeout,
    )


# ---------------------------------------------------------------- minutes per suite

_SUITE_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report):
    # A suite is a folder under tests/ (tests/ui, tests/cli, …); setup, call and teardown all count,
    # so a session fixture's cost lands on the suite of the first test that asked for it.
    parts = report.nodeid.split("/")
    suite = parts[1] if len(parts) > 2 else parts[-1].split("::")[0]
    _SUITE_SECONDS[suite] = _SUITE_SECONDS.get(suite, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter):
    if not _SUITE_SECONDS:
        return
    terminalreporter.section("minutes per suite")
    for suite, seconds in sorted(_SUITE_SECONDS.items(), key=lambda item: -item[1]):
        terminalreporter.write_line(f"{seconds / 60:6.1f} min  {suite}")
    terminalreporter.write_line(f"{sum(_SUITE_SECONDS.values()) / 60:6.1f} min  all suites")
