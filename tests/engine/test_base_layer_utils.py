"""Call context, snake_case names, trackable flattening."""

import pytest
import tensorflow as tf

import kengine
from kengine.engine import base_layer_utils as utils


def test_to_snake_case():
    assert utils.to_snake_case("Conv2DTranspose") == "conv2d_transpose"
    assert utils.to_snake_case("GRU") == "gru"
    assert utils.to_snake_case("MyLayer2") == "my_layer2"


def test_call_context_nesting():
    ctx = utils.call_context()
    assert not ctx.in_call
    with ctx.enter(True):
        assert ctx.in_call and ctx.training is True
        with ctx.enter(None):
            assert ctx.training is True and ctx.depth == 2
        with ctx.enter_symbolic(False):
            assert ctx.symbolic and ctx.training is False
    assert not ctx.in_call and ctx.training is None and not ctx.symbolic


def test_flatten_trackables_and_dedup():
    d = kengine.layers.Dense(1)
    v = tf.Variable(1.0)
    value = {"a": [d, (v, "x")], "b": None}
    assert utils.flatten_trackables(value, kengine.layers.Layer) == [d]
    assert utils.flatten_trackables(value, tf.Variable) == [v]
    assert utils.dedup([d, d, v]) == [d, v]


def test_name_training_and_mask_moves_positional_flags_to_keywords():
    def call(self, inputs, training=None, mask=None):
        return inputs

    def call_with_extra(self, inputs, scale, training=None):
        return inputs

    move = utils.name_training_and_mask
    assert move(call, (True,), {}) == ((), {"training": True})
    assert move(call, (False, "m"), {}) == ((), {"training": False, "mask": "m"})
    assert move(call_with_extra, (2.0, True), {}) == ((2.0,), {"training": True})
    assert move(call_with_extra, (2.0,), {}) == ((2.0,), {})


def test_set_untracked_bypasses_layer_tracking():
    layer = kengine.layers.Dense(2)
    inner = kengine.layers.Dense(3)
    utils.set_untracked(layer, "_scratch", [inner, tf.Variable(1.0)])
    assert layer._scratch[0] is inner
    assert inner not in list(layer._flatten_layers())
    assert layer.weights == []


def test_map_shapes_applies_to_every_shape_in_a_structure():
    shapes = {"a": (None, 3), "b": [(2,), [4, 5]]}
    ranks = utils.map_shapes(lambda s: s.rank, shapes)
    assert ranks == {"a": 2, "b": [1, 2]}


@pytest.mark.parametrize(
    "shape, expected",
    [
        (tf.TensorShape([None, 3]), (None, 3)),
        (tf.TensorShape(None), None),
        ([tf.TensorShape([1]), (2, 3)], [(1,), (2, 3)]),
        ({"x": tf.TensorShape([5])}, {"x": (5,)}),
        ([None, 4], (None, 4)),
        (None, None),
    ],
)
def test_shape_to_json_writes_tuples_as_tf_keras(shape, expected):
    assert utils.shape_to_json(shape) == expected
