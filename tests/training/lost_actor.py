"""A job actor lost before its job begins, as one placed on a node that has just died: while MARKER holds a count
above 0, each creation counts it down and ends its own process instead of warming up (the Ray backend's tests)."""

import os
import tempfile
from pathlib import Path

from playground.training.backends.ray_job import JobActor

MARKER = Path(tempfile.gettempdir()) / "playground-test-lost-actors"


class LostBeforeBeginning(JobActor):
    def __init__(self, *args):
        try:
            left = int(MARKER.read_text())
        except (OSError, ValueError):
            left = 0
        if left > 0:
            MARKER.write_text(str(left - 1))
            os._exit(1)
        super().__init__(*args)
