"""A trained model's weights by spec layer, and its first weighted layer's filters as pictures (no Keras needed)."""

import numpy as np

from playground import layers
from playground import spec as specs
from playground.bundle import TrainedModel


def by_layer(trained: TrainedModel) -> tuple[tuple[np.ndarray, ...], ...]:
    """The trained arrays of each spec layer in order (get_weights() order within a layer; () for a weightless one)."""
    groups, start, shape = [], 0, tuple(trained.spec.input_shape)
    for layer, inferred in zip(trained.spec.layers, specs.check(trained.spec).shapes, strict=True):
        kind = layers.get(layer.kind)
        count = len(kind.weights(shape, kind.full_args(layer.args)))
        groups.append(tuple(trained.weights[start : start + count]))
        start, shape = start + count, inferred.output_shape
    return tuple(groups)


def first_layer_filters(trained: TrainedModel) -> tuple[str, np.ndarray] | None:
    """The first weighted layer's learned filters as images (n, h, w) with the caption that explains them, or None
    when that layer's weights make no pictures (Conv2D kernels and a Dense layer on the image itself do)."""
    for layer, arrays in zip(trained.spec.layers, by_layer(trained), strict=True):
        if arrays:
            kind = layers.get(layer.kind)
            images = kind.filters(arrays[0], trained.spec.input_shape) if kind.filters else None
            return None if images is None else (kind.filter_caption, images)
    return None
