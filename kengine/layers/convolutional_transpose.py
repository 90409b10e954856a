"""Transposed convolutions ("deconvolutions"): `Conv1DTranspose`, `Conv2DTranspose`,
`Conv3DTranspose`.

Mirrors Keras 2's `layers/convolutional/conv1d_transpose.py`,
`conv2d_transpose.py`, `conv3d_transpose.py` and the `conv2d_transpose` helper of
its `backend.py`. A transposed convolution is the gradient of a convolution with
respect to its input: it maps each input pixel to a `kernel_size` window of the
output, so strides upsample. Each layer is a `Conv1D`/`Conv2D`/`Conv3D` whose
kernel has shape `kernel_size + (filters, input_channels)` (output channels
before input channels, the layout `tf.nn.conv*_transpose` takes). The output
size is `conv_utils.deconv_output_length`; `output_padding` picks among the sizes
a strided forward convolution could have come from.

What the three share lives in `_Transposed`, mixed in before the forward class;
each class only says which TensorFlow op runs. Dilated transposed convolutions
go through `tf.nn.atrous_conv2d_transpose` (a 1D input as a one-row image), as
Keras 2's `Conv2DTranspose` does, because TensorFlow's CPU kernel for
`conv*_transpose` has no dilations. tf_keras's `Conv3DTranspose` accepts
`dilation_rate` but ignores it and leaves it out of its config; kengine does the
same so configs and numbers match.

>>> import tensorflow as tf
>>> Conv2DTranspose(3, 2, strides=2)(tf.ones((1, 4, 4, 5))).shape
TensorShape([1, 8, 8, 3])
>>> Conv1DTranspose(2, 3, strides=2, padding="same")(tf.ones((1, 5, 4))).shape
TensorShape([1, 10, 2])
"""

import tensorflow as tf

from kengine.engine.input_spec import InputSpec
from kengine.layers.convolutional import Conv1D, Conv2D, Conv3D
from kengine.utils import conv_utils

__all__ = [
    "Conv1DTranspose",
    "Conv2DTranspose",
    "Conv3DTranspose",
    "Convolution1DTranspose",
    "Convolution2DTranspose",
    "Convolution3DTranspose",
]


class _Transposed:
    """What `Conv1DTranspose`, `Conv2DTranspose` and `Conv3DTranspose` share.

    Mixed in before a forward `Conv` class: argument checks for
    `output_padding`, the output-size arithmetic, the transposed kernel layout
    and the config. Subclasses implement `_transpose(inputs, output_shape)` on
    channels-last tensors.
    """

    def _init_transposed(self, output_padding) -> None:
        self.output_padding = output_padding
        if output_padding is not None:
            self.output_padding = conv_utils.normalize_tuple(
                output_padding, self.rank, "output_padding", allow_zero=True
            )
            if any(p >= s for s, p in zip(self.strides, self.output_padding)):
                raise ValueError(
                    "Strides must be greater than output padding. Received: "
                    f"strides={self.strides}, output_padding={self.output_padding}"
                )
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _output_dilations(self) -> tuple:
        """The dilation rates the output size and the op use."""
        return self.dilation_rate

    def _spatial_output_shape(self, spatial_shape) -> list:
        paddings = self.output_padding or (None,) * self.rank
        dilations = self._output_dilations()
        return [
            conv_utils.deconv_output_length(
                length,
                self.kernel_size[i],
                padding=self.padding,
                output_padding=paddings[i],
                stride=self.strides[i],
                dilation=dilations[i],
            )
            for i, length in enumerate(spatial_shape)
        ]

    def build(self, input_shape) -> None:
        input_shape = tf.TensorShape(input_shape)
        if input_shape.rank != self.rank + 2:
            raise ValueError(
                f"Inputs to {self.name} should have rank {self.rank + 2}. "
                f"Received: input_shape={input_shape}"
            )
        channels = self._input_channels(input_shape)
        self.kernel = self.add_weight(
            name="kernel",
            shape=self.kernel_size + (self.filters, channels),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            trainable=True,
        )
        self._build_bias(self.filters)
        self.input_spec = InputSpec(
            ndim=self.rank + 2, axes={self._channel_axis(): channels}
        )
        self.built = True

    def _convolve(self, inputs: tf.Tensor) -> tf.Tensor:
        dynamic = tf.shape(inputs)
        spatial = [
            inputs.shape[i] if inputs.shape[i] is not None else dynamic[i]
            for i in range(1, self.rank + 1)
        ]
        output_shape = tf.stack(
            [dynamic[0], *self._spatial_output_shape(spatial), self.filters]
        )
        outputs = self._transpose(inputs, output_shape)
        # The output shape went in as a tensor; restore what is known statically.
        static = self._spatial_output_shape(inputs.shape[1 : self.rank + 1])
        outputs.set_shape([inputs.shape[0], *static, self.filters])
        return outputs

    def _transpose(self, inputs: tf.Tensor, output_shape: tf.Tensor) -> tf.Tensor:
        raise NotImplementedError

    def get_config(self) -> dict:
        config = super().get_config()
        config["output_padding"] = self.output_padding
        return config


def _atrous_transpose(inputs, kernel, output_shape, rate: int, padding: str):
    """A dilated 2D transposed convolution (TensorFlow's CPU op lacks dilations)."""
    return tf.nn.atrous_conv2d_transpose(
        inputs, kernel, output_shape, rate=rate, padding=padding.upper()
    )


