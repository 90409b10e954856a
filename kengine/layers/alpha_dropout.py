"""AlphaDropout: dropout that keeps a SELU network's mean and variance.

Mirrors Keras 2's `layers/regularization/alpha_dropout.py`.

Plain dropout sets units to 0, which for SELU activations shifts the mean and
variance the self-normalising network relies on. AlphaDropout sets dropped units
to SELU's negative saturation value `alpha' = -scale * alpha` instead, then
applies the affine map `a * x + b` that restores zero mean and unit variance
(Klambauer et al., 2017):

```
keep ~ Bernoulli(1 - rate)
x = inputs * keep + alpha' * (1 - keep)
a = ((1 - rate) * (1 + rate * alpha'**2)) ** -0.5
b = -a * alpha' * rate
outputs = a * x + b
```

Only calls with `training=True` and `0 < rate < 1` do this; any other call
returns the inputs.

>>> import tensorflow as tf
>>> layer = AlphaDropout(0.5, seed=1)
>>> x = tf.ones((2, 3))
>>> bool(tf.reduce_all(layer(x) == x))
True
"""

import tensorflow as tf

from kengine.engine.base_layer import Layer
from kengine.utils.control_flow_util import smart_cond

__all__ = ["AlphaDropout"]

# The SELU constants (`activations.selu`).
_ALPHA = 1.6732632423543772848170429916717
_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(Layer):
    """Applies alpha dropout to the inputs in training.

    Args:
        rate: float, the drop probability.
        noise_shape: optional 1D shape of the keep/drop draw, broadcast
            against the inputs (default the inputs' shape).
        seed: optional int, the op seed of the random draw.
        **kwargs: base `Layer` arguments.

    Call arguments:
        inputs: a tensor.
        training: True to apply the dropout; None or False returns the inputs.
    """

    def __init__(
        self, rate: float, noise_shape=None, seed: int | None = None, **kwargs
    ):
        super().__init__(**kwargs)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True

    def _get_noise_shape(self, inputs):
        return self.noise_shape if self.noise_shape else tf.shape(inputs)

    def call(self, inputs, training=None):
        if not 0.0 < self.rate < 1.0:
            return inputs
        rate = self.rate

        def dropped():
            alpha_p = -_ALPHA * _SCALE
            uniform = tf.random.uniform(self._get_noise_shape(inputs), seed=self.seed)
            keep = tf.cast(tf.greater_equal(uniform, rate), inputs.dtype)
            a = ((1 - rate) * (1 + rate * alpha_p**2)) ** -0.5
            b = -a * alpha_p * rate
            return a * (inputs * keep + alpha_p * (1 - keep)) + b

        return smart_cond(training, dropped, lambda: tf.identity(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        # Keras 2 leaves `noise_shape` out of the config.
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config
