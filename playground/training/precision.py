"""Training precision: float32, or mixed bfloat16 where the processor has native bfloat16 units; "auto" picks.

Under Keras's "mixed_bfloat16" policy the layers compute in bfloat16 (float32's exponent with 8 bits of mantissa)
while their weights stay float32 variables, and the output layer computes in float32 (see model.build_model), so
the softmax and the loss are as exact as before and a bundle's weights are float32 either way.

Only some processors multiply bfloat16 natively (AMX-BF16, AVX512-BF16); elsewhere it is emulated and slower than
float32. "auto" therefore asks the CPU flags for such units and confirms them with one short measurement (a small
CNN's training step, timed in float32 and in bfloat16), kept per machine in the data directory so that no job pays
for it twice. $PLAYGROUND_BFLOAT16_UNITS ("none" or "native") overrides the detection, as does the `units` argument
(tests use it).

The policy is process-wide in Keras: `applied` sets it for one training only and restores the previous one, and
only training workers (and the command line's own process) call it, so the server's Draw page stays float32.
"""

import contextlib
import json
import os
import statistics
import time
from importlib import metadata
from pathlib import Path

from playground import paths
from playground.training.runs import PRECISIONS

KERAS_POLICIES = {"float32": "float32", "bfloat16": "mixed_bfloat16"}
NATIVE_FLAGS = ("amx_bf16",)  # matrix tiles that multiply bfloat16
CANDIDATE_FLAGS = ("avx512_bf16",)  # vector instructions for bfloat16 dot products: fast on some processors only
# bfloat16 must save this much CPU time in the measurement to be used. An AMD EPYC with AVX512-BF16 and no AMX
# measured 1.11-1.33 (Keras's whole fit: about 1.15 per CPU-second), a gain too small and too unsteady to switch for.
MIN_SPEEDUP = 1.3
METHOD = 2  # the measurement's version: a kept result of another one is measured again
FORCE_ENV = "PLAYGROUND_BFLOAT16_UNITS"
CACHE_NAME = "precision.json"
CPUINFO = Path("/proc/cpuinfo")


def check_name(name: str) -> str:
    """The precision name itself; ValueError when it is not one of PRECISIONS."""
    if name not in PRECISIONS:
        raise ValueError(f"unknown precision {name!r}: one of {', '.join(PRECISIONS)}")
    return name


def cpu_info(cpuinfo: Path | None = None) -> tuple[str, frozenset[str]]:
    """(the processor's model name, its flags) from /proc/cpuinfo (or this file); ("", empty) where there is none."""
    try:
        text = (cpuinfo or CPUINFO).read_text(errors="replace")
    except OSError:
        return "", frozenset()
    model, flags = "", frozenset()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and not model:
            model = value.strip()
        elif key.strip() in ("flags", "Features") and not flags:  # x86, ARM
            flags = frozenset(value.split())
    return model, flags


def flag_units(flags: frozenset[str]) -> str:
    """What the CPU flags say about bfloat16: "native" (AMX), "candidate" (AVX512-BF16) or "none"."""
    if any(flag in flags for flag in NATIVE_FLAGS):
        return "native"
    if any(flag in flags for flag in CANDIDATE_FLAGS):
        return "candidate"
    return "none"


def _tensorflow_version() -> str:
    for distribution in ("tensorflow", "tensorflow-cpu", "tensorflow_cpu"):  # without importing it
        with contextlib.suppress(metadata.PackageNotFoundError):
            return metadata.version(distribution)
    return "?"


def machine_key(cpuinfo: Path | None = None) -> str:
    """What a cached measurement holds for: the processor, its bfloat16 flags, TensorFlow, the measurement."""
    model, flags = cpu_info(cpuinfo)
    relevant = sorted(flag for flag in flags if flag in NATIVE_FLAGS + CANDIDATE_FLAGS)
    return f"{model}|{','.join(relevant)}|tensorflow {_tensorflow_version()}|{os.cpu_count()} cpus|method {METHOD}"


