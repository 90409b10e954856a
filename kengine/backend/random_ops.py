"""`K.random_*`: random tensors and randomly initialized variables.

Mirrors the random helpers of Keras 2's `backend.py` (`random_normal`,
`random_uniform`, `truncated_normal`, `random_bernoulli`, `random_binomial`,
`random_normal_variable`, `random_uniform_variable`, `dropout`). Each is one
TensorFlow op with Keras 2's argument names. As in Keras 2, `seed=None` draws an
op seed from NumPy's global generator, so `np.random.seed(...)` (together with
`tf.random.set_seed(...)`) makes a script repeatable; an explicit `seed` makes
two calls in a fresh program agree.

>>> x = random_uniform((2, 3), minval=-1.0, maxval=1.0, seed=1)
>>> x.shape, x.dtype.name
(TensorShape([2, 3]), 'float32')
>>> sorted(set(random_bernoulli((100,), p=0.5, seed=3).numpy().tolist()))
[0.0, 1.0]
"""

import warnings

import numpy as np
import tensorflow as tf

from kengine.backend.common import floatx, variable

__all__ = [
    "random_normal",
    "random_uniform",
    "truncated_normal",
    "random_bernoulli",
    "random_binomial",
    "random_normal_variable",
    "random_uniform_variable",
    "dropout",
]


def _seed(seed):
    # Keras 2 draws a seed from NumPy when none is given.
    return np.random.randint(10e6) if seed is None else seed


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """A tensor of samples from a normal distribution.

    Args:
        shape: the output shape.
        mean: mean of the distribution.
        stddev: its standard deviation.
        dtype: default `floatx()`.
        seed: op seed (default: drawn from NumPy).

    Returns:
        A tensor of `shape`.
    """
    return tf.random.normal(
        shape, mean=mean, stddev=stddev, dtype=dtype or floatx(), seed=_seed(seed)
    )


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """A tensor of samples from a uniform distribution on `[minval, maxval)`.

    Args:
        shape: the output shape.
        minval: lower bound.
        maxval: upper bound (excluded).
        dtype: default `floatx()`.
        seed: op seed (default: drawn from NumPy).

    Returns:
        A tensor of `shape`.
    """
    return tf.random.uniform(
        shape, minval=minval, maxval=maxval, dtype=dtype or floatx(), seed=_seed(seed)
    )


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples redrawn when more than two standard deviations from the mean.

    Args:
        shape: the output shape.
        mean: mean of the distribution.
        stddev: its standard deviation (before truncation).
        dtype: default `floatx()`.
        seed: op seed (default: drawn from NumPy).

    Returns:
        A tensor of `shape`.
    """
    return tf.random.truncated_normal(
        shape, mean=mean, stddev=stddev, dtype=dtype or floatx(), seed=_seed(seed)
    )


def random_bernoulli(shape, p=0.0, dtype=None, seed=None):
    """A tensor of ones (with probability `p`) and zeros.

    Args:
        shape: the output shape.
        p: probability of a one.
        dtype: default `floatx()`.
        seed: op seed (default: drawn from NumPy).

    Returns:
        A tensor of `shape` holding 0s and 1s.
    """
    dtype = dtype or floatx()
    draws = tf.random.uniform(shape, dtype=dtype, seed=_seed(seed))
    return tf.where(draws <= p, tf.ones(shape, dtype), tf.zeros(shape, dtype))


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """Deprecated name of `random_bernoulli` (warns, as Keras 2 does)."""
    warnings.warn(
        "`keras.backend.random_binomial` is deprecated, and will be removed "
        "in a future version. Please use `keras.backend.random_bernoulli` "
        "instead.",
        stacklevel=2,
    )
    return random_bernoulli(shape, p, dtype, seed)


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    """A variable initialized with samples from a normal distribution.

    Args:
        shape: the variable's shape.
        mean: mean of the distribution.
        scale: its standard deviation.
        dtype: default `floatx()`.
        name: the variable's name.
        seed: op seed (default: drawn from NumPy).

    Returns:
        A `tf.Variable`.
    """
    dtype = dtype or floatx()
    seed = np.random.randint(10e8) if seed is None else seed
    value = tf.random.normal(shape, mean=mean, stddev=scale, dtype=dtype, seed=seed)
    return variable(value, dtype=dtype, name=name)


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    """A variable initialized with samples from a uniform distribution.

    Args:
        shape: the variable's shape.
        low: lower bound.
        high: upper bound (excluded).
        dtype: default `floatx()`.
        name: the variable's name.
        seed: op seed (default: drawn from NumPy).

    Returns:
        A `tf.Variable`.
    """
    dtype = dtype or floatx()
    seed = np.random.randint(10e8) if seed is None else seed
    value = tf.random.uniform(shape, minval=low, maxval=high, dtype=dtype, seed=seed)
    return variable(value, dtype=dtype, name=name)


def dropout(x, level, noise_shape=None, seed=None):
    """Zeroes entries of `x` with probability `level`, scaling the rest up.

    Args:
        x: a tensor.
        level: the fraction to drop, in [0, 1).
        noise_shape: shape of the keep/drop mask (broadcast against `x`).
        seed: op seed (default: drawn from NumPy).

    Returns:
        A tensor like `x`.
    """
    return tf.nn.dropout(x, rate=level, noise_shape=noise_shape, seed=_seed(seed))
