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
