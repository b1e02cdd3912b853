"""Heavy modules imported once, under one lock, before a page uses them: script threads never race an import.

Streamlit runs every session's script in its own thread. When two threads import a large package at the same time,
one of them can see it half-initialised: Plotly asks `sys.modules` for pandas while another thread is still importing
it, and a live chart died with "partially initialized module 'pandas' has no attribute 'Series'". So the router
(app.py) calls `base()` before any page runs, and `keras()` before a page that needs TensorFlow; glue code that needs
a heavy module later (a button that trains, a download that exports) asks `module(name)` for it. Each group is
imported by the first thread that asks while the others wait, then never again.
"""

import importlib
import logging
import os
import threading
from types import ModuleType

# What every page may touch: Streamlit's dataframes import pandas and pyarrow lazily, Plotly peeks at pandas,
# the Draw page's canvas is a component package, the session store speaks SQLAlchemy.
BASE = (
    "numpy",
    "pandas",
    "pyarrow",
    "PIL.Image",
    "plotly.graph_objects",
    "plotly.io",
    "plotly.subplots",
    "plotly.tools",
    "streamlit.dataframe_util",
    "streamlit_drawable_canvas",
    "sqlalchemy",  # the session store (playground.store); its dialect is imported when the engine is made
    "sqlalchemy.dialects.sqlite.pysqlite",
)

# What a page that runs Keras in the server process needs (TensorFlow: 3–5 s and ~650 MB, once per server).
KERAS = (
    "playground.backend",
    "playground.model",
    "playground.inspection.inspector",
    "playground.inspection.evaluation",
    "playground.concepts.activations",
    "playground.concepts.backprop",
    "playground.concepts.losses",
    "playground.concepts.optimizers",
    "playground.plane.run",
)

LOCK = threading.Lock()
_loaded: set[str] = set()


def _load(group: str, names: tuple[str, ...]) -> None:
    if group in _loaded:  # the common case: no lock taken after the first time
        return
    with LOCK:
        if group in _loaded:
            return
        for name in names:
            importlib.import_module(name)
        _loaded.add(group)  # only once every module of the group is whole


def base() -> None:
    """Import the modules every page may use (the router calls this before any page runs)."""
    if "base" not in _loaded:
        _load("base", BASE)
        with LOCK:
            _log_to_stderr()


def _log_to_stderr() -> None:
    # $PLAYGROUND_LOG_LEVEL=INFO logs each training job's end (one JSON line), for operators and the class harness.
    level = os.environ.get("PLAYGROUND_LOG_LEVEL")
    logger = logging.getLogger("playground")
    if level and not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(level.upper())


def keras() -> None:
    """Import Keras, TensorFlow and the playground modules built on them (the first call takes seconds)."""
    base()
    _load("keras", KERAS)


def module(name: str) -> ModuleType:
    """The module `name`, imported under the lock after the heavy modules it may need."""
    keras() if name in KERAS else base()
    with LOCK:
        return importlib.import_module(name)


def loaded() -> frozenset[str]:
    """The groups imported so far in this process ("base", "keras")."""
    return frozenset(_loaded)
