"""kengine.layers.preprocessing.preprocessing_utils: encoding and argument checks."""

import numpy as np
import pytest
import tensorflow as tf

from kengine.layers.preprocessing import preprocessing_utils as utils


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("one_hot", [[0, 1, 0], [0, 0, 1], [0, 0, 1]]),
        ("multi_hot", [0, 1, 1]),
        ("count", [0, 1, 2]),
    ],
)
def test_encode_modes_of_a_rank_1_input(mode, expected):
    out = utils.encode_categorical_inputs(tf.constant([1, 2, 2]), mode, depth=3)
    np.testing.assert_array_equal(out.numpy(), expected)
    assert out.dtype == tf.float32


def test_int_mode_casts_and_tf_idf_weighs_counts():
    ints = utils.encode_categorical_inputs(
        tf.constant([[1, 2]]), "int", 3, dtype="int64"
    )
    assert ints.dtype == tf.int64 and ints.numpy().tolist() == [[1, 2]]
    tf_idf = utils.encode_categorical_inputs(
        tf.constant([[0, 2, 2]]), "tf_idf", 3, idf_weights=tf.constant([0.5, 1.0, 2.0])
    )
    np.testing.assert_allclose(tf_idf.numpy(), [[0.5, 0.0, 4.0]])


def test_sparse_output_and_count_weights():
    out = utils.encode_categorical_inputs(
        tf.constant([[0, 1, 1]]),
        "count",
        3,
        sparse=True,
        count_weights=tf.constant([[2.0, 0.5, 0.25]]),
    )
    assert isinstance(out, tf.SparseTensor)
    np.testing.assert_allclose(tf.sparse.to_dense(out).numpy(), [[2.0, 0.75, 0.0]])


def test_too_many_dimensions_and_missing_idf_weights():
    with pytest.raises(ValueError, match="maximum supported output rank is 2"):
        utils.encode_categorical_inputs(tf.zeros((1, 2, 3), tf.int32), "count", 4)
    with pytest.raises(ValueError, match="idf_weights must be provided"):
        utils.encode_categorical_inputs(tf.constant([1]), "tf_idf", 2)


def test_output_shapes():
    shape = utils.compute_shape_for_encode_categorical
    assert shape([None, 1], "one_hot", 4) == tf.TensorShape([None, 4])
    assert shape([None, 3], "one_hot", 4) == tf.TensorShape([None, 3, 4])
    assert shape([None, 3], "count", 4) == tf.TensorShape([None, 4])
    assert shape([], "multi_hot", 4) == tf.TensorShape([4])


def test_validate_string_arg_names_the_argument_and_value():
    utils.validate_string_arg(None, ("a",), "L", "mode", allow_none=True)
    utils.validate_string_arg(len, ("a",), "L", "mode", allow_callables=True)
    with pytest.raises(
        ValueError, match=r"`mode` argument of layer L.*Received: mode='b'"
    ):
        utils.validate_string_arg("b", ("a",), "L", "mode")


def test_listify_and_ensure_tensor():
    assert utils.listify_tensors(tf.constant([1, 2])) == [1, 2]
    assert utils.listify_tensors(np.array([[1.5]])) == [[1.5]]
    assert utils.listify_tensors(("x",)) == ("x",)
    assert utils.ensure_tensor([1, 2], tf.float32).dtype == tf.float32
    ragged = tf.ragged.constant([[1], []])
    assert utils.ensure_tensor(ragged) is ragged
