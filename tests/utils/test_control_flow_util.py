"""Tests of `kengine.utils.control_flow_util.smart_cond`."""

import pytest
import tensorflow as tf

from kengine.utils.control_flow_util import smart_cond


@pytest.mark.parametrize(
    "pred, expected", [(True, 1), (False, 0), (None, 0), (1, 1), (0, 0)]
)
def test_python_predicates_run_one_branch(pred, expected):
    calls = []

    def branch(value):
        calls.append(value)
        return value

    assert smart_cond(pred, lambda: branch(1), lambda: branch(0)) == expected
    assert calls == [expected]


def test_constant_tensor_predicates_are_resolved_statically():
    assert smart_cond(tf.constant(True), lambda: "a", lambda: "b") == "a"


def test_unknown_tensor_predicate_builds_a_cond():
    @tf.function(input_signature=[tf.TensorSpec((), tf.bool)])
    def pick(pred):
        return smart_cond(pred, lambda: tf.constant(1.0), lambda: tf.constant(2.0))

    assert float(pick(tf.constant(True))) == 1.0
    assert float(pick(tf.constant(False))) == 2.0
