"""UnitNormalization: scale each sample to unit L2 norm over `axis`.

Mirrors Keras 2's `layers/normalization/unit_normalization.py`.

`outputs = inputs / sqrt(max(sum(inputs**2, axis), 1e-12))`
(`tf.math.l2_normalize`). No weights; masks pass through.

>>> import tensorflow as tf
>>> UnitNormalization()(tf.constant([[3.0, 4.0]])).numpy()
array([[0.6, 0.8]], dtype=float32)
"""

import tensorflow as tf

from kengine.engine.base_layer import Layer
from kengine.utils.axis_utils import validate_axis

__all__ = ["UnitNormalization"]


class UnitNormalization(Layer):
    """Normalises each sample to unit L2 norm along `axis`.

    Args:
        axis: int or list/tuple of ints, the axes the norm is taken over
            (default the last).
        **kwargs: base `Layer` arguments.

    Raises:
        TypeError: if `axis` is neither an int nor a list/tuple of ints.
        ValueError: at build time, for an axis outside the input's rank.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, list | tuple):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(
                "Invalid value for `axis` argument: expected an int or a list/tuple "
                f"of ints. Received: axis={axis}"
            )
        self.supports_masking = True

    def build(self, input_shape) -> None:
        validate_axis(self.axis, input_shape)
        super().build(input_shape)

    def call(self, inputs):
        inputs = tf.cast(inputs, self.dtype)
        return tf.linalg.l2_normalize(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = self.axis
        return config
