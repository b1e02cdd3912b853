"""Server memory while inspecting many trained models: the Draw page's cached path vs a model per weight set.

Run:  python benchmarks/inference_memory.py [--quick] [--models N]

Each mode runs in a fresh process that inspects N different trained weight sets (three architectures
in turn, as sessions with different models would) and reports its resident memory (RSS) as it goes:
- cached: what the Draw page does: one XLA-compiled multi-output function per architecture, weights
  assigned with set_weights (playground.inspection.inspector);
- cached-no-xla: the same cache with plain tf.functions (no XLA runtime in the process);
- naive: a Keras model built per weight set, then model.predict, as a server without the cache would,
  followed by keras.backend.clear_session() as Streamlit runs after every script run;
- naive-no-clear: the same without clear_session (a worker thread or a script outside Streamlit).
The weight sets are random arrays of the right shapes: what is measured is the machinery, not the training.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURES = ("seed-cnn", "lenet-5", "mlp")


def rss_mb() -> float:
    """This process's resident memory in MB (Linux /proc)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def worker(mode: str, count: int, every: int) -> None:
    """Inspect `count` weight sets in this process, printing one JSON line of RSS per `every` sets."""
    sys.path.insert(0, str(ROOT))
    import numpy as np

    from playground import bundle, presets
    from playground.backend import keras
    from playground.data import images as drawing
    from playground.data import strokes
    from playground.inspection import inspector
    from playground.model import build_model

    rng = np.random.default_rng(0)
    x = drawing.prepare(strokes.drawing(3))
    specs = [presets.preset(name) for name in ARCHITECTURES]
    shapes = [bundle.expected_weight_shapes(spec) for spec in specs]
    print(json.dumps({"done": 0, "rss": rss_mb()}), flush=True)
    started = time.perf_counter()
    for done in range(1, count + 1):
        which = done % len(specs)
        weights = tuple((rng.standard_normal(shape) * 0.05).astype(np.float32) for shape in shapes[which])
        trained = bundle.TrainedModel(specs[which], weights)
        if mode.startswith("cached"):
            inspector.USE_XLA = mode == "cached"
            inspector.inspect(trained, x)
        else:
            model = build_model(specs[which], compile=False)
            model.set_weights(weights)
            model.predict(x[None, ..., None], verbose=0)
            del model
            if mode == "naive":
                keras.backend.clear_session()  # what Streamlit does after every script run
        if done % every == 0 or done == count:
            seconds = time.perf_counter() - started
            print(json.dumps({"done": done, "rss": rss_mb(), "seconds": seconds}), flush=True)


def measure(mode: str, count: int, every: int) -> list[dict]:
    """The RSS checkpoints of one mode, run in a fresh interpreter."""
    command = [sys.executable, __file__, "--worker", mode, "--models", str(count), "--every", str(every)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30 weight sets instead of 200")
    parser.add_argument("--models", type=int, default=None)
    parser.add_argument("--every", type=int, default=None)
    parser.add_argument(
        "--worker", choices=["cached", "cached-no-xla", "naive", "naive-no-clear"], help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    count = args.models or (30 if args.quick else 200)
    every = args.every or max(1, count // 10)
    if args.worker:
        worker(args.worker, count, every)
        return

    print(f"Server RSS while inspecting {count} different trained weight sets ({', '.join(ARCHITECTURES)} in turn)")
    modes = {
        "cached": "cached (page)",
        "cached-no-xla": "cached, no XLA",
        "naive": "model per set",
        "naive-no-clear": "per set, no clear",
    }
    runs = {mode: measure(mode, count, every) for mode in modes}
    print(f"{'weight sets':>12}" + "".join(f"{title + ' MB':>22}" for title in modes.values()))
    for row in zip(*runs.values(), strict=True):
        print(f"{row[0]['done']:>12}" + "".join(f"{point['rss']:>22.0f}" for point in row))
    # Growth after the first checkpoint: by then each architecture has been built (and compiled) once.
    for mode, title in modes.items():
        points = runs[mode]
        grown, sets = points[-1]["rss"] - points[1]["rss"], points[-1]["done"] - points[1]["done"]
        # Time per set after the first checkpoint, so building and compiling each architecture once is left out.
        per_set = (points[-1]["seconds"] - points[1]["seconds"]) / sets * 1000
        print(f"{title:>18}: RSS ratio last/first {points[-1]['rss'] / points[1]['rss']:.3f}, "
              f"{grown:+.0f} MB from set {points[1]['done']} to {points[-1]['done']} "
              f"({grown / sets * 1024:+.0f} kB per set); {per_set:.1f} ms per weight set")  # fmt: skip


if __name__ == "__main__":
    main()
