"""A class on one server: no import races between script threads, and live panels that cost little and catch up.

The race: Streamlit runs each session's script in its own thread, and a module imported by two threads at once can
be seen half-initialised (a live chart died with "partially initialized module 'pandas'"). The router preloads
heavy modules under one lock (playground.ui.preload); the source tests below hold every page to that.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
import streamlit

from playground import presets
from playground.training import scheduler as training
from playground.training.job import TrainingJob
from playground.training.limits import Limits
from playground.training.runs import FitRequest, TrainSettings
from playground.ui import preload
from playground.ui.train import jobs
from playground.ui.train import view as train_view

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from app import PAGES  # noqa: E402  (app.py has no import-time side effects)

# Third-party packages that must never be imported by two script threads at once.
HEAVY = {"pandas", "pyarrow", "plotly", "keras", "tensorflow", "streamlit_drawable_canvas"}
KERAS = {"keras", "tensorflow"}
# Library functions that import Keras lazily, and why that never happens in a script thread unguarded.
LAZY_KERAS = {
    "playground.training.worker.main": "runs in a spawned worker process",
    "playground.training.worker.run": "runs in a worker (a spawned process of the local backend)",
    "playground.training.worker.set_threads": "runs in a spawned worker process",
    "playground.training.backends.ray_job.__init__": "runs in a job's Ray actor on the cluster (backends.ray)",
    "playground.concepts.depth.gradient_sizes": "runs in a spawned process (depth_experiment_in_worker)",
    "playground.concepts.depth.train_and_measure": "runs in a spawned process (depth_experiment_in_worker)",
    "playground.cli.cmd_predict": "the command line: no script threads",
    "playground.cli.cmd_train": "the command line: no script threads",
    "playground.bundle.to_keras_file": "its one caller (ui/models/files) calls preload.keras() first",
    "playground.training.precision.measure_speedup": "called by fit (a worker, the command line) resolving auto",
    "playground.training.precision.applied": "wraps fit: a worker or the command line",
}


# ---------------------------------------------------------------- the race itself


@pytest.mark.slow
def test_pages_opened_at_once_by_a_class_see_no_half_imported_module():
    # A fresh process, as a freshly started server: nothing imported yet, six sessions open pages together.
    pages = ["views/build.py", "views/data.py", "views/build.py", "views/data.py", "views/draw.py", "views/losses.py"]
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "ui" / "concurrent_pages.py"), *pages],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["errors"] == []
    assert report["pandas"]  # the pages did use pandas: the race was possible


# ---------------------------------------------------------------- the sources keep to the preload


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


SOURCES = {_module_name(path): path for folder in ("playground", "views") for path in (ROOT / folder).rglob("*.py")}


def _imported(node: ast.AST, module: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:  # relative import
            base = ".".join(module.split(".")[: -node.level] + ([base] if base else []))
        names = [f"{base}.{alias.name}" for alias in node.names]
        return [name if name in SOURCES else base for name in names]
    return []


def _imports(module: str) -> tuple[set[str], dict[str, set[str]]]:
    """(imports at module level, {function qualname: imports inside it}) of one of our modules."""
    tree = ast.parse(SOURCES[module].read_text())
    top: set[str] = set()
    lazy: dict[str, set[str]] = {}

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, function or child.name)
                continue
            found = _imported(child, module)
            if found:
                (lazy.setdefault(f"{module}.{function}", set()) if function else top).update(found)
            visit(child, function)

    visit(tree, None)
    return top, lazy


def _closure(names: set[str]) -> set[str]:
    """Every module reached through module-level imports, ours followed, third-party ones by their root."""
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in SOURCES:
            todo += _imports(name)[0]
            package = name.rsplit(".", 1)[0]
            if package != name and package in SOURCES:
                todo.append(package)
    return seen


def _heavy(names: set[str]) -> set[str]:
    reached = _closure(names)
    roots = {name.split(".")[0] for name in reached}
    if "playground.backend" in reached:  # it imports Keras and TensorFlow when it is imported (in a function)
        roots |= KERAS
    return roots & HEAVY


def _preloaded(keras: bool) -> set[str]:
    return _heavy({*preload.BASE, *(preload.KERAS if keras else ())})


@pytest.mark.parametrize("page", PAGES, ids=lambda page: Path(page[0]).stem)
def test_each_page_imports_heavy_modules_only_after_the_router_preloaded_them(page):
    path, *_, keras = page
    needed = _heavy({_module_name(ROOT / path)})
    assert needed <= _preloaded(keras), f"{path} imports {needed - _preloaded(keras)} that the router does not preload"
    assert keras == bool(needed & KERAS), f"{path}: its Keras flag in app.PAGES does not match what it imports"


def test_glue_code_imports_heavy_modules_later_only_through_the_preload():
    glue = [name for name in SOURCES if name.startswith(("views.", "playground.ui."))]
    offenders = {}
    for module in glue:
        for function, names in _imports(module)[1].items():
            heavy = _heavy(names)
            if heavy:
                offenders[function] = heavy
    assert offenders == {}, "use preload.module(name) for these lazy imports"


def test_every_lazy_keras_import_in_the_library_is_accounted_for():
    found = set()
    for module in SOURCES:
        if module.startswith(("views.", "playground.ui.")) or module == "playground.backend":
            continue
        for function, names in _imports(module)[1].items():
            if _heavy(names) & KERAS:
                found.add(function)
    assert found == set(LAZY_KERAS)
    assert "preload.keras()" in (ROOT / "playground" / "ui" / "models" / "files.py").read_text()


def test_the_router_preloads_before_it_imports_the_glue():
    main = next(node for node in ast.parse((ROOT / "app.py").read_text()).body if getattr(node, "name", "") == "main")
    lines = [ast.unparse(statement) for statement in main.body]
    preloaded = lines.index("preload.base()")
    assert all("playground.ui import lesson" not in line for line in lines[:preloaded])


# ---------------------------------------------------------------- live panels: cost and catching up


T_EN = {"loss": "loss"}.get


@pytest.fixture
def scheduler():
    """A scheduler that never starts a job (no slots): jobs stay queued, no worker process is spawned."""
    made = training.configure(Limits(max_running=0, cores=2, spare="off"))
    yield made
    made.shutdown()


def test_refreshes_slow_down_as_more_learners_watch(scheduler, monkeypatch):
    intervals = {}
    for watchers in (0, 1, 4, 8, 12, 20, 60):
        monkeypatch.setattr(scheduler, "watched_jobs", lambda watchers=watchers: watchers)
        intervals[watchers] = train_view.tick_interval()
    assert intervals == {0: 1.0, 1: 1.0, 4: 1.0, 8: 2.0, 12: 3.0, 20: 5.0, 60: 5.0}
    # The server redraws at most about WATCHERS_PER_S panels a second for a class of up to 20; beyond, 5 s stays.
    assert all(
        watchers / interval <= train_view.WATCHERS_PER_S for watchers, interval in intervals.items() if watchers <= 20
    )
    monkeypatch.setattr(scheduler, "watched_jobs", lambda: 20)
    assert train_view.retick(1.0) and not train_view.retick(5.0) and not train_view.retick(4.0)


def test_watched_jobs_counts_the_queued_and_running_jobs_a_page_looked_at(scheduler):
    spec = presets.preset("logistic")
    watched = [TrainingJob(FitRequest(spec, TrainSettings(epochs=1))) for _ in range(3)]
    unwatched = TrainingJob(FitRequest(spec, TrainSettings(epochs=1)))
    for job in [*watched, unwatched]:
        scheduler.submit(job)
    for job in watched:
        job.touch()
    assert scheduler.watched_jobs() == 3
    watched[0].stop()  # cancelled: no longer live
    assert scheduler.watched_jobs() == 2


class Fragments:
    """Records the refresh interval of every fragment a script run declares."""

    def __init__(self, monkeypatch):
        self.declared: list[tuple[str, float | None]] = []
        real = streamlit.fragment

        def fragment(func=None, *, run_every=None, **options):
            def wrap(function):
                self.declared.append((function.__qualname__, run_every))
                return real(function, run_every=run_every, **options)

            return wrap(func) if func is not None else wrap

        monkeypatch.setattr(streamlit, "fragment", fragment)

    def ticking(self) -> dict[str, float]:
        return {name.split(".")[0]: every for name, every in self.declared if every}


def _live_job(spec) -> TrainingJob:
    job = TrainingJob(FitRequest(spec, TrainSettings(epochs=2)), run_id=1)
    job.set_state("running", ("state_running", {}))
    job.handle("begin", {"steps_per_epoch": 10, "epochs": 2})
    return job


def _step(job: TrainingJob, step: int) -> None:
    values = {"global_step": step, "step_epoch": step / 10, "loss": 1.0 / step, "accuracy": 0.5, "epoch": 1}
    job.handle("step", {**values, "step": step, "elapsed": step * 0.1, "samples_per_second": 100.0})


def _train_page_training(app_test):
    """(the Train page's AppTest, its session's job) with that job running, one step in."""
    app = app_test("views/train.py")
    spec = presets.preset("logistic")
    app.session_state["spec"] = spec
    job = _live_job(spec)
    _step(job, 1)
    app.session_state[jobs.JOB] = job
    return app, job


def test_a_page_without_a_live_job_asks_the_server_for_no_refreshes(app_test, monkeypatch, scheduler):
    fragments = Fragments(monkeypatch)
    app = app_test("views/train.py")
    assert not app.exception
    assert fragments.ticking() == {}


def test_the_live_panel_redraws_only_when_its_job_moved_and_stops_ticking_at_the_end(app_test, monkeypatch, scheduler):
    fragments = Fragments(monkeypatch)
    built = []
    real_step_figure = train_view.figures.step_figure
    monkeypatch.setattr(train_view.figures, "step_figure", lambda *a, **k: built.append(1) or real_step_figure(*a, **k))
    app, job = _train_page_training(app_test)
    fragments.declared.clear()
    app.run()
    assert not app.exception
    assert fragments.ticking() == {"live_panel": 1.0}  # the sidebar's status does not tick beside it on this page
    assert len(built) == 1
    app.run()
    app.run()
    assert len(built) == 1  # nothing moved: the figures drawn last time are shown again
    _step(job, 2)
    app.run()
    assert len(built) == 2
    job.handle("end", {"outcome": "finished", "epochs_done": 2})
    job.worker_gone(0)
    fragments.declared.clear()
    app.run()
    assert not app.exception
    assert app.success and "Finished" in app.success[0].value
    assert fragments.ticking() == {}  # ended: nothing refreshes any more


def test_the_sidebar_status_ticks_on_other_pages_while_a_job_runs(app_test, monkeypatch, scheduler):
    fragments = Fragments(monkeypatch)
    app = app_test("views/build.py")
    job = _live_job(presets.preset("logistic"))
    app.session_state[jobs.JOB] = job
    fragments.declared.clear()
    app.run()
    assert not app.exception
    assert fragments.ticking() == {"sidebar_status": train_view.SIDEBAR_TICKS * train_view.TICK_S}


def test_on_the_train_page_the_sidebar_points_to_the_live_panel_instead_of_a_status_that_would_not_move(
    app_test, monkeypatch, scheduler
):
    app, job = _train_page_training(app_test)
    app.run()
    assert not app.exception
    assert "Training: follow it live on this page." in [caption.value for caption in app.sidebar.caption]
    assert not app.sidebar.get("progress")  # a bar frozen at the epoch of the last full run
    job.handle("end", {"outcome": "finished", "epochs_done": 2})
    job.worker_gone(0)
    app.run()
    assert not app.exception
    assert app.sidebar.get("progress")[0].proto.text.startswith("finished · epoch ")  # ended: the status is back


def test_one_failing_tick_shows_a_note_and_the_panel_goes_on(app_test, monkeypatch, scheduler):
    fragments = Fragments(monkeypatch)
    app, job = _train_page_training(app_test)
    real_snapshot = job.snapshot
    monkeypatch.setattr(job, "snapshot", lambda: (_ for _ in ()).throw(RuntimeError("a bad tick")))
    fragments.declared.clear()
    app.run()
    assert not app.exception
    assert "Updating…" in [caption.value for caption in app.caption]
    assert fragments.ticking() == {"live_panel": 1.0}  # still refreshing
    monkeypatch.setattr(job, "snapshot", real_snapshot)
    app.run()
    assert not app.exception
    assert "Updating…" not in [caption.value for caption in app.caption]
    assert app.get("plotly_chart")
