"""`ConvLSTMCell`: one step of a convolutional LSTM (Shi et al., 2015).

Mirrors `ConvLSTMCell` of tf_keras `layers/rnn/base_conv_lstm.py`. An LSTM cell
whose matrix products are convolutions: the input transformation uses the
layer's `strides`, `padding` and `dilation_rate`, the recurrent one a stride-1
"same" convolution of the previous output, so the states `[h, c]` are feature
maps with `filters` channels. One step, with `*` a convolution per gate block:

    i = recurrent_activation(x * W_i + b_i + h * U_i)      (likewise f and o)
    c_new = f * c + i * activation(x * W_c + b_c + h * U_c)
    h_new = o * activation(c_new)

The kernels hold the four gate blocks (i, f, c, o) along their last axis, as in
`LSTMCell`; `unit_forget_bias=True` initializes the forget block of the bias to
ones. Convolutions run channels-last; `channels_first` steps are transposed
around them, as Keras 2's backend does on a CPU. The layers that run this cell
over time are in `conv_lstm.py`.

>>> import tensorflow as tf
>>> cell = ConvLSTMCell(rank=2, filters=4, kernel_size=3, padding="same")
>>> cell.build((None, 8, 8, 3))
>>> h, (h, c) = cell(tf.ones((2, 8, 8, 3)), [tf.zeros((2, 8, 8, 4))] * 2)
>>> h.shape, [tuple(w.shape) for w in cell.weights]
(TensorShape([2, 8, 8, 4]), [(3, 3, 3, 16), (3, 3, 4, 16), (16,)])
"""

import tensorflow as tf

from kengine import activations, constraints, initializers, regularizers
from kengine.engine.base_layer import Layer
from kengine.layers.rnn_cells import DropoutRNNCellMixin, serialize_attrs
from kengine.utils import conv_utils

__all__ = ["ConvLSTMCell"]

# The cell's config keys, in tf_keras's order (the layers add theirs).
CELL_KEYS = (
    "filters",
    "kernel_size",
    "strides",
    "padding",
    "data_format",
    "dilation_rate",
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
)


