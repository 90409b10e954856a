"""MultiHeadAttention: the attention layer of "Attention is all you need".

Mirrors Keras 2's `layers/attention/multi_head_attention.py`
(`MultiHeadAttention`, `_build_attention_equation`, `_build_proj_equation`,
`_get_output_shape`).

How a call flows (`N` heads, `T` query steps, `S` value steps):

```
query (B, T, dim)  -> query dense    -> (B, T, N, key_dim)     # EinsumDense "query"
key   (B, S, dim)  -> key dense      -> (B, S, N, key_dim)     # EinsumDense "key"
value (B, S, dim)  -> value dense    -> (B, S, N, value_dim)   # EinsumDense "value"
scores  = einsum(key, query / sqrt(key_dim))                   # (B, N, T, S)
scores  = softmax(scores, mask=attention_mask)                 # over S
context = einsum(dropout(scores), value)                       # (B, T, N, value_dim)
output  = output dense(context)                                # (B, T, dim or output_shape)
```

With `attention_axes` the "steps" may be several axes (e.g. `(2, 3)` of a 5D
input attends over a 2D grid); the einsum equations are derived from the ranks
(`_build_attention_equation`, `_build_proj_equation`).

The sublayers are created on the first call, when the shapes of query, value and
key are known (`_build_from_signature`), and built by their own first call under
this layer's name scope; so the weights are named as Keras 2 names them, in this
order: `<name>/query/kernel:0`, `<name>/query/bias:0`, then `key`, `value` and
`attention_output` likewise (no biases with `use_bias=False`). An h5 file holds
them under the layer's group at exactly those paths.

The attention mask is the AND of the explicit `attention_mask` (B, T, S), the
query's `_keras_mask` (B, T, 1), the value's and key's (B, 1, S) (e.g. from
`Embedding(mask_zero=True)`), and, with `use_causal_mask=True`, a
lower-triangular (1, T, S) mask. The output carries the query's mask on.

>>> import tensorflow as tf
>>> layer = MultiHeadAttention(num_heads=2, key_dim=3)
>>> outputs, scores = layer(tf.zeros((1, 4, 5)), tf.zeros((1, 6, 5)),
...                         return_attention_scores=True)
>>> outputs.shape, scores.shape
(TensorShape([1, 4, 5]), TensorShape([1, 2, 4, 6]))
>>> [w.name for w in layer.weights][:2]
['multi_head_attention/query/kernel:0', 'multi_head_attention/query/bias:0']
"""

import collections.abc
import logging
import math
import string

import tensorflow as tf

from kengine import constraints, initializers, regularizers
from kengine.engine.base_layer import Layer
from kengine.layers.activation import Softmax
from kengine.layers.einsum_dense import EinsumDense
from kengine.layers.regularization import Dropout

__all__ = ["MultiHeadAttention"]

_LETTERS = string.ascii_lowercase
_logger = logging.getLogger("kengine")


def _build_attention_equation(rank: int, attn_axes: tuple) -> tuple[str, str, int]:
    """The einsum equations of the score and combine steps.

    The projected tensors have shape `(batch, <other axes>, <attention axes>,
    heads, channels)`; every axis but the attention axes and the channels
    (the heads included) is a batch axis of the attention.

    Args:
        rank: the rank of the projected query, key and value.
        attn_axes: the attention axes, in `[1, rank - 2)`.

    Returns:
        `(dot_product_equation, combine_equation, rank of the scores)`.

    >>> _build_attention_equation(4, (1,))
    ('aecd,abcd->acbe', 'acbe,aecd->abcd', 4)
    """
    target = _LETTERS[:rank]
    attn = {a % rank for a in attn_axes}
    batch_dims = [i for i in range(rank) if i not in attn and i != rank - 1]
    # The key/value side: fresh letters on the attention axes (S instead of T).
    source, offset = "", rank
    for i in range(rank):
        if i in batch_dims or i == rank - 1:
            source += target[i]
        else:
            source += _LETTERS[offset]
            offset += 1
    product = (
        "".join(target[i] for i in batch_dims)
        + "".join(target[i] for i in attn_axes)
        + "".join(source[i] for i in attn_axes)
    )
    dot_product = f"{source},{target}->{product}"
    combine = f"{product},{source}->{target}"
    return dot_product, combine, len(product)


