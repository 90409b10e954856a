"""Tests for kengine/optimizers/legacy/adam.py: legacy Adam against tf_keras."""

import pytest

from kengine import optimizers
from kengine.optimizers.legacy.adam import Adam
from tests.optimizers import _cases, extra_cases

NAMES = extra_cases.ids("legacy", "Adam")


@pytest.mark.parametrize("name", NAMES)
def test_steps_slots_and_config_match_tf_keras(name):
    opt, variables = extra_cases.run_case_eagerly(name)
    extra_cases.assert_matches_golden(name, opt, variables)
    extra_cases.assert_config_matches_golden(name, opt)


def test_default_config_and_round_trip():
    golden = extra_cases.DEFAULTS["legacy"]["Adam"]
    _cases.assert_config_matches(Adam().get_config(), golden["config"])
    restored = optimizers.deserialize(optimizers.serialize(Adam()))
    assert type(restored) is Adam
    assert restored.get_config() == Adam().get_config()


def test_an_amsgrad_file_loads_into_a_plain_adam():
    import numpy as np
    import tensorflow as tf

    var = tf.Variable([1.0], name="w")
    opt = Adam()
    opt.build([var])
    opt.set_weights([np.array(3), np.ones(1), 2 * np.ones(1), 5 * np.ones(1)])
    assert [float(w.numpy().sum()) for w in opt.weights] == [3.0, 1.0, 2.0]
