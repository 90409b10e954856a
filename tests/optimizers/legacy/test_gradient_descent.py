"""Tests for kengine/optimizers/legacy/gradient_descent.py: legacy SGD against tf_keras."""

import pytest

from kengine import optimizers
from kengine.optimizers.legacy.gradient_descent import SGD
from tests.optimizers import _cases, extra_cases

NAMES = extra_cases.ids("legacy", "SGD")


@pytest.mark.parametrize("name", NAMES)
def test_steps_slots_and_config_match_tf_keras(name):
    opt, variables = extra_cases.run_case_eagerly(name)
    extra_cases.assert_matches_golden(name, opt, variables)
    extra_cases.assert_config_matches_golden(name, opt)


def test_default_config_and_round_trip():
    golden = extra_cases.DEFAULTS["legacy"]["SGD"]
    _cases.assert_config_matches(SGD().get_config(), golden["config"])
    restored = optimizers.deserialize(optimizers.serialize(SGD()))
    assert type(restored) is SGD
    assert restored.get_config() == SGD().get_config()


@pytest.mark.parametrize("momentum", [-0.1, 1.5])
def test_momentum_outside_zero_one_raises(momentum):
    with pytest.raises(ValueError, match=f"Received: momentum={momentum}"):
        SGD(momentum=momentum)


def test_no_momentum_means_no_slots():
    import tensorflow as tf

    var = tf.Variable([1.0], name="w")
    opt = SGD(learning_rate=0.5)
    opt.apply_gradients([(tf.constant([1.0]), var)])
    assert [w.name for w in opt.weights] == ["SGD/iter:0"]
    assert opt.get_slot_names() == []
