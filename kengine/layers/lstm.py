"""`LSTMCell` and `LSTM`: long short-term memory (Hochreiter & Schmidhuber, 1997).

The kernels hold four blocks of `units` columns, in the order input (i), forget
(f), cell candidate (c) and output (o); the states are `[h, c]`. One step:

    z = x @ kernel + h @ recurrent_kernel + bias
    i, f, o = recurrent_activation(z_i), recurrent_activation(z_f), ...(z_o)
    c_new = f * c + i * activation(z_c);  h_new = o * activation(c_new)

`unit_forget_bias=True` initializes the forget block of the bias to ones.
`implementation=2` (default) does one matmul per kernel; `implementation=1` (used
when `recurrent_dropout > 0`) one per gate, so each gate gets its own mask.

Keras 2 runs the default configuration through a fused kernel (cuDNN on a GPU,
`standard_lstm` on a CPU) that computes exactly the formula above, in the same
order; kengine always runs the cell.
(One visible difference remains in Keras 2 itself: with a right-padded mask
cuDNN returns zeros at the padded steps of a returned sequence, where the CPU
path repeats the last output. kengine always gives the CPU path's numbers.)

Mirrors tf_keras `layers/rnn/lstm.py` (`LSTMCell`, `LSTM`, `standard_lstm`).

>>> import tensorflow as tf
>>> layer = LSTM(3, return_state=True, name="encoder")
>>> output, h, c = layer(tf.ones((2, 4, 5)))
>>> output.shape, c.shape
(TensorShape([2, 3]), TensorShape([2, 3]))
>>> [w.name for w in layer.weights]
['encoder/lstm_cell/kernel:0', 'encoder/lstm_cell/recurrent_kernel:0', 'encoder/lstm_cell/bias:0']
"""

import tensorflow as tf

from kengine import activations, initializers
from kengine.engine.input_spec import InputSpec
from kengine.layers.rnn import RNN
from kengine.layers.rnn_cells import (
    KernelCellBase,
    arguments_for,
    cell_of_layer,
    delegate_to_cell,
    layer_config,
)

__all__ = ["LSTMCell", "LSTM"]

_CELL_KEYS = (
    "units",
    "activation",
    "recurrent_activation",
    "use_bias",
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
    "unit_forget_bias",
    "kernel_regularizer",
    "recurrent_regularizer",
    "bias_regularizer",
    "kernel_constraint",
    "recurrent_constraint",
    "bias_constraint",
    "dropout",
    "recurrent_dropout",
    "implementation",
)
_LAYER_KEYS = _CELL_KEYS[:11] + ("activity_regularizer",) + _CELL_KEYS[11:]


