"""Tests of `kengine.layers.conv_lstm`: ConvLSTM1D/2D/3D against tf_keras."""

import numpy as np
import pytest
import tensorflow as tf

from kengine import Model, layers
from tests.layers import conv_goldens, extra_goldens

CLASSES = {
    "ConvLSTM1D": layers.ConvLSTM1D,
    "ConvLSTM2D": layers.ConvLSTM2D,
    "ConvLSTM3D": layers.ConvLSTM3D,
}


@pytest.mark.parametrize("case_id", extra_goldens.case_ids(*CLASSES))
def test_matches_tf_keras_outputs_gradients_weights_and_config(case_id):
    cls = CLASSES[extra_goldens.CASES[case_id]["class_name"]]
    extra_goldens.check_golden_case(case_id, cls)


def test_conformance_matrix():
    extra_goldens.run_conformance("conv_lstm1d_sequences", layers.ConvLSTM1D)


def _golden_layer(case_id: str, **overrides):
    meta, data = extra_goldens.load_case(case_id)
    layer = CLASSES[meta["class_name"]](**{**meta["kwargs"], **overrides})
    layer.build(tuple(meta["input_shape"]))
    layer.set_weights([data[f"w{i}"] for i in range(len(meta["weight_names"]))])
    return layer, data


def test_return_state_gives_the_last_output_and_carry():
    layer, data = _golden_layer("conv_lstm2d_cf_same_sequences", return_state=True)
    sequence, h, c = layer(data["x"])
    np.testing.assert_allclose(sequence, data["y_inference"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(h, data["y_inference"][:, -1], rtol=1e-5, atol=1e-6)
    assert c.shape == h.shape == (2, 3, 4, 4)


def test_initial_state_is_used():
    layer, data = _golden_layer("conv_lstm2d", return_state=True)
    _, h, c = layer(data["x"][:, :2])
    resumed = layer(data["x"][:, 2:], initial_state=[h, c])[0]
    np.testing.assert_allclose(resumed, data["y_inference"], rtol=1e-5, atol=1e-6)


def test_stateful_layer_carries_states_across_calls():
    layer, data = _golden_layer("conv_lstm1d_sequences", stateful=True)
    first = layer(data["x"][:, :2])
    second = layer(data["x"][:, 2:])
    np.testing.assert_allclose(
        tf.concat([first, second], axis=1), data["y_inference"], rtol=1e-5, atol=1e-6
    )
    layer.reset_states()
    assert all(not np.any(s.numpy()) for s in layer.states)


def test_config_round_trip_and_default_name():
    layer = layers.ConvLSTM2D(2, 3, padding="same", dropout=0.1, name=None)
    assert layer.name.startswith("conv_lstm2d")
    clone = layers.ConvLSTM2D.from_config(layer.get_config())
    assert clone.get_config() == {**layer.get_config(), "name": clone.name}
    assert clone.cell.name == "conv_lstm_cell" and clone.filters == 2


def test_dropout_only_in_training():
    layer = layers.ConvLSTM1D(2, 2, dropout=0.5, recurrent_dropout=0.5)
    x = tf.ones((2, 3, 5, 1))
    np.testing.assert_array_equal(layer(x), layer(x, training=False))
    assert not np.allclose(layer(x, training=True), layer(x))


def test_trains_in_a_model():
    inputs = layers.Input((3, 4, 4, 1))
    out = layers.ConvLSTM2D(2, 2)(inputs)
    net = Model(inputs, layers.Flatten()(out))
    net.compile("sgd", "mse")
    history = net.fit(
        np.ones((4, 3, 4, 4, 1), "float32"), np.zeros((4, 18), "float32"), verbose=0
    )
    assert np.isfinite(history.history["loss"][0])


@pytest.mark.parametrize("case_id", ["conv_lstm2d_cf_same_sequences", "conv_lstm3d"])
def test_tf_keras_configs_rebuild_the_same_layer(case_id):
    meta = extra_goldens.CASES[case_id]
    layer = layers.deserialize(
        {"class_name": meta["class_name"], "config": meta["config"]}
    )
    layer.build(tuple(meta["input_shape"]))
    conv_goldens.check_structure(layer, meta)
