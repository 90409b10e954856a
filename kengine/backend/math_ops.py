"""`K.*` math beyond `common`: trigonometry, activations, normalization, folds.

Mirrors the corresponding functions of Keras 2's `backend.py` (`cos`, `sin`,
`cumsum`, `cumprod`, `l2_normalize`, `in_top_k`, `stop_gradient`, `elu`,
`hard_sigmoid`, `softsign`, `bias_add`, `map_fn`, `foldl`, `foldr`,
`print_tensor`), each one TensorFlow op (or a short composition) with Keras 2's
argument names.

>>> import numpy as np
>>> [round(float(v), 3) for v in l2_normalize(np.array([3.0, 4.0]), axis=0)]
[0.6, 0.8]
>>> hard_sigmoid(np.array([-3.0, 0.0, 3.0])).numpy().tolist()
[0.0, 0.5, 1.0]
"""

import sys

import tensorflow as tf

from kengine.backend.common import image_data_format

__all__ = [
    "cos",
    "sin",
    "cumsum",
    "cumprod",
    "l2_normalize",
    "in_top_k",
    "stop_gradient",
    "elu",
    "hard_sigmoid",
    "softsign",
    "bias_add",
    "map_fn",
    "foldl",
    "foldr",
    "print_tensor",
]


def cos(x):
    """Element-wise cosine."""
    return tf.cos(x)


def sin(x):
    """Element-wise sine."""
    return tf.sin(x)


def cumsum(x, axis=0):
    """Cumulative sum along `axis`."""
    return tf.cumsum(x, axis=axis)


def cumprod(x, axis=0):
    """Cumulative product along `axis`."""
    return tf.math.cumprod(x, axis=axis)


def l2_normalize(x, axis=None):
    """Divides `x` by its L2 norm along `axis` (all axes when None)."""
    return tf.linalg.l2_normalize(x, axis=axis)


def in_top_k(predictions, targets, k):
    """Whether each `targets[i]` is among the `k` largest of `predictions[i]`.

    Args:
        predictions: float tensor `(batch, classes)`.
        targets: integer tensor `(batch,)` of class ids.
        k: how many top entries count.

    Returns:
        A boolean tensor `(batch,)`.
    """
    return tf.math.in_top_k(targets, predictions, k)


def stop_gradient(variables):
    """`x` with its gradient stopped; a list gives a list (Keras 2 gives a map)."""
    if isinstance(variables, list | tuple):
        return [tf.stop_gradient(v) for v in variables]
    return tf.stop_gradient(variables)


def elu(x, alpha=1.0):
    """Exponential linear unit: `x` if `x > 0`, else `alpha * (exp(x) - 1)`."""
    res = tf.nn.elu(x)
    return res if alpha == 1 else tf.where(x > 0, res, alpha * res)


def hard_sigmoid(x):
    """Piecewise-linear sigmoid: `clip(0.2 * x + 0.5, 0, 1)`."""
    x = tf.convert_to_tensor(x)
    x = x * tf.cast(0.2, x.dtype) + tf.cast(0.5, x.dtype)
    return tf.clip_by_value(x, 0.0, 1.0)


def softsign(x):
    """`x / (1 + |x|)`."""
    return tf.nn.softsign(x)


def bias_add(x, bias, data_format=None):
    """Adds a bias vector (or a per-position bias tensor) to `x`.

    Args:
        x: a tensor of rank >= 2.
        bias: of shape `(channels,)`, or `x`'s shape without the batch axis.
        data_format: "channels_last" or "channels_first" (default: global).

    Returns:
        `x + bias`, broadcast along the channel axis.

    Raises:
        ValueError: for an unknown `data_format` or a bias of the wrong rank.
    """
    data_format = data_format or image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"Unknown data_format: {data_format}")
    bias_rank = len(bias.shape)
    if bias_rank not in (1, len(x.shape) - 1):
        raise ValueError(
            f"Unexpected bias dimensions {bias_rank}. Expected it to be 1 or "
            f"{len(x.shape) - 1}."
        )
    if bias_rank == 1:
        fmt = "NCHW" if data_format == "channels_first" else "NHWC"
        return tf.nn.bias_add(x, bias, data_format=fmt if len(x.shape) > 2 else None)
    if data_format == "channels_first" and len(x.shape) > 2:
        # A per-position bias written channels-last: move its channels first.
        bias = tf.transpose(bias, [bias_rank - 1, *range(bias_rank - 1)])
    return x + bias


def map_fn(fn, elems, name=None, dtype=None):
    """Applies `fn` to each element of `elems` along axis 0; stacks the results."""
    return tf.map_fn(fn, elems, name=name, fn_output_signature=dtype)


def foldl(fn, elems, initializer=None, name=None):
    """Reduces `elems` along axis 0 from the left with `fn(accumulator, x)`."""
    return tf.foldl(fn, elems, initializer=initializer, name=name)


def foldr(fn, elems, initializer=None, name=None):
    """Reduces `elems` along axis 0 from the right with `fn(accumulator, x)`."""
    return tf.foldr(fn, elems, initializer=initializer, name=name)


def print_tensor(x, message="", summarize=3):
    """Prints `message` and the value of `x` (also inside `tf.function`); returns `x`."""
    tf.print(message, x, output_stream=sys.stdout, summarize=summarize)
    return x