def _build_proj_equation(free_dims: int, bound_dims: int, output_dims: int):
    """The einsum equation of a projection: contract `bound_dims`, add `output_dims`.

    Returns:
        `(equation, bias_axes, output rank)`.

    >>> _build_proj_equation(2, bound_dims=1, output_dims=2)
    ('abc,cde->abde', 'de', 4)
    """
    free = _LETTERS[:free_dims]
    bound = _LETTERS[free_dims : free_dims + bound_dims]
    new = _LETTERS[free_dims + bound_dims : free_dims + bound_dims + output_dims]
    equation = f"{free}{bound},{bound}{new}->{free}{new}"
    return equation, new, len(free) + len(new)


def _get_output_shape(output_rank: int, known_last_dims) -> list:
    """`[None, ..., *known_last_dims]` of length `output_rank` (batch excluded)."""
    return [None] * (output_rank - len(known_last_dims)) + list(known_last_dims)


def _clone_initializer(initializer):
    # A fresh instance per sublayer: a seeded initializer object called twice
    # would give every projection the same values.
    if hasattr(initializer, "get_config"):
        return type(initializer).from_config(initializer.get_config())
    return initializer


def _sublayer_name(base: str) -> str | None:
    """The name of an unnamed sublayer created on the first call.

    Keras 2 counts default layer names per graph. Created while a graph is
    traced (functional construction, a `tf.function`), the sublayer is the
    first of its kind in that graph and leaves the session's counter alone, so
    the user's next `Dropout` is still `dropout_<n>` as there. Created eagerly,
    it takes the next name from the session's counter (None).
    """
    return base if tf.inside_function() else None


def _shape_or_none(shape) -> list | None:
    return None if shape is None else tf.TensorShape(shape).as_list()