def measure_speedup(repeats: int = 8, batch: int = 32) -> float:
    """How many times less CPU time a training step of a small CNN (the seed article's shapes, forward and backward)
    takes in bfloat16 than in float32 here: medians of interleaved repeats, about a second in all. CPU time, not
    wall time, so that other load on a shared server sways it less."""
    from playground.backend import tf

    def variable(shape, seed, scale):
        return tf.Variable(tf.random.stateless_normal(shape, seed=(seed, 0)) * scale)

    images = tf.random.stateless_uniform((batch, 28, 28, 1), seed=(1, 2))
    labels = tf.one_hot(tf.range(batch) % 10, 10)
    shapes = [(3, 3, 1, 32), (3, 3, 32, 64), (3, 3, 64, 64), (3 * 3 * 64, 64), (64, 10)]
    weights = [variable(shape, seed, 0.1) for seed, shape in enumerate(shapes)]

    def step_in(dtype):
        @tf.function
        def step():
            with tf.GradientTape() as tape:  # as a mixed policy computes: float32 variables cast to the compute type
                kernels = [tf.cast(weight, dtype) for weight in weights]
                x = tf.cast(images, dtype)
                for kernel in kernels[:2]:
                    x = tf.nn.max_pool2d(tf.nn.relu(tf.nn.conv2d(x, kernel, 1, "VALID")), 2, 2, "VALID")
                x = tf.nn.relu(tf.nn.conv2d(x, kernels[2], 1, "VALID"))
                x = tf.nn.relu(tf.matmul(tf.reshape(x, (batch, -1)), kernels[3]))
                logits = tf.cast(tf.matmul(x, kernels[4]), tf.float32)  # the output layer computes in float32
                loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels, logits))
            return tape.gradient(loss, weights)

        return step

    steps = {"float32": step_in(tf.float32), "bfloat16": step_in(tf.bfloat16)}
    times: dict[str, list[float]] = {name: [] for name in steps}
    for step in steps.values():
        step()  # tracing, outside the timing
    for _ in range(repeats):
        for name, step in steps.items():
            started = time.process_time()
            for _ in range(4):
                for gradient in step():
                    gradient.numpy()
            times[name].append(time.process_time() - started)
    return statistics.median(times["float32"]) / statistics.median(times["bfloat16"])


def cache_path() -> Path:
    """Where the measurement is kept: the data directory's precision.json."""
    return paths.data_dir() / CACHE_NAME


def cached() -> dict | None:
    """The kept detection for this machine ({"units", "speedup", "bfloat16", ...}), or None when there is none."""
    try:
        kept = json.loads(cache_path().read_text())
    except (OSError, ValueError):
        return None
    return kept if isinstance(kept, dict) and kept.get("machine") == machine_key() else None


def _keep(found: dict) -> None:
    path = cache_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # two workers measuring at once: last one wins
        partial.write_text(json.dumps(found))
        partial.replace(path)
    except OSError:
        pass  # a read-only data directory: measure again next time


def detect() -> dict:
    """This machine's bfloat16 detection, from the cache or by flags and one measurement (then cached)."""
    found = cached()
    if found is not None:
        return found
    units = flag_units(cpu_info()[1])
    speedup = measure_speedup() if units != "none" else None
    found = {
        "machine": machine_key(),
        "units": units,
        "speedup": speedup,
        "bfloat16": speedup is not None and speedup >= MIN_SPEEDUP,
    }
    _keep(found)
    return found


def has_units(units: str | None = None) -> bool:
    """True when bfloat16 is faster here: units "none"/"native" (or $PLAYGROUND_BFLOAT16_UNITS) decide, else
    detect()."""
    forced = units or os.environ.get(FORCE_ENV) or None
    if forced is not None:
        if forced not in ("none", "native"):
            raise ValueError(f"{FORCE_ENV} is {forced!r}: 'none' or 'native'")
        return forced == "native"
    return bool(detect()["bfloat16"])


def resolve(name: str, units: str | None = None) -> str:
    """The precision a training uses: "float32" or "bfloat16" ("auto": bfloat16 only where has_units())."""
    if check_name(name) != "auto":
        return name
    return "bfloat16" if has_units(units) else "float32"


@contextlib.contextmanager
def applied(precision: str):
    """Keras's global dtype policy for this precision ("float32" or "bfloat16") while the block runs, then the one
    before it again."""
    from playground.backend import keras

    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(KERAS_POLICIES[precision])
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(previous)
