"""`RNN` over nested inputs/states/outputs and unrolled masked loops, vs tf_keras.

Goldens: testdata/layers_rnn_nested (tools/goldens/layers_rnn_nested.py). The
two custom cells below are the generator's, written over kengine's `Layer`.
"""

import re

import numpy as np
import pytest
import tensorflow as tf

import kengine as keras
from tests import goldens

AREA = "layers_rnn_nested"
CASES = goldens.load_json(AREA, "cases.json")
ARRAYS = goldens.load_npz(AREA, "cases.npz")


class NestedCell(keras.layers.Layer):
    def __init__(self, unit_1, unit_2, unit_3, **kwargs):
        self.unit_1, self.unit_2, self.unit_3 = unit_1, unit_2, unit_3
        self.state_size = [tf.TensorShape([unit_1]), tf.TensorShape([unit_2, unit_3])]
        self.output_size = [tf.TensorShape([unit_1]), tf.TensorShape([unit_2, unit_3])]
        super().__init__(**kwargs)

    def build(self, input_shapes):
        i1 = input_shapes[0][1]
        i2, i3 = input_shapes[1][1], input_shapes[1][2]
        self.kernel_1 = self.add_weight(shape=(i1, self.unit_1), name="kernel_1")
        self.kernel_2_3 = self.add_weight(
            shape=(i2, i3, self.unit_2, self.unit_3), name="kernel_2_3"
        )

    def call(self, inputs, states):
        input_1, input_2 = tf.nest.flatten(inputs)
        s1, s2 = states
        output_1 = tf.matmul(input_1, self.kernel_1)
        output_2_3 = tf.einsum("bij,ijkl->bkl", input_2, self.kernel_2_3)
        return (output_1, output_2_3), (s1 + output_1, s2 + output_2_3)


class MatrixStateCell(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = (tf.TensorShape([units]), tf.TensorShape([2, units]))
        self.output_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units), name="kernel"
        )

    def call(self, inputs, states):
        h, m = states
        h = tf.tanh(tf.matmul(inputs, self.kernel) + h + m[:, 0] * m[:, 1])
        m = tf.stack([h, m[:, 0] + h], axis=1)
        return h, (h, m)


def _layer_and_inputs(case):
    kind = case["kind"]
    if kind == "nested":
        layer = keras.layers.RNN(NestedCell(2, 3, 4), **case["kwargs"])
        inputs = (ARRAYS["inputs/x1"], ARRAYS["inputs/x2"])
    elif kind == "stacked":
        cells = keras.layers.StackedRNNCells(
            [MatrixStateCell(3), keras.layers.LSTMCell(2)]
        )
        layer = keras.layers.RNN(cells, **case["kwargs"])
        inputs = ARRAYS["inputs/x"]
    else:
        layer = getattr(keras.layers, kind)(**case["kwargs"])
        inputs = ARRAYS["inputs/x"]
    return layer, tf.nest.map_structure(tf.constant, inputs)


def _short(name: str) -> str:
    """`rnn_3/stacked_rnn_cells_1/lstm_cell_1/bias:0` -> `lstm_cell/bias:0`."""
    return re.sub(r"_\d+(?=/)", "", "/".join(name.split("/")[-2:]))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_tf_keras(case):
    name = case["name"]
    layer, inputs = _layer_and_inputs(case)
    kwargs = {"mask": tf.constant(ARRAYS["mask"])} if case.get("mask") else {}
    layer(inputs, **kwargs)
    assert [_short(w.name) for w in layer.weights] == [
        _short(n) for n in case["weight_names"]
    ]
    layer.set_weights([ARRAYS[f"{name}/w{i}"] for i in range(len(layer.weights))])
    flat_inputs = tf.nest.flatten(inputs)
    with tf.GradientTape() as tape:
        tape.watch(flat_inputs)
        outputs = tf.nest.flatten(layer(inputs, **kwargs))
        probes = [goldens_probe(tuple(o.shape), 3.0 + i) for i, o in enumerate(outputs)]
        total = tf.add_n([tf.reduce_sum(o * p) for o, p in zip(outputs, probes)])
    grads = tape.gradient(total, flat_inputs + list(layer.trainable_weights))
    assert len(outputs) == case["num_outputs"]
    for i, o in enumerate(outputs):
        np.testing.assert_allclose(o, ARRAYS[f"{name}/out{i}"], rtol=1e-5, atol=1e-6)
    expected = [ARRAYS[f"{name}/grad_in{i}"] for i in range(len(flat_inputs))]
    expected += [
        ARRAYS[f"{name}/grad_w{i}"] for i in range(len(layer.trainable_weights))
    ]
    for got, want in zip(grads, expected, strict=True):
        np.testing.assert_allclose(
            tf.convert_to_tensor(got), want, rtol=1e-5, atol=1e-5
        )


def goldens_probe(shape, offset):
    """The generator's probe: `range_like(shape, 1.0, offset)`."""
    n = int(np.prod(shape))
    vals = np.sin(np.arange(n, dtype=np.float64) * 0.7 + 0.3 + offset)
    return vals.reshape(shape).astype(np.float32)


def test_nested_cell_output_shapes_and_states():
    rnn = keras.layers.RNN(NestedCell(2, 3, 4), return_state=True)
    outputs = rnn((keras.Input((None, 5)), keras.Input((None, 6, 7))))
    # As in tf_keras: the nested output first, then the flat states.
    assert isinstance(outputs[0], tuple) and len(outputs) == 3
    assert [o.shape.as_list() for o in tf.nest.flatten(outputs)] == [
        [None, 2],
        [None, 3, 4],
        [None, 2],
        [None, 3, 4],
    ]
    assert [s.shape for s in rnn.input_spec[0]] == [
        (None, None, 5),
        (None, None, 6, 7),
    ]


def test_stacked_nested_state_stateful_reset():
    cells = [MatrixStateCell(3), keras.layers.LSTMCell(2)]
    layer = keras.layers.RNN(cells, stateful=True)
    x = tf.constant(ARRAYS["inputs/x"])
    first = layer(x).numpy()
    shapes = [tuple(v.shape) for v in tf.nest.flatten(layer.states)]
    assert shapes == [(2, 3), (2, 2, 3), (2, 2), (2, 2)]
    assert not np.allclose(layer(x).numpy(), first)
    layer.reset_states()
    np.testing.assert_allclose(layer(x).numpy(), first, rtol=1e-6)