class MultiHeadAttention(Layer):
    """Multi-head attention layer (Vaswani et al., 2017).

    Args:
        num_heads: number of attention heads.
        key_dim: size of each head for query and key.
        value_dim: size of each head for value (default `key_dim`).
        dropout: dropout rate of the attention weights.
        use_bias: whether the four projections have biases.
        output_shape: shape of the output besides the batch and attention axes
            (an int or a tuple); default: the query's last dimension.
        attention_axes: the axes attention runs over (an int or a tuple);
            None: every axis but the batch, heads and features.
        kernel_initializer, bias_initializer: initializers of the projections.
        kernel_regularizer, bias_regularizer: their regularizers.
        activity_regularizer: regularizer of the projections' and this layer's
            outputs (Keras 2 applies it to both).
        kernel_constraint, bias_constraint: their constraints.
        softmax_robust_masking: mask with `where` instead of adding a large
            negative number (safe for very negative scores).
        **kwargs: base `Layer` arguments.

    Call arguments:
        query: `(B, T, dim)`.
        value: `(B, S, dim)`.
        key: optional `(B, S, dim)`; default `value`.
        attention_mask: optional boolean `(B, T, S)`: which query steps may
            attend to which key steps; broadcast over heads.
        return_attention_scores: also return the attention weights
            `(B, N, T, S)`.
        training: True to apply dropout.
        use_causal_mask: stop step `i` from attending to steps `j > i`.

    Returns:
        The attention output `(B, T, E)` (`E` the query's last dimension or
        `output_shape`), and with `return_attention_scores` the weights.
    """

    def __init__(
        self,
        num_heads: int,
        key_dim: int,
        value_dim: int | None = None,
        dropout: float = 0.0,
        use_bias: bool = True,
        output_shape=None,
        attention_axes=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        softmax_robust_masking: bool = False,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.supports_masking = True
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout = dropout
        self._use_bias = use_bias
        self._output_shape = output_shape
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        self._softmax_robust_masking = softmax_robust_masking
        if attention_axes is not None and not isinstance(
            attention_axes, collections.abc.Sized
        ):
            attention_axes = (attention_axes,)
        self._attention_axes = attention_axes
        self._built_from_signature = False
        self._query_shape = self._key_shape = self._value_shape = None

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "num_heads": self._num_heads,
                "key_dim": self._key_dim,
                "value_dim": self._value_dim,
                "dropout": self._dropout,
                "use_bias": self._use_bias,
                "output_shape": self._output_shape,
                "attention_axes": self._attention_axes,
                "kernel_initializer": initializers.serialize(self._kernel_initializer),
                "bias_initializer": initializers.serialize(self._bias_initializer),
                "kernel_regularizer": regularizers.serialize(self._kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self._bias_regularizer),
                "activity_regularizer": regularizers.serialize(
                    self.activity_regularizer
                ),
                "kernel_constraint": constraints.serialize(self._kernel_constraint),
                "bias_constraint": constraints.serialize(self._bias_constraint),
                # Keras 2 writes TensorShapes; their JSON form is a list.
                "query_shape": _shape_or_none(self._query_shape),
                "key_shape": _shape_or_none(self._key_shape),
                "value_shape": _shape_or_none(self._value_shape),
                "softmax_robust_masking": self._softmax_robust_masking,
            }
        )
        return config

    @classmethod
    def from_config(cls, config: dict):
        """Creates the layer; with the recorded shapes, its sublayers too."""
        config = dict(config)
        shapes = [
            config.pop(k, None) for k in ("query_shape", "key_shape", "value_shape")
        ]
        layer = cls(**config)
        query_shape, key_shape, value_shape = shapes
        if None in shapes:
            _logger.warning(
                "One of dimensions of the input shape is missing. It should have "
                "been memorized when the layer was serialized. %s is created "
                "without weights.",
                cls,
            )
        else:
            layer._build_from_signature(query_shape, value_shape, key_shape)
        return layer

    # ------------------------------------------------------------------- build
    def _build_from_signature(self, query, value, key=None) -> None:
        """Creates the sublayers for these shapes (tensors or shapes).

        The projections get their weights on their first call. Custom layers
        that hold a MultiHeadAttention call this from their `build`, as in
        Keras 2.
        """
        self._built_from_signature = True
        self._query_shape = tf.TensorShape(getattr(query, "shape", query))
        self._value_shape = tf.TensorShape(getattr(value, "shape", value))
        if key is None:
            self._key_shape = self._value_shape
        else:
            self._key_shape = tf.TensorShape(getattr(key, "shape", key))
        free_dims = self._query_shape.rank - 1
        self._query_dense = self._projection("query", self._query_shape, self._key_dim)
        self._key_dense = self._projection("key", self._key_shape, self._key_dim)
        self._value_dense = self._projection(
            "value", self._value_shape, self._value_dim
        )
        self._build_attention(free_dims + 2)
        self._output_dense = self._make_output_dense(
            free_dims, self._get_common_kwargs_for_sublayer(), "attention_output"
        )

    def _projection(self, name: str, shape: tf.TensorShape, size: int):
        """The EinsumDense mapping `(..., dim)` to `(..., num_heads, size)`."""
        equation, bias_axes, output_rank = _build_proj_equation(
            shape.rank - 1, bound_dims=1, output_dims=2
        )
        return EinsumDense(
            equation,
            output_shape=_get_output_shape(output_rank - 1, [self._num_heads, size]),
            bias_axes=bias_axes if self._use_bias else None,
            name=name,
            **self._get_common_kwargs_for_sublayer(),
        )

    def _get_common_kwargs_for_sublayer(self) -> dict:
        return {
            "kernel_regularizer": self._kernel_regularizer,
            "bias_regularizer": self._bias_regularizer,
            "activity_regularizer": self.activity_regularizer,
            "kernel_constraint": self._kernel_constraint,
            "bias_constraint": self._bias_constraint,
            "dtype": self.dtype,
            "kernel_initializer": _clone_initializer(self._kernel_initializer),
            "bias_initializer": _clone_initializer(self._bias_initializer),
        }

    def _make_output_dense(self, free_dims: int, common_kwargs: dict, name=None):
        """The EinsumDense mapping `(..., num_heads, value_dim)` to the output."""
        if self._output_shape:
            output_shape = self._output_shape
            if not isinstance(output_shape, collections.abc.Sized):
                output_shape = [output_shape]
        else:
            output_shape = [self._query_shape[-1]]
        equation, bias_axes, output_rank = _build_proj_equation(
            free_dims, bound_dims=2, output_dims=len(output_shape)
        )
        return EinsumDense(
            equation,
            output_shape=_get_output_shape(output_rank - 1, output_shape),
            bias_axes=bias_axes if self._use_bias else None,
            name=name,
            **common_kwargs,
        )

    def _build_attention(self, rank: int) -> None:
        """Sets the einsum equations and creates the softmax and dropout layers."""
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        else:
            self._attention_axes = tuple(self._attention_axes)
        self._dot_product_equation, self._combine_equation, scores_rank = (
            _build_attention_equation(rank, attn_axes=self._attention_axes)
        )
        norm_axes = tuple(range(scores_rank - len(self._attention_axes), scores_rank))
        self._softmax = Softmax(
            axis=norm_axes,
            robust_masking=self._softmax_robust_masking,
            dtype=self.dtype,
            name=_sublayer_name("softmax"),
        )
        self._dropout_layer = Dropout(
            rate=self._dropout, dtype=self.dtype, name=_sublayer_name("dropout")
        )

    # -------------------------------------------------------------------- call
    def _masked_softmax(self, attention_scores, attention_mask=None):
        """Softmax over the key axes; the mask is broadcast over the heads."""
        if attention_mask is not None:
            # Insert the heads axis (and any missing batch-like axes) in front of
            # the query and key attention axes.
            axis = -len(self._attention_axes) * 2 - 1
            for _ in range(attention_scores.shape.rank - attention_mask.shape.rank):
                attention_mask = tf.expand_dims(attention_mask, axis=axis)
        return self._softmax(attention_scores, attention_mask)

    def _compute_attention(self, query, key, value, attention_mask=None, training=None):
        """Dot-product attention of projected `(B, T, N, H)` tensors.

        Returns:
            `(attention_output (B, T, N, value_dim), attention_scores)`; the
            scores are taken before dropout.
        """
        # Scaling the query (the smaller operand) rather than the scores, as
        # Keras 2 does: the rounding differs slightly between the two.
        query = tf.multiply(query, 1.0 / math.sqrt(float(self._key_dim)))
        attention_scores = tf.einsum(self._dot_product_equation, key, query)
        attention_scores = self._masked_softmax(attention_scores, attention_mask)
        # Drops whole key steps per head, as the original Transformer does.
        dropped = self._dropout_layer(attention_scores, training=training)
        attention_output = tf.einsum(self._combine_equation, dropped, value)
        return attention_output, attention_scores

    def call(
        self,
        query,
        value,
        key=None,
        attention_mask=None,
        return_attention_scores: bool = False,
        training=None,
        use_causal_mask: bool = False,
    ):
        if not self._built_from_signature:
            self._build_from_signature(query=query, value=value, key=key)
        if key is None:
            key = value
        query, key, value, query_lengths = _dense_inputs(query, key, value)
        attention_mask = self._compute_attention_mask(
            query,
            value,
            key=key,
            attention_mask=attention_mask,
            use_causal_mask=use_causal_mask,
        )
        query = self._query_dense(query)
        key = self._key_dense(key)
        value = self._value_dense(value)
        attention_output, attention_scores = self._compute_attention(
            query, key, value, attention_mask, training
        )
        attention_output = self._output_dense(attention_output)
        if query_lengths is not None:
            attention_output = tf.RaggedTensor.from_tensor(
                attention_output, lengths=query_lengths
            )
        if return_attention_scores:
            return attention_output, attention_scores
        return attention_output

    def _compute_attention_mask(
        self, query, value, key=None, attention_mask=None, use_causal_mask=False
    ):
        """The `(B, T, S)` mask: the explicit one AND the inputs' and causal masks.

        Returns:
            A boolean mask broadcastable to `(B, T, S)`, or None when there is
            no mask at all.
        """
        masks = []
        query_mask = getattr(query, "_keras_mask", None)
        if query_mask is not None:
            masks.append(tf.cast(query_mask, tf.bool)[:, :, tf.newaxis])
        for tensor in (value, key):
            mask = getattr(tensor, "_keras_mask", None)
            if mask is not None:
                masks.append(tf.cast(mask, tf.bool)[:, tf.newaxis, :])
        if use_causal_mask:
            masks.append(self._compute_causal_mask(query, value))
        if not masks:
            return attention_mask
        auto_mask = masks[0]
        for mask in masks[1:]:
            auto_mask = auto_mask & mask
        if attention_mask is None:
            return auto_mask
        return tf.cast(attention_mask, tf.bool) & auto_mask

    def _compute_causal_mask(self, query, value=None):
        """A `(1, T, S)` boolean mask, True where the key step is not in the future.

        >>> MultiHeadAttention(1, 1)._compute_causal_mask(tf.zeros((1, 2, 1))).numpy()
        array([[[ True, False],
                [ True,  True]]])
        """
        query_length = tf.shape(query)[1]
        value_length = query_length if value is None else tf.shape(value)[1]
        ones = tf.ones((1, query_length, value_length), tf.bool)
        return tf.linalg.band_part(ones, -1, 0)

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        """The output shape for these input shapes (`key_shape` defaults to value's).

        Raises:
            ValueError: if query and value differ in their last dimension, or
                value and key in any but their last.
        """
        key_shape = value_shape if key_shape is None else key_shape
        query_shape = tf.TensorShape(query_shape)
        value_shape = tf.TensorShape(value_shape)
        key_shape = tf.TensorShape(key_shape)
        if query_shape[-1] != value_shape[-1]:
            raise ValueError(
                "The last dimension of `query_shape` and `value_shape` must be "
                f"equal, but are {query_shape[-1]}, {value_shape[-1]}. Received: "
                f"query_shape={query_shape}, value_shape={value_shape}"
            )
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError(
                "All dimensions of `value` and `key`, except the last one, must be "
                f"equal. Received {value_shape} and {key_shape}"
            )
        if self._output_shape:
            return query_shape[:-1].concatenate(self._output_shape)
        return query_shape


def _dense_inputs(query, key, value):
    """Ragged inputs as padded tensors; also the query's row lengths (or None)."""
    query_lengths = None
    if isinstance(query, tf.RaggedTensor):
        query_lengths = query.nested_row_lengths()
        query = query.to_tensor()
    key_ragged = isinstance(key, tf.RaggedTensor)
    value_ragged = isinstance(value, tf.RaggedTensor)
    if key_ragged and value_ragged:
        # Pad both to one shape so key step j and value step j stay paired.
        shape = tf.math.maximum(key.bounding_shape(), value.bounding_shape())
        key, value = key.to_tensor(shape=shape), value.to_tensor(shape=shape)
    elif key_ragged:
        key = key.to_tensor(shape=tf.shape(value))
    elif value_ragged:
        value = value.to_tensor(shape=tf.shape(key))
    return query, key, value, query_lengths
