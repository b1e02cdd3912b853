"""Taking a run's replay snapshots in the worker: the first weighted layer's filters, one probe image's feature maps
and its class probabilities, at the start, a few moments of the first epoch and each epoch's end.

The Recorder calls `Snapshots.moment` after each group of steps and at each epoch's end; a frame costs one forward
pass of one image and a copy of the first layer's kernel. PLAYGROUND_REPLAY=off turns snapshots off (the throughput
benchmark compares with and without).
"""

import os

import numpy as np

from playground import layers
from playground import spec as specs
from playground.backend import keras
from playground.model import keras_layers, output_layer_name
from playground.spec import ModelSpec
from playground.training import replay as replays
from playground.training.replay import Replay


def enabled() -> bool:
    """False when $PLAYGROUND_REPLAY says off (or 0, false, no): the benchmark's runs without snapshots."""
    return os.environ.get("PLAYGROUND_REPLAY", "on").strip().lower() not in ("off", "0", "false", "no")


def _first_weighted(spec: ModelSpec) -> tuple[int, str] | None:
    """(1-based position, filter caption) of the first weighted layer when its kind makes filter pictures."""
    shape = tuple(spec.input_shape)
    for position, (layer, inferred) in enumerate(zip(spec.layers, specs.check(spec).shapes, strict=True), 1):
        kind = layers.get(layer.kind)
        if kind.weights(shape, kind.full_args(layer.args)):
            return (position, kind.filter_caption) if kind.filters else None
        shape = inferred.output_shape
    return None


def _softmax(outputs: np.ndarray) -> np.ndarray:
    # A model ending in logits (a linear last layer) is shown as probabilities all the same.
    if np.all(outputs >= 0) and abs(float(outputs.sum()) - 1.0) < 1e-3:
        return outputs
    shifted = np.exp(outputs - outputs.max())
    return shifted / shifted.sum()


class Snapshots:
    """A run's snapshots as they are taken; `replay()` is the run's replay so far (an earlier one's frames first)."""

    def __init__(self, model, spec: ModelSpec, probe: np.ndarray, probe_label: int, earlier: Replay | None = None):
        self.model, self.spec, self.earlier = model, spec, earlier
        self.input = probe.astype(np.float32).reshape((1, *spec.input_shape)) / 255.0
        self.probe, self.probe_label = probe.astype(np.uint8), probe_label
        spatial = [
            (position, layer)
            for position, (layer, inferred) in enumerate(zip(spec.layers, specs.check(spec).shapes, strict=True), 1)
            if len(inferred.output_shape) == 3
        ][: replays.MAX_MAP_LAYERS]
        self.map_layers = tuple(f"{layer.kind} {position}" for position, layer in spatial)
        outputs = [model.get_layer(output_layer_name(position, layer)).output for position, layer in spatial]
        self.probe_model = keras.Model(model.inputs[0], [*outputs, model.outputs[0]])
        first = _first_weighted(spec)
        self.filter_layer = None
        self.caption = ""
        if first is not None:
            position, self.caption = first
            parts = keras_layers(model, position, spec.layers[position - 1])
            self.filter_layer = (position, next(weight for part in parts for weight in part.weights))
        self.frames: list[tuple[float, int, np.ndarray, np.ndarray, list[np.ndarray]]] = []
        self.moments = iter(replays.FIRST_EPOCH_MOMENTS)
        self.next_moment = next(self.moments, None)

    def _filters(self) -> np.ndarray:
        if self.filter_layer is None:
            return np.zeros((0, 0, 0), np.float16)
        position, weight = self.filter_layer
        kind = layers.get(self.spec.layers[position - 1].kind)
        images = kind.filters(np.asarray(keras.ops.convert_to_numpy(weight.value), np.float32), self.spec.input_shape)
        if images is None:
            return np.zeros((0, 0, 0), np.float16)
        return replays.pooled(images[: replays.MAX_FILTERS]).astype(np.float16)

    def take(self, epoch: float, step: int) -> None:
        """Take one frame now, at this position in epochs and global step."""
        outputs = self.probe_model(self.input, training=False)
        outputs = outputs if isinstance(outputs, list | tuple) else [outputs]  # a model of one output returns it bare
        arrays = [np.asarray(keras.ops.convert_to_numpy(keras.ops.cast(o, "float32")))[0] for o in outputs]
        maps = [replays.pooled(np.moveaxis(a[..., : replays.MAX_MAPS], -1, 0)).astype(np.float16) for a in arrays[:-1]]
        probabilities = _softmax(arrays[-1].astype(np.float64)).astype(np.float16)
        frame = [np.nan_to_num(a) for a in (probabilities, self._filters(), *maps)]  # a diverging run's last
        self.frames.append((epoch, step, frame[0], frame[1], frame[2:]))
        if len(self.frames) > 4 * replays.MAX_FRAMES:  # a very long run: thin as it goes, memory stays small
            self.frames = [self.frames[i] for i in replays.thin(len(self.frames), 2 * replays.MAX_FRAMES)]

    def moment(self, epochs_done: int, fraction: float, step: int, epoch_end: bool = False, position=None) -> None:
        """After a group of steps (fraction of the epoch in progress) or at an epoch's end (at `position` in epochs,
        short of a whole number for a stopped epoch): a frame when one is due."""
        if epoch_end:
            self.take(float(epochs_done if position is None else position), step)
            return
        if epochs_done != 0 or self.next_moment is None or fraction < self.next_moment:
            return
        while self.next_moment is not None and fraction >= self.next_moment:  # one frame for moments passed at once
            self.next_moment = next(self.moments, None)
        if fraction < 1.0:  # the epoch's end takes its own frame
            self.take(fraction, step)

    def replay(self) -> Replay | None:
        """The frames so far (an earlier run's first), thinned evenly to the frame limit; None before any frame."""
        if not self.frames:
            return self.earlier
        epoch, step, probabilities, filters, maps = zip(*self.frames, strict=True)
        taken = Replay(
            np.array(epoch, np.float64),
            np.array(step, np.int64),
            np.stack(probabilities),
            np.stack(filters),
            tuple(np.stack(layer_maps) for layer_maps in zip(*maps, strict=True)),
            self.map_layers,
            self.probe,
            self.probe_label,
            self.caption,
        )
        return taken.thinned() if self.earlier is None else self.earlier.appended(taken)
