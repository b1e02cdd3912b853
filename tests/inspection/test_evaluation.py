"""A trained model on a test split (playground.inspection.evaluation): counted by hand, predicted like Keras."""

import numpy as np
import pytest

from playground import data, presets
from playground.inspection.evaluation import Evaluation, evaluate
from tests.inspection.models import trained_for


def test_evaluation_counts_the_confusion_matrix_and_per_class_accuracy():
    labels = np.array([0, 0, 1, 1, 2, 2, 2])
    predictions = np.array([0, 1, 1, 1, 2, 0, 2])
    evaluation = Evaluation(labels, predictions, np.zeros((7, 3)), ("a", "b", "c"))
    np.testing.assert_array_equal(evaluation.confusion, [[1, 1, 0], [0, 2, 0], [1, 0, 2]])
    np.testing.assert_allclose(evaluation.per_class_accuracy(), [0.5, 1.0, 2 / 3])
    assert evaluation.accuracy == pytest.approx(5 / 7)
    np.testing.assert_array_equal(evaluation.examples(2, 0), [5])
    np.testing.assert_array_equal(evaluation.mistakes(), [1, 5])


def test_evaluate_predicts_every_test_image_like_keras():
    sample = data.load("mnist-sample")
    small = data.Dataset("tiny-test", sample.x_train[:10], sample.y_train[:10], sample.x_test[:600],
                         sample.y_test[:600], sample.class_names)  # fmt: skip
    trained, model = trained_for(presets.preset("logistic"))
    evaluation = evaluate(trained, small)
    expected = model.predict(data.images_as_input(small.x_test), verbose=0).argmax(axis=1)
    np.testing.assert_array_equal(evaluation.predictions, expected)
    assert evaluation.confusion.sum() == 600
    assert evaluate(trained, small) is evaluation  # remembered
