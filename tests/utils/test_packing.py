"""Tests for kengine/utils/packing.py: packing the batch tuple."""

import numpy as np
import pytest
import tensorflow as tf

from kengine.utils import packing
from tests.goldens import load_json

ERRORS = load_json("data", "errors.json")


@pytest.mark.parametrize(
    "data, expected",
    [
        ("x", ("x", None, None)),
        (("x",), ("x", None, None)),
        (("x", "y"), ("x", "y", None)),
        (["x", "y", "w"], ("x", "y", "w")),
    ],
)
def test_unpack_x_y_sample_weight(data, expected):
    assert packing.unpack_x_y_sample_weight(data) == expected


def test_unpack_refuses_more_than_three_parts():
    with pytest.raises(ValueError) as info:
        packing.unpack_x_y_sample_weight((1, 2, 3, 4))
    assert str(info.value) == ERRORS["unpack"]


@pytest.mark.parametrize(
    "args, expected",
    [
        (("x",), "x"),
        ((("a", "b"),), (("a", "b"),)),
        ((["a", "b"],), (["a", "b"],)),
        (("x", "y"), ("x", "y")),
        (("x", "y", "w"), ("x", "y", "w")),
    ],
)
def test_pack_x_y_sample_weight_round_trips(args, expected):
    packed = packing.pack_x_y_sample_weight(*args)
    assert packed == expected
    x = packing.unpack_x_y_sample_weight(packed)[0]
    assert x == args[0]


def test_to_tensors_converts_arrays_and_lists():
    converted = packing.to_tensors(
        [
            np.zeros(2, "float64"),
            {"a": np.zeros(2, "int32")},
            None,
            tf.ones(1, "float64"),
        ]
    )
    assert isinstance(converted, tuple)
    assert converted[0].dtype == tf.float32  # NumPy floats become floatx
    assert converted[1]["a"].dtype == tf.int32
    assert converted[2] is None
    assert converted[3].dtype == tf.float64  # tensors are left alone


def test_lists_to_tuples_is_recursive():
    assert packing.lists_to_tuples([1, [2, {"k": [3]}]]) == (1, (2, {"k": (3,)}))


@pytest.mark.parametrize("value, expected", [(None, True), ([], True), ((), True)])
def test_is_none_or_empty(value, expected):
    assert packing.is_none_or_empty(value) is expected
    assert not packing.is_none_or_empty(np.zeros(3))


def test_check_data_cardinality_lists_every_size():
    x = (np.zeros((4, 1)), np.zeros((4, 2)))
    packing.check_data_cardinality((x, np.zeros(4)))
    with pytest.raises(ValueError) as info:
        packing.check_data_cardinality((x, np.zeros(4), np.zeros(3)))
    assert str(info.value) == (
        "Data cardinality is ambiguous:\n"
        "  x sizes: 4, 4\n"
        "  y sizes: 4\n"
        "  sample_weight sizes: 3\n"
        "Make sure all arrays contain the same number of samples."
    )


def test_train_validation_split_takes_the_last_fraction():
    x = {"a": np.arange(10), "b": tf.range(10)}
    y = np.arange(10) * 2
    (tx, ty, tw), (vx, vy, vw) = packing.train_validation_split(
        (x, y, None), validation_split=0.25
    )
    assert tx["a"].tolist() == list(range(7)) and ty.tolist() == [0, 2, 4, 6, 8, 10, 12]
    assert vx["b"].numpy().tolist() == [7, 8, 9] and vy.tolist() == [14, 16, 18]
    assert tw is None and vw is None


def test_train_validation_split_of_nothing_is_nothing():
    assert packing.train_validation_split((None, None), 0.5) == (
        (None, None),
        (None, None),
    )


@pytest.mark.parametrize("name", ["validation_split_too_small"])
def test_train_validation_split_refuses_too_little_data(name):
    with pytest.raises(ValueError) as info:
        packing.train_validation_split((np.zeros(3),), 0.9)
    assert str(info.value) == ERRORS[name]


def test_train_validation_split_refuses_generators():
    with pytest.raises(ValueError, match="found following types.*generator"):
        packing.train_validation_split((i for i in range(3)), 0.5)


def test_expand_1d():
    a, b, c = packing.expand_1d((tf.constant([1, 2]), tf.zeros((2, 3)), "s"))
    assert a.shape == (2, 1) and b.shape == (2, 3) and c == "s"


@pytest.mark.parametrize("fraction", [0.0, 0.25, 0.999])
def test_check_validation_split_accepts_fractions(fraction):
    packing.check_validation_split(fraction)


@pytest.mark.parametrize(
    "fraction, error",
    [
        (1.5, ValueError),  # Keras 2 slices from the end twice and trains
        (1.0, ValueError),
        (-0.5, ValueError),
        (float("nan"), ValueError),
        ("0.2", TypeError),
        (True, TypeError),
    ],
)
def test_check_validation_split_refuses_other_values(fraction, error):
    with pytest.raises(error, match=r"`validation_split` must be .*validation_split="):
        packing.check_validation_split(fraction)
    with pytest.raises(error, match="validation_split"):
        packing.train_validation_split((np.zeros(8),), fraction)
