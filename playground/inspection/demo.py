"""The bundled demo model: what the Draw page and `playground predict` use when there is no trained model."""

import functools

from playground import bundle, paths
from playground.bundle import TrainedModel

PATH = paths.ASSETS / "demo_model.zip"


@functools.lru_cache(maxsize=1)
def model() -> TrainedModel:
    """The bundled demo: the seed CNN trained on the MNIST sample (scripts/make_demo_model.py makes it)."""
    return bundle.from_bytes(PATH.read_bytes())
