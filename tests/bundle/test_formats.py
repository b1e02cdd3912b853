"""Bundles of every earlier format still load (committed fixtures written by that format's code)."""

from pathlib import Path

import numpy as np

from playground import bundle, presets

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_format_1_bundle_loads_without_a_replay():
    trained = bundle.from_bytes((FIXTURES / "format1-logistic.zip").read_bytes())
    assert trained.metadata["format"] == "deep-learning-playground-bundle/1"
    assert trained.spec == presets.preset("logistic")
    assert [w.shape for w in trained.weights] == [(784, 10), (10,)]
    expected = np.random.default_rng(0).normal(0, 0.05, (784, 10)).astype(np.float32)  # how the fixture was made
    assert np.array_equal(trained.weights[0], expected)
    assert trained.history.loss == [0.9, 0.6] and trained.replay is None
    assert bundle.epochs_trained(trained) == 2


def test_a_format_2_bundle_loads_with_its_replay():
    from tests.training.test_replay import _fake

    trained = bundle.from_bytes((FIXTURES / "format2-logistic-replay.zip").read_bytes())
    assert trained.metadata["format"] == "deep-learning-playground-bundle/2"
    expected = _fake(presets.preset("logistic"), 3)  # how the fixture was made
    assert np.array_equal(trained.replay.filters, expected.filters) and trained.replay.probe_label == 7
    assert list(trained.replay.epoch) == [0.0, 1.0, 2.0] and trained.replay.maps == ()
