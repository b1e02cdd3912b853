"""Learning replayed: thinning, the size bound, float16, Continue, and the round trips (store codec, bundle)."""

import math
from dataclasses import replace

import numpy as np
import pytest

from playground import bundle, presets
from playground import spec as specs
from playground.bundle import TrainedModel, expected_weight_shapes
from playground.store import codec
from playground.training import replay as replays
from playground.training.replay import Replay, ReplayError, pooled, thin
from playground.training.runs import FitRequest, History, RunRecord, TrainSettings


def _fake(spec, frames: int, start: float = 0.0, seed: int = 0) -> Replay:
    """A replay shaped like the worker's for this spec (filters and maps as Snapshots pools them), random values."""
    rng = np.random.default_rng(seed)
    shapes = specs.check(spec).shapes
    spatial = [(p, s.output_shape) for p, s in enumerate(shapes, 1) if len(s.output_shape) == 3]
    spatial = spatial[: replays.MAX_MAP_LAYERS]
    first = next(shape for shape in expected_weight_shapes(spec) if len(shape) > 1)
    if len(first) == 4:  # a convolution's kernel: (h, w, channels, filters)
        filter_shape = (min(first[-1], replays.MAX_FILTERS), *pooled(np.zeros(first[:2])).shape)
    else:  # a Dense layer on the image: one picture per unit
        filter_shape = (min(first[-1], replays.MAX_FILTERS), *pooled(np.zeros(spec.input_shape[:2])).shape)
    maps = tuple(
        rng.random((frames, min(shape[-1], replays.MAX_MAPS), *pooled(np.zeros(shape[:2])).shape)).astype(np.float16)
        for _, shape in spatial
    )
    return Replay(
        np.arange(frames, dtype=np.float64) + start,
        np.arange(frames, dtype=np.int64) * 10,
        rng.random((frames, spec.num_classes)).astype(np.float16),
        rng.random((frames, *filter_shape)).astype(np.float16),
        maps,
        tuple(f"{spec.layers[p - 1].kind} {p}" for p, _ in spatial),
        rng.integers(0, 256, (28, 28), dtype=np.uint8),
        7,
        "conv",
    )


def test_thinning_spreads_evenly_and_keeps_first_and_last():
    assert list(thin(5, 24)) == [0, 1, 2, 3, 4]
    kept = thin(100, 24)
    assert len(kept) == 24 and kept[0] == 0 and kept[-1] == 99
    gaps = np.diff(kept)
    assert gaps.min() >= 4 and gaps.max() <= 5  # 99 / 23 ≈ 4.3: even


def test_pooling_averages_blocks_down_to_the_side_limit():
    images = np.arange(2 * 28 * 28, dtype=np.float64).reshape(2, 28, 28)
    small = pooled(images)
    assert small.shape == (2, 14, 14)
    assert small[1, 3, 5] == images[1, 6:8, 10:12].mean()
    assert pooled(images[:, :9, :9]).shape == (2, 9, 9)


def _largest_preset() -> str:
    sizes = {name: _fake(presets.preset(name), 1).nbytes for name in presets.PRESETS}
    return max(sizes, key=sizes.get)


def test_the_largest_preset_stays_under_the_bound_after_50_epochs_and_two_continues():
    name = _largest_preset()
    spec = presets.preset(name)
    # 50 epochs: the start, 3 first-epoch moments and 50 epoch ends; then two Continues of 50 epochs each.
    run = _fake(spec, 54).thinned()
    for continued in range(2):
        run = run.appended(_fake(spec, 50, start=50.0 * (continued + 1) + 1, seed=continued + 1))
    assert len(run) <= replays.MAX_FRAMES
    assert run.nbytes <= replays.MAX_BYTES, (name, run.nbytes)
    assert run.epoch[0] == 0.0 and run.epoch[-1] == 150.0  # the very start and the latest moment are kept
    assert all(a.dtype == np.float16 for a in (run.probabilities, run.filters, *run.maps))
    print(f"largest preset {name}: {len(run)} frames, {run.nbytes:,} bytes")


def test_every_preset_fits_the_bound():
    for name in presets.PRESETS:
        run = _fake(presets.preset(name), 200).thinned()
        assert run.nbytes <= replays.MAX_BYTES and len(run) >= 2, name


def test_continue_appends_in_order_and_rethins():
    spec = presets.preset("seed-cnn")
    first = _fake(spec, 10)
    both = first.appended(_fake(spec, 30, start=10.0, seed=1))
    assert len(both) == replays.MAX_FRAMES
    assert list(both.epoch) == sorted(both.epoch) and both.epoch[0] == 0 and both.epoch[-1] == 39
    assert np.array_equal(both.filters[0], first.filters[0])
    other = _fake(presets.preset("mlp"), 3, seed=2)
    assert first.appended(other).map_layers == other.map_layers  # another architecture: the newer frames only


