"""Tests for kengine/optimizers/legacy/adadelta.py: legacy Adadelta against tf_keras."""

import pytest

from kengine import optimizers
from kengine.optimizers.legacy.adadelta import Adadelta
from tests.optimizers import _cases, extra_cases

NAMES = extra_cases.ids("legacy", "Adadelta")


@pytest.mark.parametrize("name", NAMES)
def test_steps_slots_and_config_match_tf_keras(name):
    opt, variables = extra_cases.run_case_eagerly(name)
    extra_cases.assert_matches_golden(name, opt, variables)
    extra_cases.assert_config_matches_golden(name, opt)


def test_default_config_and_round_trip():
    golden = extra_cases.DEFAULTS["legacy"]["Adadelta"]
    _cases.assert_config_matches(Adadelta().get_config(), golden["config"])
    restored = optimizers.deserialize(optimizers.serialize(Adadelta()))
    assert type(restored) is Adadelta
    assert restored.get_config() == Adadelta().get_config()
