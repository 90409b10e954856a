"""GroupNormalization: normalise groups of channels within each sample.

Mirrors Keras 2's `layers/normalization/group_normalization.py`.

The channel axis (`axis`, default the last) of size `C` is split into `groups`
groups of `C // groups` channels; mean and variance are taken per sample and
group over that group's channels and every non-batch axis but `axis`:

```
x: (B, ..., C) -> (B, ..., groups, C // groups)
mean, var over every axis but B and groups      (masked entries left out)
y = gamma * (x - mean) / sqrt(var + epsilon) + beta   -> back to (B, ..., C)
```

`groups=1` is LayerNormalization over all non-batch axes with per-channel
`gamma`/`beta`; `groups=C` (or -1) is InstanceNormalization. Weights: `gamma`
then `beta`, both of shape `(C,)`. No state: training and inference agree.

>>> import tensorflow as tf
>>> layer = GroupNormalization(groups=2, epsilon=0.0)
>>> layer(tf.constant([[1.0, 3.0, 0.0, 10.0]])).numpy()
array([[-1., 1., -1., 1.]], dtype=float32)
"""

import tensorflow as tf

from kengine import constraints, initializers, regularizers
from kengine.engine.base_layer import Layer
from kengine.engine.input_spec import InputSpec
from kengine.utils.axis_utils import validate_axis

__all__ = ["GroupNormalization"]


class GroupNormalization(Layer):
    """Group normalization (Yuxin Wu and Kaiming He, 2018).

    Args:
        groups: number of channel groups; must divide the channel count.
            -1 means one group per channel.
        axis: the channel axis (an int).
        epsilon: added to the variance before the square root.
        center: whether to learn an offset `beta`.
        scale: whether to learn a scale `gamma`.
        beta_initializer, gamma_initializer: their initializers.
        beta_regularizer, gamma_regularizer: their regularizers.
        beta_constraint, gamma_constraint: their constraints.
        **kwargs: base `Layer` arguments.

    Call arguments:
        inputs: a tensor of any rank >= 2.
        mask: optional, broadcastable to `inputs`; entries where it is 0 don't
            count towards the statistics.

    Raises:
        ValueError: at build time, if the channel axis is unknown or out of
            range, or `groups` exceeds or does not divide the channel count.
    """

    def __init__(
        self,
        groups: int = 32,
        axis: int = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape) -> None:
        input_shape = tf.TensorShape(input_shape)
        validate_axis(self.axis, input_shape)
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(
                f"Axis {self.axis} of input tensor should have a defined dimension "
                f"but the layer received an input with shape {input_shape}."
            )
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(
                f"Number of groups ({self.groups}) cannot be more than the number "
                f"of channels ({dim})."
            )
        if dim % self.groups != 0:
            # Keras 2's wording (the channels must be a multiple of the groups).
            raise ValueError(
                f"Number of groups ({self.groups}) must be a multiple of the number "
                f"of channels ({dim})."
            )
        self.input_spec = InputSpec(ndim=input_shape.rank, axes={self.axis: dim})
        self.gamma = self.beta = None
        if self.scale:
            self.gamma = self.add_weight(
                shape=(dim,),
                name="gamma",
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
        if self.center:
            self.beta = self.add_weight(
                shape=(dim,),
                name="beta",
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )
        super().build(input_shape)

    def call(self, inputs, mask=None):
        input_shape = tf.shape(inputs)
        if mask is None:
            mask = tf.ones_like(inputs)
        else:
            # Broadcast first: a mask may leave out axes the groups split.
            mask = tf.broadcast_to(mask, input_shape)
        grouped = self._reshape_into_groups(inputs)
        weights = tf.cast(self._reshape_into_groups(mask), grouped.dtype)
        reduction_axes = list(range(1, grouped.shape.rank))
        reduction_axes.pop(self.axis - 1)  # keep the groups axis
        mean, variance = tf.nn.weighted_moments(
            grouped, axes=reduction_axes, frequency_weights=weights, keepdims=True
        )
        gamma, beta = self._grouped_weights(inputs.shape.rank, input_shape)
        normalized = tf.nn.batch_normalization(
            grouped,
            mean=mean,
            variance=variance,
            scale=gamma,
            offset=beta,
            variance_epsilon=self.epsilon,
        )
        return tf.reshape(normalized, input_shape)

    def _group_shape(self, sizes: list) -> list:
        """`sizes` with the channel axis split into `(groups, channels // groups)`."""
        sizes = list(sizes)
        sizes[self.axis] = sizes[self.axis] // self.groups
        sizes.insert(self.axis, self.groups)
        return sizes

    def _reshape_into_groups(self, inputs):
        dynamic = tf.shape(inputs)
        sizes = [dynamic[i] for i in range(inputs.shape.rank)]
        return tf.reshape(inputs, tf.stack(self._group_shape(sizes)))

    def _grouped_weights(self, rank: int, input_shape):
        """`gamma` and `beta` reshaped to broadcast against the grouped inputs."""
        sizes = [1] * rank
        sizes[self.axis] = input_shape[self.axis]
        shape = self._group_shape(sizes)
        gamma = tf.reshape(self.gamma, shape) if self.scale else None
        beta = tf.reshape(self.beta, shape) if self.center else None
        return gamma, beta

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "groups": self.groups,
                "axis": self.axis,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint),
            }
        )
        return config
