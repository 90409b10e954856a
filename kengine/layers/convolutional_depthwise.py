"""Depthwise and depthwise-separable convolutions, in 1D and 2D.

Mirrors Keras 2's `layers/convolutional/base_depthwise_conv.py`,
`depthwise_conv1d.py`, `depthwise_conv2d.py`, `base_separable_conv.py`,
`separable_conv1d.py` and `separable_conv2d.py`.

- `DepthwiseConv1D`/`DepthwiseConv2D` convolve each input channel with its own
  `depth_multiplier` filters (`tf.nn.depthwise_conv2d`); the kernel is
  `depthwise_kernel` of shape `kernel_size + (channels, depth_multiplier)` and
  the output has `channels * depth_multiplier` channels.
- `SeparableConv1D`/`SeparableConv2D` follow that depthwise step with a 1x1
  convolution mixing the channels into `filters` outputs
  (`tf.nn.separable_conv2d`); the weights are `depthwise_kernel`,
  `pointwise_kernel` of shape `(1,) * rank + (channels * depth_multiplier,
  filters)`, then `bias`.

TensorFlow has only 2D depthwise ops, so the 1D layers run a sequence as a
one-row image (`(batch, 1, steps, channels)`), as Keras 2 does. All four reuse
`Conv`'s argument checks, shape arithmetic, causal padding and channels_first
handling, and write the configs Keras 2 writes (which still carry `Conv`'s
`groups` and, for the separable layers, the unused `kernel_*` entries).

>>> import tensorflow as tf
>>> layer = SeparableConv2D(4, 3, depth_multiplier=2)
>>> layer(tf.ones((1, 5, 5, 3))).shape
TensorShape([1, 3, 3, 4])
>>> [tuple(w.shape) for w in layer.weights]
[(3, 3, 3, 2), (1, 1, 6, 4), (4,)]
"""

import tensorflow as tf

from kengine import constraints, initializers, regularizers
from kengine.engine.input_spec import InputSpec
from kengine.layers.convolutional import Conv

__all__ = [
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "SeparableConv1D",
    "SeparableConv2D",
    "SeparableConvolution1D",
    "SeparableConvolution2D",
]


def _as_image(inputs: tf.Tensor, kernels: list, rank: int, strides, dilations):
    """A 1D problem as a one-row 2D one; 2D arguments pass through.

    Returns:
        `(inputs, kernels, strides, dilations)` for the `tf.nn` 2D ops, with
        `strides` as the 4-tuple those ops take.
    """
    if rank == 2:
        return inputs, kernels, (1, *strides, 1), dilations
    # The stride is repeated on the one-row axis (a no-op there) because the
    # depthwise CPU kernel wants equal strides on both axes.
    return (
        inputs[:, tf.newaxis],
        [k[tf.newaxis] for k in kernels],
        (1, *strides, *strides, 1),
        (1, *dilations),
    )


def _op_padding(padding: str) -> str:
    # Causal padding was applied to the inputs by `Conv.call`.
    return "VALID" if padding == "causal" else padding.upper()


