"""Regenerate docs/residual-gap.png: the skip-connections lesson taken in chromium as a learner takes it.

Run: python scripts/residual_figure.py [--quick] [--out docs/residual-gap.png]
Starts `streamlit run app.py`, opens the ready-made lesson (resnet against resnet-plain, 4 epochs on the MNIST
sample, seed 0), trains resnet, switches to resnet-plain with the lesson's button, trains it, picks the training
loss in the run history's overlay, saves that chart and prints its curves and their gap per epoch. 3–5 minutes on 2 cores; --quick trains each for 1 epoch
on 500 digits (a check that the script still works). The browser is $PLAYGROUND_BROWSER, else /usr/bin/chromium.
"""

import argparse
import re
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground import lessons, links  # noqa: E402  (after the path is set)
from scripts import app_server  # noqa: E402
from scripts.screenshots import settle  # noqa: E402

TRAINING_MS = 900_000  # one model's training, at most


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 epoch on 500 digits per model")
    parser.add_argument("--out", default=str(ROOT / "docs" / "residual-gap.png"))
    args = parser.parse_args()
    lesson = lessons.SKIP_CONNECTIONS
    if args.quick:
        lesson = replace(lesson, settings={**lesson.settings, "train_epochs": 1, "train_samples": 500})
    process, url = app_server.start("app.py")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=app_server.browser_path(), args=app_server.CHROMIUM_ARGS
            )
            tab = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
            tab.goto(f"{url}/train?lesson={links.lesson_value(lesson)}&lang=en", timeout=90_000)
            settle(tab)
            for run, name in enumerate(lesson.compare, start=1):
                if run > 1:  # the lesson's button switches the session's model
                    tab.get_by_role("button", name="Use this model").first.click()
                    settle(tab)
                tab.get_by_role("button", name="Start", exact=True).click()
                tab.get_by_text(f"trained: Run {run}").first.wait_for(timeout=TRAINING_MS)
                print(f"trained {name} as run {run}")
                settle(tab)
            tab.get_by_text("Each model has a run").first.wait_for(timeout=60_000)
            # The overlay's curve: the training loss (one option of a segmented control).
            tab.locator("[data-variant='segmented_control']").filter(has_text=re.compile(r"^\s*loss\s*$")).click()
            settle(tab)
            chart = tab.get_by_test_id("stPlotlyChart").last
            chart.scroll_into_view_if_needed()
            tab.wait_for_timeout(2000)
            chart.screenshot(path=args.out)
            print("wrote", args.out)
            curves = chart.locator(".js-plotly-plot").evaluate("plot => plot.data.map(c => [c.name, c.y])")
            for name, losses in curves:
                print(f"{name}: training loss per epoch", " ".join(f"{loss:.3f}" for loss in losses))
            gaps = [plain - skip for skip, plain in zip(curves[0][1], curves[1][1], strict=True)]
            print("gap (second − first) per epoch:", " ".join(f"{gap:+.3f}" for gap in gaps))
            browser.close()
    finally:
        app_server.stop(process)


if __name__ == "__main__":
    main()
