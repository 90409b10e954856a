"""Tests for kengine/optimizers/lion.py against tf_keras goldens (library_extra)."""

import numpy as np
import pytest

from kengine import optimizers
from kengine.optimizers.lion import Lion
from tests.optimizers import _cases, extra_cases

NAMES = extra_cases.ids("new", "Lion")


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
    golden = extra_cases.DEFAULTS["new"]["Lion"]
    _cases.assert_config_matches(Lion().get_config(), golden["config"])
    assert type(optimizers.get("lion")) is Lion
    restored = optimizers.deserialize(optimizers.serialize(Lion()))
    assert type(restored) is Lion


@pytest.mark.parametrize("beta_1", [0.0, 1.5])
def test_beta_1_outside_zero_one_raises(beta_1):
    with pytest.raises(ValueError, match=f"`beta_1`={beta_1} must be between"):
        Lion(beta_1=beta_1)


def test_every_step_moves_by_the_learning_rate():
    import tensorflow as tf

    var = tf.Variable([1.0, -1.0, 0.5])
    opt = Lion(learning_rate=0.25)
    opt.apply_gradients([(tf.constant([3.0, -0.01, 0.0]), var)])
    np.testing.assert_allclose(var.numpy(), [0.75, -0.75, 0.5])
