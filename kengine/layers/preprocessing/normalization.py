"""Normalization: shifts and scales features to zero mean and unit variance.

Mirrors Keras 2's `layers/preprocessing/normalization.py`. The statistics are
given (`mean`, `variance`) or computed by `adapt`, per index of the kept
`axis` (default the last; `axis=None` for one scalar statistic):

```
call:          (x - mean) / max(sqrt(variance), epsilon)
invert=True:   mean + x * max(sqrt(variance), epsilon)
update_state:  merge the batch's moments into the weights `mean`, `variance`
               and `count`, weighting each by its number of samples
```

The adapted statistics are the weights (non-trainable `mean`, `variance`,
`count`, as in tf_keras), read by every call, so loaded weights take effect at
once; `mean` and `variance` also read as attributes, in the input's
broadcast shape.

>>> layer = Normalization(axis=None)
>>> layer.adapt([1.0, 2.0, 3.0])
>>> layer([1.0, 2.0]).numpy().round(4)
array([-1.2247,  0.    ], dtype=float32)
"""

import numpy as np
import tensorflow as tf

from kengine import backend
from kengine.layers.preprocessing import preprocessing_utils as utils
from kengine.layers.preprocessing.base_preprocessing_layer import PreprocessingLayer

__all__ = ["Normalization"]


