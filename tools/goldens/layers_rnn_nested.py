"""Golden data for `RNN` over nested structures and for unrolled masked loops.

Runs tf_keras (Keras 2) with fixed weights (`fixed_weights`) on fixed inputs
(`range_like`) and records outputs and the gradients of `sum(output * probe)`
(summed over every output) with respect to the inputs and the weights.

Cases (`CASES`):
    nested_*        the Keras RNN guide's `NestedCell` (tuple inputs, states
                    and outputs), returning the last output or the sequences
                    and the states
    stacked_*       `StackedRNNCells([MatrixStateCell, LSTMCell])`: the first
                    cell has two states, one of them a matrix, so the stacked
                    state is nested per cell; with and without a mask
    unroll_*        `SimpleRNN`/`GRU`/`LSTM` with `unroll=True` and a mask, with
                    returned states, and backwards

Files written to `testdata/layers_rnn_nested/`:
    cases.json      per case: name, layer kwargs, number of outputs, weight names
    cases.npz       `inputs/*` and `mask`; per case `<name>/out<i>`,
                    `<name>/grad_in<i>`, `<name>/grad_w<i>` and `<name>/w<i>`

The two custom cells are defined here with tf ops only; tests/layers/
test_rnn_nested.py defines the same cells over kengine's `Layer`.
"""

import json
from pathlib import Path

import numpy as np
import tensorflow as tf
import tf_keras as keras

from goldens._common import fixed_weights, range_like

BATCH, TIME = 2, 4
MASK = np.array([[1, 1, 1, 0], [0, 1, 1, 1]], dtype=bool)


class NestedCell(keras.layers.Layer):
    """The Keras RNN guide's cell: inputs, states and outputs are pairs."""

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
    """A cell with a vector state `h` and a matrix state `m` (`(2, units)`)."""

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


def _cases() -> list:
    cases = [
        {"name": "nested_last", "kind": "nested", "kwargs": {}},
        {
            "name": "nested_seq_state",
            "kind": "nested",
            "kwargs": {"return_sequences": True, "return_state": True},
        },
        {
            "name": "stacked_seq_state",
            "kind": "stacked",
            "kwargs": {"return_sequences": True, "return_state": True},
        },
        {
            "name": "stacked_mask_state",
            "kind": "stacked",
            "mask": True,
            "kwargs": {"return_state": True},
        },
    ]
    for cls, units in (("SimpleRNN", 3), ("GRU", 2), ("LSTM", 2)):
        low = cls.lower()
        for variant, kwargs in (
            ("state", {"return_state": True}),
            ("seq_state", {"return_sequences": True, "return_state": True}),
            ("back_seq", {"return_sequences": True, "go_backwards": True}),
        ):
            cases.append(
                {
                    "name": f"unroll_{low}_{variant}",
                    "kind": cls,
                    "mask": True,
                    "kwargs": {"units": units, "unroll": True, **kwargs},
                }
            )
    return cases


def _inputs() -> dict:
    return {
        "x": range_like((BATCH, TIME, 3), 1.0),
        "x1": range_like((BATCH, TIME, 5), 1.0, offset=1.0),
        "x2": range_like((BATCH, TIME, 6, 7), 1.0, offset=2.0),
    }


def _layer_and_inputs(case: dict, arrays: dict):
    kind = case["kind"]
    if kind == "nested":
        layer = keras.layers.RNN(NestedCell(2, 3, 4), **case["kwargs"])
        return layer, (tf.constant(arrays["x1"]), tf.constant(arrays["x2"]))
    if kind == "stacked":
        cells = keras.layers.StackedRNNCells(
            [MatrixStateCell(3), keras.layers.LSTMCell(2)]
        )
        return keras.layers.RNN(cells, **case["kwargs"]), tf.constant(arrays["x"])
    layer = getattr(keras.layers, kind)(**case["kwargs"])
    return layer, tf.constant(arrays["x"])


def _run_case(case: dict, arrays: dict, out: dict) -> dict:
    layer, inputs = _layer_and_inputs(case, arrays)
    kwargs = {"mask": tf.constant(MASK)} if case.get("mask") else {}
    layer(inputs, **kwargs)
    weights = fixed_weights(layer, 0.3)
    flat_inputs = tf.nest.flatten(inputs)
    with tf.GradientTape() as tape:
        tape.watch(flat_inputs)
        outputs = tf.nest.flatten(layer(inputs, **kwargs))
        probes = [
            range_like(tuple(o.shape), 1.0, offset=3.0 + i)
            for i, o in enumerate(outputs)
        ]
        total = tf.add_n([tf.reduce_sum(o * p) for o, p in zip(outputs, probes)])
    grads = tape.gradient(total, flat_inputs + list(layer.trainable_weights))
    name = case["name"]
    for i, o in enumerate(outputs):
        out[f"{name}/out{i}"] = o.numpy()
    for i, g in enumerate(grads[: len(flat_inputs)]):
        out[f"{name}/grad_in{i}"] = g.numpy()
    for i, g in enumerate(grads[len(flat_inputs) :]):
        out[f"{name}/grad_w{i}"] = tf.convert_to_tensor(g).numpy()
    for i, w in enumerate(weights):
        out[f"{name}/w{i}"] = w
    return {
        **case,
        "num_outputs": len(outputs),
        "weight_names": [w.name for w in layer.weights],
    }


def generate(out_dir: Path) -> None:
    arrays = _inputs()
    out = {f"inputs/{k}": v for k, v in arrays.items()}
    out["mask"] = MASK
    cases = [_run_case(case, arrays, out) for case in _cases()]
    (out_dir / "cases.json").write_text(json.dumps(cases, indent=1, sort_keys=True))
    np.savez_compressed(out_dir / "cases.npz", **out)
