"""`validate_axis`: check a layer's `axis` argument against an input shape.

Mirrors `validate_axis` of Keras 2's `utils/tf_utils.py` (kept in its own module
here: the rest of that file is unrelated). Normalisation layers take `axis` as an
int or a list of ints, negative ones counting from the end; at build time the
rank is known and the axes can be checked and made non-negative.

>>> validate_axis(-1, (None, 3, 4))
[2]
>>> validate_axis([1, -1], (2, 3, 4))
[1, 2]
"""

import tensorflow as tf

__all__ = ["validate_axis"]


def validate_axis(axis, input_shape) -> list[int]:
    """Returns `axis` as a list of non-negative axes of `input_shape`.

    Args:
        axis: an int or a list/tuple of ints; negative values count from the
            end.
        input_shape: the shape the axes refer to.

    Returns:
        The axes as a list of ints in `[0, rank)`.

    Raises:
        ValueError: if the rank is unknown (or 0), an axis is out of range, or
            an axis appears twice.
    """
    input_shape = tf.TensorShape(input_shape)
    rank = input_shape.rank
    if not rank:
        raise ValueError(
            f"Input has undefined rank. Received: input_shape={input_shape}"
        )
    axes = [axis] if isinstance(axis, int) else list(axis)
    axes = [a + rank if a < 0 else a for a in axes]
    for a in axes:
        if a < 0 or a >= rank:
            raise ValueError(
                "Invalid value for `axis` argument. Expected 0 <= axis < "
                f"inputs.rank (with inputs.rank={rank}). Received: axis={tuple(axes)}"
            )
    if len(axes) != len(set(axes)):
        raise ValueError(f"Duplicate axis: {tuple(axes)}")
    return axes
