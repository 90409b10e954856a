"""`K.*` tensor helpers: creating, indexing, repeating, padding and updating tensors.

Mirrors the corresponding functions of Keras 2's `backend.py` (`one_hot`,
`eye`, `arange`, `gather`, `tile`, `repeat`, `repeat_elements`,
`permute_dimensions`, `reverse`, `batch_flatten`, `temporal_padding`,
`spatial_2d_padding`, `spatial_3d_padding`, `count_params`, `is_sparse`,
`to_dense`, `update`, `update_add`, `update_sub`, `moving_average_update`).
Each is a thin wrapper over TensorFlow with Keras 2's argument names and
defaults, so code written as `K.repeat_elements(x, 2, axis=1)` runs unchanged.

>>> import numpy as np
>>> one_hot(np.array([0, 2]), 3).numpy().tolist()
[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
>>> repeat_elements(np.array([[1, 2]]), 2, axis=1).numpy().tolist()
[[1, 1, 2, 2]]
"""

import numpy as np
import tensorflow as tf

from kengine.backend.common import floatx, image_data_format, variable

__all__ = [
    "one_hot",
    "eye",
    "arange",
    "gather",
    "tile",
    "repeat",
    "repeat_elements",
    "permute_dimensions",
    "reverse",
    "batch_flatten",
    "temporal_padding",
    "spatial_2d_padding",
    "spatial_3d_padding",
    "count_params",
    "is_sparse",
    "to_dense",
    "update",
    "update_add",
    "update_sub",
    "moving_average_update",
]


def one_hot(indices, num_classes):
    """One-hot encodes integer `indices` along a new last axis.

    Args:
        indices: integer tensor of shape `(d0, ..., dn)`.
        num_classes: the size of the new axis.

    Returns:
        A float tensor of shape `(d0, ..., dn, num_classes)`.
    """
    return tf.one_hot(indices, depth=num_classes, axis=-1)


def eye(size, dtype=None, name=None):
    """A variable holding an identity matrix (`size` int, or `(rows, cols)`).

    Args:
        size: number of rows (a square matrix), or a `(rows, cols)` tuple.
        dtype: default `floatx()`.
        name: the variable's name.

    Returns:
        A `tf.Variable`.
    """
    dtype = dtype or floatx()
    if isinstance(size, list | tuple):
        matrix = tf.eye(size[0], size[1], dtype=dtype)
    else:
        matrix = tf.eye(size, dtype=dtype)
    return variable(matrix, dtype=dtype, name=name)


def arange(start, stop=None, step=1, dtype="int32"):
    """A 1D tensor `start, start + step, ...` below `stop` (NumPy's `arange`).

    Args:
        start: first value (or, with `stop=None`, the end; negative means 0).
        stop: end, excluded.
        step: increment.
        dtype: dtype of the result.

    Returns:
        A 1D tensor.
    """
    if stop is None and start < 0:
        start = 0
    result = tf.range(start, limit=stop, delta=step, name="arange")
    return result if dtype == "int32" else tf.cast(result, dtype)


def gather(reference, indices):
    """Rows `indices` of `reference` (along axis 0)."""
    return tf.gather(reference, indices)


def tile(x, n):
    """Repeats `x` `n[i]` times along axis `i` (an int `n` tiles a 1D tensor)."""
    if isinstance(n, int):
        n = [n]
    return tf.tile(x, n)


def repeat(x, n):
    """Repeats a `(batch, dim)` tensor `n` times along a new axis 1.

    Returns:
        A tensor of shape `(batch, n, dim)`.

    Raises:
        ValueError: if `x` is not 2D.
    """
    if len(x.shape) != 2:
        raise ValueError(
            f"`K.repeat` expects a 2D tensor. Received: x of shape {x.shape}"
        )
    return tf.tile(tf.expand_dims(x, 1), [1, n, 1])


def repeat_elements(x, rep, axis):
    """Repeats each element of `x` `rep` times along `axis` (`np.repeat`)."""
    return tf.repeat(x, rep, axis=axis)


