"""Drawing on the Draw page in chromium: mouse-up → prediction shown, split into browser, server and renderer.

Run:  python benchmarks/drawing.py [--quick] [--trials 12] [--digit 3] [--set 10]

Draws the same one-stroke digit N times with the mouse on the Draw page (the demo model, a fresh headless server)
and, for each, reads in the page's own clock (performance.now()):
- browser: mouse-up → the websocket message that carries the canvas's new value to the server (the canvas
  component's own send delay, the PNG encoding);
- server and wire: that message → the last websocket message received before "Prediction" appears (the
  fragment's rerun: decoding the PNG, preparing, the one compiled call, the first charts; loopback adds ~0);
- renderer: that message → "Prediction" in the page (decoding the message, React applying it; paint not counted).
Beside it, the server's share measured directly in this process on the same digit drawn by the project's
renderer: PNG decode + drawing.prepare + inspector.inspect (the page has no timing log of its own); and how
closely that renderer (strokes.render, which CI's drawn-digit scores use) matches the real canvas: the page's
28×28 model input after each stroke against the renderer's, prepared the same way, and both predictions.
Medians over the strokes after a first, warming one; the canvas is cleared with its toolbar between strokes.
--quick: 3 strokes.

--set N draws N digits of the project's drawn set (playground/assets/drawn_digits.json) in chromium instead, every
stroke of each as the set records it, one digit of each class in turn, held-out half first, among samples drawn
with a pen near the page's (18–22 px, so that the canvas and the renderer use the same pen): per digit, what the
page read against its label, and how closely the renderer's drawing of the same strokes matches the real canvas
(CI scores the set through that renderer). --quick with --set: 10 digits.
"""

import argparse
import base64
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import app_server  # noqa: E402  (after the path is set)

CANVAS = "[data-testid='stBidiComponentIsolated'] canvas.upper-canvas"
MODEL_SEES = "img[alt^='The 28×28 input the model reads']"  # the page's picture of its input, 5× enlarged
PEN = 20  # the Draw page's default pen
# Every websocket frame the page sends or receives, with its time: installed before the app's own scripts run.
SOCKETS = """
window.__frames = [];
const Native = window.WebSocket;
window.WebSocket = class extends Native {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', () => window.__frames.push(['in', performance.now()]));
  }
  send(data) { window.__frames.push(['out', performance.now()]); return super.send(data); }
};
"""
# Records the stroke's mouse-up and when a "Prediction" metric next appears, in page time.
WATCH = """() => {
  window.__bench = {up: null, shown: null};
  const shown = () => [...document.querySelectorAll('[data-testid="stMetric"]')]
    .some(m => m.innerText.startsWith('Prediction'));
  document.addEventListener('mouseup', () => { window.__bench.up = performance.now(); }, {capture: true, once: true});
  const observer = new MutationObserver(() => {
    if (window.__bench.up !== null && window.__bench.shown === null && shown()) {
      window.__bench.shown = performance.now(); observer.disconnect();
    }
  });
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""
# The split of one stroke: [browser, server and wire, renderer, total] in ms.
SPLIT = """() => {
  const {up, shown} = window.__bench;
  const sent = window.__frames.find(([kind, t]) => kind === 'out' && t >= up);
  const answers = window.__frames.filter(([kind, t]) => kind === 'in' && sent && t >= sent[1] && t <= shown);
  if (!sent || !answers.length) return null;
  const last = answers[answers.length - 1][1];
  return [sent[1] - up, last - sent[1], shown - last, shown - up];
}"""
IDLE = (
    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
    " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')"
)


def draw(tab, digit: int) -> None:
    """Draw the digit (one stroke) with the mouse, as a person would."""
    from playground.data import strokes

    box = tab.locator(CANVAS).bounding_box()
    (stroke,) = strokes.canvas_strokes(digit, strokes.STYLES[0])
    tab.mouse.move(box["x"] + stroke[0][0], box["y"] + stroke[0][1])
    tab.mouse.down()
    for x, y in stroke[1:]:
        tab.mouse.move(box["x"] + x, box["y"] + y, steps=2)
    tab.mouse.up()


def model_input(tab, url: str) -> tuple[np.ndarray, str]:
    """The page's 28×28 model input as its picture shows it (uint8), and the prediction shown."""
    source = tab.locator(MODEL_SEES).get_attribute("src")
    response = tab.request.get(source if source.startswith("http") else url + source)
    pixels = np.asarray(Image.open(io.BytesIO(response.body())).convert("L"))[::5, ::5]
    metric = tab.locator("[data-testid='stMetric']").filter(has_text="Prediction")
    return pixels, metric.locator("[data-testid='stMetricValue']").inner_text()


