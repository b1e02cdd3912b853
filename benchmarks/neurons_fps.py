"""2-D playground speed and memory, measured side by side in one process.

1. Frames per second of the standard setup (circle, 500 points, 2×8 tanh, batch 10, 5 epochs per frame): training
   plus evaluation, and the whole frame (PNG pictures and Plotly figures too).
2. Epochs per second of the playground's compiled engine against a plain Keras `model.fit` loop doing the same work
   per frame (fit N epochs, then predict the grid), as a ratio.
3. The process's RSS over 200 resets and architecture changes (layers, neurons, activations, optimizers) with
   `keras.backend.clear_session()` after each, as Streamlit does after every run; and, beside it, the RSS growth of
   building one Keras model per architecture and fitting it (what the engine avoids).

Run: `python benchmarks/neurons_fps.py` (a few minutes) or `--quick` (well under a minute on an idle machine).
Timing is printed, never asserted.
"""

import argparse
import gc
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground import plane, plane_figures, plane_net, plane_state  # noqa: E402
from playground.backend import keras  # noqa: E402
from playground.model import build_model  # noqa: E402

EPOCHS_PER_FRAME = 5
RESOLUTION = 50
STANDARD = plane_state.PlaneSettings(dataset="circle", points=500, layers=((8, "tanh"), (8, "tanh")), batch=10)


def rss_mb() -> float:
    """Resident memory of this process in MB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def make_run(settings: plane_state.PlaneSettings, seed: int = 0) -> plane_net.PlaneRun:
    """A run of these settings, as the page makes it."""
    data = plane.generate(settings.dataset, settings.points, settings.noise, settings.train / 100, settings.seed)
    spec = plane_state.network_spec(settings)
    return plane_net.PlaneRun(spec, data, settings.features, settings.batch, RESOLUTION, seed)


def draw(run: plane_net.PlaneRun, settings: plane_state.PlaneSettings) -> int:
    """Everything a frame renders after training: pictures and figures, serialised; returns the bytes sent."""
    t = lambda key, **params: key  # noqa: E731 — figure text does not matter here
    frame = run.frame
    output = plane_figures.png_uri(plane_figures.output_rgb(frame.output, RESOLUTION))
    hidden = [
        [plane_figures.png_uri(plane_figures.neuron_rgb(layer[:, i], RESOLUTION, 2)) for i in range(layer.shape[1])]
        for layer in frame.hidden
    ]
    inputs = [output] * len(settings.features)
    figures = [
        plane_figures.network_figure(settings.features, inputs, hidden, [output], frame.weights, t),
        plane_figures.output_figure(output, run.data, t),
        plane_figures.loss_figure(run.history, t),
    ]
    return sum(len(figure.to_json()) for figure in figures)


def frames_per_second(frames: int) -> dict:
    """Frames per second of training + evaluation alone, and of the whole frame."""
    run = make_run(STANDARD)
    run.step(EPOCHS_PER_FRAME)  # compile outside the timing
    draw(run, STANDARD)
    start = time.perf_counter()
    for _ in range(frames):
        keras.backend.clear_session()
        run.step(EPOCHS_PER_FRAME)
    compute = time.perf_counter() - start
    start = time.perf_counter()
    size = 0
    for _ in range(frames):
        keras.backend.clear_session()
        run.step(EPOCHS_PER_FRAME)
        size = draw(run, STANDARD)
    whole = time.perf_counter() - start
    return {"compute_fps": frames / compute, "frame_fps": frames / whole, "frame_kb": size / 1024, "run": run}


def plain_fit_epochs_per_second(frames: int) -> float:
    """Epochs per second of a plain Keras loop doing one frame's work: fit N epochs, then predict the grid."""
    settings = STANDARD
    data = plane.generate(settings.dataset, settings.points, settings.noise, settings.train / 100, settings.seed)
    spec = plane_state.network_spec(settings)
    model = build_model(spec)
    x = plane.features(data.x_train, settings.features)
    y = plane.targets(data.y_train, data.task, data.classes, spec.loss)
    grid = plane.features(plane.grid(RESOLUTION), settings.features)
    model.fit(x, y, epochs=1, batch_size=settings.batch, verbose=0)
    model.predict(grid, verbose=0)
    start = time.perf_counter()
    for _ in range(frames):
        model.fit(x, y, epochs=EPOCHS_PER_FRAME, batch_size=settings.batch, verbose=0)
        model.predict(grid, verbose=0)
    return frames * EPOCHS_PER_FRAME / (time.perf_counter() - start)


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
    """RSS before and after building and fitting one Keras model per architecture (the naive way)."""
    gc.collect()
    before = rss_mb()
    for settings in architectures(changes):
        data = plane.generate(settings.dataset, settings.points, 0.0, 0.5, 0)
        spec = plane_state.network_spec(settings)
        model = build_model(spec)
        x = plane.features(data.x_train, settings.features)
        y = plane.targets(data.y_train, data.task, data.classes, spec.loss)
        model.fit(x, y, epochs=1, batch_size=settings.batch, verbose=0)
        del model
        keras.backend.clear_session()
    gc.collect()
    return before, rss_mb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer frames and changes (CI)")
    args = parser.parse_args()
    frames, changes, naive = (10, 40, 8) if args.quick else (60, 200, 30)

    print(f"2-D playground: {STANDARD.points} points, 2×8 tanh, batch {STANDARD.batch}, {EPOCHS_PER_FRAME} epochs/frame")
    speed = frames_per_second(frames)
    print(f"  training + evaluation      {speed['compute_fps']:7.1f} frames/s")
    print(f"  whole frame (with figures) {speed['frame_fps']:7.1f} frames/s   ({speed['frame_kb']:.0f} kB of figures)")
    ours = speed["compute_fps"] * EPOCHS_PER_FRAME
    plain = plain_fit_epochs_per_second(max(3, frames // 3))
    print(f"  epochs/s: engine {ours:.0f}, plain model.fit + predict {plain:.0f}, ratio {ours / plain:.1f}×")

    print(f"RSS over {changes} resets and architecture changes (clear_session after each):")
    samples = engine_memory(changes)
    for done, rss in samples:
        print(f"  after {done:4d}: {rss:7.0f} MB")
    settled = samples[1][1]
    print(f"  growth after the first block: {samples[-1][1] - settled:+.0f} MB; engines compiled: {plane_net.POOL.size()}")
    before, after = model_per_architecture_memory(naive)
    print(
        f"beside it, one Keras model per architecture ({naive} models, build + fit): {before:.0f} → {after:.0f} MB, "
        f"{(after - before) / naive:+.1f} MB per architecture"
    )


if __name__ == "__main__":
    main()
