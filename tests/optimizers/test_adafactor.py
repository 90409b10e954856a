"""Tests for kengine/optimizers/adafactor.py against tf_keras goldens (library_extra)."""

import numpy as np
import pytest

from kengine import optimizers
from kengine.optimizers.adafactor import Adafactor
from tests.optimizers import _cases, extra_cases

NAMES = extra_cases.ids("new", "Adafactor")


@pytest.mark.parametrize("name", NAMES)
def test_steps_slots_and_config_match_tf_keras(name):
    opt, variables = extra_cases.run_case_eagerly(name)
    extra_cases.assert_matches_golden(name, opt, variables)
    extra_cases.assert_config_matches_golden(name, opt)


def test_matches_tf_keras_in_tf_function_and_on_two_replicas():
    for strategy in (None, _cases.mirrored_strategy()):
        runs = extra_cases.run_cases_together(NAMES, strategy=strategy)
        for name, (opt, variables) in runs.items():
            for i, variable in enumerate(variables):
                np.testing.assert_allclose(
                    variable.numpy(),
                    extra_cases.ARRAYS[f"{name}/var/{i}"],
                    rtol=1e-5,
                    atol=1e-6,
                )
            if strategy is not None:
                _cases.assert_replicas_agree(opt.variables)


def test_default_config_and_lookup_by_name():
    golden = extra_cases.DEFAULTS["new"]["Adafactor"]
    _cases.assert_config_matches(Adafactor().get_config(), golden["config"])
    assert type(optimizers.get("adafactor")) is Adafactor
    restored = optimizers.deserialize(optimizers.serialize(Adafactor()))
    assert type(restored) is Adafactor


def test_vectors_keep_a_full_second_moment_and_matrices_factor_it():
    import tensorflow as tf

    with tf.name_scope("dense"):
        kernel = tf.Variable(tf.ones((3, 2)), name="kernel")
        bias = tf.Variable(tf.ones((2,)), name="bias")
    opt = Adafactor()
    opt.apply_gradients([(tf.ones((3, 2)), kernel), (tf.ones((2,)), bias)])
    assert [(v.name, tuple(v.shape)) for v in opt.variables] == [
        ("iteration:0", ()),
        ("Adafactor/r/dense/kernel:0", (3,)),
        ("Adafactor/c/dense/kernel:0", (2,)),
        ("Adafactor/v/dense/kernel:0", (3, 2)),
        ("Adafactor/v/dense/bias:0", (2,)),
    ]
