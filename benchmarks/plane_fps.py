"""2-D playground speed and memory, measured side by side in one process.

1. Frames per second of the standard setup (circle, 500 points, 2×8 tanh, batch 10, 5 epochs a frame): training
   plus evaluation, and with the live pictures drawn; the paused Plotly redraw's cost beside it.
2. The same frames from a plain Keras loop doing the same work (fit 5 epochs, then predict the grid), as a ratio,
   with Keras's clear_session() between frames as Streamlit runs it after every run, and without.
3. The process's RSS over 200 resets and architecture changes (layers, neurons, activations, optimizers) with
   `keras.backend.clear_session()` after each, as Streamlit does after every run; and, beside it, the RSS growth of
   building one Keras model per architecture and fitting it (what the engine avoids).

Run: `python benchmarks/plane_fps.py` (a few minutes) or `--quick` (well under a minute on an idle machine).
Timing is printed, never asserted.
"""

import argparse
import gc
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground.backend import keras  # noqa: E402
from playground.model import build_model  # noqa: E402
from playground.plane import data as plane
from playground.plane import engine as plane_engine
from playground.plane import figures as plane_figures
from playground.plane import pictures as plane_pictures
from playground.plane import run as plane_run
from playground.plane import settings as plane_state  # noqa: E402

EPOCHS_PER_FRAME = 5
RESOLUTION = 50
STANDARD = plane_state.PlaneSettings(dataset="circle", points=500, layers=((8, "tanh"), (8, "tanh")), batch=10)


def rss_mb() -> float:
    """Resident memory of this process in MB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def make_run(settings: plane_state.PlaneSettings, seed: int = 0) -> plane_run.PlaneRun:
    """A run of these settings, as the page makes it."""
    data = plane.generate(settings.dataset, settings.points, settings.noise, settings.train / 100, settings.seed)
    spec = plane_state.network_spec(settings)
    return plane_run.PlaneRun(spec, data, settings.features, settings.batch, RESOLUTION, seed)


def pictures(run: plane_run.PlaneRun, settings: plane_state.PlaneSettings) -> int:
    """What a frame draws while playing: the network, output and loss pictures, encoded; returns the bytes sent."""
    frame = run.frame
    output = plane_figures.output_rgb(frame.output, RESOLUTION)
    hidden = [
        [plane_figures.neuron_rgb(layer[:, i], RESOLUTION, 2) for i in range(layer.shape[1])] for layer in frame.hidden
    ]
    outputs = [plane_figures.neuron_rgb(frame.output[:, 0], RESOLUTION, 2)]
    inputs = [outputs[0]] * len(settings.features)
    drawn = [
        plane_pictures.network_picture(settings.features, inputs, hidden, outputs, frame.weights),
        plane_pictures.output_picture(output, run.data),
        plane_pictures.loss_picture(run.history),
    ]
    photos = [plane_pictures.encoded(picture) for picture in drawn[:2]]
    return sum(len(data) for data in photos) + len(plane_pictures.encoded(drawn[2], photo=False))


def figures(run: plane_run.PlaneRun, settings: plane_state.PlaneSettings) -> int:
    """What a paused redraw draws: the three Plotly figures, serialised; returns the bytes."""
    t = lambda key, **params: key  # noqa: E731 — figure text does not matter here
    frame, uri = run.frame, plane_figures.png_uri
    output = uri(plane_figures.output_rgb(frame.output, RESOLUTION))
    hidden = [
        [uri(plane_figures.neuron_rgb(layer[:, i], RESOLUTION, 2)) for i in range(layer.shape[1])]
        for layer in frame.hidden
    ]
    drawn = [
        plane_figures.network_figure(
            settings.features, [output] * len(settings.features), hidden, [output], frame.weights, t
        ),
        plane_figures.output_figure(output, run.data, t),
        plane_figures.loss_figure(run.history, t),
    ]
    return sum(len(figure.to_json()) for figure in drawn)


def timed(function, repeats: int) -> float:
    """Seconds per call, with Keras's clear_session() before each call as Streamlit does after every run."""
    total = 0.0
    for _ in range(repeats):
        keras.backend.clear_session()
        start = time.perf_counter()
        function()
        total += time.perf_counter() - start
    return total / repeats


