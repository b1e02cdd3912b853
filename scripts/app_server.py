"""A headless `streamlit run` on a free loopback port, and chromium as this machine needs it.

Shared by the browser tests (tests/conftest.py), the benchmarks and scripts/screenshots.py.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Headless chromium without a sandbox, a GPU or any network of its own (this machine has none).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def browser_path() -> str | None:
    """$PLAYGROUND_BROWSER, else Debian's chromium, else None (Playwright's own browser, if installed)."""
    configured = os.environ.get("PLAYGROUND_BROWSER")
    if configured:
        return configured
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or ""):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(
    script: Path | str = "app.py", cwd: Path = ROOT, output=subprocess.DEVNULL, env=None, wait_s: float = 90, wrap=()
):
    """The process of a headless `streamlit run script` and its URL, once its health check answers.

    `wrap` prefixes the command, e.g. ["taskset", "-c", "0"] to pin the server (and its workers) to one core.
    """
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless=true",
               f"--server.port={port}", "--server.address=127.0.0.1", "--browser.gatherUsageStats=false",
               "--server.fileWatcherType=none"]  # fmt: skip
    process = subprocess.Popen([*wrap, *command], cwd=cwd, stdout=output, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=2)
            return process, url
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit run {script} exited with {process.returncode}") from None
            time.sleep(0.05)  # short: the cold-start benchmark times this wait
    process.kill()
    raise RuntimeError(f"streamlit run {script} did not start in {wait_s:.0f} s")


def stop(process: subprocess.Popen) -> None:
    """Terminate a server started by start(), killing it if it does not exit within 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
