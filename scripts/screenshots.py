"""Regenerate the README's screenshots: starts `streamlit run app.py`, opens each page in chromium, saves PNGs.

Run: python scripts/screenshots.py [--pages build,train] [--languages en,zh]
Writes docs/<page>-<language>.png. The browser is $PLAYGROUND_BROWSER, else /usr/bin/chromium.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import app_server  # noqa: E402  (after the path is set)

DOCS = ROOT / "docs"
PAGES = [
    "home",
    "data",
    "build",
    "train",
    "draw",
    "models",
    "plane",
    "activations",
    "losses",
    "optimizers",
    "backprop",
]


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
    process, url = app_server.start("app.py")
    DOCS.mkdir(exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=app_server.browser_path(), args=app_server.CHROMIUM_ARGS
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
        app_server.stop(process)


if __name__ == "__main__":
    main()
