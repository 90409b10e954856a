"""Tests of `kengine.layers.attention.base_dense_attention`: masks, dropout, checks."""

import logging

import numpy as np
import pytest
import tensorflow as tf

from kengine.layers.attention.attention import Attention
from kengine.layers.attention.base_dense_attention import (
    BaseDenseAttention,
    lower_triangular_mask,
    merge_masks,
)
from tests.layers import attention_goldens as goldens

QUERY = tf.constant(goldens.range_like((2, 3, 4), 1.0))
VALUE = tf.constant(goldens.range_like((2, 5, 4), 1.0, offset=2.0))


def test_lower_triangular_mask_allows_the_past_and_present():
    np.testing.assert_array_equal(
        lower_triangular_mask((3, 2)).numpy(),
        [[True, False], [True, True], [True, True]],
    )


def test_merge_masks_is_a_logical_and_of_the_masks_given():
    a = tf.constant([True, True, False])
    b = tf.constant([True, False, False])
    assert merge_masks(None, None) is None
    assert merge_masks(a, None) is a and merge_masks(None, b) is b
    np.testing.assert_array_equal(merge_masks(a, b).numpy(), [True, False, False])


def test_subclasses_must_score():
    with pytest.raises(NotImplementedError, match="_calculate_scores"):
        BaseDenseAttention()([QUERY, VALUE])


@pytest.mark.parametrize(
    "case, call",
    [
        ("attention_not_list", lambda layer: layer(tf.zeros((2, 3, 4)))),
        ("attention_one_input", lambda layer: layer([QUERY])),
        (
            "attention_mask_length",
            lambda layer: layer([QUERY, VALUE], mask=[tf.ones((2, 3), tf.bool)] * 3),
        ),
    ],
)
def test_call_argument_errors_match_tf_keras(case, call):
    with pytest.raises(ValueError) as info:
        call(Attention())
    assert str(info.value) == goldens.error_message(case)


def test_a_mask_must_be_a_list():
    with pytest.raises(ValueError, match="mask must be a list"):
        Attention()([QUERY, VALUE], mask=tf.ones((2, 3), tf.bool))


def test_value_mask_removes_masked_steps_and_query_mask_zeroes_outputs():
    value_mask = tf.constant([[True, True, False, False, False]] * 2)
    query_mask = tf.constant([[True, False, True]] * 2)
    outputs, scores = Attention()(
        [QUERY, VALUE], mask=[query_mask, value_mask], return_attention_scores=True
    )
    np.testing.assert_allclose(scores.numpy()[..., 2:], 0.0, atol=1e-7)
    np.testing.assert_allclose(scores.numpy().sum(-1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(outputs.numpy()[:, 1], 0.0)
    # Only the first two value steps are mixed.
    expected = tf.matmul(scores[..., :2], VALUE[:, :2])
    np.testing.assert_allclose(outputs.numpy()[:, 0], expected.numpy()[:, 0], rtol=1e-5)


def test_dropout_acts_only_in_training():
    layer = Attention(dropout=0.5, seed=3)
    inference = layer([QUERY, VALUE])
    np.testing.assert_allclose(
        layer([QUERY, VALUE], training=False).numpy(), inference.numpy()
    )
    _, scores = layer([QUERY, VALUE], training=True, return_attention_scores=True)
    kept = scores.numpy()[scores.numpy() != 0]
    _, plain = layer([QUERY, VALUE], return_attention_scores=True)
    # Kept weights are scaled by 1 / (1 - rate); some are dropped.
    assert kept.size < scores.numpy().size
    assert np.all(np.isin(np.round(kept / 2, 5), np.round(plain.numpy(), 5)))


def test_dropout_follows_a_tensor_training_flag_in_a_graph():
    layer = Attention(dropout=0.999, seed=1)
    fn = tf.function(lambda t: layer([QUERY, VALUE], training=t))
    np.testing.assert_allclose(
        fn(tf.constant(False)).numpy(), layer([QUERY, VALUE]).numpy(), rtol=1e-6
    )
    assert np.count_nonzero(fn(tf.constant(True)).numpy()) < QUERY.shape.num_elements()


def test_deprecated_causal_argument_logs_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="kengine"):
        Attention(causal=True)
    assert "`causal` argument is deprecated" in caplog.text


def test_compute_mask_is_the_query_mask():
    layer = Attention()
    query_mask = tf.constant([[True, False, True]] * 2)
    assert layer.compute_mask([QUERY, VALUE]) is None
    assert layer.compute_mask([QUERY, VALUE], [None, tf.ones((2, 5), tf.bool)]) is None
    np.testing.assert_array_equal(
        layer.compute_mask([QUERY, VALUE], [query_mask, None]).numpy(),
        query_mask.numpy(),
    )
    assert layer.compute_output_shape([(None, 3, 4), (None, 5, 4)]) == (None, 3, 4)
