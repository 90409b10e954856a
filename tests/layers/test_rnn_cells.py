"""Tests for kengine/layers/rnn_cells.py: stacking, dropout masks, the cell contract."""

import numpy as np
import pytest
import tensorflow as tf

from kengine import layers
from kengine.layers import rnn_cells


def test_stacked_cells_sizes_and_initial_state():
    stack = layers.StackedRNNCells([layers.LSTMCell(3), layers.GRUCell(2)])
    assert stack.state_size == ([3, 3], 2)
    assert stack.output_size == 2
    (h, c), h2 = stack.get_initial_state(batch_size=4, dtype=tf.float32)
    assert (h.shape, c.shape, h2.shape) == ((4, 3), (4, 3), (4, 2))


def test_stacked_cells_feed_each_other():
    first = layers.SimpleRNNCell(2, kernel_initializer="ones", activation=None)
    second = layers.SimpleRNNCell(1, kernel_initializer="ones", activation=None)
    stack = layers.StackedRNNCells([first, second])
    stack.build((None, 3))
    out, (s1, s2) = stack(tf.ones((1, 3)), [tf.zeros((1, 2)), tf.zeros((1, 1))])
    np.testing.assert_allclose(s1.numpy(), [[3.0, 3.0]])
    np.testing.assert_allclose(out.numpy(), [[6.0]])
    assert s2 is out or np.allclose(s2.numpy(), out.numpy())


def test_stacked_cells_config_round_trip():
    stack = layers.StackedRNNCells([layers.LSTMCell(3), layers.SimpleRNNCell(2)])
    clone = layers.StackedRNNCells.from_config(stack.get_config())
    assert clone.get_config() == stack.get_config()


def test_stacked_cells_need_cells():
    with pytest.raises(ValueError, match="All cells must have a `call` method"):
        layers.StackedRNNCells([object()])


def test_dropout_mask_is_cached_until_reset():
    cell = layers.SimpleRNNCell(3, dropout=0.5)
    x = tf.ones((4, 10))
    mask = cell.get_dropout_mask_for_cell(x, training=True)
    assert cell.get_dropout_mask_for_cell(x, training=True) is mask
    assert set(np.unique(mask.numpy())) <= {0.0, 2.0}  # kept units scaled by 1/(1-p)
    cell.reset_dropout_mask()
    assert cell.get_dropout_mask_for_cell(x, training=True) is not mask


@pytest.mark.parametrize("training", [None, False])
def test_no_dropout_at_inference(training):
    cell = layers.GRUCell(3, dropout=0.5, recurrent_dropout=0.5)
    masks = cell.get_recurrent_dropout_mask_for_cell(tf.ones((2, 3)), training, count=3)
    assert len(masks) == 3
    for m in masks:
        np.testing.assert_array_equal(m.numpy(), np.ones((2, 3)))
    assert layers.GRUCell(3).get_dropout_mask_for_cell(tf.ones((2, 3)), True) is None


@pytest.mark.parametrize("compiled", [False, True])
def test_one_dropout_mask_per_sequence(compiled):
    # Linear cell with K = ones, R = 0: every step outputs sum(x_t * mask). With the
    # same x at every step, equal outputs across time mean one mask per sequence.
    cell = layers.SimpleRNNCell(
        1,
        activation=None,
        kernel_initializer="ones",
        recurrent_initializer="zeros",
        dropout=0.5,
    )
    rnn = layers.RNN(cell, return_sequences=True)
    x = tf.ones((8, 5, 16))
    call = (
        tf.function(lambda x: rnn(x, training=True))
        if compiled
        else (lambda x: rnn(x, training=True))
    )
    out = call(x).numpy()[..., 0]
    np.testing.assert_allclose(out, np.repeat(out[:, :1], 5, axis=1))
    assert not np.allclose(out, 16.0)  # something was dropped


def test_training_tensor_builds_a_cond():
    cell = layers.SimpleRNNCell(2, dropout=0.5)

    @tf.function
    def mask_for(training):
        cell.reset_dropout_mask()
        return cell.get_dropout_mask_for_cell(tf.ones((3, 40)), training)

    np.testing.assert_array_equal(
        mask_for(tf.constant(False)).numpy(), np.ones((3, 40))
    )
    assert 0.0 in mask_for(tf.constant(True)).numpy()


def test_abstract_cell_contract():
    class Doubler(layers.AbstractRNNCell):
        @property
        def state_size(self):
            return 2

        @property
        def output_size(self):
            return 2

        def call(self, inputs, states):
            out = inputs * 2.0 + states[0]
            return out, [out]

    cell = Doubler()
    np.testing.assert_array_equal(cell.get_initial_state(tf.ones((3, 2))).numpy(), 0)
    out = layers.RNN(cell)(tf.ones((3, 4, 2)))
    np.testing.assert_allclose(out.numpy(), np.full((3, 2), 8.0))
    with pytest.raises(NotImplementedError):
        layers.AbstractRNNCell().state_size  # noqa: B018


def test_zero_state_needs_batch_and_dtype():
    with pytest.raises(ValueError, match="Received: batch_size=None"):
        rnn_cells.zero_state(None, 3, tf.float32)


def test_arguments_for_picks_the_named_parameters_of_a_constructor():
    def target(units, dropout=0.0, *args, seed=None, **kwargs):
        del units, dropout, args, seed, kwargs

    local_values = {"self": 0, "seed": 7, "dropout": 0.5, "units": 4, "unroll": 1}
    picked = rnn_cells.arguments_for(target, local_values)
    assert picked == {"units": 4, "dropout": 0.5, "seed": 7}
    assert list(picked) == ["units", "dropout", "seed"]  # the target's order
    with pytest.raises(KeyError, match="units"):
        rnn_cells.arguments_for(target, {"dropout": 0.5, "seed": None})


@pytest.mark.parametrize(
    "cls, cell_name, implementation",
    [(layers.GRU, "gru_cell", 1), (layers.LSTM, "lstm_cell", 1)],
)
def test_layer_hands_its_cell_settings_to_the_cell(cls, cell_name, implementation):
    kwargs = {"implementation": 1, "enable_caching_device": False}
    layer = cls(3, dropout=0.25, dtype="float64", trainable=False, **kwargs)
    cell = layer.cell
    assert (cell.name, cell.units, cell.dropout) == (cell_name, 3, 0.25)
    assert cell.implementation == implementation and not cell._enable_caching_device
    assert (cell.dtype, cell.trainable) == ("float64", False)
    assert (layer.dtype, layer.trainable) == ("float64", False)
    config = layer.get_config()
    assert "cell" not in config and config["enable_caching_device"] is False
    assert config["implementation"] == implementation and config["dropout"] == 0.25


def test_simple_rnn_ignores_the_retired_implementation_argument():
    layer = layers.SimpleRNN(2, implementation=1)
    assert layer.cell.name == "simple_rnn_cell"
    assert "implementation" not in layer.get_config()
    assert "enable_caching_device" not in layer.get_config()