def permute_dimensions(x, pattern):
    """Transposes `x` to the axis order `pattern`, e.g. `(0, 2, 1)`."""
    return tf.transpose(x, perm=pattern)


def reverse(x, axes):
    """Reverses `x` along `axes` (an int or a list of ints)."""
    if isinstance(axes, int):
        axes = [axes]
    return tf.reverse(x, axes)


def batch_flatten(x):
    """Flattens every axis but the first: `(batch, ...)` -> `(batch, -1)`."""
    return tf.reshape(x, tf.stack([-1, tf.reduce_prod(tf.shape(x)[1:])]))


def _check_padding(padding, rank: int, fn_name: str) -> None:
    if len(padding) != rank or any(len(p) != 2 for p in padding):
        raise ValueError(
            f"`{fn_name}` expects padding as {rank} pairs of ints. "
            f"Received: padding={padding}"
        )


def _spatial_padding(x, padding, data_format, fn_name: str):
    _check_padding(padding, len(padding), fn_name)
    data_format = data_format or image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"Unknown data_format: {data_format}")
    pairs = [list(p) for p in padding]
    if data_format == "channels_first":
        return tf.pad(x, [[0, 0], [0, 0], *pairs])
    return tf.pad(x, [[0, 0], *pairs, [0, 0]])


def temporal_padding(x, padding=(1, 1)):
    """Pads the middle axis of a 3D tensor with `padding = (left, right)` zeros.

    Raises:
        ValueError: if `padding` is not a pair.
    """
    if len(padding) != 2:
        raise ValueError(
            f"`temporal_padding` expects a pair of ints. Received: padding={padding}"
        )
    return tf.pad(x, [[0, 0], list(padding), [0, 0]])


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    """Pads rows and columns of a 4D tensor with zeros.

    Args:
        x: a 4D tensor.
        padding: `((top, bottom), (left, right))`.
        data_format: "channels_last" or "channels_first" (default: global).

    Raises:
        ValueError: for a malformed `padding` or an unknown `data_format`.
    """
    return _spatial_padding(x, padding, data_format, "spatial_2d_padding")


def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    """Pads depth, rows and columns of a 5D tensor with zeros.

    Args:
        x: a 5D tensor.
        padding: three `(before, after)` pairs.
        data_format: "channels_last" or "channels_first" (default: global).

    Raises:
        ValueError: for a malformed `padding` or an unknown `data_format`.
    """
    return _spatial_padding(x, padding, data_format, "spatial_3d_padding")


def count_params(x):
    """Number of scalars in a variable or tensor of known shape."""
    return np.prod(x.shape.as_list())


def is_sparse(tensor) -> bool:
    """Whether `tensor` is a `tf.SparseTensor` (or a Keras tensor of one)."""
    spec = getattr(tensor, "_type_spec", None)
    if spec is not None:
        return isinstance(spec, tf.SparseTensorSpec)
    return isinstance(tensor, tf.SparseTensor)


def to_dense(tensor):
    """A dense tensor for a `tf.SparseTensor` (other tensors pass through)."""
    if is_sparse(tensor):
        return tf.sparse.to_dense(tensor)
    return tensor


def update(x, new_x):
    """Assigns `new_x` to the variable `x`; returns the variable."""
    return x.assign(new_x)


def update_add(x, increment):
    """Adds `increment` to the variable `x`; returns the variable."""
    return x.assign_add(increment)


def update_sub(x, decrement):
    """Subtracts `decrement` from the variable `x`; returns the variable."""
    return x.assign_sub(decrement)


def moving_average_update(x, value, momentum):
    """`x <- momentum * x + (1 - momentum) * value`, without zero-debiasing (TF2).

    Returns:
        The variable `x` after the update.
    """
    momentum = tf.cast(momentum, x.dtype)
    value = tf.cast(value, x.dtype)
    return x.assign_sub((x - value) * (1 - momentum))
