"""Tests of `kengine.metrics.r2_score`: R2Score against tf_keras."""

import numpy as np
import pytest
import tensorflow as tf

from kengine import metrics
from tests.metrics import extra_goldens

IDS = extra_goldens.case_ids(["r2_score"])


@pytest.mark.parametrize("case_id", IDS)
def test_results_over_three_batches_match_tf_keras(case_id):
    extra_goldens.assert_case(case_id)


@pytest.mark.parametrize("case_id", IDS)
def test_names_config_and_reset_match_tf_keras(case_id):
    extra_goldens.assert_conformance(case_id)


def test_perfect_and_mean_predictions():
    y = np.array([[1.0], [2.0], [4.0]])
    m = metrics.R2Score()
    m.update_state(y, y)
    assert float(m.result()) == 1.0
    m.reset_state()
    m.update_state(y, np.full_like(y, y.mean()))
    np.testing.assert_allclose(float(m.result()), 0.0, atol=1e-6)


def test_adjusted_score_falls_back_with_too_few_samples():
    m = metrics.R2Score(num_regressors=3)
    with pytest.warns(UserWarning, match="More independent predictors"):
        m.update_state([[1.0], [2.0], [3.0]], [[1.0], [2.0], [4.0]])
        plain = float(m.result())
    np.testing.assert_allclose(plain, 0.5)


def test_adjusted_score_in_tf_function():
    m = metrics.R2Score(num_regressors=1)
    y_true = tf.constant([[1.0], [2.0], [3.0], [4.0]])
    y_pred = tf.constant([[1.0], [2.0], [3.0], [5.0]])
    tf.function(m.update_state)(y_true, y_pred)
    r2 = 1 - 1.0 / 5.0
    np.testing.assert_allclose(float(tf.function(m.result)()), 1 - (1 - r2) * 3 / 2)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"class_aggregation": "mean"}, "Received: class_aggregation=mean"),
        ({"num_regressors": -1}, "Received: num_regressors=-1"),
    ],
)
def test_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        metrics.R2Score(**kwargs)


def test_inputs_must_be_2d():
    with pytest.raises(ValueError, match="R2Score expects 2D inputs"):
        metrics.R2Score().update_state([1.0, 2.0], [1.0, 2.0])
