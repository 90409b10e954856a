"""Tests of `kengine.layers.einsum_dense`: EinsumDense against tf_keras."""

import numpy as np
import pytest
import tensorflow as tf

from kengine.layers.einsum_dense import EinsumDense, analyze_einsum_string
from kengine.testing import run_layer_test
from tests.layers import attention_goldens as goldens

CASES = goldens.case_ids("EinsumDense")


@pytest.mark.parametrize("case", CASES)
def test_matches_tf_keras(case):
    goldens.check_case(case)
    goldens.check_symbolic(case)
    goldens.check_config_round_trip(case)


def test_conformance_matrix():
    case = "einsum_left_ellipsis"
    run_layer_test(
        EinsumDense,
        goldens.CASES[case]["kwargs"],
        input_data=goldens.DATA[f"{case}/x0"],
        weights=goldens.golden_weights(case),
        expected_output=goldens.DATA[f"{case}/y0"],
        expected_num_trainable_weights=2,
    )


@pytest.mark.parametrize(
    "equation, bias_axes, input_shape, output_shape, expected",
    [
        ("ab,bc->ac", "c", (None, 3), 4, ([3, 4], [4], [None, 4])),
        ("abc,cd->abd", None, (2, 5, 3), (None, 4), ([3, 4], None, [2, None, 4])),
        ("abc,cde->abde", "d", (2, 5, 3), (5, 4, 2), ([3, 4, 2], [4, 1], [2, 5, 4, 2])),
        ("...b,bc->...c", "c", (2, 7, 3, 5), 4, ([5, 4], [4], [2, 7, 3, 4])),
        ("ab...,bc->ac...", "c", (2, 3, 5, 6), 4, ([3, 4], [4, 1, 1], [2, 4, 5, 6])),
    ],
)
def test_shapes_read_off_the_equation(
    equation, bias_axes, input_shape, output_shape, expected
):
    shape = tf.TensorShape(input_shape)
    assert analyze_einsum_string(equation, bias_axes, shape, output_shape) == expected


@pytest.mark.parametrize(
    "case, equation, output_shape, bias_axes, input_shape",
    [
        ("einsum_form", "ab->b", 3, None, (2, 3)),
        ("einsum_bias_axis", "ab,bc->ac", 3, "x", (2, 3)),
        ("einsum_weight_dim", "ab,bcd->ac", 3, None, (2, 3)),
        ("einsum_output_dim", "ab,bc->ad", 3, None, (2, 3)),
        ("einsum_shared_dim", "abc,cd->abd", [7, 2], None, (2, 5, 3)),
    ],
)
def test_equation_errors_match_tf_keras(
    case, equation, output_shape, bias_axes, input_shape
):
    layer = EinsumDense(equation, output_shape, bias_axes=bias_axes)
    with pytest.raises(ValueError) as info:
        layer(tf.zeros(input_shape))
    expected = goldens.error_message(case)
    if case == "einsum_output_dim":
        # tf_keras names the output spec where it means the weight spec.
        expected = expected.replace("weight spec 'ad'", "weight spec 'bc'")
    assert str(info.value) == expected


def test_compute_output_shape_keeps_an_unknown_batch():
    layer = EinsumDense("abc,cd->abd", output_shape=(None, 4))
    layer(tf.zeros((2, 5, 3)))
    assert layer.compute_output_shape((None, 5, 3)).as_list() == [None, None, 4]


def test_activity_regularizer_is_ignored_as_in_keras2():
    layer = EinsumDense("ab,bc->ac", 2, activity_regularizer="l2")
    layer(tf.ones((1, 3)))
    assert layer.losses == [] and layer.get_config()["activity_regularizer"] is None


def test_output_is_the_einsum_plus_bias():
    layer = EinsumDense("abc,cd->abd", output_shape=(None, 2), bias_axes="d")
    x = goldens.range_like((2, 3, 4), 1.0)
    y = layer(x)
    expected = np.einsum("abc,cd->abd", x, layer.kernel.numpy()) + layer.bias.numpy()
    np.testing.assert_allclose(y.numpy(), expected, rtol=1e-5, atol=1e-6)
