"""Tests of kengine/backend/math_ops.py against tf_keras (goldens in library_extra)."""

import numpy as np
import pytest
import tensorflow as tf

from kengine import backend as K
from tests.backend import _extra_goldens

FUNCTIONS = [
    "cos",
    "sin",
    "cumsum",
    "cumprod",
    "l2_normalize",
    "in_top_k",
    "stop_gradient",
    "elu",
    "hard_sigmoid",
    "softsign",
    "bias_add",
]


@pytest.mark.parametrize("case", _extra_goldens.cases_of(*FUNCTIONS))
def test_matches_tf_keras(case):
    _extra_goldens.check_case(case)


def test_stop_gradient_blocks_gradients_of_lists_too():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = K.stop_gradient([x * x])[0] + x
    assert float(tape.gradient(y, x)) == 1.0


def test_bias_add_rejects_a_bias_of_the_wrong_rank():
    with pytest.raises(ValueError, match="Unexpected bias dimensions 2"):
        K.bias_add(tf.zeros((2, 3, 4, 5)), tf.zeros((3, 4)))


def test_folds_and_map():
    elems = tf.constant([1.0, 2.0, 3.0])
    assert float(K.foldl(lambda acc, x: acc - x, elems, initializer=0.0)) == -6.0
    assert float(K.foldr(lambda acc, x: acc * 10 + x, elems)) == 321.0
    np.testing.assert_array_equal(K.map_fn(lambda x: x * x, elems), [1.0, 4.0, 9.0])


def test_print_tensor_returns_its_input(capfd):
    x = tf.constant([1.0, 2.0])
    assert K.print_tensor(x, message="x =") is x
    assert "x = [1 2]" in capfd.readouterr().out
