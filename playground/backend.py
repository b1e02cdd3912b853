"""Imports Keras (TensorFlow) once, quietly: only modules that need it import this one."""

import os
import sys
import threading

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def _import_quietly():
    # TensorFlow prints two start-up lines straight to fd 2 that TF_CPP_MIN_LOG_LEVEL does not silence. Only a
    # process's main thread (a worker, the command line) hides them: in the server, other threads write to fd 2
    # meanwhile (logs, tracebacks), and for the seconds of the import those lines would be lost.
    if threading.current_thread() is not threading.main_thread():
        import keras
        import tensorflow

        return keras, tensorflow
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import keras
        import tensorflow
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return keras, tensorflow


keras, tf = _import_quietly()