class DepthwiseConv(Conv):
    """Base of `DepthwiseConv1D` and `DepthwiseConv2D`: one filter set per channel.

    Args:
        rank: number of spatial dimensions (1 or 2).
        kernel_size: int or tuple of `rank` ints.
        strides: int or tuple of `rank` ints.
        padding: "valid" or "same".
        depth_multiplier: output channels per input channel.
        data_format: "channels_last" or "channels_first"; None means the
            global `image_data_format()`.
        dilation_rate: int or tuple of `rank` ints.
        activation: activation function or its name; None means linear.
        use_bias: whether to add a bias of size `channels * depth_multiplier`.
        depthwise_initializer: initializer of `depthwise_kernel`.
        bias_initializer: initializer of `bias`.
        depthwise_regularizer: regularizer of `depthwise_kernel`.
        bias_regularizer: regularizer of `bias`.
        activity_regularizer: regularizer of the output.
        depthwise_constraint: constraint on `depthwise_kernel`.
        bias_constraint: constraint on `bias`.
        **kwargs: base `Layer` arguments.

    Raises:
        ValueError: for a non-positive `depth_multiplier`, `padding="causal"`,
            or any argument `Conv` refuses.
    """

    def __init__(
        self,
        rank: int,
        kernel_size,
        strides=1,
        padding="valid",
        depth_multiplier=1,
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            rank,
            None,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            bias_initializer=bias_initializer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            bias_constraint=bias_constraint,
            **kwargs,
        )
        if self.padding == "causal":
            raise ValueError(
                "Causal padding is only supported for `Conv1D` and "
                f"`SeparableConv1D`. Received: padding='causal' for {type(self).__name__}"
            )
        _check_depth_multiplier(depth_multiplier)
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)

    def _output_channels(self, input_channels) -> int | None:
        if input_channels is None:
            return None
        return input_channels * self.depth_multiplier

    def build(self, input_shape) -> None:
        input_shape = tf.TensorShape(input_shape)
        _check_rank(self, input_shape)
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel",
            shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
        )
        self._build_bias(channels * self.depth_multiplier)
        self.input_spec = InputSpec(
            min_ndim=self.rank + 2, axes={self._channel_axis(): channels}
        )
        self.built = True

    def _convolve(self, inputs: tf.Tensor) -> tf.Tensor:
        x, (kernel,), strides, dilations = _as_image(
            inputs, [self.depthwise_kernel], self.rank, self.strides, self.dilation_rate
        )
        outputs = tf.nn.depthwise_conv2d(
            x,
            kernel,
            strides=strides,
            padding=self.padding.upper(),
            dilations=dilations,
        )
        return outputs if self.rank == 2 else outputs[:, 0]

    def get_config(self) -> dict:
        config = super().get_config()
        for key in ("filters", "kernel_initializer", "kernel_regularizer"):
            config.pop(key)
        config.pop("kernel_constraint")
        config.update(
            {
                "depth_multiplier": self.depth_multiplier,
                "depthwise_initializer": initializers.serialize(
                    self.depthwise_initializer
                ),
                "depthwise_regularizer": regularizers.serialize(
                    self.depthwise_regularizer
                ),
                "depthwise_constraint": constraints.serialize(
                    self.depthwise_constraint
                ),
            }
        )
        return config


class DepthwiseConv1D(DepthwiseConv):
    """Depthwise 1D convolution: `(batch, steps, channels)` inputs.

    Args:
        kernel_size: int or tuple of 1 int.
        strides, padding, depth_multiplier, data_format, dilation_rate,
        activation, use_bias, depthwise_initializer, bias_initializer,
        depthwise_regularizer, bias_regularizer, activity_regularizer,
        depthwise_constraint, bias_constraint: as in `DepthwiseConv`.
        **kwargs: base `Layer` arguments.

    >>> import tensorflow as tf
    >>> DepthwiseConv1D(3, depth_multiplier=2)(tf.ones((1, 6, 4))).shape
    TensorShape([1, 4, 8])
    """

    def __init__(
        self,
        kernel_size,
        strides=1,
        padding="valid",
        depth_multiplier=1,
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            1,
            kernel_size,
            strides=strides,
            padding=padding,
            depth_multiplier=depth_multiplier,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )


class DepthwiseConv2D(DepthwiseConv):
    """Depthwise 2D convolution: one set of filters per input channel.

    Args:
        kernel_size: int or tuple of 2 ints.
        strides, padding, depth_multiplier, data_format, dilation_rate,
        activation, use_bias, depthwise_initializer, bias_initializer,
        depthwise_regularizer, bias_regularizer, activity_regularizer,
        depthwise_constraint, bias_constraint: as in `DepthwiseConv`.
        **kwargs: base `Layer` arguments.
    """

    def __init__(
        self,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        depth_multiplier=1,
        data_format=None,
        dilation_rate=(1, 1),
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            2,
            kernel_size,
            strides=strides,
            padding=padding,
            depth_multiplier=depth_multiplier,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )


