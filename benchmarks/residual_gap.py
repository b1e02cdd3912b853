"""Skip connections, measured: the ResNet preset against the same network without its skips, over several seeds.

Run:  python benchmarks/residual_gap.py [--quick] [--epochs E] [--seeds N] [--blocks 4,3]

Each preset ("resnet", "resnet-plain") trains on the bundled MNIST sample with the playground's own training
code (the worker's fit), from seeds 0…N-1, and the seed CNN trains once beside them for the cost of an epoch.
Printed per epoch: each preset's mean training and validation loss with the seed-to-seed spread (max − min),
and the gap between the presets' means against the larger spread; then seconds per epoch of each preset as a
multiple of the seed CNN's (measured in this run, interleaved). Never asserts.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playground import presets  # noqa: E402
from playground.training.runs import FitRequest, TrainSettings  # noqa: E402


def train(spec, epochs: int, seed: int, samples: int | None) -> dict:
    """One run: per-epoch loss, validation loss and seconds (the first epoch's tracing left out of the timing)."""
    from playground.backend import keras
    from playground.training.fit import fit

    keras.backend.clear_session()
    settings = TrainSettings(epochs=epochs, batch_size=32, seed=seed, train_samples=samples)
    epochs_seen = []

    def report(kind, values):
        if kind == "epoch":
            epochs_seen.append(values)

    started = time.perf_counter()
    result = fit(FitRequest(spec, settings), report)
    elapsed = [b["elapsed"] - a["elapsed"] for a, b in zip(epochs_seen, epochs_seen[1:], strict=False)]
    return {
        "loss": [e["loss"] for e in epochs_seen],
        "val_loss": [e["val_loss"] for e in epochs_seen],
        "epoch_s": statistics.median(elapsed) if elapsed else time.perf_counter() - started,
        "test_accuracy": result.test_accuracy,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, 2 epochs, 500 training digits")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--blocks", default="4,3", help="residual blocks of 16 and of 32 filters")
    args = parser.parse_args()
    samples = None
    if args.quick:
        args.epochs, args.seeds, samples = 2, 1, 500
    blocks = tuple(int(n) for n in args.blocks.split(","))
    specs = {"resnet": presets.resnet(True, blocks), "resnet-plain": presets.resnet(False, blocks)}
    runs = {name: [] for name in specs}
    seed_cnn = []
    for seed in range(args.seeds):  # interleaved: the machine's load falls on both alike
        for name, spec in specs.items():
            runs[name].append(train(spec, args.epochs, seed, samples))
        if seed == 0:
            seed_cnn.append(train(presets.preset("seed-cnn"), max(2, args.epochs // 2), seed, samples))
    print(f"Skip connections: {args.seeds} seeds, {args.epochs} epochs, blocks {blocks} (16 then 32 filters)")
    print(" epoch  curve      resnet mean (spread)   plain mean (spread)   gap (plain − resnet)  gap > spread")
    for epoch in range(args.epochs):
        for curve in ("loss", "val_loss"):
            values = {name: [run[curve][epoch] for run in runs[name]] for name in specs}
            means = {name: statistics.mean(v) for name, v in values.items()}
            spreads = {name: max(v) - min(v) for name, v in values.items()}
            gap = means["resnet-plain"] - means["resnet"]
            print(
                f" {epoch + 1:5d}  {curve:9s}  {means['resnet']:.4f} ({spreads['resnet']:.4f})"
                f"      {means['resnet-plain']:.4f} ({spreads['resnet-plain']:.4f})"
                f"     {gap:+.4f}              {'yes' if gap > max(spreads.values()) else 'no'}"
            )
    base = seed_cnn[0]["epoch_s"]
    for name in specs:
        seconds = statistics.median(run["epoch_s"] for run in runs[name])
        accuracy = statistics.mean(run["test_accuracy"] or 0 for run in runs[name])
        print(f" {name:13s} {seconds:6.2f} s per epoch: ratio {seconds / base:.2f}× the seed CNN's ({base:.2f} s);"
              f" test accuracy {accuracy:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
