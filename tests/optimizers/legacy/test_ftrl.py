"""Tests for kengine/optimizers/legacy/ftrl.py: legacy Ftrl against tf_keras."""

import pytest

from kengine import optimizers
from kengine.optimizers.legacy.ftrl import Ftrl
from tests.optimizers import _cases, extra_cases

NAMES = extra_cases.ids("legacy", "Ftrl")


@pytest.mark.parametrize("name", NAMES)
def test_steps_slots_and_config_match_tf_keras(name):
    opt, variables = extra_cases.run_case_eagerly(name)
    extra_cases.assert_matches_golden(name, opt, variables)
    extra_cases.assert_config_matches_golden(name, opt)


def test_default_config_and_round_trip():
    golden = extra_cases.DEFAULTS["legacy"]["Ftrl"]
    _cases.assert_config_matches(Ftrl().get_config(), golden["config"])
    restored = optimizers.deserialize(optimizers.serialize(Ftrl()))
    assert type(restored) is Ftrl
    assert restored.get_config() == Ftrl().get_config()


def test_out_of_range_arguments_raise():
    with pytest.raises(ValueError, match="learning_rate_power=0.5"):
        Ftrl(learning_rate_power=0.5)
    with pytest.raises(ValueError, match="l2_regularization_strength=-1"):
        Ftrl(l2_regularization_strength=-1)
