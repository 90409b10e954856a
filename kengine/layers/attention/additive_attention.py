"""AdditiveAttention: Bahdanau-style attention over a query and a value sequence.

Mirrors Keras 2's `layers/attention/additive_attention.py` (`AdditiveAttention`).

The score of query step `i` against key step `j` is
`sum(scale * tanh(query[i] + key[j]))`, where `scale` is a trainable vector of
the value's feature size (`use_scale=True`, the default, initialised
glorot_uniform) or 1. Masking, softmax, dropout and the weighted sum of `value`
are `BaseDenseAttention`'s.

>>> import tensorflow as tf
>>> layer = AdditiveAttention(use_scale=False)
>>> layer([tf.zeros((2, 3, 4)), tf.zeros((2, 5, 4))]).shape
TensorShape([2, 3, 4])
"""

import tensorflow as tf

from kengine.layers.attention.base_dense_attention import BaseDenseAttention

__all__ = ["AdditiveAttention"]


class AdditiveAttention(BaseDenseAttention):
    """Additive attention layer, a.k.a. Bahdanau-style attention.

    Args:
        use_scale: learn a per-feature scale of the tanh terms (weight
            `scale`, of shape `(dim,)`).
        dropout: fraction of the attention weights dropped in training.
        **kwargs: base `Layer` arguments (and `seed`, see `BaseDenseAttention`).

    Call arguments: as `BaseDenseAttention`: `inputs=[query, value(, key)]`,
    `mask`, `training`, `return_attention_scores`, `use_causal_mask`.
    """

    def __init__(self, use_scale: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale

    def build(self, input_shape) -> None:
        dim = tf.TensorShape(input_shape[1])[-1]
        self.scale = None
        if self.use_scale:
            self.scale = self.add_weight(
                name="scale",
                shape=[dim],
                initializer="glorot_uniform",
                dtype=self.dtype,
            )
        super().build(input_shape)

    def _calculate_scores(self, query, key):
        # (batch, Tq, 1, dim) + (batch, 1, Tv, dim): every query-key pair.
        pairs = tf.tanh(tf.expand_dims(query, axis=-2) + tf.expand_dims(key, axis=-3))
        scale = self.scale if self.use_scale else 1.0
        return tf.reduce_sum(scale * pairs, axis=-1)

    def get_config(self) -> dict:
        config = super().get_config()
        config["use_scale"] = self.use_scale
        return config
