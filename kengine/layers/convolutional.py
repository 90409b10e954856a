"""Convolution layers: the shared `Conv` base and `Conv1D`, `Conv2D`, `Conv3D`.

Mirrors Keras 2's `layers/convolutional/base_conv.py` (`Conv`) and `conv1d.py`,
`conv2d.py`, `conv3d.py`. `Conv.__init__` validates and normalises the arguments
(through `kengine.utils.conv_utils`), `build` creates `kernel` of shape
`kernel_size + (input_channels // groups, filters)` and then `bias` of shape
`(filters,)`, and `call` runs `tf.nn.convolution`, adds the bias and applies the
activation.

Two details differ in mechanism, not in numbers, from Keras 2:
- `channels_first` inputs are transposed to channels-last and back around the
  convolution, because TensorFlow's plain CPU kernels and some XLA lowerings accept
  only channels-last (Keras 2 does the same in its backend for some layers).
- with `groups > 1` and no GPU, each group is convolved on its own and the results
  concatenated: stock CPU kernels cannot differentiate a grouped convolution.
- inputs with extra leading batch axes are folded into one batch axis first.

The transposed, depthwise and separable convolutions live beside this module in
`convolutional_transpose.py` and `convolutional_depthwise.py`.

>>> import tensorflow as tf
>>> layer = Conv2D(4, 3, padding="same")
>>> layer(tf.zeros((2, 8, 8, 3))).shape
TensorShape([2, 8, 8, 4])
>>> [(w.name, tuple(w.shape)) for w in layer.weights]
[('conv2d/kernel:0', (3, 3, 3, 4)), ('conv2d/bias:0', (4,))]
"""

import tensorflow as tf

from kengine import activations, constraints, initializers, regularizers
from kengine.engine.base_layer import Layer
from kengine.engine.input_spec import InputSpec
from kengine.utils import conv_utils

__all__ = [
    "Conv1D",
    "Conv2D",
    "Conv3D",
    "Convolution1D",
    "Convolution2D",
    "Convolution3D",
]


