"""Optimizer race: a compiled loop reused per (surface, racer) vs tracing a fresh loop per race, time and memory.

Run: python benchmarks/concept_race.py [--quick]. Prints measurements side by side; asserts nothing.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playground.backend import keras, tf  # noqa: E402
from playground.concepts.optimizers import RACERS, SURFACES, racer_spec, trajectory  # noqa: E402
from playground.model import make_optimizer  # noqa: E402


def rss_mb() -> float:
    """This process's resident memory in MB (Linux)."""
    with open(f"/proc/{os.getpid()}/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return float("nan")


def traced_per_race(surface_key: str, racer: str, learning_rate: float, steps: int) -> np.ndarray:
    """The naive way: a new variable, optimizer and traced tf.function for every race."""
    surface = SURFACES[surface_key]
    point = keras.Variable(np.asarray(surface.start, np.float32), dtype="float32")
    optimizer = make_optimizer(racer_spec(racer, learning_rate))
    optimizer.build([point])

    def race(count):
        path = tf.TensorArray(tf.float32, size=count + 1).write(0, point.value)
        for step in tf.range(count):
            with tf.GradientTape() as tape:
                tape.watch(point.value)
                loss = surface.function(point.value[0], point.value[1])
            optimizer.apply_gradients([(tape.gradient(loss, point.value), point)])
            path = path.write(step + 1, point.value)
        return path.stack()

    count = tf.constant(steps)
    return tf.function(race).get_concrete_function(count)(count).numpy()


def measure(label: str, run, races: int, steps: int) -> tuple[float, float]:
    """(ms per race, MB of memory kept per race) over `races` races with changing learning rates."""
    for racer in RACERS:  # warm up: imports, and the one trace per racer that ours keeps
        run("bowl", racer, 0.1, steps)
    keras.backend.clear_session()
    before, elapsed = rss_mb(), 0.0
    for index in range(races):
        start = time.perf_counter()
        run("bowl", RACERS[index % len(RACERS)], 0.01 + 1e-4 * index, steps)
        elapsed += time.perf_counter() - start
        keras.backend.clear_session()  # as Streamlit does after every script run (not timed: it runs gc)
    kept = rss_mb() - before
    print(f"{label:32s} {1000 * elapsed / races:8.1f} ms/race   {kept / races:7.3f} MB kept/race")
    return elapsed / races, kept / races


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a few races only (CI)")
    args = parser.parse_args()
    races, steps = (7, 100) if args.quick else (140, 300)
    print(f"{races} races of {steps} steps on the bowl, every racer in turn, clear_session() after each")
    reused_time, reused_memory = measure(
        "compiled once per racer (ours)",
        lambda surface, racer, lr, n: trajectory(surface, racer, lr, steps=n),
        races,
        steps,
    )
    fresh_time, fresh_memory = measure("traced again for every race", traced_per_race, races, steps)
    print(f"time ratio fresh/reused: {fresh_time / reused_time:.1f}x")
    print(f"memory kept per race: fresh {fresh_memory:.3f} MB vs reused {reused_memory:.3f} MB")


if __name__ == "__main__":
    main()
