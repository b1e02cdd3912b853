"""The layer registry: every layer kind the playground offers, each defined once (see layers.kind.LayerKind).

Validation, the Build page, Keras building, generated code, bundles, costs and the Draw page look a kind up here;
adding a kind is one new LayerKind registered with `register`.
"""

from playground.layers import core, residual, spatial
from playground.layers.kind import Inferred, LayerKind, LayerProblem, Weight

REGISTRY: dict[str, LayerKind] = {}


def register(kind: LayerKind) -> LayerKind:
    """Add a kind to the registry (replacing one of the same name); returns it."""
    REGISTRY[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Remove a kind (tests register throw-away kinds)."""
    REGISTRY.pop(name, None)


def get(name: str) -> LayerKind:
    """The kind called `name`; KeyError when there is none."""
    return REGISTRY[name]


def names() -> tuple[str, ...]:
    """Every registered kind's name, in the order the Build page offers them."""
    return tuple(REGISTRY)


for _kind in (
    core.DENSE,
    spatial.CONV2D,
    spatial.MAX_POOLING2D,
    spatial.AVERAGE_POOLING2D,
    core.FLATTEN,
    core.DROPOUT,
    core.BATCH_NORMALIZATION,
    spatial.GLOBAL_AVERAGE_POOLING2D,
    residual.RESIDUAL_BLOCK,
):
    register(_kind)

__all__ = ["REGISTRY", "Inferred", "LayerKind", "LayerProblem", "Weight", "get", "names", "register", "unregister"]
