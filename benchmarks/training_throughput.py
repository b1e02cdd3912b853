"""Training throughput: playground jobs (worker process, several steps per execution, live curves) in float32, in
"auto" precision and in bfloat16 forced, vs the seed article's plain `model.fit(x, y, epochs, batch_size=32)`
in-process in float32, on the same network and the same 4,000 digits.

Run: python benchmarks/training_throughput.py [--quick] [--epochs N] [--rounds N] [--replay]

Every figure is training samples per second over whole epochs, each including its own first-epoch tracing; the
jobs train without a validation split so that all see exactly the same data. A job alone on the server gets all
the cores (TensorFlow's thread settings share them among the running jobs), as the in-process fit does; each
round runs the four in a rotated order to even out a busy machine, and the medians over rounds are printed:
samples per second of wall time (the goal), and per CPU-second of the training process (all its threads), which
other load on the machine disturbs far less; each as a ratio to the seed's fit of the same round. "auto" is
bfloat16 where this machine has bfloat16 units that a short measurement confirms (training.precision; the
measurement is cached in the data directory, and it is printed at the end), else float32. Never asserts on time.

--replay measures instead what the replay snapshots cost (training.snapshots): float32 jobs with snapshots and with
PLAYGROUND_REPLAY=off (each job's worker is spawned after the variable is set), interleaved (the order alternates
by round), as the median over rounds of the with/without ratio of samples per second over whole epochs (every
snapshot, epoch ends included) and per CPU-second. --quick then runs two short rounds.
"""

import argparse
import json
import os
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


def playground_job(scheduler, epochs: int, precision: str, replay: bool = True) -> dict:
    """Samples per second of a playground job for the seed CNN in this precision, and how live its curves were."""
    from playground import presets
    from playground.training.job import TrainingJob
    from playground.training.runs import FitRequest, TrainSettings

    settings = TrainSettings("mnist-sample", epochs, 32, validation_split=0.0, seed=0, precision=precision)
    job = TrainingJob(FitRequest(presets.preset("seed-cnn"), settings))
    submitted = time.perf_counter()
    os.environ["PLAYGROUND_REPLAY"] = "on" if replay else "off"  # read by the worker, spawned for this job
    try:
        scheduler.submit(job)
        job.wait()
    finally:
        os.environ.pop("PLAYGROUND_REPLAY", None)
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
        "precision": job.result.precision,
        "test_accuracy": job.result.test_accuracy,
        "whole_per_second": epochs * 4000 / train_seconds,  # every snapshot counted, the epoch ends' too
        "replay_frames": len(job.result.replay) if job.result.replay is not None else 0,
        "replay_bytes": job.result.replay.nbytes if job.result.replay is not None else 0,
    }


RUNS = ("seed fit", "float32", "auto", "bfloat16")  # the seed's fit, then playground jobs in these precisions
FIGURES = ("samples_per_second", "steady_per_second", "samples_per_cpu_second")


def _line(name: str, figures: dict, seed: dict) -> str:
    ratios = " ".join(f"{figures[key] / seed[key]:.2f}×" for key in FIGURES)
    extra = ""
    if "precision" in figures:
        extra = (
            f" — in {figures['precision']}, test accuracy {figures['test_accuracy']:.3f}, steps_per_execution "
            f"{figures['steps_per_execution']}, {figures['updates_per_second']:.1f} curve updates/s, "
            f"{figures['wall_s']:.1f} s from Start to result"
        )
    return (
        f"  {name:9} {figures['samples_per_second']:7,.0f} ({figures['steady_per_second']:7,.0f}) samples/s "
        f"{figures['samples_per_cpu_second']:6,.0f} per CPU-s | vs seed fit {ratios}{extra}"
    )


REPLAY_FIGURES = ("whole_per_second", "samples_per_cpu_second")


