"""Tests of `kengine.utils.axis_utils.validate_axis`."""

import pytest
import tensorflow as tf

from kengine.utils.axis_utils import validate_axis


@pytest.mark.parametrize(
    "axis, shape, expected",
    [(-1, (2, 3), [1]), ((0, -2), (2, 3, 4), [0, 1]), ([2], (None, None, 4), [2])],
)
def test_returns_non_negative_axes(axis, shape, expected):
    assert validate_axis(axis, shape) == expected


@pytest.mark.parametrize(
    "axis, shape, message",
    [
        (0, tf.TensorShape(None), "Input has undefined rank"),
        (3, (2, 3, 4), r"Expected 0 <= axis < inputs.rank \(with inputs.rank=3\)"),
        (-4, (2, 3, 4), r"Received: axis=\(-1,\)"),
        ([1, -2], (2, 3, 4), r"Duplicate axis: \(1, 1\)"),
    ],
)
def test_rejects_bad_axes(axis, shape, message):
    with pytest.raises(ValueError, match=message):
        validate_axis(axis, shape)
