"""Tests for kengine/optimizers/legacy/adamax.py: legacy Adamax against tf_keras."""

import pytest

from kengine import optimizers
from kengine.optimizers.legacy.adamax import Adamax
from tests.optimizers import _cases, extra_cases

NAMES = extra_cases.ids("legacy", "Adamax")


@pytest.mark.parametrize("name", NAMES)
def test_steps_slots_and_config_match_tf_keras(name):
    opt, variables = extra_cases.run_case_eagerly(name)
    extra_cases.assert_matches_golden(name, opt, variables)
    extra_cases.assert_config_matches_golden(name, opt)


def test_default_config_and_round_trip():
    golden = extra_cases.DEFAULTS["legacy"]["Adamax"]
    _cases.assert_config_matches(Adamax().get_config(), golden["config"])
    restored = optimizers.deserialize(optimizers.serialize(Adamax()))
    assert type(restored) is Adamax
    assert restored.get_config() == Adamax().get_config()