class Normalization(PreprocessingLayer):
    """Normalizes inputs by a mean and variance (given, or learned by `adapt`).

    Args:
        axis: the axis or axes with one statistic per index (default -1);
            None for one statistic over everything.
        mean: the mean to use instead of adapting (a scalar or per index).
        variance: the variance to use instead of adapting.
        invert: apply the inverse transformation (denormalize).
        **kwargs: base layer arguments.

    Raises:
        ValueError: if only one of `mean` and `variance` is given, or either
            is a `tf.Variable`.
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        self.axis = (axis,) if isinstance(axis, int) else tuple(axis)
        for name, value in (("mean", mean), ("variance", variance)):
            if isinstance(value, tf.Variable):
                raise ValueError(
                    f"Normalization does not support passing a Variable for the "
                    f"`{name}` init arg. Received: {name}={value}"
                )
        if (mean is not None) != (variance is not None):
            raise ValueError(
                "When setting values directly, both `mean` and `variance` must be "
                f"set. Got mean: {mean} and variance: {variance}"
            )
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self._broadcast_shape = None

    def build(self, input_shape) -> None:
        super().build(input_shape)
        if isinstance(input_shape, list | tuple) and all(
            isinstance(shape, tf.TensorShape) for shape in input_shape
        ):
            raise ValueError(
                "Normalization only accepts a single input. If you are passing a "
                "python list or tuple as a single input, please convert to a numpy "
                f"array or `tf.Tensor`. Received: input_shape={input_shape}"
            )
        input_shape = tf.TensorShape(input_shape).as_list()
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                "All `axis` values must be in the range [-ndim, ndim). "
                f"Found ndim: `{ndim}`, axis: {self.axis}"
            )
        keep = sorted(d if d >= 0 else d + ndim for d in self.axis)
        for d in keep:
            if input_shape[d] is None:
                raise ValueError(
                    "All `axis` values to be kept must have known shape. Got axis: "
                    f"{self.axis}, input shape: {input_shape}, with unknown axis "
                    f"at index: {d}"
                )
        self._reduce_axis = [d for d in range(ndim) if d not in keep]
        self._broadcast_shape = [
            input_shape[d] if d in keep else 1 for d in range(ndim)
        ]
        shape = tuple(input_shape[d] for d in keep)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(
                name="mean", shape=shape, initializer="zeros", trainable=False
            )
            self.adapt_variance = self.add_weight(
                name="variance", shape=shape, initializer="ones", trainable=False
            )
            self.count = self.add_weight(
                name="count",
                shape=(),
                dtype="int64",
                initializer="zeros",
                trainable=False,
            )
        else:
            # Given statistics broadcast to the kept axes (a scalar fills them).
            self._given_mean = self.input_mean * np.ones(shape)
            self._given_variance = self.input_variance * np.ones(shape)

    @property
    def mean(self):
        """The mean in the input's broadcast shape (None before `build`)."""
        if self._broadcast_shape is None:
            return None
        mean = self.adapt_mean if self.input_mean is None else self._given_mean
        return tf.cast(tf.reshape(mean, self._broadcast_shape), self.dtype)

    @property
    def variance(self):
        """The variance in the input's broadcast shape (None before `build`)."""
        if self._broadcast_shape is None:
            return None
        if self.input_mean is None:
            variance = self.adapt_variance
        else:
            variance = self._given_variance
        return tf.cast(tf.reshape(variance, self._broadcast_shape), self.dtype)

    def adapt(self, data, batch_size: int | None = None, steps: int | None = None):
        """Computes the mean and variance of `data` along the reduced axes.

        Args:
            data: numbers: an array, list, tensor or `tf.data.Dataset`.
            batch_size: samples per batch for non-Dataset data (default 32).
            steps: the most batches to read.
        """
        super().adapt(data, batch_size=batch_size, steps=steps)

    def update_state(self, data) -> None:
        """Merges the moments of one batch into `mean`, `variance` and `count`.

        Raises:
            ValueError: if the layer was given `mean` and `variance`.
            RuntimeError: if the layer is not built.
        """
        if self.input_mean is not None:
            raise ValueError(
                "Cannot `adapt` a Normalization layer that is initialized with "
                f"static `mean` and `variance`, you passed mean {self.input_mean} "
                f"and variance {self.input_variance}."
            )
        if not self.built:
            raise RuntimeError("`build` must be called before `update_state`.")
        data = tf.cast(self._standardize_inputs(data), self.adapt_mean.dtype)
        batch_mean, batch_variance = tf.nn.moments(data, axes=self._reduce_axis)
        shape = tf.shape(data, out_type=tf.int64)
        batch_count = tf.constant(1, tf.int64)
        if self._reduce_axis:  # no reduced axis: the batch is one sample
            batch_count = tf.reduce_prod(tf.gather(shape, self._reduce_axis))
        total_count = batch_count + self.count
        batch_weight = tf.cast(batch_count, self.dtype) / tf.cast(
            total_count, self.dtype
        )
        existing_weight = 1.0 - batch_weight
        total_mean = self.adapt_mean * existing_weight + batch_mean * batch_weight
        # The pooled variance: each part's variance plus its mean's offset.
        total_variance = (
            self.adapt_variance + (self.adapt_mean - total_mean) ** 2
        ) * existing_weight + (
            batch_variance + (batch_mean - total_mean) ** 2
        ) * batch_weight
        self.adapt_mean.assign(total_mean)
        self.adapt_variance.assign(total_variance)
        self.count.assign(total_count)

    def reset_state(self) -> None:
        """Resets the statistics to mean 0, variance 1, count 0."""
        if self.input_mean is not None or not self.built:
            return
        self.adapt_mean.assign(tf.zeros_like(self.adapt_mean))
        self.adapt_variance.assign(tf.ones_like(self.adapt_variance))
        self.count.assign(tf.zeros_like(self.count))

    def call(self, inputs):
        inputs = self._standardize_inputs(inputs)
        scale = tf.maximum(tf.sqrt(self.variance), backend.epsilon())
        if self.invert:
            return self.mean + inputs * scale
        return (inputs - self.mean) / scale

    def compute_output_shape(self, input_shape):
        return tf.TensorShape(input_shape)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "axis": self.axis,
            "invert": self.invert,
            "mean": utils.listify_tensors(self.input_mean),
            "variance": utils.listify_tensors(self.input_variance),
        }

    def _standardize_inputs(self, inputs):
        inputs = tf.convert_to_tensor(inputs)
        return inputs if inputs.dtype == self.dtype else tf.cast(inputs, self.dtype)