def replay_cost(scheduler, epochs: int, rounds: int) -> None:
    """Print float32 jobs with and without replay snapshots, interleaved, and the median with/without ratios."""
    ratios: dict[str, list[float]] = {key: [] for key in REPLAY_FIGURES}
    for round_ in range(1, rounds + 1):
        order = (True, False) if round_ % 2 else (False, True)  # alternate who goes first
        this_round = {}
        for replay in order:
            this_round[replay] = playground_job(scheduler, epochs, "float32", replay=replay)
            time.sleep(2)
        with_, without = this_round[True], this_round[False]
        for key in REPLAY_FIGURES:
            ratios[key].append(with_[key] / without[key])
        print(
            f"round {round_} (first: {'with' if order[0] else 'without'}): with snapshots "
            f"{with_['whole_per_second']:,.0f} samples/s, {with_['samples_per_cpu_second']:,.0f} per CPU-s "
            f"({with_['replay_frames']} frames, {with_['replay_bytes']:,} bytes); without "
            f"{without['whole_per_second']:,.0f} samples/s, {without['samples_per_cpu_second']:,.0f} per CPU-s"
        )
    print(
        f"median ratio with/without snapshots over {rounds} round(s): "
        f"{statistics.median(ratios['whole_per_second']):.3f} samples/s over whole epochs, "
        f"{statistics.median(ratios['samples_per_cpu_second']):.3f} per CPU-second"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short round (for CI)")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--replay", action="store_true", help="jobs with vs without replay snapshots instead")
    args = parser.parse_args()
    epochs, rounds = (2, 1) if args.quick else (max(2, args.epochs), args.rounds)
    if args.replay and args.quick:
        rounds = 2  # both orders once

    from playground.training import precision
    from playground.training import scheduler as training
    from playground.training.limits import Limits

    # No spare worker: a spare importing TensorFlow beside the seed's fit would slow the reference down.
    limits = replace(Limits.from_env(), spare="off")
    scheduler = training.Scheduler(limits)
    model, flags = precision.cpu_info()
    print(
        f"seed CNN, mnist-sample (4,000 digits), batch 32, {epochs} epochs, {rounds} round(s); "
        f"worker threads: {limits.threads_per_worker or 'the cores shared by the running jobs'}, {limits.cores} cores; "
        f"{model or 'unknown CPU'}: bfloat16 units by the flags: {precision.flag_units(flags)}"
    )
    if args.replay:
        replay_cost(scheduler, epochs, rounds)
        scheduler.shutdown()
        return
    print("  figures: samples/s whole run (epochs 2..N), per CPU-second | ratios to the seed fit in the same order")
    results: dict[str, list[dict]] = {name: [] for name in RUNS}
    for round_ in range(1, rounds + 1):
        shift = (round_ - 1) % len(RUNS)
        order = RUNS[shift:] + RUNS[:shift]  # rotate who goes first; let the other process settle in between
        this_round = {}
        for name in order:
            this_round[name] = seed_fit(epochs) if name == "seed fit" else playground_job(scheduler, epochs, name)
            time.sleep(2)
        print(f"round {round_} (order: {', '.join(order)}):")
        for name in RUNS:
            results[name].append(this_round[name])
            print(_line(name, this_round[name], this_round["seed fit"]))
    scheduler.shutdown()
    print("medians over rounds:")
    median = {name: {key: statistics.median(r[key] for r in runs) for key in FIGURES} for name, runs in results.items()}
    for name in RUNS:
        extra = {"precision": results[name][-1]["precision"]} if name != "seed fit" else {}
        print(_line(name, median[name], median["seed fit"]) + (f" — in {extra['precision']}" if extra else ""))
    for name in RUNS[1:]:
        ratios = {
            key: statistics.median(
                r[key] / seed[key] for r, seed in zip(results[name], results["seed fit"], strict=True)
            )
            for key in FIGURES
        }
        print(
            f"median ratio playground job ({name}) / seed fit: {ratios['samples_per_second']:.2f} samples/s over the "
            f"whole run, {ratios['steady_per_second']:.2f} from epoch 2 on, {ratios['samples_per_cpu_second']:.2f} "
            f"per CPU-second"
        )
    detected = precision.cached()
    print(
        "auto's detection on this machine (cached): "
        + (json.dumps({key: detected[key] for key in ("units", "speedup", "bfloat16")}) if detected else "none kept")
    )


if __name__ == "__main__":
    main()
