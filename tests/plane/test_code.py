"""The 2-D playground's experiment as a Keras script."""

import math

import pytest

from playground.plane import code as plane_code
from playground.plane import settings as plane_state

# ---------------------------------------------------------------- code export


@pytest.mark.parametrize("preset", list(plane_state.PRESETS))
def test_the_exported_script_is_valid_python_with_the_same_network(preset):
    chosen = plane_state.PRESETS[preset]
    source = plane_code.plane_source(chosen, epochs=42, language="zh")
    compile(source, "playground_2d.py", "exec")
    model_spec = plane_state.network_spec(chosen)
    for layer in model_spec.layers:
        assert f"layers.{layer.kind}(" in source
    assert f"def {chosen.dataset}(" in source and "epochs=42" in source and f"batch_size={chosen.batch}" in source
    assert f"keras.Input(shape=({len(chosen.features)},))" in source and "# 网络" in source
    assert math.isclose(float(source.split("learning_rate=")[1].split(")")[0]), chosen.lr)


@pytest.mark.parametrize("count", [200, 700], ids=["embedded", "read from the points file"])
def test_an_exported_own_data_script_runs_on_its_own_on_the_same_points(tmp_path, count):
    import dataclasses
    import subprocess
    import sys

    import numpy as np

    from playground.plane import rule

    data = rule.make_rule_data("x1**2 + x2**2 < 9", count=count, seed=3)
    chosen = dataclasses.replace(plane_state.PRESETS[next(iter(plane_state.PRESETS))], source="rule")
    source = plane_code.plane_source(chosen, epochs=1, data=data)
    (tmp_path / "playground_2d.py").write_text(source, encoding="utf-8")
    if count > plane_code.MAX_EMBEDDED:
        (tmp_path / plane_code.POINTS_FILE).write_text(plane_code.points_table(data), encoding="utf-8")
    check = "import runpy, numpy as np\nscope = runpy.run_path('playground_2d.py', run_name='__main__')\n"
    check += "np.savez('seen.npz', x_train=scope['x_train'], x_test=scope['x_test'], points=scope['points'])\n"
    done = subprocess.run([sys.executable, "-c", check], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = np.load(tmp_path / "seen.npz")
    np.testing.assert_allclose(seen["points"], np.concatenate([data.x_train, data.x_test]), rtol=1e-6)
    assert len(seen["x_train"]) == len(data.x_train) and len(seen["x_test"]) == len(data.x_test)
