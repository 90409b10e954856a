"""Tests for kengine/optimizers/ftrl.py against tf_keras goldens (library_extra)."""

import numpy as np
import pytest

from kengine import optimizers
from kengine.optimizers.ftrl import Ftrl
from tests.optimizers import _cases, extra_cases

NAMES = extra_cases.ids("new", "Ftrl")


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
    golden = extra_cases.DEFAULTS["new"]["Ftrl"]
    _cases.assert_config_matches(Ftrl().get_config(), golden["config"])
    assert type(optimizers.get("ftrl")) is Ftrl
    restored = optimizers.deserialize(optimizers.serialize(Ftrl()))
    assert type(restored) is Ftrl


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"initial_accumulator_value": -0.1}, "initial_accumulator_value=-0.1"),
        ({"learning_rate_power": 0.5}, "learning_rate_power=0.5"),
        ({"l1_regularization_strength": -1.0}, "l1_regularization_strength=-1.0"),
        ({"l2_regularization_strength": -1.0}, "l2_regularization_strength=-1.0"),
        (
            {"l2_shrinkage_regularization_strength": -1.0},
            "l2_shrinkage_regularization_strength=-1.0",
        ),
    ],
)
def test_out_of_range_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Ftrl(**kwargs)
