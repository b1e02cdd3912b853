"""Training throughput: a playground job (worker process, several steps per execution, live curves) vs the seed
article's plain `model.fit(x, y, epochs, batch_size=32)` in-process, on the same network and the same 4,000 digits.

Run: python benchmarks/training_throughput.py [--quick] [--epochs N] [--rounds N]

Both figures are training samples per second over whole epochs, each including its own first-epoch tracing; the
job trains without a validation split so that both see exactly the same data. A job alone on the server gets all
the cores (TensorFlow's thread settings share them among the running jobs), as the in-process fit does; rounds
alternate the two to even out a busy machine, and the median ratios are printed: per second of wall time (the
goal), and per CPU-second of the training process (all its threads), which other load on the machine disturbs
far less. Never asserts on time.
"""

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def seed_fit(epochs: int) -> dict:
    """Samples per second of the seed article's code, verbatim apart from the data."""
    from playground import data
    from playground.backend import keras  # quiet import first; the seed's code follows

    Conv2D, Dense, Flatten, MaxPooling2D = (
        keras.layers.Conv2D,
        keras.layers.Dense,
        keras.layers.Flatten,
        keras.layers.MaxPooling2D,
    )

    dataset = data.load("mnist-sample")
    x_train = data.images_as_input(dataset.x_train)
    y_train = keras.utils.to_categorical(dataset.y_train, 10)
    keras.utils.set_random_seed(0)
    model = keras.Sequential()
    model.add(keras.Input((28, 28, 1)))
    model.add(Conv2D(32, (3, 3), activation="relu"))
    model.add(MaxPooling2D((2, 2)))
    model.add(Conv2D(64, (3, 3), activation="relu"))
    model.add(MaxPooling2D((2, 2)))
    model.add(Conv2D(64, (3, 3), activation="relu"))
    model.add(Flatten())
    model.add(Dense(64, activation="relu"))
    model.add(Dense(10, activation="softmax"))
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    started, cpu_started = time.perf_counter(), time.process_time()
    model.fit(x_train, y_train, epochs=1, batch_size=32, verbose=0)  # the same fit, split to time epochs 2..N
    warm = time.perf_counter()
    model.fit(x_train, y_train, epochs=epochs - 1, batch_size=32, verbose=0)
    ended = time.perf_counter()
    return {
        "samples_per_second": epochs * len(x_train) / (ended - started),
        "steady_per_second": (epochs - 1) * len(x_train) / (ended - warm),
        "samples_per_cpu_second": epochs * len(x_train) / (time.process_time() - cpu_started),
    }


def playground_job(scheduler, epochs: int) -> dict:
    """Samples per second of a playground job for the seed CNN, and how live its curves were."""
    from playground import presets
    from playground.training.job import TrainingJob
    from playground.training.runs import FitRequest, TrainSettings

    settings = TrainSettings("mnist-sample", epochs=epochs, batch_size=32, validation_split=0.0, seed=0)
    job = TrainingJob(FitRequest(presets.preset("seed-cnn"), settings))
    submitted = time.perf_counter()
    scheduler.submit(job)
    job.wait()
    snap = job.snapshot()
    if job.result is None:
        raise RuntimeError(f"the job ended {snap.state}: {snap.message}")
    train_seconds = snap.history.elapsed[-1]
    return {
        "samples_per_second": job.result.samples_per_second,
        "steady_per_second": statistics.mean(snap.history.samples_per_second[1:]),
        "samples_per_cpu_second": epochs * 4000 / job.result.cpu_seconds,
        "steps_per_execution": job.result.steps_per_execution,
        "updates_per_second": len(snap.history.step) / train_seconds,
        "wall_s": time.perf_counter() - submitted,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short round (for CI)")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    epochs, rounds = (2, 1) if args.quick else (max(2, args.epochs), args.rounds)

    from playground.training import scheduler as training
    from playground.training.limits import Limits

    # No spare worker: a spare importing TensorFlow beside the seed's fit would slow the reference down.
    limits = replace(Limits.from_env(), spare="off")
    scheduler = training.Scheduler(limits)
    print(
        f"seed CNN, mnist-sample (4,000 digits), batch 32, {epochs} epochs, {rounds} round(s); "
        f"worker threads: {limits.threads_per_worker or 'the cores shared by the running jobs'}, {limits.cores} cores"
    )
    ratios: dict[str, list[float]] = {"samples_per_second": [], "steady_per_second": [], "samples_per_cpu_second": []}
    for round_ in range(1, rounds + 1):
        if round_ % 2:  # alternate who goes first; let the other process settle in between
            job = playground_job(scheduler, epochs)
            time.sleep(2)
            seed = seed_fit(epochs)
        else:
            seed = seed_fit(epochs)
            time.sleep(2)
            job = playground_job(scheduler, epochs)
        for name, values in ratios.items():
            values.append(job[name] / seed[name])
        print(
            f"round {round_}: samples/s whole run (epochs 2..{epochs}) | per CPU-second: seed fit "
            f"{seed['samples_per_second']:,.0f} ({seed['steady_per_second']:,.0f}) | {seed['samples_per_cpu_second']:,.0f}"
            f" — playground job {job['samples_per_second']:,.0f} ({job['steady_per_second']:,.0f}) | "
            f"{job['samples_per_cpu_second']:,.0f} — ratio {ratios['samples_per_second'][-1]:.2f} "
            f"({ratios['steady_per_second'][-1]:.2f}) | {ratios['samples_per_cpu_second'][-1]:.2f}; "
            f"steps_per_execution {job['steps_per_execution']}, {job['updates_per_second']:.1f} curve updates/s, "
            f"{job['wall_s']:.1f} s from Start to result"
        )
    scheduler.shutdown()
    median = {name: statistics.median(values) for name, values in ratios.items()}
    print(
        f"median ratio playground job / seed fit: {median['samples_per_second']:.2f} samples/s over the whole run "
        f"(goal ≥ 1.5), {median['steady_per_second']:.2f} from epoch 2 on, "
        f"{median['samples_per_cpu_second']:.2f} per CPU-second (steadier on a busy machine)"
    )


if __name__ == "__main__":
    main()
