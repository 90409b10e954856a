"""`ConvRNN`: an `RNN` whose steps are images (or sequences, or volumes).

Mirrors tf_keras `layers/rnn/base_conv_rnn.py` (`ConvRNN`). The input is
`(batch, time, *spatial, channels)` (or `(batch, time, channels, *spatial)` for
`channels_first`); each step hands the cell one `(batch, *spatial, channels)`
slice, and the states are feature maps, not vectors. Everything else - masks,
`go_backwards`, `return_sequences`/`return_state`, initial states given as
tensors, the time loop itself - is `RNN`'s; this class changes only what depends
on the states being maps:

- `compute_output_shape` runs the convolution arithmetic on the spatial axes;
- `build` builds the cell directly (its weights are named like the layer's own,
  `conv_lstm2d/kernel:0`, as tf_keras names them) and makes map-shaped state specs;
- `get_initial_state` makes zero maps by convolving zeros, so an unknown spatial
  size still gives the right state shape;
- `reset_states` makes map-shaped state variables for `stateful=True`.

Convolutional cells cannot be stacked and the loop cannot be unrolled, as in
tf_keras. The concrete layers (`ConvLSTM1D/2D/3D`) live in `conv_lstm.py`.
"""

import tensorflow as tf

from kengine.engine.input_spec import InputSpec
from kengine.layers.rnn import RNN
from kengine.utils import conv_utils

__all__ = ["ConvRNN"]


class ConvRNN(RNN):
    """Base class of convolutional-recurrent layers.

    Args:
        rank: number of spatial dimensions of one step (1, 2 or 3).
        cell: a convolutional RNN cell with `filters`, `kernel_size`,
            `strides`, `padding`, `dilation_rate`, `data_format`, `state_size`
            and an `input_conv(x, w, b=None, padding=...)` method.
        return_sequences, return_state, go_backwards, stateful: as for `RNN`.
        unroll: must be False.
        **kwargs: base `Layer` arguments.

    Raises:
        TypeError: for `unroll=True` or a list of cells.
    """

    def __init__(
        self,
        rank: int,
        cell,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        **kwargs,
    ):
        if unroll:
            raise TypeError(
                "Unrolling is not possible with convolutional RNNs. "
                f"Received: unroll={unroll}"
            )
        if isinstance(cell, list | tuple):
            raise TypeError(
                "It is not possible at the moment to stack convolutional cells. "
                f"Only pass a single cell instance as the `cell` argument. "
                f"Received: cell={cell}"
            )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            **kwargs,
        )
        self.rank = rank
        self.input_spec = [InputSpec(ndim=rank + 3)]

    def _state_map_shape(self, input_shape: list) -> list:
        """`(batch, *spatial, filters)` (or channels first) of one state."""
        cell = self.cell
        first = cell.data_format == "channels_first"
        spatial = input_shape[3:] if first else input_shape[2:-1]
        out = [
            conv_utils.conv_output_length(
                length,
                cell.kernel_size[i],
                padding=cell.padding,
                stride=cell.strides[i],
                dilation=cell.dilation_rate[i],
            )
            for i, length in enumerate(spatial)
        ]
        if first:
            return [input_shape[0], cell.filters, *out]
        return [input_shape[0], *out, cell.filters]

    def compute_output_shape(self, input_shape):
        if (
            isinstance(input_shape, list)
            and input_shape
            and not isinstance(input_shape[0], int | type(None))
        ):
            input_shape = input_shape[0]  # [inputs, *initial_state]
        dims = tf.TensorShape(input_shape).as_list()
        state = self._state_map_shape(dims)
        output = [state[0], dims[1], *state[1:]] if self.return_sequences else state
        if not self.return_state:
            return tf.TensorShape(output)
        states = [tf.TensorShape(state) for _ in self._state_sizes()]
        return [tf.TensorShape(output), *states]

    def build(self, input_shape):
        if (
            isinstance(input_shape, list)
            and input_shape
            and not isinstance(input_shape[0], int | type(None))
        ):
            input_shape = input_shape[0]
        dims = tf.TensorShape(input_shape).as_list()
        batch = dims[0] if self.stateful else None
        self.input_spec[0] = InputSpec(shape=(batch, None, *dims[2 : self.rank + 3]))
        if not self.cell.built:
            # Not under the cell's own name scope: tf_keras names these weights
            # `conv_lstm2d/kernel:0`, without the cell's name.
            self.cell.build([dims[0], *dims[2:]])
            self.cell.built = True
        if self.state_spec is None:
            free = [None] * self.rank
            first = self.cell.data_format == "channels_first"
            self.state_spec = [
                InputSpec(shape=(None, dim, *free) if first else (None, *free, dim))
                for dim in self._state_sizes()
            ]
        else:
            self._check_state_spec()
        if self.stateful:
            self.reset_states()
        self.built = True

    def _check_state_spec(self) -> None:
        channel_axis = 1 if self.cell.data_format == "channels_first" else -1
        given = [spec.shape[channel_axis] for spec in self.state_spec]
        if given != list(self._state_sizes()):
            raise ValueError(
                "An `initial_state` was passed that is not compatible with "
                "`cell.state_size`. Received state shapes "
                f"{[spec.shape for spec in self.state_spec]}. "
                f"However `cell.state_size` is {self.cell.state_size}"
            )

    def get_initial_state(self, inputs):
        """Zero state maps: zeros convolved the way the inputs will be."""
        step = tf.reduce_sum(tf.zeros_like(inputs), axis=1)
        kernel_shape = list(self.cell.kernel_shape)
        kernel_shape[-1] = self.cell.filters
        state = self.cell.input_conv(
            step, tf.zeros(kernel_shape, step.dtype), padding=self.cell.padding
        )
        return [state for _ in self._state_sizes()]

    def reset_states(self, states=None) -> None:
        """Zeros the state maps of a stateful layer, or sets them to `states`.

        Args:
            states: None for zeros, or one NumPy array per state.

        Raises:
            AttributeError: if the layer is not stateful.
            ValueError: if the batch or spatial size is unknown, or `states`
                does not match.
        """
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        shape = self._state_map_shape(list(self.input_spec[0].shape))
        if None in shape:
            raise ValueError(
                "If a RNN is stateful, it needs to know its batch size. Specify "
                "the batch size of your input tensors, and the number of rows "
                "and columns, with a `batch_shape` argument to your Input layer "
                f"(or `batch_input_shape` to your first layer). Received a "
                f"state shape of {tuple(shape)}"
            )
        if self.states[0] is None:
            self.states = [
                tf.Variable(tf.zeros(shape, self.variable_dtype), trainable=False)
                for _ in self._state_sizes()
            ]
        if states is None:
            for variable in self.states:
                variable.assign(tf.zeros_like(variable))
            return
        self._assign_states(states if isinstance(states, list | tuple) else [states])
