"""Tests of `kengine.layers.spectral_normalization` against tf_keras."""

import numpy as np
import pytest
import tensorflow as tf

from kengine.layers.core import Dense, Flatten
from kengine.layers.embeddings import Embedding
from kengine.layers.spectral_normalization import SpectralNormalization
from tests.layers import attention_goldens as goldens

CASES = goldens.case_ids("SpectralNormalization")


@pytest.mark.parametrize("case", CASES)
def test_matches_tf_keras(case):
    # Training cases also compare the renormalised kernel and `vector_u`.
    goldens.check_case(case)
    goldens.check_symbolic(case)


def test_graph_modes():
    goldens.check_graph_modes("spectral_dense_train")


def test_config_round_trip():
    goldens.check_config_round_trip("spectral_dense_infer")


def test_repeated_training_calls_drive_the_spectral_norm_to_one():
    layer = SpectralNormalization(Dense(3), power_iterations=5)
    x = tf.ones((2, 4))
    layer(x)
    layer.layer.kernel.assign(goldens.range_like((4, 3), 3.0))
    for _ in range(3):
        layer(x, training=True)
    sigma = np.linalg.svd(layer.layer.kernel.numpy(), compute_uv=False)[0]
    np.testing.assert_allclose(sigma, 1.0, rtol=1e-4)


def test_inference_leaves_the_kernel_alone():
    layer = SpectralNormalization(Dense(3))
    x = tf.ones((2, 4))
    layer(x)
    before = layer.layer.kernel.numpy()
    layer(x)
    layer(x, training=False)
    np.testing.assert_array_equal(layer.layer.kernel.numpy(), before)


def test_zero_kernel_is_kept():
    layer = SpectralNormalization(Dense(2, kernel_initializer="zeros"))
    layer(tf.ones((1, 3)), training=True)
    np.testing.assert_array_equal(layer.layer.kernel.numpy(), 0.0)


def test_wraps_embeddings():
    layer = SpectralNormalization(Embedding(5, 3))
    layer(tf.constant([[1, 2]]), training=True)
    assert layer.kernel is layer.layer.embeddings
    assert tuple(layer.vector_u.shape) == (1, 3)


@pytest.mark.parametrize(
    "case, make",
    [
        (
            "spectral_iterations",
            lambda: SpectralNormalization(Dense(2), power_iterations=0),
        ),
        (
            "spectral_no_kernel",
            lambda: SpectralNormalization(Flatten())(tf.zeros((2, 3))),
        ),
    ],
)
def test_errors_match_tf_keras(case, make):
    with pytest.raises(ValueError) as info:
        make()
    assert str(info.value) == goldens.error_message(case)
