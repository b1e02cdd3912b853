"""A class in real browsers: N learners train on the Train page at once, then draw a digit on the Draw page.

Run:  python benchmarks/class_load.py [--quick] [--learners N] [--epochs E] [--hidden] [--url URL]
                                      [--server-cpus 0] [--app-dir DIR] [--json FILE]
                                      [--cluster [--replicas 2] [--ray-nodes 2]]

Each learner is a separate chromium browser context (chromium runs at low priority, `nice`, so that the browsers
do not starve the server they test). Every learner opens Train, sets Epochs, and all press Start within a few
seconds of each other (--stagger); each waits until its page shows the finish (message and test accuracy), then
opens Draw and draws a 7 with the mouse. By default chromium's background throttling is off, so that every page
behaves as a learner's visible tab. With --throttled, chromium's background handling stays on (pages without
focus get a background renderer and throttled timers). With --hidden, too, and the pages are left alone after
Start; once the server has finished every job they are brought to the front one by one, as a learner returns
to a background tab, and the harness measures how long each takes to show the finish.

Printed: per learner, Start → the first curve point or queue place, Start → the finish shown, the draw →
prediction latency and any error; then when the scheduler finished each job (from the server's log), the
server's CPU-seconds (in all, and per watching learner per minute of training) and the peak memory of the server
and of all its processes (the training workers included). The server is started here (`streamlit run app.py`,
optionally pinned to some cores with --server-cpus, optionally from another checkout with --app-dir), or
--url names a running one (then only the browser-side figures). With --cluster the learners go through nginx to
N replicas that share a PostgreSQL store and train on a local Ray cluster (benchmarks/cluster_topology.py); the
replicas count as the server, Ray's nodes and job actors as the workers. Exits non-zero when a learner did not get its
model back or saw an error. Never asserts on time. Linux.
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import app_server  # noqa: E402  (after the path is set)

MB = 2**20
CANVAS = "[data-testid='stBidiComponentIsolated'] canvas.upper-canvas"
THROTTLING_OFF = [
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
IDLE = (
    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
    " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')"
)
# What the Train page shows: the first sign of life after Start, and the finish (message and test accuracy).
FIRST_SIGN = """() => {
  const text = document.body.innerText;
  return text.includes('Queued: position') || document.querySelector('.stPlotlyChart, [data-testid="stPlotlyChart"]') !== null;
}"""
FINISHED = """() => {
  const alerts = [...document.querySelectorAll('[data-testid="stAlert"]')].map(a => a.innerText);
  const metrics = [...document.querySelectorAll('[data-testid="stMetric"]')].map(m => m.innerText);
  return alerts.some(a => a.includes('Finished:')) && metrics.some(m => m.startsWith('Test accuracy'));
}"""
ACCURACY = """() => {
  const metric = [...document.querySelectorAll('[data-testid="stMetric"]')].find(m => m.innerText.startsWith('Test accuracy'));
  return metric ? metric.querySelector('[data-testid="stMetricValue"]').innerText : null;
}"""
PAGE_STATUS = """() => [...document.querySelectorAll('[data-testid="stAlert"], [data-testid="stProgress"]')]
  .map(e => e.innerText.trim()).join(' | ').slice(0, 300) || document.title"""
PAGE_ERRORS = (
    """() => [...document.querySelectorAll('[data-testid="stException"]')].map(e => e.innerText.slice(0, 300))"""
)
# Mouse-up → the "Prediction" metric shows a digit, in page time.
WATCH_PREDICTION = """() => {
  window.__bench = {up: null, shown: null};
  const read = () => {
    const metric = [...document.querySelectorAll('[data-testid="stMetric"]')].find(m => m.innerText.startsWith('Prediction'));
    return metric ? metric.querySelector('[data-testid="stMetricValue"]').innerText : null;
  };
  document.addEventListener('mouseup', () => { window.__bench.up = performance.now(); }, {capture: true, once: true});
  const observer = new MutationObserver(() => {
    if (window.__bench.up !== null && read() !== null) { window.__bench.shown = performance.now(); observer.disconnect(); }
  });
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


@dataclass
class Learner:
    """What one learner's browser saw."""

    number: int
    start_at: float = 0.0  # seconds after the class's first Start
    first_sign_s: float | None = None  # Start → first curve point or queue place on the page
    finish_s: float | None = None  # Start → finish message and test accuracy on the page
    shown_after_s: float | None = None  # --hidden: page shown again → finish on the page
    draw_ms: float | None = None  # mouse-up → prediction on the Draw page
    accuracy: str | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the learner got the trained model back, drew a digit that was read, and saw no error."""
        return self.finish_s is not None and self.draw_ms is not None and not self.errors


class ServerWatch:
    """Samples the server's and its children's memory twice a second and reads their CPU time."""

    def __init__(self, pid: int):
        import psutil

        self.server = psutil.Process(pid)
        self.peak_server = self.peak_all = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        while not self._stop.wait(0.5):
            try:
                server = self.server.memory_info().rss
                children = self.server.children(recursive=True)
            except psutil.Error:
                continue
            others = 0
            for child in children:
                with contextlib.suppress(psutil.Error):
                    others += child.memory_info().rss
            self.peak_server = max(self.peak_server, server)
            self.peak_all = max(self.peak_all, server + others)

    def cpu_seconds(self) -> float:
        """The server process's own CPU time so far (user + system), its workers not counted."""
        times = self.server.cpu_times()
        return times.user + times.system

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join()


def _nice_chromium(folder: Path) -> str:
    """A wrapper that starts chromium at the lowest priority (the browsers must not starve the server)."""
    wrapper = folder / "chromium-nice"
    wrapper.write_text(f'#!/bin/sh\nexec nice -n 19 "{app_server.browser_path()}" "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


async def _poll(page, script: str, timeout_s: float, interval_s: float = 0.25):
    """Wait until `script` returns something truthy in the page; its value, or None after timeout_s."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            value = await page.evaluate(script)
        except Exception:  # the page is navigating or busy: try again
            value = None
        if value:
            return value
        await asyncio.sleep(interval_s)
    return None


async def _draw_seven(page, learner: Learner, url: str, timeout_s: float) -> None:
    from playground.data import strokes

    await page.goto(url + "/draw")
    await page.wait_for_selector(CANVAS, timeout=timeout_s * 1000)
    await page.wait_for_function(IDLE, timeout=timeout_s * 1000)
    box = await page.locator(CANVAS).bounding_box()
    await page.evaluate(WATCH_PREDICTION)
    stroke = strokes.canvas_strokes(7, strokes.STYLES[0])[0]
    await page.mouse.move(box["x"] + stroke[0][0], box["y"] + stroke[0][1])
    await page.mouse.down()
    for x, y in stroke[1:]:
        await page.mouse.move(box["x"] + x, box["y"] + y, steps=2)
    await page.mouse.up()
    if await _poll(page, "() => window.__bench.shown !== null", timeout_s):
        learner.draw_ms = await page.evaluate("() => window.__bench.shown - window.__bench.up")
    else:
        learner.errors.append("the drawing was not read")


class Class:
    """The learners of one run, their browser contexts and the moments they share."""

    def __init__(self, args, url: str, browser, watch: "ServerWatch | None"):
        self.args, self.url, self.browser, self.watch = args, url, browser, watch
        self.cpu_at_start = self.cpu_at_end = None  # the server's CPU time at the first Start and the last finish
        self._finishes = 0
        self.learners = [Learner(number) for number in range(1, args.learners + 1)]
        self.ready = asyncio.Barrier(args.learners)
        self.finished = asyncio.Event()  # --hidden: every job is over on the server
        self.first_start: float | None = None
        self.ended = time.monotonic()
        self.pages: dict[int, object] = {}
        self.deadline = time.monotonic() + args.timeout  # the whole lesson: a stuck page cannot hold the report
        rng = random.Random(args.seed)
        for learner in self.learners:
            learner.start_at = rng.uniform(0, args.stagger)

    def left(self) -> float:
        """Seconds left before the lesson's deadline."""
        return max(1.0, self.deadline - time.monotonic())

    async def learner(self, learner: Learner) -> None:
        """One learner's lesson: train, see the finish, then draw."""
        args, timeout = self.args, self.left()
        context = await self.browser.new_context(viewport={"width": 1300, "height": 950}, locale="en-US")
        page = await context.new_page()
        self.pages[learner.number] = page
        page.on("pageerror", lambda error: learner.errors.append(f"page error: {str(error)[:200]}"))
        try:
            await page.goto(self.url + "/train", timeout=timeout * 1000)
            start = page.get_by_role("button", name="Start")
            await start.wait_for(timeout=timeout * 1000)
            epochs = page.get_by_label("Epochs", exact=True)
            await epochs.fill(str(args.epochs))
            await epochs.press("Enter")
            await page.wait_for_function(IDLE, timeout=timeout * 1000)
            await self.ready.wait()
            if self.first_start is None:
                self.first_start = time.monotonic()
                self.cpu_at_start = self.watch.cpu_seconds() if self.watch else None
            await asyncio.sleep(max(0.0, self.first_start + learner.start_at - time.monotonic()))
            clicked = time.monotonic()
            learner.start_at = clicked - self.first_start
            await start.click()
            if await _poll(page, FIRST_SIGN, self.left()):
                learner.first_sign_s = time.monotonic() - clicked
            if args.hidden:  # the tab stays in the background until every job has ended on the server
                await self.finished.wait()
                await self._show(page, context, learner)
            elif await _poll(page, FINISHED, self.left()):
                learner.finish_s = time.monotonic() - clicked
            else:  # what the page shows instead, for the report: its status line and alerts
                learner.errors.append("no finish shown; the page shows: " + await page.evaluate(PAGE_STATUS))
            self._finished_one()
            learner.accuracy = await page.evaluate(ACCURACY)
            learner.errors += await page.evaluate(PAGE_ERRORS)
            await _draw_seven(page, learner, self.url, min(120.0, self.left()))
            learner.errors += await page.evaluate(PAGE_ERRORS)
        except Exception as error:  # one broken learner must not hide the others' figures
            learner.errors.append(f"{type(error).__name__}: {str(error)[:300]}")
        finally:
            await context.close()

    async def _show(self, page, context, learner: Learner) -> None:
        # The learner comes back to the tab: it is brought to the front (focused, no longer a background renderer).
        async with self._one_at_a_time():
            shown = time.monotonic()
            await page.bring_to_front()
            if await _poll(page, FINISHED, min(60.0, self.left()), interval_s=0.1):
                learner.shown_after_s = time.monotonic() - shown
                learner.finish_s = time.monotonic() - self.first_start - learner.start_at
            else:
                learner.errors.append("no finish shown within 60 s of the page coming back")

    def _finished_one(self) -> None:
        self._finishes += 1
        if self._finishes == len(self.learners) and self.watch:
            self.cpu_at_end = self.watch.cpu_seconds()

    def _one_at_a_time(self):
        self._show_lock = getattr(self, "_show_lock", None) or asyncio.Lock()
        return self._show_lock


def _log_lines(path: "Path | list[Path] | None") -> list[str]:
    paths = path if isinstance(path, list) else [path] if path is not None else []
    return [line for p in paths if p.exists() for line in p.read_text(errors="replace").splitlines()]


def _jobs_from_log(path: "Path | list[Path] | None") -> list[dict]:
    jobs = []
    for line in _log_lines(path):
        if "playground.training" in line and ": job {" in line:  # the scheduler's one line per job (its logger)
            jobs.append(json.loads(line.split(": job ", 1)[1]))
    return jobs


async def _wait_for_jobs(log: Path | None, count: int, timeout_s: float, hidden_s: float, done: asyncio.Event) -> None:
    # Until the server's log shows every job ended; or, for a server that logs no jobs, for hidden_s seconds.
    deadline = time.monotonic() + (hidden_s or timeout_s)
    while time.monotonic() < deadline and (hidden_s or len(_jobs_from_log(log)) < count):
        await asyncio.sleep(0.5)
    done.set()


async def run_class(args, url: str, log: Path | None, folder: Path, watch) -> "Class":
    """Every learner's lesson, all at once: the class, its learners' figures and the server's CPU at both ends."""
    from playwright.async_api import async_playwright

    flags = app_server.CHROMIUM_ARGS + ([] if args.hidden or args.throttled else THROTTLING_OFF)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=_nice_chromium(folder), args=flags)
        lesson = Class(args, url, browser, watch)
        tasks = [asyncio.create_task(lesson.learner(learner)) for learner in lesson.learners]
        if args.hidden:
            await _wait_for_jobs(log, args.learners, args.timeout, args.hidden_s, lesson.finished)
        await asyncio.gather(*tasks)
        lesson.ended = time.monotonic()
        await browser.close()
    return lesson


def _span(lesson: "Class") -> float:
    """Seconds from the first Start to the last finish shown (to the lesson's end when none was shown)."""
    ends = [x.start_at + x.finish_s for x in lesson.learners if x.finish_s is not None]
    return max(ends) if ends else lesson.ended - (lesson.first_start or lesson.ended)


def _fmt(value, pattern: str = "{:.1f}") -> str:
    return "–" if value is None else pattern.format(value)


def _server_exceptions(path: "Path | list[Path] | None") -> list[str]:
    """The last line of every traceback in the server's log (the replicas' logs)."""
    lines, found = _log_lines(path), []
    for index, line in enumerate(lines):
        if line.startswith("Traceback"):
            rest = [x for x in lines[index + 1 :] if x and not x.startswith(" ")]
            found.append(rest[0][:200] if rest else "Traceback")
    return found


def report(learners: list[Learner], jobs: list[dict], cpu: dict, memory: dict, span_s: float, args,
           exceptions: list[str]) -> None:  # fmt: skip
    """Print the class's figures."""
    mode = "background tabs" if args.hidden else "throttled tabs" if args.throttled else "visible tabs"
    print(f"Class load: {len(learners)} learners, {args.epochs} epochs of the seed CNN each, {mode}")
    print(" learner  start   first sign  finish shown  shown→finish  draw→prediction  accuracy  errors")
    for learner in learners:
        print(
            f" {learner.number:7d}  {learner.start_at:5.1f}s  {_fmt(learner.first_sign_s):>9}s"
            f"  {_fmt(learner.finish_s):>11}s  {_fmt(learner.shown_after_s):>11}s"
            f"  {_fmt(learner.draw_ms, '{:.0f}'):>13}ms  {learner.accuracy or '–':>8}  {'; '.join(learner.errors) or '-'}"
        )
    finishes = [learner.finish_s for learner in learners if learner.finish_s is not None]
    ok = sum(learner.ok for learner in learners)
    print(f" models back and drawings read: {ok}/{len(learners)}; errors: {sum(len(x.errors) for x in learners)}")
    if finishes:
        print(f" finish shown: median {statistics.median(finishes):.1f} s, last {max(finishes):.1f} s after its Start")
    draws = [learner.draw_ms for learner in learners if learner.draw_ms is not None]
    if draws:
        print(f" draw → prediction: median {statistics.median(draws):.0f} ms, max {max(draws):.0f} ms")
    if jobs:
        first = min(job["at"] - job["total_s"] for job in jobs)
        ends = sorted(job["at"] - first for job in jobs)
        print(" scheduler finished the jobs at (s after the first submit): " + ", ".join(f"{end:.0f}" for end in ends))
        print(f" states: {sorted({job['state'] for job in jobs})}")
    if cpu:
        per = cpu["training"] / max(1, len(learners)) / max(span_s / 60, 1e-9)
        print(
            f" server CPU: {cpu['total']:.1f} s in all, {cpu['training']:.1f} s during the {span_s:.0f} s of training"
            f" ({cpu['training'] / max(span_s, 1e-9):.2f} of a core): {per:.2f} CPU-s per watching learner per minute"
        )
        print(f" training workers' CPU: {cpu['children']:.1f} s" + (" (Ray's nodes: raylets, GCS, job actors)"
                                                                    if "actors_left" in cpu else ""))  # fmt: skip
        if "actors_left" in cpu:
            print(
                f" job actors at once at most: {cpu['peak_actors']}; left alive after the class: {cpu['actors_left']}"
            )
        if "browsers" in cpu:
            print(f" the browsers' CPU (chromium at low priority, Playwright): {cpu['browsers']:.1f} s")
    if memory:
        print(f" peak RSS: server {memory['server'] / MB:.0f} MB, all processes {memory['all'] / MB:.0f} MB")
    print(f" exceptions in the server's log: {len(exceptions)}" + "".join(f"\n   {line}" for line in exceptions))
    print(f" ratio: {ok}/{len(learners)} learners got their model back and their drawing read")


def _cluster_figures(lesson: "Class", watch) -> tuple[dict, dict]:
    """The cluster run's CPU and memory figures, read before the cluster is stopped."""
    from benchmarks import cluster_topology

    left = cluster_topology.wait_for_no_actors(watch)
    watch.stop()
    training = (lesson.cpu_at_end or watch.cpu_seconds()) - (lesson.cpu_at_start or 0.0)
    cpu = {"total": watch.cpu_seconds(), "training": training, "children": watch.ray_cpu_seconds(),
           "peak_actors": watch.peak_actors, "actors_left": left}  # fmt: skip
    return cpu, {"server": watch.peak_server, "all": watch.peak_all}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 learners, 1 epoch each (CI)")
    parser.add_argument("--learners", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--stagger", type=float, default=5.0, help="learners press Start within this many seconds")
    parser.add_argument("--hidden", action="store_true", help="pages go to the background after Start")
    parser.add_argument("--throttled", action="store_true", help="chromium's background throttling stays on")
    parser.add_argument(
        "--hidden-s",
        type=float,
        default=0.0,
        help="with --hidden: keep pages hidden this long instead of until the log shows every job ended",
    )
    parser.add_argument("--url", help="a running server to use instead of starting one")
    parser.add_argument("--server-cpus", help="pin the server and its workers to these cores (taskset -c)")
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="the checkout whose app.py to serve")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds the whole lesson may take")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--cluster", action="store_true", help="nginx, replicas, Ray and PostgreSQL on this machine")
    parser.add_argument("--replicas", type=int, default=2, help="with --cluster: app replicas behind nginx")
    parser.add_argument("--ray-nodes", type=int, default=2, help="with --cluster: Ray nodes (one CPU each)")
    args = parser.parse_args()
    if args.quick:
        args.learners, args.epochs = min(args.learners, 3), 1
    folder = Path(tempfile.mkdtemp(prefix="class-load-"))
    log, process, watch = None, None, None
    url, topology = args.url, None
    if args.cluster:
        from benchmarks import cluster_topology

        topology = cluster_topology.Topology(folder, args.replicas, args.ray_nodes, app_dir=args.app_dir)
        url, log, watch = topology.url, topology.logs, cluster_topology.ClusterWatch(topology)
        print(cluster_topology.describe(topology))
    elif url is None:
        log = folder / "server.log"
        env = {**os.environ, "PLAYGROUND_OFFLINE": "1", "PLAYGROUND_LOG_LEVEL": "INFO",
               "PLAYGROUND_DATA_DIR": str(folder / "data"), "KERAS_HOME": str(folder / "keras")}  # fmt: skip
        wrap = ["taskset", "-c", args.server_cpus] if args.server_cpus else []
        process, url = app_server.start(args.app_dir / "app.py", cwd=args.app_dir, output=log.open("w"), env=env,
                                        wait_s=120, wrap=wrap)  # fmt: skip
        watch = ServerWatch(process.pid)
    try:
        lesson = asyncio.run(run_class(args, url, log, folder, watch))
        learners, span_s = lesson.learners, _span(lesson)
        cpu, memory = {}, {}
        if topology is not None:
            cpu, memory = _cluster_figures(lesson, watch)
        elif watch:
            watch.stop()
            children = watch.server.cpu_times()
            training = (lesson.cpu_at_end or watch.cpu_seconds()) - (lesson.cpu_at_start or 0.0)
            cpu = {"total": watch.cpu_seconds(), "training": training,
                   "children": children.children_user + children.children_system}  # fmt: skip
            memory = {"server": watch.peak_server, "all": watch.peak_all}
    finally:
        if process is not None:
            app_server.stop(process)
        if topology is not None:
            topology.stop()
    if cpu and topology is None:
        # Everything this process waited for: the server, its workers, and the browsers (chromium under Playwright's
        # driver, which reaps it); what is not the server's or its workers' is the browsers'.
        reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu["browsers"] = max(0.0, reaped.ru_utime + reaped.ru_stime - cpu["total"] - cpu["children"])
    jobs, exceptions = _jobs_from_log(log), _server_exceptions(log)
    report(learners, jobs, cpu, memory, span_s, args, exceptions)
    if args.json:
        payload = {"learners": [asdict(x) for x in learners], "jobs": jobs, "cpu": cpu, "memory": memory,
                   "exceptions": exceptions,
                   "span_s": span_s, "args": {k: str(v) for k, v in vars(args).items()}}  # fmt: skip
        args.json.write_text(json.dumps(payload, indent=2))
    leftover = cpu.get("actors_left", 0)
    return 0 if all(learner.ok for learner in learners) and not exceptions and not leftover else 1


if __name__ == "__main__":
    sys.exit(main())
