"""Attention: dot-product (Luong-style) attention over a query and a value sequence.

Mirrors Keras 2's `layers/attention/attention.py` (`Attention`).

The score of query step `i` against key step `j` is, for `score_mode="dot"`,
`scale * dot(query[i], key[j])`, and for `score_mode="concat"`,
`concat_score_weight * sum(tanh(scale * (query[i] + key[j])))`. `scale` is a
trainable scalar when `use_scale=True` (1 otherwise); masking, softmax, dropout
and the weighted sum of `value` are `BaseDenseAttention`'s.

Weights, in creation order: `scale` (with `use_scale`), then
`concat_score_weight` (with `score_mode="concat"`), both scalars starting at 1.

>>> import tensorflow as tf
>>> query = tf.constant([[[1.0, 0.0]]])
>>> value = tf.constant([[[1.0, 0.0], [0.0, 1.0]]])
>>> outputs, scores = Attention()([query, value], return_attention_scores=True)
>>> scores.numpy().round(3)  # softmax([1, 0])
array([[[0.731, 0.269]]], dtype=float32)
"""

import tensorflow as tf

from kengine.layers.attention.base_dense_attention import BaseDenseAttention

__all__ = ["Attention"]

_SCORE_MODES = ("dot", "concat")


class Attention(BaseDenseAttention):
    """Dot-product attention layer, a.k.a. Luong-style attention.

    Args:
        use_scale: learn a scalar that multiplies the scores.
        score_mode: `"dot"` (query-key dot product) or `"concat"` (sum of the
            tanh of query plus key).
        dropout: fraction of the attention weights dropped in training.
        **kwargs: base `Layer` arguments (and `seed`, see `BaseDenseAttention`).

    Call arguments: as `BaseDenseAttention`: `inputs=[query, value(, key)]`,
    `mask`, `training`, `return_attention_scores`, `use_causal_mask`.

    Raises:
        ValueError: for a `score_mode` other than "dot" or "concat".
    """

    def __init__(self, use_scale: bool = False, score_mode: str = "dot", **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.score_mode = score_mode
        if score_mode not in _SCORE_MODES:
            raise ValueError(
                f"Received: score_mode={score_mode}. Acceptable values are: "
                '["dot", "concat"]'
            )

    def build(self, input_shape) -> None:
        self.scale = None
        if self.use_scale:
            self.scale = self.add_weight(
                name="scale", shape=(), initializer="ones", dtype=self.dtype
            )
        self.concat_score_weight = None
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(
                name="concat_score_weight",
                shape=(),
                initializer="ones",
                dtype=self.dtype,
            )
        super().build(input_shape)

    def _calculate_scores(self, query, key):
        if self.score_mode == "dot":
            scores = tf.matmul(query, key, transpose_b=True)
            return scores * self.scale if self.scale is not None else scores
        # (batch, Tq, 1, dim) + (batch, 1, Tv, dim): every query-key pair.
        pairs = tf.expand_dims(query, axis=-2) + tf.expand_dims(key, axis=-3)
        if self.scale is not None:
            pairs = self.scale * pairs
        return self.concat_score_weight * tf.reduce_sum(tf.tanh(pairs), axis=-1)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"use_scale": self.use_scale, "score_mode": self.score_mode})
        return config
