"""How fast the Draw page answers: its inference path vs model.predict, and mouse-up → prediction in chromium.

Run:  python benchmarks/inference_latency.py [--quick] [--no-browser]

1. In one process, on one prepared drawing and the demo model: the page's path (one compiled call that
   returns the probabilities, every layer's activation and the saliency map) vs `model.predict(x)` of
   plain Keras on the same weights. Goal: the page's path at least 10× faster.
2. In chromium (Playwright, headless): the time from the mouse-up that ends a stroke to the page showing
   the new "Prediction", vs the same stroke on a bare page holding only the same canvas and one metric
   (the least any canvas page can cost: the canvas's own 200 ms send delay, the websocket and a rerun).
   Both servers run side by side; goal: the Draw page within 1.2× of the bare page.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import app_server  # noqa: E402  (after the path is set)

BARE_PAGE = """
import streamlit as st
from streamlit_drawable_canvas import st_canvas

result = st_canvas(stroke_width=20, stroke_color="#FFFFFF", background_color="#000000", height=280, width=280,
                   drawing_mode="freedraw", return_image_data=True, key="draw_canvas")
image = result.image_data  # decode the PNG as the Draw page does
st.metric("Prediction", len((result.json_data or {}).get("objects", [])) if image is not None else 0)
"""
CANVAS = "[data-testid='stBidiComponentIsolated'] canvas.upper-canvas"
# Records when the stroke's mouse-up happens and when the metric's text next changes, in page time.
WATCH = """() => {
  window.__bench = {up: null, changed: null};
  const read = () => {
    const metric = [...document.querySelectorAll('[data-testid="stMetric"]')].find(m => m.innerText.startsWith('Prediction'));
    return metric ? metric.querySelector('[data-testid="stMetricValue"]').innerText : null;
  };
  window.__bench.before = read();
  document.addEventListener('mouseup', () => { window.__bench.up = performance.now(); }, {capture: true, once: true});
  const observer = new MutationObserver(() => {
    const now = read();
    if (window.__bench.up !== null && window.__bench.changed === null && now !== null && now !== window.__bench.before) {
      window.__bench.changed = performance.now(); observer.disconnect();
    }
  });
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def median_ms(function, repeats: int) -> float:
    """The median wall time of function() in milliseconds, after two warm-up calls."""
    function(), function()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def inference_speed(repeats: int) -> None:
    """Print the page's inference path against model.predict on one image."""
    import numpy as np

    from playground.data import images as drawing
    from playground.data import strokes
    from playground.inspection import demo, inspector
    from playground.model import build_model

    trained = demo.model()
    drawn = strokes.drawing(7)
    x = drawing.prepare(drawn)
    model = build_model(trained.spec, compile=False)
    model.set_weights(trained.weights)
    batch = x[None, ..., None]
    np.testing.assert_allclose(
        inspector.inspect(trained, x).probabilities, model.predict(batch, verbose=0)[0], atol=1e-5
    )
    page = median_ms(lambda: inspector.inspect(trained, x), repeats)
    predict = median_ms(lambda: model.predict(batch, verbose=0), repeats)
    direct = median_ms(lambda: model(batch, training=False), repeats)
    prepare = median_ms(lambda: drawing.prepare(drawn), repeats)
    print(f"1. Inference on one image (median of {repeats}, demo model = seed CNN, 8 layers)")
    print(f"   page path: probabilities + all 8 activations + saliency, one call   {page:8.2f} ms")
    print(f"   model.predict(x)                                                    {predict:8.2f} ms")
    print(f"   model(x) called directly (for reference)                            {direct:8.2f} ms")
    print(f"   preprocessing of the 280×280 canvas (drawing.prepare)               {prepare:8.2f} ms")
    print(f"   → ratio: the page's path is {predict / page:.1f}× faster than model.predict (goal ≥ 10×)")


def wait_idle(tab) -> None:
    """Until Streamlit has finished running the script."""
    tab.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')"
    )


def draw(tab, digit: int) -> None:
    """Draw the digit's first stroke with the mouse, as a person would."""
    from playground.data import strokes

    box = tab.locator(CANVAS).bounding_box()
    stroke = strokes.canvas_strokes(digit, strokes.STYLES[0])[0]
    tab.mouse.move(box["x"] + stroke[0][0], box["y"] + stroke[0][1])
    tab.mouse.down()
    for x, y in stroke[1:]:
        tab.mouse.move(box["x"] + x, box["y"] + y, steps=2)
    tab.mouse.up()


CLEARED = """() => {
  const metric = [...document.querySelectorAll('[data-testid="stMetric"]')].find(m => m.innerText.startsWith('Prediction'));
  return !metric || metric.querySelector('[data-testid="stMetricValue"]').innerText === '0';
}"""


def clear(tab) -> None:
    """Reset the canvas with its toolbar's bin button and wait until the page shows no prediction."""
    tab.locator(CANVAS).hover()
    tab.get_by_role("button", name="Reset canvas & history").click()
    tab.wait_for_function(CLEARED)
    wait_idle(tab)


def stroke_latencies(browser, url: str, trials: int) -> list[float]:
    """Mouse-up → new metric text, in ms, for `trials` single-stroke digits drawn on an emptied canvas."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.goto(url)
    tab.wait_for_selector(CANVAS)
    wait_idle(tab)
    latencies = []
    for trial in range(trials + 1):
        tab.evaluate(WATCH)
        draw(tab, (0, 7, 2, 3, 6)[trial % 5])
        tab.wait_for_function("() => window.__bench.changed !== null")
        if trial:  # the first stroke warms the page up (imports, first trace)
            latencies.append(tab.evaluate("() => window.__bench.changed - window.__bench.up"))
        wait_idle(tab)
        clear(tab)
    context.close()
    return latencies


def browser_latency(trials: int) -> None:
    """Print mouse-up → prediction on the Draw page vs the bare canvas page."""
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="latency-"))
    bare_script = folder / "bare_canvas.py"
    bare_script.write_text(BARE_PAGE)
    env = {**os.environ, "PLAYGROUND_OFFLINE": "1"}
    servers = [
        app_server.start(ROOT / "app.py", output=(folder / "app.log").open("w"), env=env),
        app_server.start(bare_script, output=(folder / "bare.log").open("w"), env=env),
    ]
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=app_server.browser_path(), args=app_server.CHROMIUM_ARGS
            )
            draw_page = stroke_latencies(browser, servers[0][1] + "/draw", trials)
            bare_page = stroke_latencies(browser, servers[1][1], trials)
            browser.close()
    finally:
        for process, _ in servers:
            app_server.stop(process)
    page_ms, bare_ms = statistics.median(draw_page), statistics.median(bare_page)
    print(f"2. Mouse-up → prediction shown, in chromium (median of {trials} strokes each)")
    print(f"   Draw page (prediction, probabilities, feature maps, saliency, …)   {page_ms:8.0f} ms")
    print(f"   bare page (the same canvas and one metric)                          {bare_ms:8.0f} ms")
    print(f"   → ratio: the Draw page takes {page_ms / bare_ms:.2f}× the bare page's time (goal ≤ 1.2×)")
    print(f"   all strokes, Draw page: {', '.join(f'{v:.0f}' for v in draw_page)}")
    print(f"   all strokes, bare page: {', '.join(f'{v:.0f}' for v in bare_page)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and strokes (well under a minute)")
    parser.add_argument("--no-browser", action="store_true", help="skip the chromium measurement")
    args = parser.parse_args()
    inference_speed(repeats=20 if args.quick else 200)
    if not args.no_browser:
        browser_latency(trials=3 if args.quick else 12)


if __name__ == "__main__":
    main()