def engine_speed(frames: int) -> dict:
    """The playground's frame: seconds to train and evaluate, to draw the live pictures, to build the figures."""
    run = make_run(STANDARD)
    run.step(EPOCHS_PER_FRAME)  # compile outside the timing
    sizes = {"pictures": pictures(run, STANDARD), "figures": figures(run, STANDARD)}
    return {
        "train": timed(lambda: run.step(EPOCHS_PER_FRAME), frames),
        "train_no_clear": _untimed_clear(lambda: run.step(EPOCHS_PER_FRAME), frames),
        "pictures": timed(lambda: pictures(run, STANDARD), frames),
        "figures": timed(lambda: figures(run, STANDARD), max(2, frames // 4)),
        **{f"{name}_kb": size / 1024 for name, size in sizes.items()},
    }


def _untimed_clear(function, repeats: int) -> float:
    start = time.perf_counter()
    for _ in range(repeats):
        function()
    return (time.perf_counter() - start) / repeats


def plain_fit_speed(frames: int) -> dict:
    """A plain Keras loop doing one frame's work: fit N epochs, then predict the grid; seconds per frame."""
    settings = STANDARD
    data = plane.generate(settings.dataset, settings.points, settings.noise, settings.train / 100, settings.seed)
    spec = plane_state.network_spec(settings)
    model = build_model(spec)
    x = plane.features(data.x_train, settings.features)
    y = plane.targets(data.y_train, data.task, data.classes, spec.loss)
    grid = plane.features(plane.grid(RESOLUTION), settings.features)

    def frame():
        model.fit(x, y, epochs=EPOCHS_PER_FRAME, batch_size=settings.batch, verbose=0)
        model.predict(grid, verbose=0)

    frame()  # trace outside the timing
    return {"train": timed(frame, frames), "train_no_clear": _untimed_clear(frame, frames)}


def architectures(count: int):
    """A walk through `count` settings as a learner clicks: layers, neurons, activations and optimizers change."""
    activations = ("tanh", "relu", "sigmoid", "elu", "leaky_relu", "linear")
    optimizers = ("SGD", "Adam", "RMSprop")
    for i in range(count):
        depth = i % 4
        layers = tuple((1 + (i * 5 + j * 3) % 16, activations[(i + j) % len(activations)]) for j in range(depth))
        yield plane_state.PlaneSettings(
            dataset=("circle", "spiral", "blobs", "xor")[i % 4], layers=layers, optimizer=optimizers[i % 3],
            loss="ce" if i % 4 == 2 else "mse", lr=0.03,
        )  # fmt: skip


def engine_memory(changes: int) -> list[tuple[int, float]]:
    """RSS after each block of resets and architecture changes, training one frame after each."""
    samples = [(0, rss_mb())]
    for i, settings in enumerate(architectures(changes), start=1):
        run = make_run(settings, seed=i)
        run.step(2)
        run.reset(seed=i + 1)
        run.step(1)
        keras.backend.clear_session()
        if i % max(1, changes // 8) == 0 or i == changes:
            gc.collect()
            samples.append((i, rss_mb()))
    return samples


def model_per_architecture_memory(changes: int) -> tuple[float, float]:
    """RSS before and after building, fitting and predicting with one Keras model per architecture (the naive way)."""

    def one(settings: plane_state.PlaneSettings) -> None:
        data = plane.generate(settings.dataset, settings.points, 0.0, 0.5, 0)
        spec = plane_state.network_spec(settings)
        model = build_model(spec)
        x = plane.features(data.x_train, settings.features)
        y = plane.targets(data.y_train, data.task, data.classes, spec.loss)
        model.fit(x, y, epochs=1, batch_size=settings.batch, verbose=0)
        model.predict(plane.features(plane.grid(RESOLUTION), settings.features), verbose=0)
        keras.backend.clear_session()

    one(STANDARD)  # TensorFlow's one-time start-up costs stay out of the difference
    gc.collect()
    before = rss_mb()
    for settings in architectures(changes):
        one(settings)
    gc.collect()
    return before, rss_mb()


def naive_in_fresh_process(changes: int) -> tuple[float, float]:
    """model_per_architecture_memory() run in a new Python process, so that nothing of this one blurs it."""
    command = [sys.executable, __file__, "--naive-child", str(changes)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()
    return float(output[-2]), float(output[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer frames and changes (CI)")
    parser.add_argument("--naive-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.naive_child:
        print(*model_per_architecture_memory(args.naive_child))
        return
    frames, changes, naive = (8, 40, 8) if args.quick else (40, 200, 30)

    print(
        f"2-D playground: {STANDARD.points} points, 2×8 tanh, batch {STANDARD.batch}, {EPOCHS_PER_FRAME} epochs a frame"
    )
    ours, plain = engine_speed(frames), plain_fit_speed(max(3, frames // 4))
    live = ours["train"] + ours["pictures"]
    print("  with clear_session() between frames, as in Streamlit:")
    print(
        f"    engine: train + evaluate {1 / ours['train']:6.1f} frames/s, with the live pictures {1 / live:5.1f} frames/s"
    )
    print(f"    plain model.fit + predict  {1 / plain['train']:6.1f} frames/s")
    print(
        f"    ratio {plain['train'] / ours['train']:.1f}× (epochs/s {EPOCHS_PER_FRAME / ours['train']:.0f} vs {EPOCHS_PER_FRAME / plain['train']:.0f})"
    )
    print("  without clear_session():")
    print(
        f"    epochs/s: engine {EPOCHS_PER_FRAME / ours['train_no_clear']:.0f}, plain model.fit + predict "
        f"{EPOCHS_PER_FRAME / plain['train_no_clear']:.0f}, ratio {plain['train_no_clear'] / ours['train_no_clear']:.1f}×"
    )
    print(
        f"  drawing: live pictures {1000 * ours['pictures']:.0f} ms ({ours['pictures_kb']:.0f} kB JPEG + PNG), "
        f"paused Plotly figures {1000 * ours['figures']:.0f} ms ({ours['figures_kb']:.0f} kB JSON)"
    )

    print(f"RSS over {changes} resets and architecture changes (clear_session after each):")
    samples = engine_memory(changes)
    for done, rss in samples:
        print(f"  after {done:4d}: {rss:7.0f} MB")
    settled = [rss for _, rss in samples[1:]]
    print(
        f"  after the first block: {min(settled):.0f}–{max(settled):.0f} MB, "
        f"end − first block {samples[-1][1] - samples[1][1]:+.0f} MB; engines compiled: {plane_engine.POOL.size()}"
    )
    before, after = naive_in_fresh_process(naive)
    print(
        f"beside it, in a fresh process, one Keras model per architecture ({naive} models, build + fit + predict): "
        f"{before:.0f} → {after:.0f} MB, {(after - before) / naive:+.1f} MB per architecture"
    )


if __name__ == "__main__":
    main()
