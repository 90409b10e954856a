"""Tests of `kengine.metrics.f_score_metrics`: F1Score and FBetaScore against tf_keras."""

import numpy as np
import pytest
import tensorflow as tf

from kengine import metrics
from tests.metrics import extra_goldens

IDS = extra_goldens.case_ids(["f1_score", "fbeta_score"])


@pytest.mark.parametrize("case_id", IDS)
def test_results_over_three_batches_match_tf_keras(case_id):
    extra_goldens.assert_case(case_id)


@pytest.mark.parametrize("case_id", IDS)
def test_names_config_and_reset_match_tf_keras(case_id):
    extra_goldens.assert_conformance(case_id)


def test_state_is_built_before_tracing():
    m = metrics.F1Score(average="macro")
    m._build_from_shapes((None, 3), (None, 3))
    assert [v.shape.as_list() for v in m.variables] == [[3]] * 4
    tf.function(m.update_state)(tf.eye(3), tf.eye(3))
    np.testing.assert_allclose(float(m.result()), 1.0)


def test_in_a_compiled_model():
    from kengine import Input, Model, layers

    x = Input((2,))
    model = Model(x, layers.Dense(3, activation="softmax")(x))
    model.compile("sgd", "categorical_crossentropy", metrics=[metrics.F1Score("micro")])
    logs = model.evaluate(np.ones((4, 2)), np.eye(3)[[0, 1, 2, 0]], verbose=0)
    assert len(logs) == 2 and 0.0 <= logs[1] <= 1.0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"average": "mean"}, r"Received: average=mean"),
        ({"beta": 1}, r"Python float. Received: beta=1"),
        ({"beta": -1.0}, r"should be > 0. Received: beta=-1.0"),
        ({"threshold": 1}, r"Python float. Received: threshold=1"),
        ({"threshold": 1.5}, r"0 < threshold <= 1. Received: threshold=1.5"),
    ],
)
def test_invalid_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        metrics.FBetaScore(**kwargs)


def test_inputs_must_be_2d():
    with pytest.raises(ValueError, match="expects 2D inputs"):
        metrics.F1Score().update_state([1.0, 0.0], [0.3, 0.2])
