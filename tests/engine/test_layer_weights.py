"""Weight lists: order contract, freezing, dedup of shared variables."""

import tensorflow as tf

import kengine


class Shares(kengine.layers.Layer):
    def __init__(self):
        super().__init__()
        self.a = kengine.layers.Dense(2, name="a")
        self.same = self.a  # the same layer reachable twice counts once

    def call(self, x):
        return self.same(self.a(x))


def test_shared_variables_appear_once():
    layer = Shares()
    layer(tf.ones((1, 2)))
    assert [w.name for w in layer.weights] == ["shares/a/kernel:0", "shares/a/bias:0"]


def test_frozen_layer_reports_everything_non_trainable_in_order():
    model = kengine.Sequential(
        [
            kengine.layers.Dense(2, input_shape=(3,), name="d1"),
            kengine.layers.BatchNormalization(name="bn"),
        ]
    )
    model.layers[0].trainable = False
    assert [w.name for w in model.trainable_weights] == ["bn/gamma:0", "bn/beta:0"]
    assert [w.name for w in model.non_trainable_weights] == [
        "d1/kernel:0",
        "d1/bias:0",
        "bn/moving_mean:0",
        "bn/moving_variance:0",
    ]
    assert model.count_params() == 8 + 4 * 2


def test_variables_follow_keras_order_not_tf_module_order():
    layer = kengine.layers.Dense(2, name="zz")
    layer(tf.ones((1, 3)))
    names = ["zz/kernel:0", "zz/bias:0"]
    assert [v.name for v in layer.variables] == names
    assert [v.name for v in layer.trainable_variables] == names


class _Pair(kengine.layers.Layer):
    """Two sublayers, each with one trainable and one non-trainable weight."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = kengine.layers.BatchNormalization(name="first")
        self.second = kengine.layers.BatchNormalization(name="second")

    def call(self, x):
        return self.second(self.first(x))


class _PairAsModel(_Pair):
    _is_model = True  # the flag `Model` sets: weights listed layer by layer


def _weight_names(layer) -> list:
    layer(tf.zeros((1, 2)))
    return [w.name.split("/", 1)[1] for w in layer.weights]


def test_a_layer_lists_trainable_then_non_trainable_weights():
    assert _weight_names(_Pair(name="p")) == [
        "first/gamma:0",
        "first/beta:0",
        "second/gamma:0",
        "second/beta:0",
        "first/moving_mean:0",
        "first/moving_variance:0",
        "second/moving_mean:0",
        "second/moving_variance:0",
    ]


def test_the_model_flag_lists_weights_layer_by_layer():
    assert _weight_names(_PairAsModel(name="m")) == [
        "first/gamma:0",
        "first/beta:0",
        "first/moving_mean:0",
        "first/moving_variance:0",
        "second/gamma:0",
        "second/beta:0",
        "second/moving_mean:0",
        "second/moving_variance:0",
    ]
