"""`K.*` everyday helpers: floatx, epsilon, name counters, math with Keras 2 names."""

import numpy as np
import pytest
import tensorflow as tf

from kengine import activations
from kengine import backend as K


def test_defaults():
    assert K.floatx() == "float32" and K.epsilon() == 1e-7
    assert K.image_data_format() == "channels_last"


def test_set_floatx_validates():
    with pytest.raises(ValueError, match="Unknown floatx type: 'float8'"):
        K.set_floatx("float8")


def test_unique_object_names_and_reset():
    assert [K.unique_object_name("dense") for _ in range(3)] == [
        "dense",
        "dense_1",
        "dense_2",
    ]
    assert K.unique_object_name("input", zero_based=False) == "input_1"
    K.clear_session()
    assert K.unique_object_name("dense") == "dense"


def test_math_helpers_match_numpy():
    x = np.array([[1.0, -2.0], [3.0, 4.0]], "float32")
    np.testing.assert_allclose(K.mean(K.square(x), axis=-1).numpy(), [2.5, 12.5])
    np.testing.assert_allclose(K.sum(K.abs(x)).numpy(), 10.0)
    np.testing.assert_array_equal(K.argmax(x).numpy(), [0, 1])
    np.testing.assert_array_equal(
        K.cast(K.equal(x, 1.0), "int32").numpy(), [[1, 0], [0, 0]]
    )
    np.testing.assert_allclose(K.maximum(x, 0.0).numpy(), [[1, 0], [3, 4]])
    np.testing.assert_allclose(K.clip(x, 0.0, 2.0).numpy(), [[1, 0], [2, 2]])
    assert K.mean(tf.constant([True, False])).numpy() == 0.5
    assert K.int_shape(tf.zeros((2, 3))) == (2, 3) and K.ndim(tf.zeros((2, 3))) == 2


def test_seed_style_custom_metric_functions():
    # The seed notes (003) write precision/recall with K.* like this.
    def precision(y_true, y_pred):
        true_positives = K.sum(K.round(K.clip(y_true * y_pred, 0, 1)))
        predicted_positives = K.sum(K.round(K.clip(y_pred, 0, 1)))
        return true_positives / (predicted_positives + K.epsilon())

    y_true = tf.constant([1.0, 0.0, 1.0, 1.0])
    y_pred = tf.constant([0.9, 0.8, 0.2, 0.7])
    np.testing.assert_allclose(precision(y_true, y_pred).numpy(), 2 / 3, rtol=1e-6)


def test_variables_and_values():
    v = K.variable([1.0, 2.0], name="v")
    K.set_value(v, [3.0, 4.0])
    np.testing.assert_array_equal(K.get_value(v), [3.0, 4.0])
    assert K.dot(tf.ones((2, 3)), tf.ones((3, 4))).shape == (2, 4)


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({}, [0.0, 0.0, 1.0, 8.0]),
        ({"alpha": 0.5}, [-1.0, -0.25, 1.0, 8.0]),
        ({"max_value": 6.0}, [0.0, 0.0, 1.0, 6.0]),
        ({"threshold": 2.0}, [0.0, 0.0, 0.0, 8.0]),
        ({"alpha": 0.5, "threshold": 2.0, "max_value": 6.0}, [-2.0, -1.25, -0.5, 6.0]),
    ],
)
def test_relu_options_live_in_the_backend(kwargs, expected):
    x = tf.constant([-2.0, -0.5, 1.0, 8.0])
    np.testing.assert_allclose(K.relu(x, **kwargs).numpy(), expected)
    # activations.relu is the same function seen from layer 1, as in Keras 2.
    np.testing.assert_allclose(activations.relu(x, **kwargs).numpy(), expected)
