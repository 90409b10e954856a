"""Tests for kengine/optimizers/legacy/adagrad.py: legacy Adagrad against tf_keras."""

import pytest

from kengine import optimizers
from kengine.optimizers.legacy.adagrad import Adagrad
from tests.optimizers import _cases, extra_cases

NAMES = extra_cases.ids("legacy", "Adagrad")


@pytest.mark.parametrize("name", NAMES)
def test_steps_slots_and_config_match_tf_keras(name):
    opt, variables = extra_cases.run_case_eagerly(name)
    extra_cases.assert_matches_golden(name, opt, variables)
    extra_cases.assert_config_matches_golden(name, opt)


def test_default_config_and_round_trip():
    golden = extra_cases.DEFAULTS["legacy"]["Adagrad"]
    _cases.assert_config_matches(Adagrad().get_config(), golden["config"])
    restored = optimizers.deserialize(optimizers.serialize(Adagrad()))
    assert type(restored) is Adagrad
    assert restored.get_config() == Adagrad().get_config()


def test_negative_initial_accumulator_raises():
    with pytest.raises(
        ValueError, match="initial_accumulator_value must be non-negative"
    ):
        Adagrad(initial_accumulator_value=-1.0)


def test_from_config_fills_in_the_initial_accumulator():
    opt = Adagrad.from_config({"name": "Adagrad", "lr": 0.5})
    assert opt.get_config()["initial_accumulator_value"] == 0.1
    assert float(opt.learning_rate.numpy()) == 0.5
