"""Tests of `kengine.layers.alpha_dropout`: AlphaDropout."""

import numpy as np
import pytest
import tensorflow as tf

from kengine.layers.alpha_dropout import AlphaDropout
from kengine.testing import run_layer_test
from tests.layers import attention_goldens as goldens

CASES = goldens.case_ids("AlphaDropout")
ALPHA_P = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946


@pytest.mark.parametrize("case", CASES)
def test_matches_tf_keras_in_inference(case):
    goldens.check_case(case)
    goldens.check_symbolic(case)
    goldens.check_config_round_trip(case)


def test_conformance_matrix_in_training():
    run_layer_test(
        AlphaDropout,
        {"rate": 0.2, "seed": 1},
        input_shape=(4, 6),
        call_kwargs={"training": True},
        deterministic=False,
        run_jit_check=False,
    )


def test_dropped_units_take_the_affine_image_of_alpha_prime():
    rate = 0.4
    x = tf.constant(goldens.range_like((200, 50), 1.0))
    y = AlphaDropout(rate, seed=2)(x, training=True).numpy()
    a = ((1 - rate) * (1 + rate * ALPHA_P**2)) ** -0.5
    b = -a * ALPHA_P * rate
    dropped = np.isclose(y, a * ALPHA_P + b)
    np.testing.assert_allclose(y[~dropped], a * x.numpy()[~dropped] + b, rtol=1e-5)
    assert abs(dropped.mean() - rate) < 0.02


def test_keeps_a_standard_normal_input_standard():
    x = tf.random.stateless_normal((400, 500), seed=(1, 2))
    y = AlphaDropout(0.3, seed=5)(x, training=True).numpy()
    assert abs(y.mean()) < 0.01 and abs(y.std() - 1.0) < 0.01


@pytest.mark.parametrize("rate", [0.0, 1.0])
def test_rates_outside_the_open_interval_are_the_identity(rate):
    x = tf.constant(goldens.range_like((2, 3), 1.0))
    np.testing.assert_array_equal(AlphaDropout(rate)(x, training=True).numpy(), x)


def test_noise_shape_shares_the_draw():
    layer = AlphaDropout(0.5, noise_shape=[50, 1], seed=4)
    y = layer(tf.ones((50, 6)), training=True).numpy()
    assert np.all(y == y[:, :1])
