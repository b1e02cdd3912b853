"""What runs in a training worker: import TensorFlow, wait for one job, train it, send the result, exit.

A worker runs one job and exits, so the memory every trained Keras model leaks goes back to the system with it.
It never imports Streamlit. Messages to the server are (kind, values) tuples of plain numbers, then
("result", FitResult) or ("error", {...}). `run` is the job itself, whatever carries the messages; `main` is the
life of a local worker process (backends.local): it talks through a pipe and exits when the server is gone.
"""

import os
import sys
import threading
import time
import traceback

PARENT_POLL_S = 0.5


def _exit_when_orphaned(parent_pid: int) -> None:
    # A killed server cannot stop its workers: each one notices by itself (~700 MB each otherwise left behind).
    while True:
        if os.getppid() != parent_pid:
            os._exit(0)
        time.sleep(PARENT_POLL_S)


def _listen_for_stop(conn, stop: threading.Event) -> None:
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the server closed its end or died
            os._exit(0)
        if message == "stop":
            stop.set()


def use_fast_kernels() -> None:
    """Turn on TensorFlow's oneDNN kernels (before TensorFlow loads) unless TF_ENABLE_ONEDNN_OPTS says otherwise.

    TensorFlow enables them by default only on some CPUs; on the AMD EPYC we measured they train the seed CNN
    15–30 % faster per CPU-second. The numbers differ from the default kernels only by floating-point round-off.
    """
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")


# Keras imports pandas (and pandas pyarrow) when it is installed, only to accept DataFrames as training data, which a
# worker never gets: ~0.3–0.5 CPU-s of every job's start (benchmarks/job_cost.py).
UNNEEDED_MODULES = ("pandas",)


def skip_unneeded_imports() -> None:
    """Make this process's imports of UNNEEDED_MODULES fail (Keras then goes without), before Keras loads."""
    for name in UNNEEDED_MODULES:
        if name not in sys.modules:
            sys.modules[name] = None  # `import pandas` raises ImportError, which Keras expects when it is missing


def exit_now() -> None:
    """End this process at once, without the interpreter's teardown: its result is sent and nothing is left to
    save, and tearing down TensorFlow's objects and modules costs about 1 CPU-s and a second of the job's slot."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def set_threads(threads: int) -> None:
    """Give TensorFlow this process's share of the cores (before it runs any operation)."""
    from playground.backend import tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(min(threads, 2))


def error_message(error: BaseException) -> dict:
    """The error as (catalogue key, params) for the server: a readable message, with the traceback for logs."""
    from playground.data import DatasetUnavailable
    from playground.spec import SpecError

    detail = str(error) or type(error).__name__
    if isinstance(error, SpecError):
        key = "error_spec"
    elif isinstance(error, DatasetUnavailable):
        key = "error_dataset"
    elif isinstance(error, MemoryError) or type(error).__name__ == "ResourceExhaustedError":
        key = "error_memory"
    else:
        key, detail = "error_exception", f"{type(error).__name__}: {detail}"
    return {"key": key, "detail": detail[:600], "traceback": traceback.format_exc(limit=8)}


class SessionStore:
    """The session store as the keeper of uploaded image sets, imported only when a job reads one: most jobs train on
    a registered dataset, and importing the store (SQLAlchemy) costs every job ~0.2–0.4 CPU-s otherwise."""

    def image_set(self, name: str) -> bytes | None:
        """The kept set's bytes, or None."""
        from playground import store

        return store.keeper().image_set(name)

    def has_image_set(self, name: str) -> bool:
        """True when the store keeps this set."""
        from playground import store

        return store.keeper().has_image_set(name)


def run(request, threads: int, send, should_stop, keeper=None) -> None:
    """Train the request with this many threads, reporting through send(message) and stopping when should_stop();
    the last message is ("result", FitResult) or ("error", {...}). Uploaded image sets are read from `keeper`
    (a data.kept Keeper), by default the session store (SessionStore)."""
    try:
        from playground.data import kept as kept_sets
        from playground.training import fit as fitting  # already imported by a warm worker

        kept_sets.keep_in(SessionStore() if keeper is None else keeper)
        set_threads(threads)
        result = fitting.fit(request, lambda kind, values: send((kind, values)), should_stop)
    except BaseException as error:
        send(("error", error_message(error)))
        return
    send(("result", result))


def main(conn, parent_pid: int, idle_timeout_s: float) -> None:
    """A local worker process: warm up, wait up to idle_timeout_s for ("fit", FitRequest, threads), then run it."""
    threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True, name="watch-parent").start()
    use_fast_kernels()
    skip_unneeded_imports()
    try:
        # Importing is the slow part (seconds); it does not start TensorFlow's runtime, so the thread count
        # can still be chosen when the job arrives and the server knows how many jobs share the cores.
        from playground.training import fit  # noqa: F401
    except BaseException as error:  # a broken install: tell the server instead of dying silently
        conn.send(("error", error_message(error)))
        return
    conn.send(("warm", {"pid": os.getpid(), "streamlit": "streamlit" in sys.modules}))
    if not conn.poll(idle_timeout_s):
        exit_now()  # an unused spare gives its memory back
    try:
        message = conn.recv()
    except (EOFError, OSError):
        exit_now()
    if not (isinstance(message, tuple) and message[0] == "fit"):
        exit_now()
    _, request, threads = message
    stop = threading.Event()
    threading.Thread(target=_listen_for_stop, args=(conn, stop), daemon=True, name="listen").start()
    run(request, threads, conn.send, stop.is_set)
    exit_now()