class LSTMCell(KernelCellBase):
    """One step of an LSTM; its states are `[h, c]`.

    Args:
        units: positive int, the size of the output and of each state.
        activation: activation of the candidate and of the output (default tanh).
        recurrent_activation: activation of the gates (default sigmoid).
        use_bias, *_initializer, *_regularizer, *_constraint, dropout,
        recurrent_dropout: as for `SimpleRNNCell`.
        unit_forget_bias: initialize the forget gate's bias to ones.
        **kwargs: base `Layer` arguments, and `implementation` (1 or 2).

    Raises:
        ValueError: if `units` is not a positive integer.
    """

    gates = 4

    def __init__(
        self,
        units: int,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias: bool = True,
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        **kwargs,
    ):
        arguments = locals()  # Read by arguments_for: keep it first.
        implementation = kwargs.pop("implementation", 2)
        super().__init__(**arguments_for(KernelCellBase, arguments), **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        # Per-gate recurrent dropout masks need the per-gate matmuls.
        self.implementation = 1 if self.recurrent_dropout != 0 else implementation
        self.state_size = [self.units, self.units]
        self.output_size = self.units

    def _forget_bias_initializer(self, shape, dtype=None, **kwargs):
        """The bias initializer with the forget block set to ones."""
        u = self.units
        return tf.concat(
            [
                self.bias_initializer((u,), dtype=dtype, **kwargs),
                initializers.get("ones")((u,), dtype=dtype, **kwargs),
                self.bias_initializer((2 * u,), dtype=dtype, **kwargs),
            ],
            axis=0,
        )

    def build(self, input_shape):
        self._add_kernels(input_shape)
        init = self._forget_bias_initializer if self.unit_forget_bias else None
        self._add_bias((4 * self.units,), init)
        self.built = True

    def _per_gate(self, inputs, h_tm1, dp_mask, rec_dp_mask):
        """implementation=1: one matmul per gate; returns the 4 pre-activations."""
        u = self.units
        use_dp = 0 < self.dropout < 1.0
        use_rec_dp = 0 < self.recurrent_dropout < 1.0
        x_in = [inputs * m for m in dp_mask] if use_dp else [inputs] * 4
        h_in = [h_tm1 * m for m in rec_dp_mask] if use_rec_dp else [h_tm1] * 4
        kernels = tf.split(self.kernel, 4, axis=1)
        x = [tf.matmul(x_in[i], kernels[i]) for i in range(4)]
        if self.use_bias:
            biases = tf.split(self.bias, 4, axis=0)
            x = [tf.nn.bias_add(x[i], biases[i]) for i in range(4)]
        return [
            x[i] + tf.matmul(h_in[i], self.recurrent_kernel[:, i * u : (i + 1) * u])
            for i in range(4)
        ]

    def _fused(self, inputs, h_tm1, dp_mask):
        """implementation=2: one matmul per kernel, then split into the gates."""
        if 0.0 < self.dropout < 1.0:
            inputs = inputs * dp_mask[0]
        z = tf.matmul(inputs, self.kernel)
        z += tf.matmul(h_tm1, self.recurrent_kernel)
        if self.use_bias:
            z = tf.nn.bias_add(z, self.bias)
        return tf.split(z, num_or_size_splits=4, axis=1)

    def call(self, inputs, states, training=None):
        h_tm1, c_tm1 = states[0], states[1]
        dp_mask = self.get_dropout_mask_for_cell(inputs, training, count=4)
        rec_dp_mask = self.get_recurrent_dropout_mask_for_cell(h_tm1, training, count=4)
        if self.implementation == 1:
            z_i, z_f, z_c, z_o = self._per_gate(inputs, h_tm1, dp_mask, rec_dp_mask)
        else:
            z_i, z_f, z_c, z_o = self._fused(inputs, h_tm1, dp_mask)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = f * c_tm1 + i * self.activation(z_c)
        o = self.recurrent_activation(z_o)
        h = o * self.activation(c)
        return h, [h, c]

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        """Zeros `[h, c]`, each of shape `(batch_size, units)`."""
        return list(super().get_initial_state(inputs, batch_size, dtype))

    def get_config(self) -> dict:
        return self._cell_config(_CELL_KEYS)


@delegate_to_cell(*_CELL_KEYS)
class LSTM(RNN):
    """Long Short-Term Memory layer: `RNN(LSTMCell(...))`.

    Args:
        units, activation, recurrent_activation, use_bias, *_initializer,
        unit_forget_bias, *_regularizer, *_constraint, dropout,
        recurrent_dropout: as for `LSTMCell`.
        activity_regularizer: regularizer of the layer's output.
        return_sequences, return_state, go_backwards, stateful, time_major,
        unroll: as for `RNN`.
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
        unit_forget_bias: bool = True,
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
        time_major: bool = False,
        unroll: bool = False,
        **kwargs,
    ):
        arguments = locals()  # Read by arguments_for: keep it first.
        cell = cell_of_layer(LSTMCell, "lstm_cell", arguments, kwargs)
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            time_major=time_major,
            unroll=unroll,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )
        self.input_spec = [InputSpec(ndim=3)]
        self.state_spec = [InputSpec(shape=(None, units)) for _ in range(2)]

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
