"""Tests for kengine/optimizers/utils.py: filtering, all-reduce, clipping, checks."""

import logging

import numpy as np
import pytest
import tensorflow as tf

from kengine.optimizers import utils
from tests.optimizers._cases import mirrored_strategy


def test_filter_empty_gradients_keeps_order_and_warns(caplog):
    a, b, c = (tf.Variable(1.0, name=n) for n in "abc")
    with caplog.at_level(logging.WARNING):
        kept = utils.filter_empty_gradients([(1.0, a), (None, b), (2.0, c)])
    assert [v.name for _, v in kept] == ["a:0", "c:0"]
    assert "['b:0']" in caplog.text


def test_filter_empty_gradients_raises_when_nothing_is_left():
    with pytest.raises(
        ValueError, match=r"No gradients provided for any variable: \['a:0'\]"
    ):
        utils.filter_empty_gradients([(None, tf.Variable(1.0, name="a"))])


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"clipnorm": 1.0}, [[0.6, 0.8], [0.0, 1.0]]),
        ({"global_clipnorm": 6.5}, [[1.5, 2.0], [0.0, 6.0]]),  # global norm is 13
        ({"clipvalue": 2.0}, [[2.0, 2.0], [0.0, 2.0]]),
        # clipnorm wins over clipvalue, as in tf_keras; non-positive means off.
        ({"clipnorm": 1.0, "clipvalue": 0.1}, [[0.6, 0.8], [0.0, 1.0]]),
        ({"clipnorm": 0.0}, [[3.0, 4.0], [0.0, 12.0]]),
    ],
)
def test_clip_gradients(kwargs, expected):
    grads = [tf.constant([3.0, 4.0]), tf.constant([0.0, 12.0])]
    clipped = utils.clip_gradients(grads, **kwargs)
    np.testing.assert_allclose([g.numpy() for g in clipped], expected, rtol=1e-6)


def test_clip_gradients_passes_none_through():
    assert utils.clip_gradients([None, tf.constant([5.0])], clipnorm=1.0)[0] is None


def test_densify_sums_repeated_rows():
    slices = tf.IndexedSlices(
        tf.constant([[1.0], [2.0], [4.0]]), tf.constant([0, 2, 0]), tf.constant([3, 1])
    )
    np.testing.assert_array_equal(utils.densify(slices).numpy(), [[5.0], [0.0], [2.0]])


def test_all_reduce_sums_across_replicas():
    strategy = mirrored_strategy()
    holder = tf.Variable(0.0)

    @tf.function
    def run():
        def replica_fn():
            replica = tf.distribute.get_replica_context().replica_id_in_sync_group
            grad = tf.cast(replica + 1, tf.float32) * tf.ones((2,))
            [(reduced, _)] = utils.all_reduce_sum_gradients([(grad, holder)])
            return reduced

        return strategy.run(replica_fn)

    per_replica = run()
    for value in strategy.experimental_local_results(per_replica):
        np.testing.assert_array_equal(value.numpy(), [3.0, 3.0])


def test_check_extra_kwargs_pops_what_it_accepts_and_returns_lr():
    kwargs = {"lr": 0.5, "is_legacy_optimizer": False}
    assert utils.check_extra_kwargs(kwargs, "Adam") == 0.5
    assert kwargs == {}
    assert utils.check_extra_kwargs({}, "Adam") is None


@pytest.mark.parametrize(
    "key, error, match",
    [
        ("decay", ValueError, "decay is deprecated .* argument of Adam"),
        ("gradient_transformers", ValueError, "deprecated"),
        ("momentun", TypeError, "momentun is not a valid argument of Adam"),
    ],
)
def test_check_extra_kwargs_rejects_unknown_keys(key, error, match):
    with pytest.raises(error, match=match):
        utils.check_extra_kwargs({key: 1}, "Adam")