class ConvLSTMCell(DropoutRNNCellMixin, Layer):
    """One step of a convolutional LSTM; its states are the maps `[h, c]`.

    Args:
        rank: number of spatial dimensions (1, 2 or 3).
        filters: number of output channels of every convolution.
        kernel_size: int or tuple of `rank` ints.
        strides: int or tuple of `rank` ints, of the input convolution.
        padding: "valid" or "same", of the input convolution.
        data_format: "channels_last" or "channels_first"; None means the
            global `image_data_format()`.
        dilation_rate: int or tuple of `rank` ints, of the input convolution.
        activation: activation of the candidate and of the output (tanh).
        recurrent_activation: activation of the gates (hard_sigmoid).
        use_bias: whether to add a bias.
        kernel_initializer, recurrent_initializer, bias_initializer,
        kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint: of the three
            weights.
        unit_forget_bias: initialize the forget gate's bias to ones.
        dropout: fraction of the input to drop (per gate, training only).
        recurrent_dropout: fraction of the previous output to drop.
        **kwargs: base `Layer` arguments.

    Raises:
        ValueError: for `rank` above 3, or a bad `kernel_size`, `strides`,
            `padding`, `data_format` or `dilation_rate`.
    """

    def __init__(
        self,
        rank: int,
        filters: int,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        activation="tanh",
        recurrent_activation="hard_sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if rank > 3:
            raise ValueError(
                f"Rank {rank} convolutions are not currently implemented. "
                f"Received: rank={rank}"
            )
        self.rank = rank
        self.filters = filters
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = conv_utils.normalize_tuple(
            strides, rank, "strides", allow_zero=True
        )
        self.padding = conv_utils.normalize_padding(padding)
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.dilation_rate = conv_utils.normalize_tuple(
            dilation_rate, rank, "dilation_rate"
        )
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.unit_forget_bias = unit_forget_bias
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        # Rates are clipped to [0, 1] as Keras 2 does.
        self.dropout = min(1.0, max(0.0, dropout))
        self.recurrent_dropout = min(1.0, max(0.0, recurrent_dropout))
        self.state_size = (self.filters, self.filters)

    def build(self, input_shape) -> None:
        input_shape = tf.TensorShape(input_shape)
        channel_axis = 1 if self.data_format == "channels_first" else -1
        if input_shape[channel_axis] is None:
            raise ValueError(
                "The channel dimension of the inputs (last axis) should be "
                "defined. Found None. Full input shape received: "
                f"input_shape={input_shape}"
            )
        channels = int(input_shape[channel_axis])
        self.kernel_shape = self.kernel_size + (channels, 4 * self.filters)
        self.kernel = self.add_weight(
            shape=self.kernel_shape,
            initializer=self.kernel_initializer,
            name="kernel",
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=self.kernel_size + (self.filters, 4 * self.filters),
            initializer=self.recurrent_initializer,
            name="recurrent_kernel",
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        self.bias = None
        if self.use_bias:
            init = self._forget_bias_initializer if self.unit_forget_bias else None
            self.bias = self.add_weight(
                shape=(4 * self.filters,),
                name="bias",
                initializer=init or self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.built = True

    def _forget_bias_initializer(self, shape, dtype=None, **kwargs):
        """The bias initializer with the forget block set to ones."""
        n = self.filters
        return tf.concat(
            [
                self.bias_initializer((n,), dtype=dtype, **kwargs),
                initializers.get("ones")((n,), dtype=dtype, **kwargs),
                self.bias_initializer((2 * n,), dtype=dtype, **kwargs),
            ],
            axis=0,
        )

    def _convolve(self, x, w, strides, padding: str, dilations) -> tf.Tensor:
        x = conv_utils.to_channels_last(x, self.data_format)
        return tf.nn.convolution(
            x,
            w,
            strides=strides,
            padding=padding.upper(),
            dilations=dilations,
            # Explicit: with None, eager gradients of 3D convolutions break.
            data_format=conv_utils.convert_data_format("channels_last", self.rank + 2),
        )

    def input_conv(self, x, w, b=None, padding: str = "valid") -> tf.Tensor:
        """Convolves a step input `x` with `w` (the layer's strides and dilation)."""
        out = self._convolve(x, w, self.strides, padding, self.dilation_rate)
        if b is not None:
            out = tf.nn.bias_add(out, b)
        return conv_utils.to_channels_first(out, self.data_format)

    def recurrent_conv(self, x, w) -> tf.Tensor:
        """Convolves a previous output `x` with `w`: stride 1, "same" padding."""
        ones = (1,) * self.rank
        out = self._convolve(x, w, ones, "same", ones)
        return conv_utils.to_channels_first(out, self.data_format)

    def call(self, inputs, states, training=None):
        h_tm1, c_tm1 = states[0], states[1]
        dp_mask = self.get_dropout_mask_for_cell(inputs, training, count=4)
        rec_dp_mask = self.get_recurrent_dropout_mask_for_cell(h_tm1, training, count=4)
        use_dp = 0 < self.dropout < 1.0
        use_rec_dp = 0 < self.recurrent_dropout < 1.0
        x_in = [inputs * m for m in dp_mask] if use_dp else [inputs] * 4
        h_in = [h_tm1 * m for m in rec_dp_mask] if use_rec_dp else [h_tm1] * 4
        kernels = tf.split(self.kernel, 4, axis=self.rank + 1)
        recurrent_kernels = tf.split(self.recurrent_kernel, 4, axis=self.rank + 1)
        biases = tf.split(self.bias, 4) if self.use_bias else [None] * 4
        z_i, z_f, z_c, z_o = (
            self.input_conv(x_in[g], kernels[g], biases[g], padding=self.padding)
            + self.recurrent_conv(h_in[g], recurrent_kernels[g])
            for g in range(4)
        )
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = f * c_tm1 + i * self.activation(z_c)
        o = self.recurrent_activation(z_o)
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self) -> dict:
        return {**super().get_config(), **serialize_attrs(self, CELL_KEYS)}
