"""Tests for kengine/optimizers/legacy/nadam.py: legacy Nadam against tf_keras."""

import pytest

from kengine import optimizers
from kengine.optimizers.legacy.nadam import Nadam
from tests.optimizers import _cases, extra_cases

NAMES = extra_cases.ids("legacy", "Nadam")


@pytest.mark.parametrize("name", NAMES)
def test_steps_slots_and_config_match_tf_keras(name):
    opt, variables = extra_cases.run_case_eagerly(name)
    extra_cases.assert_matches_golden(name, opt, variables)
    extra_cases.assert_config_matches_golden(name, opt)


def test_default_config_and_round_trip():
    golden = extra_cases.DEFAULTS["legacy"]["Nadam"]
    _cases.assert_config_matches(Nadam().get_config(), golden["config"])
    restored = optimizers.deserialize(optimizers.serialize(Nadam()))
    assert type(restored) is Nadam
    assert restored.get_config() == Nadam().get_config()


def test_refuses_learning_rate_schedules():
    schedule = optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
    with pytest.raises(ValueError, match="does not support"):
        Nadam(learning_rate=schedule)


def test_schedule_decay_is_the_keras_1_name_of_decay():
    assert Nadam(schedule_decay=0.01).get_config()["decay"] == 0.01
    assert Nadam().get_config()["decay"] == 0.004