class Conv(Layer):
    """Base class of N-D convolutions (`Conv1D`, `Conv2D`, `Conv3D`, ...).

    Computes `activation(conv(inputs, kernel) + bias)`.

    Args:
        rank: number of spatial dimensions (1, 2 or 3).
        filters: number of output channels; None for depthwise convolutions.
        kernel_size: int or tuple of `rank` ints, the window size.
        strides: int or tuple of `rank` ints. Strides > 1 can't be combined with
            `dilation_rate` > 1.
        padding: "valid", "same" or "causal" (causal only for 1D), any case.
        data_format: "channels_last" (`(batch, ..., channels)`) or
            "channels_first" (`(batch, channels, ...)`); None means
            `kengine.backend.image_data_format()`.
        dilation_rate: int or tuple of `rank` ints, for dilated convolution.
        groups: number of groups the input channels are split into; input
            channels and `filters` must both be divisible by it.
        activation: activation function or its name; None means linear.
        use_bias: whether to add a bias vector.
        kernel_initializer: initializer of the kernel.
        bias_initializer: initializer of the bias.
        kernel_regularizer: regularizer of the kernel.
        bias_regularizer: regularizer of the bias.
        activity_regularizer: regularizer of the output.
        kernel_constraint: constraint applied to the kernel after updates.
        bias_constraint: constraint applied to the bias after updates.
        **kwargs: base `Layer` arguments (`name`, `dtype`, `input_shape`, ...).

    Raises:
        ValueError: for a non-positive `filters`, a bad `kernel_size`,
            `strides`, `dilation_rate`, `padding` or `data_format`, `filters` not
            divisible by `groups`, or strides > 1 with dilation > 1.
    """

    def __init__(
        self,
        rank: int,
        filters: int | None,
        kernel_size,
        strides=1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate=1,
        groups: int = 1,
        activation=None,
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            activity_regularizer=regularizers.get(activity_regularizer), **kwargs
        )
        self.rank = rank
        if isinstance(filters, float) and filters.is_integer():
            filters = int(filters)  # Keras 2 accepts e.g. 32.0
        if filters is not None and (not isinstance(filters, int) or filters <= 0):
            raise ValueError(
                "Received an invalid value for filters, expected a positive "
                f"integer. Received: filters={filters!r}"
            )
        self.filters = filters
        self.groups = groups or 1
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, rank, "kernel_size")
        self.strides = conv_utils.normalize_tuple(strides, rank, "strides")
        self.padding = conv_utils.normalize_padding(padding)
        self.data_format = conv_utils.normalize_data_format(data_format)
        self.dilation_rate = conv_utils.normalize_tuple(
            dilation_rate, rank, "dilation_rate"
        )
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=rank + 2)
        self._validate_init()

    def _validate_init(self) -> None:
        if self.filters is not None and self.filters % self.groups:
            raise ValueError(
                "The number of filters must be evenly divisible by the number of "
                f"groups. Received: groups={self.groups}, filters={self.filters}"
            )
        if self.padding == "causal" and self.rank != 1:
            raise ValueError(
                "Causal padding is only supported for 1D convolutions. "
                f"Received: padding='causal' for {type(self).__name__}"
            )
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "`strides > 1` not supported in conjunction with "
                f"`dilation_rate > 1`. Received: strides={self.strides} and "
                f"dilation_rate={self.dilation_rate}"
            )

    # -- shapes -----------------------------------------------------------------

    def _channel_axis(self) -> int:
        return -1 - self.rank if self.data_format == "channels_first" else -1

    def _input_channels(self, input_shape: tf.TensorShape) -> int:
        channels = input_shape[self._channel_axis()]
        if channels is None:
            raise ValueError(
                f"The channel dimension of the inputs to {self.name} should be "
                f"defined. Received: input_shape={input_shape}, where axis "
                f"{self._channel_axis()} is the channel axis."
            )
        return int(channels)

    def _spatial_output_shape(self, spatial_shape) -> list:
        return [
            conv_utils.conv_output_length(
                length,
                self.kernel_size[i],
                padding=self.padding,
                stride=self.strides[i],
                dilation=self.dilation_rate[i],
            )
            for i, length in enumerate(spatial_shape)
        ]

    def _output_channels(self, input_channels) -> int | None:
        return self.filters

    def compute_output_shape(self, input_shape) -> tf.TensorShape:
        """Returns the output shape for an input shape (batch axes kept).

        Raises:
            ValueError: when the input is too small for the kernel, so that an
                output dimension would be zero or negative.
        """
        shape = tf.TensorShape(input_shape).as_list()
        batch_rank = len(shape) - self.rank - 1
        if self.data_format == "channels_last":
            spatial, channels = shape[batch_rank:-1], shape[-1]
        else:
            spatial, channels = shape[batch_rank + 1 :], shape[batch_rank]
        out_spatial = self._spatial_output_shape(spatial)
        if any(d is not None and d <= 0 for d in out_spatial):
            raise ValueError(
                "One of the dimensions in the output is <= 0 due to downsampling "
                f"in {self.name}. Consider increasing the input size. Received "
                f"input shape {tuple(shape)} which would produce output shape "
                "with a zero or negative value in a dimension."
            )
        out_channels = self._output_channels(channels)
        if self.data_format == "channels_last":
            return tf.TensorShape(shape[:batch_rank] + out_spatial + [out_channels])
        return tf.TensorShape(shape[:batch_rank] + [out_channels] + out_spatial)

    # -- weights ----------------------------------------------------------------

    def build(self, input_shape) -> None:
        input_shape = tf.TensorShape(input_shape)
        channels = self._input_channels(input_shape)
        if channels % self.groups:
            raise ValueError(
                "The number of input channels must be evenly divisible by the "
                f"number of groups. Received: groups={self.groups}, but the input "
                f"has {channels} channels (full input shape is {input_shape})."
            )
        # Fails early, at build time, when the input is too small.
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight(
            name="kernel",
            shape=self.kernel_size + (channels // self.groups, self.filters),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            trainable=True,
        )
        self._build_bias(self.filters)
        self.input_spec = InputSpec(
            min_ndim=self.rank + 2, axes={self._channel_axis(): channels}
        )
        self.built = True

    def _build_bias(self, size: int) -> None:
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(size,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                trainable=True,
            )

    # -- forward ----------------------------------------------------------------

    def _convolve(self, inputs: tf.Tensor) -> tf.Tensor:
        """Convolves a channels-last tensor with one batch axis (no bias)."""
        if self.groups > 1 and not tf.config.list_logical_devices("GPU"):
            return self._convolve_groups_one_by_one(inputs)
        return self._convolve_with(inputs, self.kernel)

    def _convolve_groups_one_by_one(self, inputs: tf.Tensor) -> tf.Tensor:
        # TensorFlow's stock CPU kernels have no gradient for grouped convolutions
        # (only oneDNN builds on AVX-512 machines do); convolving each group on its
        # own slice of channels and kernel gives the same numbers everywhere.
        group_inputs = tf.split(inputs, self.groups, axis=-1)
        group_kernels = tf.split(self.kernel, self.groups, axis=-1)
        return tf.concat(
            [self._convolve_with(x, k) for x, k in zip(group_inputs, group_kernels)],
            axis=-1,
        )

    def _convolve_with(self, inputs: tf.Tensor, kernel) -> tf.Tensor:
        return tf.nn.convolution(
            inputs,
            kernel,
            strides=list(self.strides),
            padding="VALID" if self.padding == "causal" else self.padding.upper(),
            dilations=list(self.dilation_rate),
            # Explicit: with None, eager gradients of 3D convolutions break.
            data_format=conv_utils.convert_data_format("channels_last", self.rank + 2),
        )

    def call(self, inputs):
        inputs = tf.convert_to_tensor(inputs)
        input_shape = inputs.shape
        inner_rank = self.rank + 1
        batch_shape = None
        if input_shape.rank is not None and input_shape.rank > inner_rank + 1:
            # tf.nn ops take one batch axis: fold the extra ones into it.
            batch_shape = tf.shape(inputs)[:-inner_rank]
            inputs = tf.reshape(
                inputs, tf.concat([[-1], tf.shape(inputs)[-inner_rank:]], 0)
            )
        x = conv_utils.to_channels_last(inputs, self.data_format)
        if self.padding == "causal":
            # Left-pad the time axis so output[t] never sees input[t + 1:].
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            x = tf.pad(x, [[0, 0], [left, 0], [0, 0]])
        outputs = self._convolve(x)
        if self.use_bias:
            outputs = tf.nn.bias_add(outputs, self.bias)
        outputs = conv_utils.to_channels_first(outputs, self.data_format)
        if batch_shape is not None:
            outputs = tf.reshape(
                outputs, tf.concat([batch_shape, tf.shape(outputs)[1:]], 0)
            )
            outputs.set_shape(self.compute_output_shape(input_shape))
        return self.activation(outputs)

    # -- config -----------------------------------------------------------------

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "padding": self.padding,
                "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "groups": self.groups,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(
                    self.activity_regularizer
                ),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
            }
        )
        return config


