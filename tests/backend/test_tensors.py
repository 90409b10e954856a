"""Tests of kengine/backend/tensors.py against tf_keras (goldens in library_extra)."""

import numpy as np
import pytest
import tensorflow as tf

from kengine import backend as K
from tests.backend import _extra_goldens

FUNCTIONS = [
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
]


@pytest.mark.parametrize("case", _extra_goldens.cases_of(*FUNCTIONS))
def test_matches_tf_keras(case):
    _extra_goldens.check_case(case)


def test_eye_is_a_variable_and_takes_a_shape_pair():
    identity = K.eye(2, dtype="float64", name="identity")
    assert isinstance(identity, tf.Variable) and identity.dtype == tf.float64
    np.testing.assert_array_equal(K.eye((2, 3)).numpy(), np.eye(2, 3))


def test_repeat_elements_with_an_unknown_axis_size():
    fn = tf.function(
        lambda x: K.repeat_elements(x, 3, axis=1),
        input_signature=[tf.TensorSpec((None, None))],
    )
    np.testing.assert_array_equal(fn(tf.constant([[1.0, 2.0]])), [[1, 1, 1, 2, 2, 2]])


def test_repeat_needs_a_matrix():
    with pytest.raises(ValueError, match=r"2D tensor.*\(3,\)"):
        K.repeat(tf.zeros(3), 2)


@pytest.mark.parametrize(
    "fn, padding, match",
    [
        (K.temporal_padding, (1, 2, 3), "pair of ints"),
        (K.spatial_2d_padding, ((1, 1), (1,)), "2 pairs of ints"),
    ],
)
def test_malformed_padding_raises(fn, padding, match):
    x = tf.zeros((1, 2, 2, 1))
    with pytest.raises(ValueError, match=match):
        fn(x, padding)


def test_unknown_data_format_raises():
    with pytest.raises(ValueError, match="Unknown data_format: nchw"):
        K.spatial_2d_padding(tf.zeros((1, 2, 2, 1)), data_format="nchw")


def test_count_params_sparse_and_dense():
    assert K.count_params(tf.Variable(tf.zeros((3, 4)))) == 12
    sparse = tf.SparseTensor([[0, 1]], [2.0], [2, 2])
    assert K.is_sparse(sparse) and not K.is_sparse(tf.zeros(2))
    np.testing.assert_array_equal(K.to_dense(sparse), [[0, 2], [0, 0]])


def test_variable_updates():
    v = tf.Variable([1.0, 2.0])
    K.update(v, [3.0, 3.0])
    K.update_add(v, [1.0, 0.0])
    K.update_sub(v, [0.0, 1.0])
    np.testing.assert_array_equal(v.numpy(), [4.0, 2.0])
    K.moving_average_update(v, [0.0, 0.0], 0.75)
    np.testing.assert_allclose(v.numpy(), [3.0, 1.5])
