"""Convolutional LSTMs: `ConvLSTM1D`, `ConvLSTM2D`, `ConvLSTM3D` (Shi et al., 2015).

Mirrors tf_keras `layers/rnn/base_conv_lstm.py` (`ConvLSTM`) and
`conv_lstm1d.py`, `conv_lstm2d.py`, `conv_lstm3d.py`. Each layer is a `ConvRNN`
(`conv_rnn.py`) running a `ConvLSTMCell` (`conv_lstm_cell.py`: an LSTM whose
matrix products are convolutions) over the time axis of
`(batch, time, *spatial, channels)` inputs. The layer reads every cell
argument as an attribute (`layer.filters` is `layer.cell.filters`) and writes a
flat config without a `cell` entry, as Keras 2 does. The default
`recurrent_activation` is `hard_sigmoid` (Keras 2's choice here, unlike
`LSTM`'s sigmoid).

>>> import tensorflow as tf
>>> layer = ConvLSTM2D(4, 3, padding="same", return_sequences=True)
>>> layer(tf.ones((2, 5, 8, 8, 3))).shape
TensorShape([2, 5, 8, 8, 4])
>>> [w.name for w in layer.weights]
['conv_lstm2d/kernel:0', 'conv_lstm2d/recurrent_kernel:0', 'conv_lstm2d/bias:0']
"""

from kengine.layers.conv_lstm_cell import CELL_KEYS, ConvLSTMCell
from kengine.layers.conv_rnn import ConvRNN
from kengine.layers.rnn_cells import delegate_to_cell, serialize_attrs

__all__ = ["ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"]

_LAYER_KEYS = CELL_KEYS[:16] + ("activity_regularizer",) + CELL_KEYS[16:]


@delegate_to_cell(*CELL_KEYS)
class ConvLSTM(ConvRNN):
    """Base of `ConvLSTM1D/2D/3D`: `ConvRNN(ConvLSTMCell(...))`.

    Args:
        rank: number of spatial dimensions (1, 2 or 3).
        filters, kernel_size, strides, padding, data_format, dilation_rate,
        activation, recurrent_activation, use_bias, *_initializer,
        unit_forget_bias, *_regularizer, *_constraint, dropout,
        recurrent_dropout: as for `ConvLSTMCell`.
        activity_regularizer: regularizer of the layer's output.
        return_sequences, return_state, go_backwards, stateful: as for `RNN`.
        **kwargs: base `Layer` arguments.
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
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        dropout=0.0,
        recurrent_dropout=0.0,
        **kwargs,
    ):
        cell = ConvLSTMCell(
            rank=rank,
            filters=filters,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            name="conv_lstm_cell",
            dtype=kwargs.get("dtype"),
        )
        super().__init__(
            rank,
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            activity_regularizer=activity_regularizer,
            **kwargs,
        )

    def call(self, inputs, mask=None, training=None, initial_state=None):
        return super().call(
            inputs, mask=mask, training=training, initial_state=initial_state
        )

    def get_config(self) -> dict:
        base = super().get_config()
        del base["cell"]
        return {**base, **serialize_attrs(self, _LAYER_KEYS)}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


class ConvLSTM1D(ConvLSTM):
    """1D convolutional LSTM over `(batch, time, steps, channels)` inputs.

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 1 int.
        strides: int or tuple of 1 int; > 1 excludes `dilation_rate` > 1.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first"; None means the
            global `image_data_format()`.
        dilation_rate: int or tuple of 1 int.
        activation, recurrent_activation, use_bias, *_initializer,
        unit_forget_bias, *_regularizer, activity_regularizer, *_constraint,
        return_sequences, return_state, go_backwards, stateful, dropout,
        recurrent_dropout: as for `ConvLSTM`.
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        filters,
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
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        dropout=0.0,
        recurrent_dropout=0.0,
        **kwargs,
    ):
        super().__init__(
            1,
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            **kwargs,
        )


class ConvLSTM2D(ConvLSTM):
    """2D convolutional LSTM over `(batch, time, rows, cols, channels)` inputs.

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 2 ints.
        strides: int or tuple of 2 ints; > 1 excludes `dilation_rate` > 1.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first"; None means the
            global `image_data_format()`.
        dilation_rate: int or tuple of 2 ints.
        activation, recurrent_activation, use_bias, *_initializer,
        unit_forget_bias, *_regularizer, activity_regularizer, *_constraint,
        return_sequences, return_state, go_backwards, stateful, dropout,
        recurrent_dropout: as for `ConvLSTM`.
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        data_format=None,
        dilation_rate=(1, 1),
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
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        dropout=0.0,
        recurrent_dropout=0.0,
        **kwargs,
    ):
        super().__init__(
            2,
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            **kwargs,
        )


class ConvLSTM3D(ConvLSTM):
    """3D convolutional LSTM over `(batch, time, depth, rows, cols, channels)` inputs.

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 3 ints.
        strides: int or tuple of 3 ints; > 1 excludes `dilation_rate` > 1.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first"; None means the
            global `image_data_format()`.
        dilation_rate: int or tuple of 3 ints.
        activation, recurrent_activation, use_bias, *_initializer,
        unit_forget_bias, *_regularizer, activity_regularizer, *_constraint,
        return_sequences, return_state, go_backwards, stateful, dropout,
        recurrent_dropout: as for `ConvLSTM`.
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1, 1),
        padding="valid",
        data_format=None,
        dilation_rate=(1, 1, 1),
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
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        dropout=0.0,
        recurrent_dropout=0.0,
        **kwargs,
    ):
        super().__init__(
            3,
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            **kwargs,
        )