class Conv1DTranspose(_Transposed, Conv1D):
    """Transposed 1D convolution: upsamples sequences by `strides`.

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 1 int.
        strides: int or tuple of 1 int, the upsampling factor.
        padding: "valid" or "same".
        output_padding: int or tuple of 1 int, extra steps added at the end of
            the output; must be smaller than the stride. None infers the size.
        data_format: "channels_last" or "channels_first"; None means the
            global `image_data_format()`.
        dilation_rate: int or tuple of 1 int.
        activation, use_bias, kernel_initializer, bias_initializer,
        kernel_regularizer, bias_regularizer, activity_regularizer,
        kernel_constraint, bias_constraint: as in `Conv1D`.
        **kwargs: base `Layer` arguments.

    Raises:
        ValueError: if `output_padding` is not smaller than the stride, for
            `padding="causal"`, or for any argument `Conv1D` refuses.
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        output_padding=None,
        data_format=None,
        dilation_rate=1,
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
        if conv_utils.normalize_padding(padding) == "causal":
            raise ValueError(
                "Causal padding is only supported for `Conv1D` and "
                f"`SeparableConv1D`. Received: padding={padding!r}"
            )
        super().__init__(
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
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
        self._init_transposed(output_padding)

    def _transpose(self, inputs, output_shape):
        if self.dilation_rate == (1,):
            return tf.nn.conv1d_transpose(
                inputs,
                self.kernel,
                output_shape,
                strides=self.strides,
                padding=self.padding.upper(),
            )
        # As a one-row image: (batch, 1, steps, channels), kernel (1, k, out, in).
        image_shape = tf.stack([output_shape[0], 1, output_shape[1], output_shape[2]])
        outputs = _atrous_transpose(
            inputs[:, tf.newaxis],
            self.kernel[tf.newaxis],
            image_shape,
            self.dilation_rate[0],
            self.padding,
        )
        return outputs[:, 0]


class Conv2DTranspose(_Transposed, Conv2D):
    """Transposed 2D convolution: upsamples images by `strides`.

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 2 ints.
        strides: int or tuple of 2 ints, the upsampling factors.
        padding: "valid" or "same".
        output_padding: int or tuple of 2 ints, extra rows/cols added to one
            side of the output; each must be smaller than its stride. None
            infers the output size.
        data_format: "channels_last" or "channels_first"; None means the
            global `image_data_format()`.
        dilation_rate: int or tuple of 2 equal ints.
        activation, use_bias, kernel_initializer, bias_initializer,
        kernel_regularizer, bias_regularizer, activity_regularizer,
        kernel_constraint, bias_constraint: as in `Conv2D`.
        **kwargs: base `Layer` arguments.

    Raises:
        ValueError: if an `output_padding` is not smaller than its stride, the
            two dilation rates differ, or for any argument `Conv2D` refuses.
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        output_padding=None,
        data_format=None,
        dilation_rate=(1, 1),
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
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
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
        self._init_transposed(output_padding)
        if self.dilation_rate[0] != self.dilation_rate[1]:
            raise ValueError(
                "Conv2DTranspose needs equal dilation rates on both axes. "
                f"Received: dilation_rate={self.dilation_rate}"
            )

    def _transpose(self, inputs, output_shape):
        if self.dilation_rate == (1, 1):
            return tf.nn.conv2d_transpose(
                inputs,
                self.kernel,
                output_shape,
                strides=self.strides,
                padding=self.padding.upper(),
            )
        return _atrous_transpose(
            inputs, self.kernel, output_shape, self.dilation_rate[0], self.padding
        )


class Conv3DTranspose(_Transposed, Conv3D):
    """Transposed 3D convolution: upsamples volumes by `strides`.

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 3 ints.
        strides: int or tuple of 3 ints, the upsampling factors.
        padding: "valid" or "same".
        output_padding: int or tuple of 3 ints, each smaller than its stride;
            None infers the output size.
        data_format: "channels_last" or "channels_first"; None means the
            global `image_data_format()`.
        dilation_rate: accepted and validated but not applied, as in tf_keras
            (which also leaves it out of the config).
        activation, use_bias, kernel_initializer, bias_initializer,
        kernel_regularizer, bias_regularizer, activity_regularizer,
        kernel_constraint, bias_constraint: as in `Conv3D`.
        **kwargs: base `Layer` arguments.

    Raises:
        ValueError: if an `output_padding` is not smaller than its stride, or
            for any argument `Conv3D` refuses.
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1, 1),
        padding="valid",
        output_padding=None,
        data_format=None,
        dilation_rate=(1, 1, 1),
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
            filters,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
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
        self._init_transposed(output_padding)

    def _output_dilations(self) -> tuple:
        # tf_keras's Conv3DTranspose never applies its dilation_rate.
        return (1, 1, 1)

    def _transpose(self, inputs, output_shape):
        return tf.nn.conv3d_transpose(
            inputs,
            self.kernel,
            output_shape,
            strides=(1, *self.strides, 1),
            padding=self.padding.upper(),
        )

    def get_config(self) -> dict:
        config = super().get_config()
        del config["dilation_rate"]  # tf_keras drops the rate it ignores.
        return config


# Keras 2's long names for the same classes.
Convolution1DTranspose = Conv1DTranspose
Convolution2DTranspose = Conv2DTranspose
Convolution3DTranspose = Conv3DTranspose