class Conv1D(Conv):
    """1D convolution over time steps: `(batch, steps, channels)` inputs.

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 1 int, the window length.
        strides: int or tuple of 1 int.
        padding: "valid", "same" or "causal" (output[t] sees only inputs <= t).
        data_format: "channels_last" (default) or "channels_first".
        dilation_rate: int or tuple of 1 int.
        groups: number of channel groups.
        activation, use_bias, kernel_initializer, bias_initializer,
        kernel_regularizer, bias_regularizer, activity_regularizer,
        kernel_constraint, bias_constraint: as in `Conv`.
        **kwargs: base `Layer` arguments.

    >>> import tensorflow as tf
    >>> Conv1D(2, 3, padding="causal")(tf.ones((1, 5, 4))).shape
    TensorShape([1, 5, 2])
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format="channels_last",
        dilation_rate=1,
        groups=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
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
            groups=groups,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )


class Conv2D(Conv):
    """2D convolution over images: `(batch, rows, cols, channels)` inputs.

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 2 ints, the window height and width.
        strides: int or tuple of 2 ints.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first"; None means the
            global `image_data_format()`.
        dilation_rate: int or tuple of 2 ints.
        groups: number of channel groups.
        activation, use_bias, kernel_initializer, bias_initializer,
        kernel_regularizer, bias_regularizer, activity_regularizer,
        kernel_constraint, bias_constraint: as in `Conv`.
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
        groups=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
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
            groups=groups,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )


class Conv3D(Conv):
    """3D convolution over volumes: `(batch, depth, rows, cols, channels)` inputs.

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 3 ints.
        strides: int or tuple of 3 ints.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first"; None means the
            global `image_data_format()`.
        dilation_rate: int or tuple of 3 ints.
        groups: number of channel groups.
        activation, use_bias, kernel_initializer, bias_initializer,
        kernel_regularizer, bias_regularizer, activity_regularizer,
        kernel_constraint, bias_constraint: as in `Conv`.
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
        groups=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
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
            groups=groups,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )


# Keras 2's long names for the same classes.
Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D
