"""Regenerate the README's screenshots: starts `streamlit run app.py`, opens each page in chromium, saves PNGs.

Run: python scripts/screenshots.py [--pages build,train] [--languages en,zh]
Writes docs/<page>-<language>.png. The browser is $PLAYGROUND_BROWSER, else /usr/bin/chromium.
"""

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
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
PAGES = [
    "home",
    "data",
    "build",
    "train",
    "draw",
    "models",
    "neurons",
    "activations",
    "losses",
    "optimizers",
    "backprop",
]


def start_server() -> tuple[subprocess.Popen, str]:
    """A headless Streamlit server on a free port, and its URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless=true",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--browser.gatherUsageStats=false",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=2)
            return process, url
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("streamlit did not start")


def settle(tab) -> None:
    """Wait until the script run is over and charts had a moment to draw."""
    tab.wait_for_selector("[data-testid='stApp']")
    tab.wait_for_timeout(4000)
    tab.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !/Running|Stop/.test(document.querySelector('[data-testid=\"stStatusWidget\"]').innerText)",
        timeout=180_000,
    )
    tab.wait_for_timeout(3000)


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--languages", default="en,zh")
    args = parser.parse_args()
    process, url = start_server()
    DOCS.mkdir(exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get("PLAYGROUND_BROWSER", "/usr/bin/chromium"), args=CHROMIUM_ARGS
            )
            for language in args.languages.split(","):
                for name in args.pages.split(","):
                    context = browser.new_context(viewport={"width": 1400, "height": 1100})
                    tab = context.new_page()
                    tab.goto(f"{url}/{'' if name == 'home' else name}?lang={language}", timeout=90_000)
                    settle(tab)
                    path = DOCS / f"{name}-{language}.png"
                    tab.screenshot(path=str(path), full_page=False)
                    print("wrote", path.relative_to(ROOT))
                    context.close()
            browser.close()
    finally:
        process.terminate()


if __name__ == "__main__":
    main()
