"""kengine.layers.preprocessing.category_encoding against tf_keras goldens."""

import numpy as np
import pytest
import tensorflow as tf

import kengine
from kengine.layers.preprocessing.category_encoding import CategoryEncoding
from tests.layers.preprocessing import _replay


@pytest.mark.parametrize("case", _replay.cases("CategoryEncoding"))
def test_matches_tf_keras(case):
    _replay.check_case(case)


def test_values_out_of_range_fail_at_run_time():
    layer = CategoryEncoding(num_tokens=3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_tokens=3"):
        layer(tf.constant([[0, 3]]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_tokens=3"):
        layer(tf.constant([[-1, 0]]))


def test_inside_a_functional_model_and_tf_data():
    inputs = kengine.Input(shape=(2,), dtype="int64")
    model = kengine.Model(inputs, CategoryEncoding(4, output_mode="count")(inputs))
    assert model.output_shape == (None, 4)
    data = np.array([[1, 1], [3, 0]])
    np.testing.assert_array_equal(
        model.predict(data, verbose=0), [[0, 2, 0, 0], [1, 0, 0, 1]]
    )
    mapped = tf.data.Dataset.from_tensor_slices(data).batch(2).map(CategoryEncoding(4))
    np.testing.assert_array_equal(
        next(iter(mapped)).numpy(), [[0, 1, 0, 0], [1, 0, 0, 1]]
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "num_tokens=None"),
        ({"num_tokens": 0}, "num_tokens=0"),
        ({"num_tokens": 2, "output_mode": "tf_idf"}, "output_mode='tf_idf'"),
    ],
)
def test_bad_arguments_are_refused_by_name(kwargs, match):
    with pytest.raises(ValueError, match=match):
        CategoryEncoding(**kwargs)


def test_count_weights_need_count_mode_and_old_argument_name():
    with pytest.raises(ValueError, match="count_weights"):
        CategoryEncoding(2)(tf.constant([[0]]), count_weights=tf.constant([[1.0]]))
    assert CategoryEncoding(max_tokens=5).num_tokens == 5
