"""The bundled demo model (playground.inspection.demo): a valid seed-CNN bundle that reads drawn digits."""

import pytest

from playground import bundle, data, presets
from playground.data import images as drawing
from playground.data import strokes
from playground.inspection import demo, evaluation, inspector


def test_the_demo_model_is_a_valid_seed_cnn_bundle_with_its_regeneration_command():
    model = demo.model()
    assert model.spec == presets.preset("seed-cnn")
    assert model.metadata["command"] == "python scripts/make_demo_model.py"
    assert bundle.from_bytes(demo.PATH.read_bytes()).spec == model.spec
    assert demo.PATH.stat().st_size < 1_000_000


@pytest.mark.parametrize("style", strokes.STYLES, ids=lambda style: style.name)
def test_the_demo_model_reads_digits_drawn_the_ways_people_draw(style):
    model = demo.model()
    predicted = [inspector.inspect(model, drawing.prepare(strokes.drawing(d, style))).prediction for d in range(10)]
    assert predicted == list(range(10))


def test_the_demo_model_scores_well_on_the_sample_test_set():
    assert evaluation.evaluate(demo.model(), data.load("mnist-sample")).accuracy > 0.95