def set_samples(count: int) -> list:
    """`count` samples of the drawn set drawn with a pen of 18–22 px: one per digit in turn, held-out half first."""
    from playground.data import drawn_set

    pool = sorted((s for s in drawn_set.load() if 18 <= s.pen <= 22), key=lambda s: (s.split != "held-out", s.group))
    chosen, by_digit = [], {digit: [s for s in pool if s.digit == digit] for digit in range(10)}
    while len(chosen) < count and any(by_digit.values()):
        for digit in range(10):
            if by_digit[digit] and len(chosen) < count:
                chosen.append(by_digit[digit].pop(0))
    return chosen


def draw_set(url: str, samples: list) -> list[tuple[np.ndarray, str]]:
    """Draw each sample's strokes with the mouse on the Draw page; what the page read of each (model_input)."""
    from playwright.sync_api import sync_playwright

    read = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=app_server.browser_path(), args=app_server.CHROMIUM_ARGS)
        tab = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US").new_page()
        tab.set_default_timeout(90_000)
        tab.goto(url)
        tab.get_by_text("Welcome").first.wait_for()
        tab.goto(url + "/draw")
        tab.wait_for_selector(CANVAS)
        tab.wait_for_function(IDLE)
        for sample in samples:
            box = tab.locator(CANVAS).bounding_box()
            scale = box["width"] / sample.canvas[0]
            for stroke in sample.strokes:
                tab.mouse.move(box["x"] + stroke[0][0] * scale, box["y"] + stroke[0][1] * scale)
                tab.mouse.down()
                for x, y in stroke[1:]:
                    tab.mouse.move(box["x"] + x * scale, box["y"] + y * scale, steps=2)
                tab.mouse.up()
            time.sleep(0.6)  # the canvas sends its value ~0.2 s after the last mouse-up
            tab.wait_for_function(IDLE)
            tab.locator("[data-testid='stMetric']").filter(has_text="Prediction").wait_for()
            read.append(model_input(tab, url))
            tab.get_by_role("button", name="Reset canvas & history").click()
            tab.get_by_text("Draw a digit (0–9) on the black canvas").wait_for()
            tab.wait_for_function(IDLE)
        browser.close()
    return read


def set_report(url: str, count: int) -> None:
    """Print what the page read of `count` drawn-set digits drawn in chromium, beside the renderer's drawing."""
    from playground.data import images as drawing
    from playground.data import strokes
    from playground.inspection import demo, inspector

    samples = set_samples(count)
    read = draw_set(url, samples)
    trained = demo.model()
    print(f"The drawn set in chromium: {len(samples)} digits (pens 18–22 px), the demo model")
    print(" digit  group              split     page read  renderer  mean |difference|  pixels off > 0.25")
    differences, right, agree = [], 0, 0
    for sample, (pixels, shown) in zip(samples, read, strict=True):
        rendered_input = drawing.prepare(strokes.render(sample.strokes, PEN, sample.canvas))
        rendered = drawing.enlarge(rendered_input, 1)
        predicted = str(inspector.inspect(trained, rendered_input).prediction)
        difference = np.abs(pixels.astype(np.int16) - rendered) / 255
        differences.append(difference)
        right += shown == str(sample.digit)
        agree += shown == predicted
        print(f" {sample.digit:5d}  {sample.group:17s}  {sample.split:8s}  {shown:>9}  {predicted:>8}"
              f"  {difference.mean():17.3f}  {int((difference > 0.25).sum()):17d}")  # fmt: skip
    print(
        f" page read the label {right}/{len(samples)}; page and renderer agree {agree}/{len(samples)};"
        f" median mean |difference| {statistics.median(float(d.mean()) for d in differences):.3f} of full scale"
    )


def browser_splits(url: str, digit: int, trials: int) -> tuple[list[list[float]], list[tuple[np.ndarray, str]]]:
    """[browser, server and wire, renderer, total] in ms for each stroke after the first, and what each stroke
    gave the model (model_input)."""
    from playwright.sync_api import sync_playwright

    splits, inputs = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=app_server.browser_path(), args=app_server.CHROMIUM_ARGS)
        tab = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US").new_page()
        tab.set_default_timeout(90_000)
        tab.add_init_script(SOCKETS)
        tab.goto(url)
        tab.get_by_text("Welcome").first.wait_for()
        tab.goto(url + "/draw")  # st.navigation knows its pages once app.py has run
        tab.wait_for_selector(CANVAS)
        tab.wait_for_function(IDLE)
        for trial in range(trials + 1):
            tab.evaluate(WATCH)
            draw(tab, digit)
            tab.wait_for_function("() => window.__bench.shown !== null")
            split = tab.evaluate(SPLIT)
            if trial and split:  # the first stroke warms the page up (imports, the first trace)
                splits.append(split)
            time.sleep(0.3)
            tab.wait_for_function(IDLE)
            inputs.append(model_input(tab, url))
            tab.get_by_role("button", name="Reset canvas & history").click()
            tab.get_by_text("Draw a digit (0–9) on the black canvas").wait_for()
            tab.wait_for_function(IDLE)
        browser.close()
    return splits, inputs


