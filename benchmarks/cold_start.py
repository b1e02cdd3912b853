"""Cold start: time until chromium shows the playground's first page, beside a bare one-line Streamlit app.

Run: python benchmarks/cold_start.py [--quick] [--runs N]
Prints both times (median of N fresh servers each) and their ratio, and whether TensorFlow was loaded
in the server after the first page (it must not be: Keras is imported lazily by the pages that need it).
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import app_server  # noqa: E402  (after the path is set)

BARE_APP = 'import streamlit as st\nst.title("Deep Learning Playground")\n'


def tensorflow_loaded(pid: int) -> bool:
    """True when the process has TensorFlow's shared library mapped."""
    try:
        return "tensorflow" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def time_first_page(browser, script: Path, cwd: Path) -> tuple[float, bool]:
    """Seconds from server start to the title visible in a fresh browser page, and whether TF got loaded."""
    start = time.perf_counter()
    process, url = app_server.start(script, cwd)
    try:
        context = browser.new_context()
        tab = context.new_page()
        tab.goto(url, timeout=120_000)
        tab.get_by_text("Deep Learning Playground").first.wait_for(timeout=120_000)
        elapsed = time.perf_counter() - start
        context.close()
        return elapsed, tensorflow_loaded(process.pid)
    finally:
        app_server.stop(process)


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one run each (for CI)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    with tempfile.TemporaryDirectory() as folder:
        bare = Path(folder) / "bare.py"
        bare.write_text(BARE_APP)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=app_server.browser_path(), args=app_server.CHROMIUM_ARGS
            )
            app_times, bare_times, loaded = [], [], []
            for _ in range(runs):  # interleaved, so both see the same machine load
                seconds, tf = time_first_page(browser, ROOT / "app.py", ROOT)
                app_times.append(seconds)
                loaded.append(tf)
                bare_times.append(time_first_page(browser, bare, Path(folder))[0])
            browser.close()
    app_s, bare_s = statistics.median(app_times), statistics.median(bare_times)
    print(f"playground first page: {app_s:.2f} s (median of {runs})")
    print(f"bare one-line app:     {bare_s:.2f} s (median of {runs})")
    print(f"ratio playground / bare: {app_s / bare_s:.2f}x")
    print(f"TensorFlow loaded by the first page: {'yes' if any(loaded) else 'no'}")


if __name__ == "__main__":
    main()
