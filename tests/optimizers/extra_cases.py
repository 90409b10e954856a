"""Replaying the optimizer cases of `testdata/library_extra/` (see
`tools/goldens/_extra_optimizers.py`): `Ftrl`, `Lion`, `Adafactor` and the
`optimizers.legacy` classes, on the loss, data and starting variables of the
`optimizers` area (`tests/optimizers/_cases.py`).
"""

import contextlib

import numpy as np
import pytest
import tensorflow as tf

from kengine import optimizers
from tests.goldens import load_json, load_npz
from tests.optimizers import _cases

AREA = "library_extra"
GOLDEN = load_json(AREA, "optimizers.json")
CASES = GOLDEN["cases"]
ARRAYS = load_npz(AREA, "optimizers.npz")
DEFAULTS = GOLDEN["defaults"]
STEPS = GOLDEN["steps"]
RTOL, ATOL = 1e-5, 1e-6


def ids(module: str, class_name: str) -> list[str]:
    """The case names of one class ("new" or "legacy" module)."""
    return [
        n
        for n, c in CASES.items()
        if c["module"] == module and c["class_name"] == class_name
    ]


def make_variables(name: str) -> list[tf.Variable]:
    """The case's model variables (`dense/kernel`, `dense/bias`, `embedding/...`)."""
    variables = []
    for full_name in CASES[name]["variable_names"]:
        scope, short = full_name.split(":")[0].split("/")
        with tf.name_scope(scope):
            value = np.array(GOLDEN["init"][short], np.float32)
            variables.append(tf.Variable(value, name=short))
    return variables


def make_optimizer(name: str):
    """The case's optimizer, from the kwargs tf_keras received."""
    case = CASES[name]
    kwargs = dict(case["kwargs"])
    if isinstance(kwargs.get("learning_rate"), dict):
        kwargs["learning_rate"] = optimizers.schedules.deserialize(
            kwargs["learning_rate"]
        )
    module = optimizers if case["module"] == "new" else optimizers.legacy
    return getattr(module, case["class_name"])(**kwargs)


def weights_of(opt) -> list:
    """`opt.variables` (2.11+) or `opt.weights` (legacy), as tf_keras recorded them."""
    return (
        opt.weights if isinstance(opt, optimizers.legacy.Optimizer) else opt.variables
    )


def run_case_eagerly(name: str):
    """STEPS eager steps of the case; returns (optimizer, variables)."""
    variables, opt = make_variables(name), make_optimizer(name)
    for _ in range(STEPS):
        _cases.train_step(opt, variables)
    return opt, variables


def assert_matches_golden(name: str, opt, variables) -> None:
    """Variables, optimizer weights (values, names, order) equal tf_keras's."""
    for i, variable in enumerate(variables):
        np.testing.assert_allclose(
            variable.numpy(), ARRAYS[f"{name}/var/{i}"], rtol=RTOL, atol=ATOL
        )
    weights = weights_of(opt)
    assert [w.name for w in weights] == CASES[name]["optimizer_variable_names"]
    for j, weight in enumerate(weights):
        np.testing.assert_allclose(
            weight.numpy(), ARRAYS[f"{name}/opt/{j}"], rtol=RTOL, atol=ATOL
        )


def assert_config_matches_golden(name: str, opt) -> None:
    """`serialize(opt)` has tf_keras's module, class and config (floats to float32)."""
    golden = CASES[name]["config"]
    serialized = optimizers.serialize(opt)
    assert (serialized["module"], serialized["class_name"]) == (
        golden["module"],
        golden["class_name"],
    )
    config = dict(serialized["config"])
    expected = dict(golden["config"])
    assert sorted(config) == sorted(expected)
    for key, value in expected.items():
        if isinstance(value, float):
            assert float(config[key]) == pytest.approx(value, rel=1e-6), key
        else:
            assert config[key] == value, key


def run_cases_together(names, strategy=None) -> dict:
    """Replays cases in one `tf.function` (on 2 replicas with a `strategy`).

    Each replica gets half the batch; the optimizer sums the two gradients, so
    the result must equal the single-device golden.
    """
    scope = strategy.scope() if strategy else contextlib.nullcontext()
    with scope:
        runs = {n: (make_optimizer(n), make_variables(n)) for n in names}
        for opt, variables in runs.values():
            with tf.name_scope(opt.name):
                opt.build(variables)
    halves = [tf.stack([a[:2], a[2:]]) for a in (_cases.X, _cases.Y, _cases.IDS)]

    def replica_fn():
        data = (_cases.X, _cases.Y, _cases.IDS)
        if strategy:
            replica = tf.distribute.get_replica_context().replica_id_in_sync_group
            data = [tf.gather(h, replica) for h in halves]
        for opt, variables in runs.values():
            with tf.GradientTape() as tape:
                loss = _cases.loss_fn(variables, *data)
            opt.apply_gradients(zip(tape.gradient(loss, variables), variables))

    @tf.function
    def step():
        if strategy:
            strategy.run(replica_fn)
        else:
            replica_fn()

    for _ in range(STEPS):
        step()
    assert step.experimental_get_tracing_count() == 1
    return runs
