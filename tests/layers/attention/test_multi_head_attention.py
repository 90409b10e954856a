"""Tests of `kengine.layers.attention.multi_head_attention` against tf_keras."""

import logging

import numpy as np
import pytest
import tensorflow as tf

from kengine import layers
from kengine.layers.attention import multi_head_attention as mha_module
from kengine.layers.attention.multi_head_attention import MultiHeadAttention
from tests.layers import attention_goldens as goldens

CASES = goldens.case_ids("MultiHeadAttention")


@pytest.mark.parametrize("case", CASES)
def test_matches_tf_keras(case):
    goldens.check_case(case)
    goldens.check_symbolic(case)


@pytest.mark.parametrize("case", ["mha_axes_int", "mha_cross", "mha_regularized"])
def test_config_round_trip_keeps_outputs(case):
    goldens.check_config_round_trip(case)


def test_graph_modes():
    goldens.check_graph_modes("mha_input_masks")


@pytest.mark.parametrize(
    "rank, axes, expected",
    [
        (4, (1,), ("aecd,abcd->acbe", "acbe,aecd->abcd", 4)),
        (5, (1, 2), ("afgde,abcde->adbcfg", "adbcfg,afgde->abcde", 6)),
        (5, (2,), ("abfde,abcde->abdcf", "abdcf,abfde->abcde", 5)),
        (5, (-3,), ("abfde,abcde->abdcf", "abdcf,abfde->abcde", 5)),
    ],
)
def test_attention_equations(rank, axes, expected):
    assert mha_module._build_attention_equation(rank, axes) == expected


@pytest.mark.parametrize(
    "dims, expected",
    [
        ((2, 1, 2), ("abc,cde->abde", "de", 4)),
        ((2, 2, 1), ("abcd,cde->abe", "e", 3)),
        ((3, 1, 2), ("abcd,def->abcef", "ef", 5)),
    ],
)
def test_projection_equations(dims, expected):
    assert mha_module._build_proj_equation(*dims) == expected


def test_compute_output_shape():
    layer = MultiHeadAttention(2, 3)
    assert layer.compute_output_shape((None, 4, 5), (None, 6, 5)) == (None, 4, 5)
    projected = MultiHeadAttention(2, 3, output_shape=(2, 7))
    shape = projected.compute_output_shape((None, 4, 5), (None, 6, 5), (None, 6, 3))
    assert shape.as_list() == [None, 4, 2, 7]


@pytest.mark.parametrize(
    "case, shapes",
    [
        ("mha_output_shape_dims", [(None, 3, 4), (None, 5, 6)]),
        ("mha_output_shape_key", [(None, 3, 4), (None, 5, 4), (None, 6, 4)]),
    ],
)
def test_compute_output_shape_errors(case, shapes):
    with pytest.raises(ValueError) as info:
        MultiHeadAttention(2, 2).compute_output_shape(*shapes)
    # tf_keras's first message prints "{query_shape}" literally (a missing f).
    expected = goldens.error_message(case).split("Received: query_shape")[0]
    assert str(info.value).startswith(expected)


def test_from_config_with_shapes_creates_the_projections():
    layer = MultiHeadAttention(2, 3)
    layer(tf.zeros((1, 4, 5)), tf.zeros((1, 6, 5)))
    clone = MultiHeadAttention.from_config(layer.get_config())
    assert clone._built_from_signature
    assert clone._query_dense.name == "query"
    assert clone._output_dense.partial_output_shape == [None, 5]


def test_from_config_without_shapes_warns(caplog):
    config = MultiHeadAttention(2, 3).get_config()
    with caplog.at_level(logging.WARNING, logger="kengine"):
        clone = MultiHeadAttention.from_config(config)
    assert "created without weights" in caplog.text
    assert not clone._built_from_signature


def test_custom_layer_can_build_it_from_its_own_build():
    class Block(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.attention = MultiHeadAttention(2, 2)

        def build(self, input_shape):
            self.attention._build_from_signature(input_shape, input_shape)
            super().build(input_shape)

        def call(self, x):
            return self.attention(x, x)

    block = Block()
    block(tf.zeros((1, 3, 4)))
    assert [w.name for w in block.weights][:2] == [
        "block/multi_head_attention/query/kernel:0",
        "block/multi_head_attention/query/bias:0",
    ]


def test_internal_layers_use_up_names_only_when_created_eagerly():
    # Keras 2 counts default names per graph: functional construction traces
    # the call in a graph, so the session's "dropout" is still free.
    query = layers.Input((3, 4))
    MultiHeadAttention(2, 2)(query, query)
    assert layers.Dropout(0.1).name == "dropout"
    MultiHeadAttention(2, 2)(tf.zeros((1, 3, 4)), tf.zeros((1, 3, 4)))
    assert layers.Dropout(0.1).name == "dropout_2"


def test_dropout_acts_only_in_training():
    layer = MultiHeadAttention(2, 2, dropout=0.5)
    x = tf.constant(goldens.range_like((2, 3, 4), 1.0))
    inference = layer(x, x)
    np.testing.assert_allclose(layer(x, x, training=False).numpy(), inference.numpy())
    assert not np.allclose(layer(x, x, training=True).numpy(), inference.numpy())


def test_ragged_query_gives_a_ragged_output():
    layer = MultiHeadAttention(2, 2)
    query = tf.ragged.constant([[[1.0, 0.0]], [[0.0, 1.0], [1.0, 1.0]]], ragged_rank=1)
    value = tf.constant(goldens.range_like((2, 3, 2), 1.0))
    outputs = layer(query, value)
    assert isinstance(outputs, tf.RaggedTensor)
    np.testing.assert_array_equal(outputs.row_lengths().numpy(), [1, 2])
    dense = layer(query.to_tensor(), value)
    np.testing.assert_allclose(
        outputs.to_tensor().numpy()[1], dense.numpy()[1], rtol=1e-6
    )