def server_ms(digit: int, repeats: int) -> tuple[float, float, float, np.ndarray, str]:
    """Medians in ms of the server's own work on the digit (PNG decode, drawing.prepare, inspector.inspect), and
    the renderer's drawing of it as the model reads it (uint8, like the page's picture) with its prediction."""
    from playground.data import images as drawing
    from playground.data import strokes
    from playground.inspection import demo, inspector

    buffer = io.BytesIO()
    Image.fromarray(strokes.render(strokes.canvas_strokes(digit, strokes.STYLES[0]), PEN)).save(buffer, "PNG")
    url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    trained = demo.model()

    def decode():
        return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGBA"))

    image = decode()
    x = drawing.prepare(image)
    inspector.inspect(trained, x)  # compiles once, as the page's warm-up does

    def median(function) -> float:
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
        return 1000 * statistics.median(times)

    shown = drawing.enlarge(x, 1)
    prediction = str(inspector.inspect(trained, x).prediction)
    timed = median(decode), median(lambda: drawing.prepare(image)), median(lambda: inspector.inspect(trained, x))
    return (*timed, shown, prediction)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 strokes")
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--digit", type=int, default=3, choices=[0, 1, 2, 3, 6, 7], help="a one-stroke digit")
    parser.add_argument("--set", type=int, default=0, help="draw this many digits of the drawn set instead")
    args = parser.parse_args()
    trials = 3 if args.quick else args.trials
    if args.set:
        count = 10 if args.quick else args.set
        folder = Path(tempfile.mkdtemp(prefix="drawing-"))
        process, url = app_server.start(ROOT / "app.py", output=(folder / "app.log").open("w"),
                                        env={**os.environ, "PLAYGROUND_OFFLINE": "1"})  # fmt: skip
        try:
            set_report(url, count)
        finally:
            app_server.stop(process)
        return

    folder = Path(tempfile.mkdtemp(prefix="drawing-"))
    env = {**os.environ, "PLAYGROUND_OFFLINE": "1"}
    process, url = app_server.start(ROOT / "app.py", output=(folder / "app.log").open("w"), env=env)
    try:
        splits, inputs = browser_splits(url, args.digit, trials)
    finally:
        app_server.stop(process)
    if not splits:
        raise SystemExit("no stroke could be split (no websocket frames seen)")
    browser, server, renderer, total = (statistics.median(column) for column in zip(*splits, strict=True))
    decode, prepare, inspect, rendered, rendered_prediction = server_ms(args.digit, repeats=20 if args.quick else 100)
    differences = [np.abs(pixels.astype(np.int16) - rendered) / 255 for pixels, _ in inputs]
    mean_difference = statistics.median(float(d.mean()) for d in differences)
    off_pixels = statistics.median(int((d > 0.25).sum()) for d in differences)
    agree = sum(prediction == rendered_prediction for _, prediction in inputs)

    print(f'Mouse-up → "Prediction" shown on the Draw page in chromium, digit {args.digit} drawn {len(splits)} times')
    print(f"(medians, ms; a first stroke warmed the page up; log in {folder})")
    print(f"  browser: mouse-up → canvas value sent               {browser:8.0f}")
    print(f"  server and wire: sent → last message before shown   {server:8.0f}")
    print(f"  renderer: that message → Prediction shown           {renderer:8.0f}")
    print(f"  total                                               {total:8.0f}")
    print("The server's own work on the same digit, in this process (medians, ms):")
    print(f"  decode the canvas PNG {decode:.1f}, drawing.prepare {prepare:.1f}, inspector.inspect {inspect:.1f}"
          f" = {decode + prepare + inspect:.1f}")  # fmt: skip
    print(f"The renderer vs the real canvas, as the model reads them (28×28, medians over {len(inputs)} strokes):")
    print(f"  mean |difference| {mean_difference:.3f} of full scale; {off_pixels:.0f} of 784 pixels off by more than 0.25;"
          f" predictions agree {agree}/{len(inputs)} (renderer: {rendered_prediction})")  # fmt: skip
    print(f"  → ratio: the browser's part is {browser / total:.2f} of the total, the server's {server / total:.2f},"
          f" the renderer's {renderer / total:.2f}")  # fmt: skip
    print("  every stroke [browser, server, renderer, total]: " + "; ".join(
        "/".join(f"{value:.0f}" for value in split) for split in splits))  # fmt: skip


if __name__ == "__main__":
    main()