def test_store_codec_round_trip_keeps_the_replay():
    spec = presets.preset("seed-cnn")
    run = _fake(spec, 12)
    record = RunRecord(3, spec, TrainSettings(epochs=11), History(), "finished", 0.1, 0.9, run)
    (back,) = codec.decode_runs(codec.encode_runs([record]))
    _same(back.replay, run)
    damaged = codec.encode_runs([record]).replace(b'"npz": "', b'"npz": "!!')
    (kept,) = codec.decode_runs(damaged)
    assert kept.replay is None and kept.run_id == 3  # the run survives its unreadable replay


def _same(a: Replay, b: Replay) -> None:
    assert a.map_layers == b.map_layers and a.probe_label == b.probe_label and a.filter_caption == b.filter_caption
    for x, y in zip(a.to_arrays()[0], b.to_arrays()[0], strict=True):
        assert x.dtype == y.dtype and np.array_equal(x, y)


def _trained(spec, replay=None) -> TrainedModel:
    rng = np.random.default_rng(0)
    weights = tuple(rng.normal(0, 0.05, s).astype(np.float32) for s in expected_weight_shapes(spec))
    return TrainedModel(spec, weights, (), History(), "mnist-sample", {"run_id": 1}, replay)


def test_bundle_round_trip_keeps_the_replay_and_says_format_2():
    spec = presets.preset("seed-cnn")
    run = _fake(spec, 20)
    back = bundle.from_bytes(bundle.to_bytes(_trained(spec, run)))
    _same(back.replay, run)
    assert "replay" not in back.metadata
    assert bundle.FORMAT.endswith("/2")
    assert bundle.from_bytes(bundle.to_bytes(_trained(spec))).replay is None


def test_replay_checks_refuse_mismatched_arrays():
    arrays, meta = _fake(presets.preset("seed-cnn"), 4).to_arrays()
    with pytest.raises(ReplayError):
        Replay.from_arrays(arrays[:-1], meta)  # a map layer missing
    broken = list(arrays)
    broken[2] = np.full_like(broken[2], np.nan)
    with pytest.raises(ReplayError):
        Replay.from_arrays(broken, meta)
    with pytest.raises(ReplayError):
        Replay.from_arrays(arrays, {**meta, "map_layers": "Conv2D 1"})


@pytest.fixture(scope="module")
def fitting():
    from playground.training import fit

    return fit


def test_a_fit_keeps_start_first_epoch_moments_and_epoch_ends_and_continue_appends(fitting):
    spec = presets.preset("seed-cnn")
    settings = TrainSettings(epochs=2, train_samples=256, batch_size=16, validation_split=0.0)
    first = fitting.fit(FitRequest(spec, settings, steps_per_execution=1))
    run = first.replay
    assert list(run.epoch) == [0.0, 0.125, 0.25, 0.5, 1.0, 2.0]
    assert run.step[-1] == first.steps_done == 32
    assert run.filters.shape == (6, 16, 3, 3) and run.filter_caption == "conv"
    assert [m.shape[1] for m in run.maps] == [8, 8, 8] and len(run.map_layers) == 3
    assert run.maps[0].shape[2:] == (13, 13)  # 26×26 maps pooled by 2
    assert np.allclose(run.probabilities.astype(np.float32).sum(axis=1), 1.0, atol=0.02)
    assert not np.array_equal(run.filters[0], run.filters[-1])  # the filters learned
    kernel = first.weights[0]  # (3, 3, 1, 32): the last frame's filters are the trained kernel's first 16
    assert np.allclose(run.filters[-1], np.moveaxis(kernel.mean(axis=2), -1, 0)[:16], atol=1e-3)
    more = fitting.fit(
        FitRequest(
            spec,
            replace(settings, epochs=1),
            initial_epoch=2,
            initial_step=32,
            weights=first.weights,
            optimizer_state=first.optimizer_state,
            steps_per_execution=1,
            replay=run,
        )  # fmt: skip
    )
    assert list(more.replay.epoch) == [0.0, 0.125, 0.25, 0.5, 1.0, 2.0, 3.0]
    assert math.isclose(float(more.replay.epoch[-1]), 3.0)


def test_a_model_without_spatial_layers_keeps_filters_and_probabilities(fitting):
    settings = TrainSettings(epochs=1, train_samples=160, batch_size=16, validation_split=0.0)
    run = fitting.fit(FitRequest(presets.preset("logistic"), settings, steps_per_execution=1)).replay
    assert run.maps == () and run.map_layers == () and run.filter_caption == "dense"
    assert run.probabilities.shape == (5, 10) and run.filters.shape == (5, 10, 14, 14)  # 28×28 pictures pooled by 2


def test_a_continuation_carries_the_replay_and_a_job_records_it():
    from playground.training import scheduler as training
    from playground.training.job import TrainingJob
    from playground.training.runs import FitResult

    spec = presets.preset("seed-cnn")
    run = _fake(spec, 5)
    job = TrainingJob(FitRequest(spec, TrainSettings(epochs=4)))
    job.handle("result", FitResult("finished", 4, 40, (np.zeros(1),), (), 0.1, 0.9, None, 1.0, 1, replay=run))
    job.handle("end", {"outcome": "finished", "epochs_done": 4})
    assert job.record().replay is run
    assert training.continuation(job, 2).request.replay is run
