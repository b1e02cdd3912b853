"""Training precision: detection from CPU flags and one cached measurement, "auto" resolved, the mixed bfloat16
policy applied to one training only (output layer and weights float32), recorded in runs and bundles, and the
same learning as float32."""

import io
import json
import statistics
import subprocess
import sys
import zipfile
from dataclasses import replace

import numpy as np
import pytest

from playground import bundle, presets
from playground.spec import LayerSpec, ModelSpec, OptimizerSpec
from playground.training import precision
from playground.training.job import TrainingJob
from playground.training.runs import FitRequest, History, RunRecord, TrainSettings, run_facts

# A model small enough to train in a second or two, with an inner layer and an output layer.
TINY = ModelSpec((28, 28, 1), 10, (LayerSpec("Conv2D", {"filters": 4, "kernel_size": (3, 3), "activation": "relu"}),
                                   LayerSpec("MaxPooling2D", {"pool_size": (2, 2)}), LayerSpec("Flatten"),
                                   LayerSpec("Dense", {"units": 10, "activation": "softmax"})))  # fmt: skip


def _cpuinfo(tmp_path, flags: str, model: str = "Test CPU"):
    path = tmp_path / "cpuinfo"
    path.write_text(f"processor\t: 0\nmodel name\t: {model}\nflags\t\t: fpu sse2 {flags}\n\nprocessor\t: 1\n")
    return path


# ---------------------------------------------------------------- detection (no TensorFlow)


def test_flags_name_the_units(tmp_path):
    model, flags = precision.cpu_info(_cpuinfo(tmp_path, "avx512f avx512_bf16 amx_bf16 amx_tile"))
    assert model == "Test CPU" and {"amx_bf16", "avx512_bf16", "sse2"} <= flags
    assert precision.flag_units(flags) == "native"
    assert precision.flag_units(frozenset({"avx512f", "avx512_bf16"})) == "candidate"
    assert precision.flag_units(frozenset({"avx2", "fma"})) == "none"
    assert precision.cpu_info(tmp_path / "missing") == ("", frozenset())


def test_forced_no_units_resolves_auto_to_float32_without_measuring(monkeypatch):
    monkeypatch.setattr(precision, "measure_speedup", lambda: pytest.fail("measured although forced"))
    assert precision.resolve("auto", units="none") == "float32"
    assert precision.resolve("auto", units="native") == "bfloat16"
    monkeypatch.setenv(precision.FORCE_ENV, "none")
    assert precision.resolve("auto") == "float32"
    monkeypatch.setenv(precision.FORCE_ENV, "native")
    assert precision.resolve("auto") == "bfloat16"
    assert precision.resolve("float32") == "float32" and precision.resolve("bfloat16") == "bfloat16"
    monkeypatch.setenv(precision.FORCE_ENV, "sometimes")
    with pytest.raises(ValueError, match="none"):
        precision.resolve("auto")
    with pytest.raises(ValueError, match="unknown precision"):
        precision.resolve("float16")


@pytest.mark.parametrize(("flags", "speedup", "expected"), [("avx2", None, "float32"),
                                                            ("avx512_bf16", 1.2, "float32"),
                                                            ("amx_bf16 avx512_bf16", 2.0, "bfloat16")])  # fmt: skip
