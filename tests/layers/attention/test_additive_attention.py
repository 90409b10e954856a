"""Tests of `kengine.layers.attention.additive_attention` against tf_keras."""

import numpy as np
import pytest
import tensorflow as tf

from kengine.layers.attention.additive_attention import AdditiveAttention
from tests.layers import attention_goldens as goldens

CASES = goldens.case_ids("AdditiveAttention")


@pytest.mark.parametrize("case", CASES)
def test_matches_tf_keras(case):
    goldens.check_case(case)
    goldens.check_symbolic(case)
    goldens.check_config_round_trip(case)


def test_scale_has_the_value_feature_size():
    layer = AdditiveAttention()
    layer([tf.zeros((1, 2, 3)), tf.zeros((1, 4, 3))])
    assert [(w.name, tuple(w.shape)) for w in layer.weights] == [
        ("additive_attention/scale:0", (3,))
    ]


def test_scores_are_sums_of_scaled_tanh():
    query = tf.constant([[[0.5, -1.0]]])
    key = tf.constant([[[1.0, 0.0], [0.0, 2.0]]])
    layer = AdditiveAttention()
    layer([query, key])
    layer.scale.assign([2.0, -1.0])
    raw = layer._calculate_scores(query, key).numpy()
    expected = [
        2 * np.tanh(1.5) - np.tanh(-1.0),
        2 * np.tanh(0.5) - np.tanh(1.0),
    ]
    np.testing.assert_allclose(raw[0, 0], expected, rtol=1e-6)
