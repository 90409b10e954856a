"""Tests of kengine/backend/random_ops.py: shapes, dtypes, ranges and seeds.

tf_keras draws from the same TensorFlow ops; random values are not compared
with goldens (they depend on TensorFlow's global seed state), only their laws.
"""

import numpy as np
import pytest
import tensorflow as tf

from kengine import backend as K


@pytest.mark.parametrize(
    "fn, kwargs",
    [
        (K.random_normal, {"mean": 1.0, "stddev": 2.0}),
        (K.random_uniform, {"minval": -1.0, "maxval": 3.0}),
        (K.truncated_normal, {"mean": 0.5, "stddev": 0.1}),
        (K.random_bernoulli, {"p": 0.3}),
    ],
)
def test_shape_dtype_and_explicit_seed(fn, kwargs):
    tf.random.set_seed(7)
    first = fn((200, 50), seed=3, **kwargs)
    tf.random.set_seed(7)
    second = fn((200, 50), seed=3, **kwargs)
    assert first.shape == (200, 50) and first.dtype == tf.float32
    np.testing.assert_array_equal(first, second)
    assert fn((2,), dtype="float64", **kwargs).dtype == tf.float64


def test_distributions_have_their_moments():
    normal = K.random_normal((20000,), mean=1.0, stddev=2.0, seed=1).numpy()
    assert abs(normal.mean() - 1.0) < 0.1 and abs(normal.std() - 2.0) < 0.1
    uniform = K.random_uniform((20000,), -1.0, 3.0, seed=1).numpy()
    assert uniform.min() >= -1.0 and uniform.max() < 3.0
    truncated = K.truncated_normal((20000,), 0.5, 0.1, seed=1).numpy()
    assert np.all(np.abs(truncated - 0.5) <= 0.2 + 1e-6)
    ones = K.random_bernoulli((20000,), p=0.3, seed=1).numpy()
    assert set(np.unique(ones)) <= {0.0, 1.0} and abs(ones.mean() - 0.3) < 0.02


def test_random_binomial_is_deprecated():
    with pytest.warns(UserWarning, match="random_binomial` is deprecated"):
        out = K.random_binomial((3,), p=1.0, seed=2)
    np.testing.assert_array_equal(out, [1.0, 1.0, 1.0])


@pytest.mark.parametrize(
    "fn, args",
    [(K.random_normal_variable, (0.0, 1.0)), (K.random_uniform_variable, (0.0, 1.0))],
)
def test_variables(fn, args):
    v = fn((3, 2), *args, dtype="float64", name="r", seed=4)
    assert isinstance(v, tf.Variable) and v.dtype == tf.float64 and v.shape == (3, 2)
    assert v.name.startswith("r")


def test_dropout_scales_kept_entries():
    out = K.dropout(tf.ones((1000,)), 0.5, seed=5).numpy()
    assert set(np.unique(out)) <= {0.0, 2.0} and 0.4 < (out > 0).mean() < 0.6
