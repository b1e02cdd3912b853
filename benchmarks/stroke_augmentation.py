"""Does the Train page's "vary stroke thickness" augmentation help a small CNN read the project's drawn digits?

Run:  python benchmarks/stroke_augmentation.py [--quick] [--preset small-cnn] [--epochs 3] [--seeds 0 1]

Trains the preset on the MNIST sample (playground.training.fit, the Train page's own code path) with shifts ±2 px
and rotations ±10°, once without and once with stroke-width changes (±1 px, ±2 px), per seed, and scores each
model on playground/assets/drawn_digits.json (drawn by strokes.render, prepared like the Draw page) and on the
MNIST sample's test split. Prints accuracy per setting and the held-out-half ratio with / without. --quick: one
epoch on 1,000 digits, one seed (it only shows the script runs).
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground import presets  # noqa: E402
from playground.data import drawn_set  # noqa: E402
from playground.training.runs import FitRequest, TrainSettings  # noqa: E402


def scores(preset: str, settings: TrainSettings) -> dict[str, float]:
    """Drawn-set accuracy (all, held-out half) and MNIST-sample test accuracy of the preset trained with settings."""
    from playground.model import build_model
    from playground.training import fit

    spec = presets.preset(preset)
    result = fit.fit(FitRequest(spec, settings))
    model = build_model(spec)
    model.set_weights(list(result.weights))
    summary = drawn_set.score(lambda x: model.predict(x, batch_size=256, verbose=0)).summary()
    (right, total), (held_right, held_total) = (summary["overall"][key] for key in (drawn_set.ALL, "held-out"))
    return {"drawn": right / total, "held_out": held_right / held_total, "mnist": result.test_accuracy}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one epoch on 1,000 digits, one seed")
    parser.add_argument("--preset", default="small-cnn")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--widths", type=int, nargs="+", default=[0, 1, 2], help="augment_stroke values to compare")
    args = parser.parse_args()
    epochs, samples, seeds = (1, 1000, args.seeds[:1]) if args.quick else (args.epochs, None, args.seeds)

    table: dict[int, list[dict[str, float]]] = {}
    print(f"{args.preset}, {epochs} epochs, shift ±2 px, rotation ±10°, seeds {seeds}")
    print("stroke ±px  seed  drawn all  drawn held-out  MNIST test  seconds")
    for width in args.widths:
        for seed in seeds:
            settings = TrainSettings(
                epochs=epochs, seed=seed, train_samples=samples, augment_shift=2, augment_rotation=10.0,
                augment_stroke=width,
            )  # fmt: skip
            start = time.perf_counter()
            result = scores(args.preset, settings)
            table.setdefault(width, []).append(result)
            print(
                f"{width:>10}  {seed:>4}  {100 * result['drawn']:>8.1f}%  {100 * result['held_out']:>13.1f}%"
                f"  {100 * result['mnist']:>9.1f}%  {time.perf_counter() - start:>7.0f}"
            )
    means = {width: {key: float(np.mean([r[key] for r in rows])) for key in rows[0]} for width, rows in table.items()}
    print("mean over seeds:")
    for width, mean in means.items():
        print(
            f"  stroke ±{width} px: drawn {100 * mean['drawn']:.1f}%, held-out {100 * mean['held_out']:.1f}%,"
            f" MNIST test {100 * mean['mnist']:.1f}%"
        )
    base = means[args.widths[0]]["held_out"]
    for width in args.widths[1:]:
        print(f"held-out ratio stroke ±{width} px / ±{args.widths[0]} px: {means[width]['held_out'] / base:.3f}")


if __name__ == "__main__":
    main()
