"""Tests of `kengine.layers.attention.attention`: Attention against tf_keras."""

import numpy as np
import pytest
import tensorflow as tf

from kengine import layers
from kengine.layers.attention.attention import Attention
from tests.layers import attention_goldens as goldens

CASES = goldens.case_ids("Attention")


@pytest.mark.parametrize("case", CASES)
def test_matches_tf_keras(case):
    goldens.check_case(case)
    goldens.check_symbolic(case)


@pytest.mark.parametrize("case", [c for c in CASES if c != "attention_causal_ctor"])
def test_config_round_trip_keeps_outputs(case):
    goldens.check_config_round_trip(case)


def test_deprecated_causal_argument_is_not_in_the_config():
    # Keras 2 drops `causal` from the config: a rebuilt layer is not causal.
    layer = Attention(causal=True)
    assert layer.causal and "causal" not in layer.get_config()
    assert not Attention.from_config(layer.get_config()).causal


def test_graph_modes():
    goldens.check_graph_modes("attention_masks")


def test_rejects_unknown_score_mode():
    with pytest.raises(ValueError) as info:
        Attention(score_mode="add")
    assert str(info.value) == goldens.error_message("attention_score_mode")


def test_scales_the_dot_product_by_its_weight():
    query = tf.constant([[[1.0, 2.0]]])
    value = tf.constant([[[1.0, 0.0], [0.0, 1.0]]])
    layer = Attention(use_scale=True)
    layer([query, value])
    layer.scale.assign(0.5)
    _, scores = layer([query, value], return_attention_scores=True)
    expected = tf.nn.softmax([[[0.5, 1.0]]]).numpy()
    np.testing.assert_allclose(scores.numpy(), expected, rtol=1e-6)


def test_masks_riding_on_the_inputs_are_used():
    data = np.array([[1, 2, 0, 0], [3, 4, 2, 0]])
    embedding = layers.Embedding(5, 3, mask_zero=True)
    x = embedding(data)
    mask = embedding.compute_mask(data)
    explicit = Attention()([x, x], mask=[mask, mask])
    implicit = Attention()([x, x])  # the Embedding's mask rides on `x`
    unmasked = Attention()([tf.identity(x), tf.identity(x)])
    np.testing.assert_allclose(implicit.numpy(), explicit.numpy())
    np.testing.assert_array_equal(implicit._keras_mask.numpy(), mask.numpy())
    assert not np.allclose(unmasked.numpy(), implicit.numpy())


def test_functional_output_carries_the_query_mask():
    ids = layers.Input(shape=(4,), dtype="int32")
    embedded = layers.Embedding(5, 3, mask_zero=True)(ids)
    output = Attention()([embedded, embedded])
    assert output.shape.as_list() == [None, 4, 3]
    assert output._keras_mask.shape.as_list() == [None, 4]
