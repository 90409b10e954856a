"""Tests of `kengine.layers.conv_rnn`: what `ConvRNN` changes in `RNN`."""

import numpy as np
import pytest
import tensorflow as tf

from kengine.layers.conv_lstm import ConvLSTMCell
from kengine.layers.conv_rnn import ConvRNN


def _layer(**kwargs):
    cell = ConvLSTMCell(rank=2, filters=3, kernel_size=3, strides=2)
    return ConvRNN(2, cell, **kwargs)


def test_output_shapes_follow_the_convolution_arithmetic():
    layer = _layer(return_sequences=True, return_state=True)
    shapes = layer.compute_output_shape((None, 4, 9, 7, 2))
    assert [s.as_list() for s in shapes] == [
        [None, 4, 4, 3, 3],
        [None, 4, 3, 3],
        [None, 4, 3, 3],
    ]
    outputs = layer(tf.zeros((2, 4, 9, 7, 2)))
    assert [o.shape.as_list() for o in outputs] == [
        [2, 4, 4, 3, 3],
        [2, 4, 3, 3],
        [2, 4, 3, 3],
    ]


def test_initial_state_has_the_output_map_shape_for_unknown_sizes():
    layer = _layer()
    fn = tf.function(
        layer.get_initial_state,
        input_signature=[tf.TensorSpec((None, None, None, None, 2))],
    )
    layer.build((None, None, 9, 7, 2))
    states = fn(tf.zeros((2, 4, 9, 7, 2)))
    assert [s.shape for s in states] == [(2, 4, 3, 3), (2, 4, 3, 3)]
    assert all(not np.any(s) for s in states)


def test_cell_weights_are_named_after_the_layer():
    layer = _layer(name="video")
    layer(tf.zeros((1, 2, 5, 5, 2)))
    assert [w.name for w in layer.weights] == [
        "video/kernel:0",
        "video/recurrent_kernel:0",
        "video/bias:0",
    ]


def test_masked_steps_keep_the_state():
    layer = _layer(return_sequences=True)
    x = tf.random.normal((2, 3, 5, 5, 2))
    mask = tf.constant([[True, False, True], [True, True, True]])
    full = layer(x, mask=mask)
    np.testing.assert_array_equal(full[0, 1], full[0, 0])


@pytest.mark.parametrize(
    "kwargs, match",
    [({"unroll": True}, "Unrolling is not possible"), ({}, "stack convolutional")],
)
def test_unsupported_configurations_raise_type_error(kwargs, match):
    cell = ConvLSTMCell(rank=1, filters=2, kernel_size=2)
    cells = [cell, cell] if not kwargs else cell
    with pytest.raises(TypeError, match=match):
        ConvRNN(1, cells, **kwargs)


def test_stateful_needs_the_batch_and_spatial_sizes():
    layer = _layer(stateful=True)
    with pytest.raises(ValueError, match="needs to know its batch size"):
        layer.build((None, 3, 9, 7, 2))


def test_reset_states_with_values_and_wrong_shapes():
    layer = _layer(stateful=True)
    layer.build((2, 3, 9, 7, 2))
    value = np.ones((2, 4, 3, 3), "float32")
    layer.reset_states([value, 2 * value])
    np.testing.assert_array_equal(layer.states[1].numpy(), 2 * value)
    with pytest.raises(ValueError, match="expected shape"):
        layer.reset_states([value, value[:1]])
    with pytest.raises(AttributeError, match="must be stateful"):
        _layer().reset_states()


def test_initial_state_with_the_wrong_channels_is_refused():
    from kengine import layers

    x = layers.Input((3, 5, 5, 2))
    state = layers.Input((2, 2, 7))
    with pytest.raises(ValueError, match="not compatible with `cell.state_size`"):
        _layer()(x, initial_state=[state, state])
