"""The `(x, y, sample_weight)` tuple: packing, unpacking, converting, splitting.

Every batch that `fit`, `evaluate` and `predict` hand to `train_step` is one of
`x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`. This module owns that convention
and the small structure-level helpers the adapters share:

- `pack_x_y_sample_weight` / `unpack_x_y_sample_weight`: build and take apart the
  tuple (users call these in a custom `train_step`).
- `to_tensors`: NumPy arrays become tensors (floating arrays in `backend.floatx()`,
  which is what Keras 2 does), and lists become tuples, because `tf.data` reads a
  list as one stacked tensor but a tuple as a structure.
- `check_data_cardinality`: all arrays must agree on the number of samples.
- `train_validation_split`: the last fraction of the arrays becomes validation data
  (`check_validation_split` checks the fraction).
- `expand_1d`: rank-1 tensors become `(n, 1)` columns.

It lives in `utils/` (layer 0) because `keras.utils` exports the packing pair
and users call them outside the fit path; `engine/data_adapters/` imports from here.

Mirrors tf_keras/src/engine/data_adapter.py: `unpack_x_y_sample_weight`,
`pack_x_y_sample_weight`, `_process_tensorlike`, `_check_data_cardinality`,
`train_validation_split`, and Keras 2.2's `expand_1d`.
"""

import math
import numbers

import numpy as np
import tensorflow as tf

from kengine.backend import common as backend

__all__ = [
    "check_data_cardinality",
    "check_validation_split",
    "expand_1d",
    "is_none_or_empty",
    "lists_to_tuples",
    "pack_x_y_sample_weight",
    "to_tensors",
    "train_validation_split",
    "unpack_x_y_sample_weight",
]

# What `validation_split` and the array adapter accept as "an array".
TENSOR_TYPES = (tf.Tensor, np.ndarray)