class SeparableConv(Conv):
    """Base of `SeparableConv1D` and `SeparableConv2D`: depthwise, then a 1x1 mix.

    Args:
        rank: number of spatial dimensions (1 or 2).
        filters: number of output channels.
        kernel_size: int or tuple of `rank` ints, the depthwise window.
        strides: int or tuple of `rank` ints.
        padding: "valid" or "same" ("causal" too in 1D).
        data_format: "channels_last" or "channels_first"; None means the
            global `image_data_format()`.
        dilation_rate: int or tuple of `rank` ints.
        depth_multiplier: depthwise output channels per input channel.
        activation: activation function or its name; None means linear.
        use_bias: whether to add a bias of size `filters`.
        depthwise_initializer, pointwise_initializer, bias_initializer:
            initializers of the three weights.
        depthwise_regularizer, pointwise_regularizer, bias_regularizer:
            their regularizers.
        activity_regularizer: regularizer of the output.
        depthwise_constraint, pointwise_constraint, bias_constraint: their
            constraints.
        **kwargs: base `Layer` arguments.

    Raises:
        ValueError: for a non-positive `depth_multiplier` or any argument `Conv`
            refuses.
    """

    def __init__(
        self,
        rank: int,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        depth_multiplier=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        pointwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            rank,
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            bias_initializer=bias_initializer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            bias_constraint=bias_constraint,
            **kwargs,
        )
        _check_depth_multiplier(depth_multiplier)
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape) -> None:
        input_shape = tf.TensorShape(input_shape)
        _check_rank(self, input_shape)
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel",
            shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
            trainable=True,
        )
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel",
            shape=(1,) * self.rank + (channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer,
            regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint,
            trainable=True,
        )
        self._build_bias(self.filters)
        self.input_spec = InputSpec(
            ndim=self.rank + 2, axes={self._channel_axis(): channels}
        )
        self.built = True

    def _convolve(self, inputs: tf.Tensor) -> tf.Tensor:
        x, (depthwise, pointwise), strides, dilations = _as_image(
            inputs,
            [self.depthwise_kernel, self.pointwise_kernel],
            self.rank,
            self.strides,
            self.dilation_rate,
        )
        outputs = tf.nn.separable_conv2d(
            x,
            depthwise,
            pointwise,
            strides=strides,
            padding=_op_padding(self.padding),
            dilations=dilations,
        )
        return outputs if self.rank == 2 else outputs[:, 0]

    def get_config(self) -> dict:
        config = super().get_config()
        config["depth_multiplier"] = self.depth_multiplier
        for part in ("depthwise", "pointwise"):
            config[f"{part}_initializer"] = initializers.serialize(
                getattr(self, f"{part}_initializer")
            )
            config[f"{part}_regularizer"] = regularizers.serialize(
                getattr(self, f"{part}_regularizer")
            )
            config[f"{part}_constraint"] = constraints.serialize(
                getattr(self, f"{part}_constraint")
            )
        return config


class SeparableConv1D(SeparableConv):
    """Depthwise-separable 1D convolution: `(batch, steps, channels)` inputs.

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 1 int.
        padding: "valid", "same" or "causal".
        strides, data_format, dilation_rate, depth_multiplier, activation,
        use_bias, *_initializer, *_regularizer, activity_regularizer,
        *_constraint: as in `SeparableConv`.
        **kwargs: base `Layer` arguments.

    >>> import tensorflow as tf
    >>> SeparableConv1D(4, 3, padding="causal")(tf.ones((1, 6, 2))).shape
    TensorShape([1, 6, 4])
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        depth_multiplier=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        pointwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
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
            depth_multiplier=depth_multiplier,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            pointwise_initializer=pointwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            pointwise_regularizer=pointwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            pointwise_constraint=pointwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )


class SeparableConv2D(SeparableConv):
    """Depthwise-separable 2D convolution: a depthwise step, then a 1x1 mix.

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 2 ints, the depthwise window.
        strides, padding, data_format, dilation_rate, depth_multiplier,
        activation, use_bias, *_initializer, *_regularizer,
        activity_regularizer, *_constraint: as in `SeparableConv`.
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
        depth_multiplier=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        pointwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
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
            depth_multiplier=depth_multiplier,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            pointwise_initializer=pointwise_initializer,
            bias_initializer=bias_initializer,
            depthwise_regularizer=depthwise_regularizer,
            pointwise_regularizer=pointwise_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            depthwise_constraint=depthwise_constraint,
            pointwise_constraint=pointwise_constraint,
            bias_constraint=bias_constraint,
            **kwargs,
        )


def _check_rank(layer: Conv, input_shape: tf.TensorShape) -> None:
    # TensorFlow's depthwise ops take exactly one batch axis.
    if input_shape.rank != layer.rank + 2:
        raise ValueError(
            f"Inputs to {layer.name} should have rank {layer.rank + 2}. "
            f"Received: input_shape={input_shape}"
        )


def _check_depth_multiplier(value) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(
            "Received an invalid value for depth_multiplier, expected a positive "
            f"integer. Received: depth_multiplier={value!r}"
        )


# Keras 2's long names for the same classes.
SeparableConvolution1D = SeparableConv1D
SeparableConvolution2D = SeparableConv2D