def test_auto_measures_once_per_machine_and_keeps_the_answer(tmp_path, monkeypatch, flags, speedup, expected):
    monkeypatch.delenv(precision.FORCE_ENV, raising=False)
    monkeypatch.setenv("PLAYGROUND_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(precision, "CPUINFO", _cpuinfo(tmp_path, flags))
    measured = []
    monkeypatch.setattr(precision, "measure_speedup", lambda: measured.append(1) or speedup)
    assert [precision.resolve("auto") for _ in range(3)] == [expected] * 3
    assert len(measured) == (0 if speedup is None else 1)  # flags without bfloat16 units: nothing to measure
    kept = json.loads(precision.cache_path().read_text())
    assert kept["speedup"] == speedup and kept["bfloat16"] == (expected == "bfloat16")
    # Another processor (or TensorFlow) behind the same data directory measures again.
    monkeypatch.setattr(precision, "CPUINFO", _cpuinfo(tmp_path, flags, model="Other CPU"))
    assert precision.cached() is None


# ---------------------------------------------------------------- where the precision goes (no TensorFlow)


def test_the_job_records_the_precision_the_worker_resolved():
    job = TrainingJob(FitRequest(TINY, TrainSettings(precision="auto")))
    assert job.record().settings.precision == "auto"
    job.handle("begin", {"steps_per_epoch": 4, "epochs": 1, "precision": "bfloat16"})
    assert job.precision == "bfloat16" and job.record().settings.precision == "bfloat16"
    assert job.request.settings.precision == "auto"  # a Continue resolves again, on its worker
    facts = run_facts(job.record())
    assert facts["fact_precision"] == "bfloat16"


def test_settings_read_before_the_precision_existed_are_float32():
    assert TrainSettings.from_dict({"epochs": 3}).precision == "float32"
    assert TrainSettings.from_dict(TrainSettings(precision="bfloat16").to_dict()).precision == "bfloat16"
    assert TrainSettings.from_dict({"precision": "float8"}).precision == "float32"  # a damaged record


def test_the_command_line_takes_a_precision_float32_by_default():
    from playground import cli

    parser = cli.build_parser()
    assert parser.parse_args(["train", "--preset", "small-cnn"]).precision == "float32"
    assert parser.parse_args(["train", "--preset", "small-cnn", "--precision", "auto"]).precision == "auto"
    assert parser.parse_args(["code", "--preset", "small-cnn", "--precision", "bfloat16"]).precision == "bfloat16"
    with pytest.raises(SystemExit):
        parser.parse_args(["train", "--preset", "small-cnn", "--precision", "float16"])


def test_generated_code_sets_the_policy_only_for_bfloat16():
    from playground import codegen

    plain = codegen.model_source(presets.preset("seed-cnn"))
    mixed = codegen.model_source(presets.preset("seed-cnn"), precision="bfloat16", language="zh")
    assert "mixed_precision" not in plain and "dtype" not in plain
    assert "keras.mixed_precision.set_global_policy('mixed_bfloat16')" in mixed
    assert mixed.count("dtype='float32'") == 1 and "layers.Dense(10, activation='softmax', dtype='float32')" in mixed
    functional = codegen.model_source(presets.preset("resnet"), precision="bfloat16")
    assert functional.count("dtype='float32'") == 1
    with pytest.raises(ValueError):
        codegen.model_source(TINY, precision="auto")


# ---------------------------------------------------------------- Keras


@pytest.fixture(scope="module")
def fitting():
    from playground.training import fit as fitting

    return fitting


def _global_policy() -> str:
    from playground.backend import keras

    return keras.mixed_precision.global_policy().name


def test_bfloat16_computes_inner_layers_in_bfloat16_and_the_output_layer_in_float32(fitting):
    from playground.model import build_model

    with precision.applied("bfloat16"):
        mixed = build_model(presets.preset("seed-cnn"))
    assert _global_policy() == "float32"  # restored: nothing leaks into the process
    inner, output = mixed.layers[1:-1], mixed.layers[-1]
    assert {layer.compute_dtype for layer in inner} == {"bfloat16"}
    assert output.compute_dtype == "float32" and output.dtype_policy.name == "float32"
    assert {variable.dtype for variable in mixed.weights} == {"float32"}
    assert mixed(np.zeros((2, 28, 28, 1), np.float32)).dtype == "float32"
    plain = build_model(presets.preset("seed-cnn"))
    assert {layer.compute_dtype for layer in plain.layers} == {"float32"}
    assert [layer.get_config() for layer in plain.layers] == [
        layer.get_config() for layer in build_model(presets.preset("seed-cnn")).layers
    ]  # float32 builds as before: no dtype forced on the output layer


def test_auto_without_units_trains_exactly_as_float32(fitting, monkeypatch):
    monkeypatch.setenv(precision.FORCE_ENV, "none")
    settings = TrainSettings(epochs=1, train_samples=256, seed=2)
    events = []
    auto = fitting.fit(FitRequest(TINY, replace(settings, precision="auto")), lambda *event: events.append(event))
    today = fitting.fit(FitRequest(TINY, settings))  # the default precision: float32, as before this setting
    assert auto.precision == today.precision == "float32"
    assert next(values for kind, values in events if kind == "begin")["precision"] == "float32"
    assert [w.dtype for w in auto.weights] == [w.dtype for w in today.weights] == [np.float32] * len(today.weights)
    for mine, theirs in zip(auto.weights, today.weights, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-6)
    assert auto.test_accuracy == pytest.approx(today.test_accuracy, abs=1e-3)


def test_bfloat16_trains_keeps_float32_weights_in_the_bundle_and_continues_exactly(fitting):
    from playground.training import outcome

    request = FitRequest(TINY, TrainSettings(epochs=1, train_samples=256, precision="bfloat16"))
    result = fitting.fit(request)
    assert _global_policy() == "float32"
    assert result.precision == "bfloat16" and result.outcome == "finished" and 0 < result.test_accuracy <= 1
    assert {w.dtype for w in result.weights} == {np.dtype(np.float32)}
    assert result.probe_predictions.dtype == np.float32
    trained = outcome.trained_model(request, result, History())
    data = bundle.to_bytes(trained)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        weights = np.load(io.BytesIO(archive.read("weights.npz")))
        assert [weights[name].dtype for name in weights.files] == [np.float32] * len(result.weights)
    back = bundle.from_bytes(data)
    assert bundle.train_settings(back).precision == "bfloat16"
    for stored, original in zip(back.weights, result.weights, strict=True):
        np.testing.assert_array_equal(stored, original)
    untouched = fitting.fit(FitRequest(TINY, TrainSettings(epochs=0, train_samples=256, precision="bfloat16"),
                                       initial_epoch=1, initial_step=result.steps_done, weights=result.weights,
                                       optimizer_state=result.optimizer_state))  # fmt: skip
    for restored, original in zip(untouched.weights, result.weights, strict=True):
        np.testing.assert_array_equal(restored, original)


def test_the_nan_guard_stops_a_bfloat16_run_as_it_stops_a_float32_one(fitting):
    exploding = ModelSpec((28, 28, 1), 10, (LayerSpec("Flatten"), LayerSpec("Dense", {"units": 32}),
                                            LayerSpec("Dense", {"units": 10})),
                          "mean_squared_error", OptimizerSpec("SGD", {"learning_rate": 10.0}))  # fmt: skip
    faults = {}
    for name in ("float32", "bfloat16"):
        settings = TrainSettings(epochs=3, train_samples=500, precision=name)
        result = fitting.fit(FitRequest(exploding, settings, steps_per_execution=1))
        assert result.outcome == "diverged" and result.weights == () and result.precision == name
        faults[name] = result.fault
    assert faults["bfloat16"]["epoch"] == faults["float32"]["epoch"] == 1
    assert {key: value for key, value in faults["bfloat16"].items() if key not in ("step", "value")} == {
        key: value for key, value in faults["float32"].items() if key not in ("step", "value")
    }


def test_a_run_record_shows_the_precision_in_the_history_table():
    record = RunRecord(1, TINY, TrainSettings(precision="bfloat16"), History(), "finished")
    assert run_facts(record)["fact_precision"] == "bfloat16"


def test_the_generated_bfloat16_script_builds_and_trains_a_step(tmp_path):
    from playground import codegen

    script = tmp_path / "model.py"
    script.write_text(codegen.model_source(presets.preset("small-cnn"), precision="bfloat16"))
    check = (
        f"import numpy as np, runpy; space = runpy.run_path({str(script)!r}); model = space['model'];"
        "model.fit(np.random.rand(8, 28, 28, 1).astype('float32'), np.eye(10)[np.arange(8)], epochs=1, verbose=0);"
        "print(model.layers[0].compute_dtype, model.layers[-1].compute_dtype, model.weights[0].dtype,"
        " model.predict(np.zeros((1, 28, 28, 1)), verbose=0).dtype)"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-4:] == ["bfloat16", "float32", "float32", "float32"]


@pytest.mark.slow
def test_bfloat16_learns_as_well_as_float32(fitting):
    """Three seeds each, one epoch of a small CNN on the sample: the mean test accuracies are within 0.01
    (0.8153 float32, 0.8157 bfloat16 on an AMD EPYC; about 40 s on a busy 2-core machine)."""
    accuracies = {"float32": [], "bfloat16": []}
    for seed in (0, 1, 2):
        for name in accuracies:
            settings = TrainSettings(epochs=1, seed=seed, precision=name)
            accuracies[name].append(fitting.fit(FitRequest(presets.preset("small-cnn"), settings)).test_accuracy)
    means = {name: statistics.mean(values) for name, values in accuracies.items()}
    assert means["float32"] > 0.7, accuracies  # it learned (about 0.82 here): the comparison means something
    assert abs(means["bfloat16"] - means["float32"]) <= 0.01, accuracies
