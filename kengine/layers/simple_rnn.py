"""`SimpleRNNCell` and `SimpleRNN`: the fully connected recurrence.

One step: `h_t = activation(x_t @ kernel + bias + h_{t-1} @ recurrent_kernel)`,
with the input and recurrent dropout masks (one per sequence) applied to `x_t` and
`h_{t-1}` when training. `SimpleRNN` is `RNN(SimpleRNNCell(...))` with the cell's
arguments on the layer; its weights are `simple_rnn/simple_rnn_cell/kernel:0`,
`recurrent_kernel:0` and `bias:0`.

Mirrors tf_keras `layers/rnn/simple_rnn.py`.

>>> import tensorflow as tf
>>> layer = SimpleRNN(4, name="encoder")
>>> layer(tf.ones((2, 3, 5))).shape
TensorShape([2, 4])
>>> [w.name for w in layer.weights]
['encoder/simple_rnn_cell/kernel:0', 'encoder/simple_rnn_cell/recurrent_kernel:0', 'encoder/simple_rnn_cell/bias:0']
"""

import tensorflow as tf

from kengine.engine.input_spec import InputSpec
from kengine.layers.rnn import RNN
from kengine.layers.rnn_cells import (
    KernelCellBase,
    arguments_for,
    cell_of_layer,
    delegate_to_cell,
    layer_config,
)

__all__ = ["SimpleRNNCell", "SimpleRNN"]

_CELL_KEYS = (
    "units",
    "activation",
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
)
# The layer's config also lists its activity regularizer, after the bias one.
_LAYER_KEYS = _CELL_KEYS[:9] + ("activity_regularizer",) + _CELL_KEYS[9:]


class SimpleRNNCell(KernelCellBase):
    """One step of a fully connected RNN.

    Args:
        units: positive int, the size of the output and state.
        activation: activation of the output (default tanh; None is linear).
        use_bias: whether to add a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers
            of `kernel`, `recurrent_kernel` and `bias`.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: regularizers.
        kernel_constraint, recurrent_constraint, bias_constraint: constraints.
        dropout: fraction of the input units to drop (training only).
        recurrent_dropout: fraction of the recurrent units to drop.
        **kwargs: base `Layer` arguments.

    Raises:
        ValueError: if `units` is not a positive integer.
    """

    def __init__(
        self,
        units: int,
        activation="tanh",
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
        **kwargs,
    ):
        arguments = locals()  # Read by arguments_for: keep it first.
        super().__init__(**arguments_for(KernelCellBase, arguments), **kwargs)
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        self._add_kernels(input_shape)
        self._add_bias((self.units,))
        self.built = True

    def call(self, inputs, states, training=None):
        prev_output = states[0] if tf.nest.is_nested(states) else states
        dp_mask = self.get_dropout_mask_for_cell(inputs, training)
        rec_dp_mask = self.get_recurrent_dropout_mask_for_cell(prev_output, training)
        if dp_mask is not None:
            inputs = inputs * dp_mask
        h = tf.matmul(inputs, self.kernel)
        if self.bias is not None:
            h = tf.nn.bias_add(h, self.bias)
        if rec_dp_mask is not None:
            prev_output = prev_output * rec_dp_mask
        output = h + tf.matmul(prev_output, self.recurrent_kernel)
        if self.activation is not None:
            output = self.activation(output)
        return output, [output] if tf.nest.is_nested(states) else output

    def get_config(self) -> dict:
        return self._cell_config(_CELL_KEYS)


@delegate_to_cell(*(k for k in _CELL_KEYS if k != "activity_regularizer"))
class SimpleRNN(RNN):
    """Fully connected RNN whose output is fed back as the next step's state.

    Args:
        units, activation, use_bias, *_initializer, *_regularizer, *_constraint,
        dropout, recurrent_dropout: as for `SimpleRNNCell`.
        activity_regularizer: regularizer of the layer's output.
        return_sequences, return_state, go_backwards, stateful, unroll: as for
            `RNN`.
        **kwargs: base `Layer` and `RNN` arguments (`time_major`, ...).

    Raises:
        ValueError: if `units` is not a positive integer.
    """

    def __init__(
        self,
        units: int,
        activation="tanh",
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
        **kwargs,
    ):
        arguments = locals()  # Read by arguments_for: keep it first.
        kwargs.pop("implementation", None)  # Deprecated in Keras 2; ignored.
        cell = cell_of_layer(SimpleRNNCell, "simple_rnn_cell", arguments, kwargs)
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
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
        config.pop("implementation", None)
        return cls(**config)
