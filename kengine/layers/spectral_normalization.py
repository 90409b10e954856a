"""SpectralNormalization: divide a wrapped layer's kernel by its spectral norm.

Mirrors Keras 2's `layers/normalization/spectral_normalization.py`.

The wrapped layer's `kernel` (or `embeddings`) is viewed as a matrix `W` of shape
`(-1, units)`. Each training call runs `power_iterations` steps of the power
method from the kept vector `u` (a non-trainable weight `vector_u` of shape
`(1, units)`),

```
v = l2_normalize(u @ W.T);  u = l2_normalize(v @ W)     # repeated
sigma = v @ W @ u.T                                      # largest singular value
kernel.assign(W / sigma);  vector_u.assign(u)
```

and then calls the wrapped layer, so its largest singular value stays near 1
(Miyato et al., 2018). Inference calls use the kernel as it is. An all-zero
kernel is left alone (its norm is 0).

Weights: the wrapped layer's (it owns the kernel), then `vector_u`, initialised
from `TruncatedNormal(stddev=0.02)`.
"""

import tensorflow as tf

from kengine import initializers
from kengine.engine.base_layer import Layer
from kengine.engine.input_spec import InputSpec
from kengine.layers.wrappers import Wrapper
from kengine.utils.control_flow_util import smart_cond

__all__ = ["SpectralNormalization"]


class SpectralNormalization(Wrapper):
    """Spectral normalization of a layer's kernel, updated on training calls.

    Args:
        layer: the `Layer` to wrap; it must have a `kernel` or `embeddings`
            weight once built.
        power_iterations: power-method steps per training call (> 0).
        **kwargs: base `Layer` arguments.

    Call arguments:
        inputs: the wrapped layer's inputs.
        training: True to renormalise the kernel before the call.

    Raises:
        ValueError: if `power_iterations` is not positive, or (at build) the
            wrapped layer has neither `kernel` nor `embeddings`.
    """

    def __init__(self, layer: Layer, power_iterations: int = 1, **kwargs):
        super().__init__(layer, **kwargs)
        if power_iterations <= 0:
            raise ValueError(
                "`power_iterations` should be greater than zero. Received: "
                f"`power_iterations={power_iterations}`"
            )
        self.power_iterations = power_iterations

    def build(self, input_shape) -> None:
        super().build(input_shape)
        input_shape = tf.TensorShape(input_shape)
        self.input_spec = InputSpec(shape=[None, *input_shape[1:]])
        if hasattr(self.layer, "kernel"):
            self.kernel = self.layer.kernel
        elif hasattr(self.layer, "embeddings"):
            self.kernel = self.layer.embeddings
        else:
            raise ValueError(
                f"{type(self.layer).__name__} object has no attribute 'kernel' nor "
                "'embeddings'"
            )
        self.kernel_shape = self.kernel.shape.as_list()
        self.vector_u = self.add_weight(
            shape=(1, self.kernel_shape[-1]),
            initializer=initializers.TruncatedNormal(stddev=0.02),
            trainable=False,
            name="vector_u",
            dtype=self.kernel.dtype,
        )

    def call(self, inputs, training=False):
        smart_cond(training, self._update_weights, lambda: None)
        return self.layer(inputs)

    def compute_output_shape(self, input_shape):
        return tf.TensorShape(self.layer.compute_output_shape(input_shape).as_list())

    def _update_weights(self) -> None:
        kernel, vector_u = tf.cond(
            tf.reduce_all(tf.equal(self.kernel, 0)),
            lambda: (tf.identity(self.kernel), tf.identity(self.vector_u)),
            self.normalize_weights,
        )
        self.kernel.assign(kernel)
        self.vector_u.assign(vector_u)

    def normalize_weights(self):
        """The kernel divided by its estimated spectral norm, and the new `u`.

        Returns:
            `(normalized kernel, vector_u)`; neither is assigned here.
        """
        weights = tf.reshape(self.kernel, [-1, self.kernel_shape[-1]])
        vector_u = self.vector_u
        vector_v = self.vector_u
        for _ in range(self.power_iterations):
            vector_v = tf.math.l2_normalize(
                tf.matmul(vector_u, weights, transpose_b=True)
            )
            vector_u = tf.math.l2_normalize(tf.matmul(vector_v, weights))
        # The singular vectors are estimates, not functions to differentiate.
        vector_u = tf.stop_gradient(vector_u)
        vector_v = tf.stop_gradient(vector_v)
        sigma = tf.matmul(tf.matmul(vector_v, weights), vector_u, transpose_b=True)
        return tf.reshape(weights / sigma, self.kernel_shape), vector_u

    def get_config(self) -> dict:
        config = super().get_config()
        config["power_iterations"] = self.power_iterations
        return config
