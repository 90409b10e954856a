"""`GRUCell` and `GRU`: the gated recurrent unit (Cho et al., 2014).

The kernels hold three blocks of `units` columns each, in the order update (z),
reset (r), candidate (h). One step, with `reset_after=True` (the Keras 2 default,
the cuDNN-compatible form, with a separate input and recurrent bias,
`bias.shape == (2, 3 * units)`):

    x_z, x_r, x_h = split(x @ kernel + input_bias)
    r_z, r_r, r_h = split(h @ recurrent_kernel + recurrent_bias)
    z = recurrent_activation(x_z + r_z);  r = recurrent_activation(x_r + r_r)
    h_new = z * h + (1 - z) * activation(x_h + r * r_h)

With `reset_after=False` the reset gate multiplies `h` before the recurrent
matmul of the candidate block, and there is one bias of shape `(3 * units,)`.
`implementation=2` (default) does one matmul per kernel; `implementation=1` (used
when `recurrent_dropout > 0`, so each gate can get its own mask) one per gate.

Keras 2 runs the default configuration through a fused kernel (cuDNN on a GPU,
`standard_gru` on a CPU); both compute the formula above, which is what the cell
computes here, so kengine always runs the cell.
(One visible difference remains in Keras 2 itself: with a right-padded mask
cuDNN returns zeros at the padded steps of a returned sequence, where the CPU
path repeats the last output. kengine always gives the CPU path's numbers.)

Mirrors tf_keras `layers/rnn/gru.py` (`GRUCell`, `GRU`, `standard_gru`).

>>> import tensorflow as tf
>>> layer = GRU(3, return_sequences=True)
>>> layer(tf.ones((2, 4, 5))).shape
TensorShape([2, 4, 3])
>>> [tuple(w.shape) for w in layer.weights]
[(5, 9), (3, 9), (2, 9)]
"""

import tensorflow as tf

from kengine import activations
from kengine.engine.input_spec import InputSpec
from kengine.layers.rnn import RNN
from kengine.layers.rnn_cells import (
    KernelCellBase,
    arguments_for,
    cell_of_layer,
    delegate_to_cell,
    layer_config,
)

__all__ = ["GRUCell", "GRU"]

_CELL_KEYS = (
    "units",
    "activation",
    "recurrent_activation",
    "use_bias",
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
    "kernel_regularizer",
    "recurrent_regularizer",
    "bias_regularizer",
    "kernel_constraint",
    "recurrent_constraint",
    "bias_constraint",
    "dropout",
    "recurrent_dropout",
    "implementation",
    "reset_after",
)
_LAYER_KEYS = _CELL_KEYS[:10] + ("activity_regularizer",) + _CELL_KEYS[10:]


def _gate_inputs(x, masks, count):
    """`count` copies of `x`, each times its own dropout mask when there is one."""
    if masks is None:
        return [x] * count
    return [x * m for m in masks]


