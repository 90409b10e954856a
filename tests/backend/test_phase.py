"""Tests of kengine/backend/phase.py: the learning phase and TF1 leftovers."""

import numpy as np
import pytest
import tensorflow as tf

from kengine import backend as K
from tests.backend import _extra_goldens


@pytest.mark.parametrize(
    "case", _extra_goldens.cases_of("in_train_phase", "in_test_phase", "switch")
)
def test_matches_tf_keras(case):
    _extra_goldens.check_case(case)


def test_default_phase_is_test():
    assert K.learning_phase() == 0
    assert K.in_train_phase("train", "test") == "test"
    assert K.in_test_phase("test", "train") == "test"


def test_set_learning_phase_warns_and_is_read():
    try:
        with pytest.warns(UserWarning, match="set_learning_phase` is deprecated"):
            K.set_learning_phase(1)
        assert K.learning_phase() == 1
        assert K.in_train_phase(lambda: "train", lambda: "test") == "train"
    finally:
        with pytest.warns(UserWarning):
            K.set_learning_phase(0)


def test_learning_phase_scope_restores_the_phase():
    with pytest.warns(UserWarning, match="learning_phase_scope` is deprecated"):
        with K.learning_phase_scope(1):
            assert K.learning_phase() == 1
    assert K.learning_phase() == 0


def test_bad_phase_value_raises():
    with pytest.raises(ValueError, match="0 or 1. Received: value=2"):
        with pytest.warns(UserWarning):
            K.set_learning_phase(2)


def test_tensor_training_flag_chooses_in_tf_function():
    fn = tf.function(lambda t: K.in_train_phase(lambda: tf.ones(2), tf.zeros(2), t))
    np.testing.assert_array_equal(fn(tf.constant(True)), [1.0, 1.0])
    np.testing.assert_array_equal(fn(tf.constant(False)), [0.0, 0.0])


def test_switch_condition_of_higher_rank_raises():
    with pytest.raises(ValueError, match="ndim\\(condition\\)=2"):
        K.switch(tf.ones((2, 2)) > 0, tf.ones(2), tf.zeros(2))


@pytest.mark.parametrize(
    "fn, args, match",
    [
        (K.placeholder, (), "kengine.Input"),
        (K.function, ([], []), "tf.function"),
        (K.gradients, (None, []), "GradientTape"),
        (K.get_session, (), "numpy"),
    ],
)
def test_graph_mode_entry_points_explain_what_to_do(fn, args, match):
    with pytest.raises(RuntimeError, match=match):
        fn(*args)


def test_name_scope_and_manual_initialization_flag():
    with K.name_scope("block"):
        assert tf.Variable(1.0, name="v").name == "block/v:0"
    K.manual_variable_initialization(True)
    K.manual_variable_initialization(False)
