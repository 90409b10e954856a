"""Tests of `kengine.layers.conv_lstm_cell`: one convolutional LSTM step.

The layer goldens (`test_conv_lstm.py`) cover the cell's numbers over whole
sequences; these check one step by hand, the weights, config and errors.
"""

import numpy as np
import pytest
import tensorflow as tf

from kengine.layers.conv_lstm_cell import ConvLSTMCell


def _cell(**kwargs):
    cell = ConvLSTMCell(rank=1, filters=1, kernel_size=1, **kwargs)
    cell.build((None, 3, 1))
    return cell


def test_one_step_is_an_lstm_step_with_1x1_convolutions():
    cell = _cell(recurrent_activation="sigmoid")
    # Gate blocks i, f, c, o of the 1x1 kernels and the bias.
    cell.set_weights(
        [
            np.array([[[0.5, -0.5, 1.0, 2.0]]], "float32"),
            np.array([[[0.1, 0.2, 0.3, 0.4]]], "float32"),
            np.array([0.0, 1.0, 0.0, -1.0], "float32"),
        ]
    )
    x = tf.constant([[[1.0], [2.0], [-1.0]]])
    h0 = tf.fill((1, 3, 1), 0.5)
    c0 = tf.fill((1, 3, 1), -1.0)
    h, (h_state, c) = cell(x, [h0, c0])

    def sig(v):
        return 1 / (1 + np.exp(-v))

    xv, hv = x.numpy(), 0.5
    i = sig(0.5 * xv + 0.1 * hv)
    f = sig(-0.5 * xv + 1.0 + 0.2 * hv)
    c_new = f * -1.0 + i * np.tanh(1.0 * xv + 0.3 * hv)
    o = sig(2.0 * xv - 1.0 + 0.4 * hv)
    np.testing.assert_allclose(c, c_new, rtol=1e-5)
    np.testing.assert_allclose(h, o * np.tanh(c_new), rtol=1e-5)
    np.testing.assert_array_equal(h, h_state)


def test_weights_and_unit_forget_bias():
    cell = ConvLSTMCell(rank=2, filters=2, kernel_size=3)
    cell.build((None, 5, 5, 3))
    assert [tuple(w.shape) for w in cell.weights] == [(3, 3, 3, 8), (3, 3, 2, 8), (8,)]
    np.testing.assert_array_equal(cell.bias.numpy(), [0, 0, 1, 1, 0, 0, 0, 0])
    assert cell.state_size == (2, 2)


def test_config_has_tf_keras_keys():
    config = ConvLSTMCell(rank=1, filters=2, kernel_size=2, name="c").get_config()
    assert list(config)[:3] == ["name", "trainable", "dtype"]
    assert config["recurrent_activation"] == "hard_sigmoid"
    assert config["kernel_size"] == (2,) and "activity_regularizer" not in config


def test_rejects_rank_above_three():
    with pytest.raises(ValueError, match="Rank 4 convolutions"):
        ConvLSTMCell(rank=4, filters=2, kernel_size=2)


def test_needs_a_defined_channel_axis():
    with pytest.raises(ValueError, match="channel dimension"):
        ConvLSTMCell(rank=1, filters=2, kernel_size=2).build((None, 5, None))