class GRUCell(KernelCellBase):
    """One step of a GRU.

    Args:
        units: positive int, the size of the output and state.
        activation: activation of the candidate (default tanh).
        recurrent_activation: activation of the gates (default sigmoid).
        use_bias, *_initializer, *_regularizer, *_constraint, dropout,
        recurrent_dropout: as for `SimpleRNNCell`.
        reset_after: apply the reset gate after the recurrent matmul (True,
            Keras 2's default and cuDNN's form) or before it.
        **kwargs: base `Layer` arguments, and `implementation` (1 or 2).

    Raises:
        ValueError: if `units` is not a positive integer.
    """

    gates = 3

    def __init__(
        self,
        units: int,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        reset_after: bool = True,
        **kwargs,
    ):
        arguments = locals()  # Read by arguments_for: keep it first.
        implementation = kwargs.pop("implementation", 2)
        super().__init__(**arguments_for(KernelCellBase, arguments), **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        # Per-gate recurrent dropout masks need the per-gate matmuls.
        self.implementation = 1 if self.recurrent_dropout != 0 else implementation
        self.reset_after = reset_after
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        self._add_kernels(input_shape)
        shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        self._add_bias(shape)
        self.built = True

    def _biases(self):
        if not self.use_bias:
            return None, None
        if not self.reset_after:
            return self.bias, None
        return self.bias[0], self.bias[1]

    def _per_gate(self, inputs, h_tm1, dp_mask, rec_dp_mask):
        """implementation=1: one matmul per gate, each with its own dropout mask."""
        u = self.units
        x_in = _gate_inputs(inputs, dp_mask if 0.0 < self.dropout < 1.0 else None, 3)
        h_in = _gate_inputs(
            h_tm1, rec_dp_mask if 0.0 < self.recurrent_dropout < 1.0 else None, 3
        )
        input_bias, recurrent_bias = self._biases()
        x = [tf.matmul(x_in[i], self.kernel[:, i * u : (i + 1) * u]) for i in range(3)]
        if input_bias is not None:
            x = [
                tf.nn.bias_add(x[i], input_bias[i * u : (i + 1) * u]) for i in range(3)
            ]
        rec = [
            tf.matmul(h_in[i], self.recurrent_kernel[:, i * u : (i + 1) * u])
            for i in range(2)
        ]
        if recurrent_bias is not None:
            rec = [
                tf.nn.bias_add(rec[i], recurrent_bias[i * u : (i + 1) * u])
                for i in range(2)
            ]
        z = self.recurrent_activation(x[0] + rec[0])
        r = self.recurrent_activation(x[1] + rec[1])
        if self.reset_after:
            rec_h = tf.matmul(h_in[2], self.recurrent_kernel[:, 2 * u :])
            if recurrent_bias is not None:
                rec_h = tf.nn.bias_add(rec_h, recurrent_bias[2 * u :])
            rec_h = r * rec_h
        else:
            rec_h = tf.matmul(r * h_in[2], self.recurrent_kernel[:, 2 * u :])
        return z, self.activation(x[2] + rec_h)

    def _fused(self, inputs, h_tm1, dp_mask):
        """implementation=2: one matmul per kernel, then split into the gates."""
        u = self.units
        if 0.0 < self.dropout < 1.0:
            inputs = inputs * dp_mask[0]
        input_bias, recurrent_bias = self._biases()
        matrix_x = tf.matmul(inputs, self.kernel)
        if input_bias is not None:
            matrix_x = tf.nn.bias_add(matrix_x, input_bias)
        x_z, x_r, x_h = tf.split(matrix_x, 3, axis=-1)
        if self.reset_after:
            matrix_inner = tf.matmul(h_tm1, self.recurrent_kernel)
            if recurrent_bias is not None:
                matrix_inner = tf.nn.bias_add(matrix_inner, recurrent_bias)
        else:
            matrix_inner = tf.matmul(h_tm1, self.recurrent_kernel[:, : 2 * u])
        rec_z, rec_r, rec_h = tf.split(matrix_inner, [u, u, -1], axis=-1)
        z = self.recurrent_activation(x_z + rec_z)
        r = self.recurrent_activation(x_r + rec_r)
        if self.reset_after:
            rec_h = r * rec_h
        else:
            rec_h = tf.matmul(r * h_tm1, self.recurrent_kernel[:, 2 * u :])
        return z, self.activation(x_h + rec_h)

    def call(self, inputs, states, training=None):
        h_tm1 = states[0] if tf.nest.is_nested(states) else states
        dp_mask = self.get_dropout_mask_for_cell(inputs, training, count=3)
        rec_dp_mask = self.get_recurrent_dropout_mask_for_cell(h_tm1, training, count=3)
        if self.implementation == 1:
            z, hh = self._per_gate(inputs, h_tm1, dp_mask, rec_dp_mask)
        else:
            z, hh = self._fused(inputs, h_tm1, dp_mask)
        h = z * h_tm1 + (1 - z) * hh
        return h, [h] if tf.nest.is_nested(states) else h

    def get_config(self) -> dict:
        return self._cell_config(_CELL_KEYS)


@delegate_to_cell(*_CELL_KEYS)
class GRU(RNN):
    """Gated Recurrent Unit layer: `RNN(GRUCell(...))`.

    Args:
        units, activation, recurrent_activation, use_bias, *_initializer,
        *_regularizer, *_constraint, dropout, recurrent_dropout, reset_after:
            as for `GRUCell`.
        activity_regularizer: regularizer of the layer's output.
        return_sequences, return_state, go_backwards, stateful, unroll,
        time_major: as for `RNN`.
        **kwargs: base `Layer` arguments, and `implementation`.

    Raises:
        ValueError: if `units` is not a positive integer.
    """

    def __init__(
        self,
        units: int,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        time_major: bool = False,
        reset_after: bool = True,
        **kwargs,
    ):
        arguments = locals()  # Read by arguments_for: keep it first.
        cell = cell_of_layer(GRUCell, "gru_cell", arguments, kwargs)
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            time_major=time_major,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        self.input_spec = [InputSpec(ndim=3)]

    def call(self, inputs, mask=None, training=None, initial_state=None):
        return super().call(
            inputs, mask=mask, training=training, initial_state=initial_state
        )

    def get_config(self) -> dict:
        return layer_config(self, _LAYER_KEYS, super().get_config())

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if config.get("implementation") == 0:
            config["implementation"] = 1  # Keras 2 maps the retired 0 to 1.
        return cls(**config)