def unpack_x_y_sample_weight(data):
    """Splits a batch into `(x, y, sample_weight)`, with `None` for what is absent.

    Args:
        data: `x`, or a tuple (or list) `(x,)`, `(x, y)` or `(x, y, sample_weight)`.

    Returns:
        The tuple `(x, y, sample_weight)`.

    Raises:
        ValueError: if `data` is a tuple of more than three elements.

    >>> x, y, sw = unpack_x_y_sample_weight((tf.ones((2, 3)), tf.zeros((2,))))
    >>> x.shape, y.shape, sw
    (TensorShape([2, 3]), TensorShape([2]), None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    if len(data) > 3:
        raise ValueError(
            "Data is expected to be in format `x`, `(x,)`, `(x, y)`, "
            f"or `(x, y, sample_weight)`, found: {data}"
        )
    return data + (None,) * (3 - len(data))


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """Packs `x`, `y` and `sample_weight` into the tuple `Model.fit` consumes.

    A lone `x` is returned as is, unless it is itself a tuple or list: then it is
    wrapped as `(x,)` so unpacking cannot mistake its parts for `(x, y)`.

    Args:
        x: Features.
        y: Targets, or `None`.
        sample_weight: Per-sample weights, or `None`.

    Returns:
        `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`.

    >>> pack_x_y_sample_weight("x")
    'x'
    >>> pack_x_y_sample_weight(("a", "b"))
    (('a', 'b'),)
    >>> pack_x_y_sample_weight("x", "y", "w")
    ('x', 'y', 'w')
    """
    # Keras 2 meant to wrap lists too (`isinstance(x, tuple or list)` only tests
    # `tuple`); kengine wraps both so `unpack(pack(x)) == (x, None, None)`.
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def lists_to_tuples(structure):
    """Returns `structure` with every (nested) list turned into a tuple."""
    if isinstance(structure, (list, tuple)):
        return tuple(lists_to_tuples(item) for item in structure)
    if isinstance(structure, dict):
        return {key: lists_to_tuples(value) for key, value in structure.items()}
    return structure


def to_tensors(structure):
    """Converts the NumPy arrays in `structure` to tensors and lists to tuples.

    Floating arrays become `backend.floatx()` tensors (float64 NumPy data trains
    in float32, as in Keras 2); other arrays keep their dtype. Tensors, composite
    tensors and `None` pass through.
    """

    def convert(value):
        if isinstance(value, np.ndarray):
            dtype = (
                backend.floatx() if np.issubdtype(value.dtype, np.floating) else None
            )
            return tf.convert_to_tensor(value, dtype=dtype)
        return value

    return tf.nest.map_structure(convert, lists_to_tuples(structure))


def is_none_or_empty(structure) -> bool:
    """True for `None` and for structures with no leaves (e.g. `[]`)."""
    # `not array` raises for NumPy arrays, so look at the flattened leaves.
    return structure is None or not tf.nest.flatten(structure)


def _num_samples(value) -> int:
    return int(value.shape[0])


def check_data_cardinality(data) -> None:
    """Raises if the arrays in `(x, y, sample_weight)` differ in length.

    Args:
        data: A tuple `(x,)`, `(x, y)` or `(x, y, sample_weight)` of structures.

    Raises:
        ValueError: listing the sizes of each part, as Keras 2 does.
    """
    sizes = {_num_samples(t) for t in tf.nest.flatten(data) if t is not None}
    if len(sizes) <= 1:
        return
    msg = "Data cardinality is ambiguous:\n"
    for label, part in zip(["x", "y", "sample_weight"], data):
        if part is None:
            continue
        part_sizes = [str(t.shape[0]) for t in tf.nest.flatten(part) if t is not None]
        msg += f"  {label} sizes: {', '.join(part_sizes)}\n"
    msg += "Make sure all arrays contain the same number of samples."
    raise ValueError(msg)


def check_validation_split(validation_split) -> None:
    """Raises unless `validation_split` is a fraction in `[0, 1)`.

    Keras 2 checks only that both parts are non-empty, so `1.5` slices from the
    end twice and trains on a part of the data it also validates on.

    Raises:
        TypeError: if it is not a number.
        ValueError: if it is outside `[0, 1)` (or NaN).

    >>> check_validation_split(1.5)
    Traceback (most recent call last):
    ...
    ValueError: `validation_split` must be in [0, 1): the fraction of the samples, taken from the end, to validate on. Received: validation_split=1.5
    """
    if isinstance(validation_split, bool) or not isinstance(
        validation_split, numbers.Real
    ):
        raise TypeError(
            "`validation_split` must be a float in [0, 1). Received: "
            f"validation_split={validation_split!r} of type {type(validation_split)}"
        )
    if not 0 <= validation_split < 1:
        raise ValueError(
            "`validation_split` must be in [0, 1): the fraction of the samples, "
            "taken from the end, to validate on. Received: "
            f"validation_split={validation_split!r}"
        )


def train_validation_split(arrays, validation_split: float):
    """Splits arrays into training and validation parts, keeping their order.

    The last `validation_split` fraction of the samples becomes validation data;
    nothing is shuffled first, so the split is deterministic.

    Args:
        arrays: A nested structure of NumPy arrays, tensors and `None`s, usually
            `(x, y, sample_weight)`.
        validation_split: Float between 0 and 1, the fraction held out.

    Returns:
        `(train_arrays, validation_arrays)`, each with the structure of `arrays`.

    Raises:
        TypeError: if `validation_split` is not a number.
        ValueError: for a fraction outside `[0, 1)`, inputs that are not arrays
            (datasets, generators, `Sequence`s), or when either part would be
            empty.

    >>> x = np.arange(10)
    >>> (train,), (val,) = train_validation_split((x,), validation_split=0.2)
    >>> train.tolist(), val.tolist()
    ([0, 1, 2, 3, 4, 5, 6, 7], [8, 9])
    """
    check_validation_split(validation_split)
    flat = tf.nest.flatten(arrays)
    unsplittable = [
        type(t) for t in flat if t is not None and not isinstance(t, TENSOR_TYPES)
    ]
    if unsplittable:
        raise ValueError(
            "`validation_split` is only supported for Tensors or NumPy "
            f"arrays, found following types in the input: {unsplittable}"
        )
    present = [t for t in flat if t is not None]
    if not present:
        return arrays, arrays

    batch_dim = _num_samples(present[0])
    split_at = int(math.floor(batch_dim * (1.0 - validation_split)))
    if split_at in (0, batch_dim):
        raise ValueError(
            f"Training data contains {batch_dim} samples, which is not "
            "sufficient to split it into a validation and training set as "
            f"specified by `validation_split={validation_split}`. Either "
            "provide more data, or a different value for the "
            "`validation_split` argument."
        )

    def split(start, end):
        return tf.nest.map_structure(
            lambda t: None if t is None else t[start:end], arrays
        )

    return split(0, split_at), split(split_at, batch_dim)


def expand_1d(data):
    """Turns rank-1 tensors in `data` into `(n, 1)` columns; leaves the rest.

    >>> expand_1d((tf.constant([1.0, 2.0]), tf.ones((2, 3))))[0].shape
    TensorShape([2, 1])
    """

    def expand(t):
        if isinstance(t, tf.Tensor) and t.shape.rank == 1:
            return tf.expand_dims(t, axis=-1)
        return t

    return tf.nest.map_structure(expand, data)
