"""Tests for kengine/optimizers/legacy/rmsprop.py: legacy RMSprop against tf_keras."""

import pytest

from kengine import optimizers
from kengine.optimizers.legacy.rmsprop import RMSprop
from tests.optimizers import _cases, extra_cases

NAMES = extra_cases.ids("legacy", "RMSprop")


@pytest.mark.parametrize("name", NAMES)
def test_steps_slots_and_config_match_tf_keras(name):
    opt, variables = extra_cases.run_case_eagerly(name)
    extra_cases.assert_matches_golden(name, opt, variables)
    extra_cases.assert_config_matches_golden(name, opt)


def test_default_config_and_round_trip():
    golden = extra_cases.DEFAULTS["legacy"]["RMSprop"]
    _cases.assert_config_matches(RMSprop().get_config(), golden["config"])
    restored = optimizers.deserialize(optimizers.serialize(RMSprop()))
    assert type(restored) is RMSprop
    assert restored.get_config() == RMSprop().get_config()


def test_weights_saved_without_iter_still_load():
    import numpy as np
    import tensorflow as tf

    var = tf.Variable([1.0, 2.0], name="w")
    opt = RMSprop()
    opt.build([var])
    opt.set_weights([np.array([0.5, 0.25], np.float32)])
    assert int(opt.iterations.numpy()) == 0
    np.testing.assert_array_equal(opt.get_slot(var, "rms").numpy(), [0.5, 0.25])
