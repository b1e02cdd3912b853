"""Datasets: the bundled offline sample and graceful behaviour without a network."""

import time

import numpy as np
import pytest

from playground import data


def test_bundled_sample_is_a_stratified_4000_1000_split_of_real_digits():
    sample = data.load("mnist-sample")
    assert sample.x_train.shape == (4000, 28, 28) and sample.x_test.shape == (1000, 28, 28)
    assert sample.x_train.dtype == np.uint8 and sample.y_train.dtype == np.uint8
    assert all(counts == (400, 100) for counts in sample.class_counts().values())
    assert sample.input_shape == (28, 28, 1) and sample.num_classes == 10
    # Shuffled, not sorted by class as in the CSV.
    assert len(set(sample.y_train[:20].tolist())) > 3
    # Real digits: ink in the middle, background at the border.
    assert sample.x_train[:, 10:18, 10:18].mean() > 4 * sample.x_train[:, :2, :].mean() + 10


def test_train_and_test_images_do_not_overlap():
    sample = data.load("mnist-sample")
    train = {row.tobytes() for row in sample.x_train}
    assert not any(row.tobytes() in train for row in sample.x_test)


def test_loaded_once_and_read_only():
    assert data.load("mnist-sample") is data.load("mnist-sample")
    with pytest.raises(ValueError):
        data.load("mnist-sample").x_train[0, 0, 0] = 1


def test_offline_only_the_bundled_dataset_is_offered_and_none_hangs():
    start = time.monotonic()
    assert data.available() == ["mnist-sample"]
    with pytest.raises(data.DatasetUnavailable, match="could not be downloaded"):
        data.load("mnist")
    assert time.monotonic() - start < 10


def test_cached_keras_mnist_is_used_without_network(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    folder = tmp_path / "datasets"
    folder.mkdir()
    images = np.zeros((3, 28, 28), np.uint8)
    np.savez(
        folder / "mnist.npz",
        x_train=images,
        y_train=np.arange(3, dtype=np.uint8),
        x_test=images[:1],
        y_test=np.zeros(1, np.uint8),
    )
    assert "mnist" in data.available()
    mnist = data._load_keras_mnist()
    assert mnist.x_train.shape == (3, 28, 28) and mnist.num_classes == 10


def test_labels_are_encoded_for_the_loss():
    labels = np.array([0, 3, 9], np.uint8)
    assert data.encode_labels(labels, "sparse_categorical_crossentropy", 10).tolist() == [0, 3, 9]
    one_hot = data.encode_labels(labels, "categorical_crossentropy", 10)
    assert one_hot.shape == (3, 10) and one_hot[1, 3] == 1 and one_hot.sum() == 3


def test_images_become_float_inputs_with_a_channel_axis():
    x = data.images_as_input(np.full((2, 28, 28), 255, np.uint8))
    assert x.shape == (2, 28, 28, 1) and x.dtype == np.float32 and x.max() == 1.0
