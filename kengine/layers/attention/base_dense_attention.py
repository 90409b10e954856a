"""The shared half of `Attention` and `AdditiveAttention`: masks, softmax, dropout.

Mirrors Keras 2's `layers/attention/base_dense_attention.py`
(`BaseDenseAttention`, `_lower_triangular_mask`, `_merge_masks`).

Both layers take `[query, value]` or `[query, value, key]` with shapes
`(batch, Tq, dim)` and `(batch, Tv, dim)` and differ only in how they score a
query step against a key step (`_calculate_scores`). The rest is here:

```
scores = _calculate_scores(query, key)               # (batch, Tq, Tv)
scores -= 1e9 where (value_mask & causal_mask) is False
weights = softmax(scores)                            # over Tv
weights = dropout(weights) if training               # drops whole key steps
outputs = weights @ value                            # (batch, Tq, dim)
outputs *= query_mask                                # masked query steps -> 0
```

The masks arrive as the `mask` argument (`[query_mask, value_mask]`), which a
functional model fills in from the inputs' `_keras_mask` (e.g. after
`Embedding(mask_zero=True)`); the output carries the query mask on.
"""

import logging

import tensorflow as tf

from kengine.engine.base_layer import Layer
from kengine.utils.control_flow_util import smart_cond

__all__ = ["BaseDenseAttention", "lower_triangular_mask", "merge_masks"]

_logger = logging.getLogger("kengine")


class BaseDenseAttention(Layer):
    """Base class of the dot-product style attention layers.

    Subclasses implement `_calculate_scores(query, key)`.

    Args:
        dropout: float in [0, 1], the fraction of attention weights dropped in
            training.
        **kwargs: base `Layer` arguments; Keras 2's deprecated `causal` (use
            `use_causal_mask` in the call) and `seed` (the dropout's op seed).

    Call arguments:
        inputs: `[query, value]` or `[query, value, key]`; `key` defaults to
            `value`.
        mask: optional `[query_mask, value_mask]`, booleans of shapes
            `(batch, Tq)` and `(batch, Tv)`.
        training: True to apply dropout; None or False for inference.
        return_attention_scores: also return the weights after masking and
            softmax, of shape `(batch, Tq, Tv)`.
        use_causal_mask: stop query step `i` from attending to value steps
            `j > i` (decoder self-attention).
    """

    def __init__(self, dropout: float = 0.0, **kwargs):
        if "causal" in kwargs:
            _logger.warning(
                "`causal` argument is deprecated. Please use `use_causal_mask` in "
                "call() method to specify causal masking."
            )
        causal = kwargs.pop("causal", False)
        seed = kwargs.pop("seed", None)
        super().__init__(**kwargs)
        self.causal = causal
        self.dropout = dropout
        self.seed = seed
        self.supports_masking = True

    def _calculate_scores(self, query, key):
        """Scores of every query step against every key step.

        Args:
            query: `(batch, Tq, dim)`.
            key: `(batch, Tv, dim)`.

        Returns:
            A tensor of shape `(batch, Tq, Tv)`.
        """
        raise NotImplementedError(
            f"{type(self).__name__} must implement `_calculate_scores(query, key)`."
        )

    def _apply_scores(self, scores, value, scores_mask=None, training=None):
        """Softmax of the masked scores (dropped out in training) applied to `value`.

        Args:
            scores: `(batch, Tq, Tv)` float scores.
            value: `(batch, Tv, dim)`.
            scores_mask: boolean, broadcastable to `scores`; False entries get
                (almost) zero weight. Each row needs at least one True.
            training: whether to apply dropout to the weights.

        Returns:
            `(outputs, weights)` of shapes `(batch, Tq, dim)` and
            `(batch, Tq, Tv)`; `weights` are the ones applied (after dropout).
        """
        if scores_mask is not None:
            padding = tf.cast(tf.logical_not(scores_mask), scores.dtype)
            # float16 cannot hold 1e9: its largest finite value does the job.
            large = 65504.0 if scores.dtype == tf.float16 else 1.0e9
            scores -= large * padding
        weights = tf.nn.softmax(scores)
        if self.dropout > 0:
            softmax = weights
            weights = smart_cond(
                training,
                lambda: tf.nn.dropout(softmax, rate=self.dropout, seed=self.seed),
                lambda: tf.identity(softmax),
            )
        # Keras 2 returns the weights after dropout as the attention scores.
        return tf.matmul(weights, value), weights

    def call(
        self,
        inputs,
        mask=None,
        training=None,
        return_attention_scores: bool = False,
        use_causal_mask: bool = False,
    ):
        self._validate_call_args(inputs=inputs, mask=mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = mask[0] if mask else None
        value_mask = mask[1] if mask else None
        scores = self._calculate_scores(query=query, key=key)
        if value_mask is not None:
            value_mask = tf.expand_dims(value_mask, axis=-2)  # (batch, 1, Tv)
        causal_mask = None
        if self.causal or use_causal_mask:
            causal_mask = lower_triangular_mask(tf.shape(scores)[-2:])
        outputs, weights = self._apply_scores(
            scores=scores,
            value=value,
            scores_mask=merge_masks(value_mask, causal_mask),
            training=training,
        )
        if query_mask is not None:
            outputs *= tf.cast(tf.expand_dims(query_mask, axis=-1), outputs.dtype)
        if return_attention_scores:
            return outputs, weights
        return outputs

    def compute_mask(self, inputs, mask=None):
        self._validate_call_args(inputs=inputs, mask=mask)
        if not mask or mask[0] is None:
            return None
        return tf.convert_to_tensor(mask[0])

    def compute_output_shape(self, input_shape):
        return tf.TensorShape(input_shape[0])

    def _validate_call_args(self, inputs, mask) -> None:
        """Raises ValueError unless `inputs` (and `mask`) are lists of 2 or 3."""
        name = type(self).__name__
        if not isinstance(inputs, list):
            raise ValueError(
                f"{name} layer must be called on a list of inputs, namely "
                f"[query, value] or [query, value, key]. Received: {inputs}."
            )
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(
                f"{name} layer accepts inputs list of length 2 or 3, namely "
                "[query, value] or [query, value, key]. "
                f"Received length: {len(inputs)}."
            )
        if mask is None:
            return
        if not isinstance(mask, list):
            raise ValueError(
                f"{name} layer mask must be a list, namely [query_mask, "
                f"value_mask]. Received: {mask}."
            )
        if mask and (len(mask) < 2 or len(mask) > len(inputs)):
            raise ValueError(
                f"{name} layer mask must be a list of length 2, namely "
                f"[query_mask, value_mask]. Received length: {len(mask)}."
            )

    def get_config(self) -> dict:
        config = super().get_config()
        config["dropout"] = self.dropout
        return config


def lower_triangular_mask(shape):
    """A boolean `(rows, cols)` mask, True where `col <= row`.

    Args:
        shape: `(rows, cols)`, ints or scalar int tensors.

    Returns:
        The mask; it broadcasts against any `(..., rows, cols)` scores.

    >>> lower_triangular_mask((2, 3)).numpy()
    array([[ True, False, False],
           [ True,  True, False]])
    """
    rows = tf.range(shape[0])[:, tf.newaxis]
    cols = tf.range(shape[1])[tf.newaxis, :]
    return tf.greater_equal(rows, cols)


def merge_masks(x, y):
    """The logical AND of two optional boolean masks (None means no mask)."""
    if x is None:
        return y
    if y is None:
        return x
    return tf.logical_and(x, y)
