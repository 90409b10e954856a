"""Layer: building, weights and their order, losses, training flag, config, errors.

Most cases are the seed notes' own examples (002: Linear, ComputeSum, MLP,
ActivityRegularization), asserted as the notes assert them.
"""

import numpy as np
import pytest
import tensorflow as tf

import kengine
from kengine import backend, layers


class Linear(layers.Layer):
    """y = w.x + b, built lazily from the input shape (seed 002)."""

    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(
            shape=(input_shape[-1], self.units),
            initializer="random_normal",
            trainable=True,
            name="w",
        )
        self.b = self.add_weight(
            shape=(self.units,), initializer="random_normal", trainable=True, name="b"
        )

    def call(self, inputs):
        return tf.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class EagerLinear(layers.Layer):
    """Weights created in __init__ as tf.Variable attributes (seed 002)."""

    def __init__(self, units=32, input_dim=32):
        super().__init__()
        self.w = tf.Variable(tf.random.normal((input_dim, units)), trainable=True)
        self.b = tf.Variable(tf.zeros((units,)), trainable=True)

    def call(self, inputs):
        return tf.matmul(inputs, self.w) + self.b


class ComputeSum(layers.Layer):
    def __init__(self, input_dim):
        super().__init__()
        self.total = tf.Variable(initial_value=tf.zeros((input_dim,)), trainable=False)

    def call(self, inputs):
        self.total.assign_add(tf.reduce_sum(inputs, axis=0))
        return self.total


class MLP(layers.Layer):
    def __init__(self):
        super().__init__()
        self.linear_1 = Linear(32)
        self.linear_2 = Linear(32)
        self.linear_3 = Linear(10)

    def call(self, inputs):
        x = tf.nn.relu(self.linear_1(inputs))
        x = tf.nn.relu(self.linear_2(x))
        return self.linear_3(x)


class ActivityRegularization(layers.Layer):
    def __init__(self, rate=1e-2):
        super().__init__()
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * tf.reduce_sum(inputs))
        return inputs


class SparseMLP(layers.Layer):
    def __init__(self):
        super().__init__()
        self.linear_1 = Linear(32)
        self.regularization = ActivityRegularization(1e-2)
        self.linear_3 = Linear(10)

    def call(self, inputs):
        x = tf.nn.relu(self.linear_1(inputs))
        return self.linear_3(self.regularization(x))


def test_eager_linear_tracks_variable_attributes():
    layer = EagerLinear(units=4, input_dim=2)
    assert layer(tf.ones((2, 2))).shape == (2, 4)
    assert layer.weights == [layer.w, layer.b]


def test_lazy_linear_builds_once_from_input_shape():
    layer = Linear(4)
    assert not layer.built and layer.weights == []
    y = layer(tf.ones((2, 2)))
    assert y.shape == (2, 4) and layer.built
    assert [w.name for w in layer.weights] == ["linear/w:0", "linear/b:0"]
    w = layer.w
    layer(tf.ones((3, 2)))
    assert layer.w is w  # not rebuilt


def test_compute_sum_non_trainable_state():
    my_sum = ComputeSum(2)
    x = tf.ones((2, 2))
    np.testing.assert_array_equal(my_sum(x).numpy(), [2.0, 2.0])
    np.testing.assert_array_equal(my_sum(x).numpy(), [4.0, 4.0])
    assert my_sum.weights == [my_sum.total]
    assert my_sum.non_trainable_weights == [my_sum.total]
    assert my_sum.trainable_weights == []


def test_mlp_tracks_nested_weights_in_order():
    mlp = MLP()
    mlp(tf.ones(shape=(3, 64)))
    assert len(mlp.weights) == 6
    assert [tuple(w.shape) for w in mlp.weights] == [
        (64, 32),
        (32,),
        (32, 32),
        (32,),
        (32, 10),
        (10,),
    ]
    assert [w.name for w in mlp.weights][:2] == ["mlp/linear/w:0", "mlp/linear/b:0"]


def test_activity_regularization_losses_do_not_accumulate():
    mlp = SparseMLP()
    mlp(tf.ones((10, 10)))
    assert len(mlp.losses) == 1
    mlp(tf.ones((10, 10)))
    assert len(mlp.losses) == 1  # no accumulation
    first = float(mlp.losses[0])
    mlp(tf.zeros((10, 10)))
    assert float(mlp.losses[0]) != first  # the last forward pass's value


def test_weight_order_own_first_then_nested_then_non_trainable():
    class Block(layers.Layer):
        def __init__(self):
            super().__init__()
            self.inner = Linear(2, name="inner")
            self.state = tf.Variable(0.0, trainable=False)

        def build(self, input_shape):
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")

        def call(self, x):
            return self.inner(x) * self.scale

    block = Block()
    block(tf.ones((1, 3)))
    assert [w.name for w in block.weights] == [
        "block/scale:0",
        "block/inner/w:0",
        "block/inner/b:0",
        "Variable:0",
    ]
    assert [w.name for w in block.non_trainable_weights] == ["Variable:0"]


def test_trainable_flag_is_recursive():
    mlp = MLP()
    mlp(tf.ones((1, 5)))
    mlp.trainable = False
    assert mlp.trainable_weights == [] and len(mlp.non_trainable_weights) == 6
    assert not mlp.linear_2.trainable
    mlp.trainable = True
    assert len(mlp.trainable_weights) == 6


def test_add_weight_regularizer_and_callable_losses():
    class Reg(layers.Layer):
        def build(self, input_shape):
            self.k = self.add_weight(
                name="k",
                shape=(2,),
                initializer="ones",
                regularizer=kengine.regularizers.l2(0.5),
            )
            self.add_loss(lambda: tf.reduce_sum(self.k) * 0.0 + 1.0)

        def call(self, x):
            return x * self.k

    layer = Reg()
    layer(tf.ones((1, 2)))
    assert [float(v) for v in layer.losses] == [1.0, 1.0]  # 0.5 * (1 + 1), then 1.0


def test_add_loss_of_concrete_tensor_outside_call_is_an_error():
    layer = Linear(2)
    with pytest.raises(ValueError, match="zero argument `lambda`"):
        layer.add_loss(tf.constant(1.0))


def test_training_argument_resolution():
    seen = []

    class Probe(layers.Layer):
        def call(self, x, training=None):
            seen.append(training)
            return x

    class Outer(layers.Layer):
        def __init__(self):
            super().__init__()
            self.probe = Probe()

        def call(self, x):
            return self.probe(x)

    probe, outer = Probe(), Outer()
    probe(tf.ones((1,)))
    probe(tf.ones((1,)), training=True)
    outer(tf.ones((1,)), training=True)  # propagated to the nested call
    outer(tf.ones((1,)))
    assert seen == [None, True, True, None]


def test_get_weights_set_weights_count_params():
    layer = Linear(3)
    with pytest.raises(ValueError, match="isn't built"):
        layer.count_params()
    layer(tf.ones((1, 2)))
    assert layer.count_params() == 9
    values = [np.full((2, 3), 0.5, "float32"), np.arange(3, dtype="float32")]
    layer.set_weights(values)
    for got, want in zip(layer.get_weights(), values):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="expecting 2 weights"):
        layer.set_weights(values[:1])
    with pytest.raises(ValueError, match=r"weight shape \(2, 3\) is not compatible"):
        layer.set_weights([np.ones((3, 2)), np.ones(3)])


def test_unique_names_reset_by_clear_session():
    assert [Linear().name, Linear().name, Linear().name] == [
        "linear",
        "linear_1",
        "linear_2",
    ]
    backend.clear_session()
    assert Linear().name == "linear"


def test_input_spec_errors_name_layer_and_shapes():
    class Needs4D(layers.Layer):
        def __init__(self):
            super().__init__()
            self.input_spec = layers.InputSpec(ndim=4, axes={-1: 3})

    layer = Needs4D()
    with pytest.raises(
        ValueError,
        match=r'layer "needs4d".*expected ndim=4, found ndim=3.*'
        r"\(2, 5, 5\).*batch axis may be missing",
    ):
        layer(tf.ones((2, 5, 5)))
    with pytest.raises(
        ValueError, match=r"expected axis -1 of input shape to have value 3"
    ):
        layer(tf.ones((2, 5, 5, 4)))


def test_compute_output_shape_traces_call():
    assert Linear(7).compute_output_shape((None, 3)).as_list() == [None, 7]


def test_get_config_round_trip_and_auto_config():
    layer = Linear(5, name="lin", trainable=False)
    config = layer.get_config()
    assert config == {"name": "lin", "trainable": False, "dtype": "float32", "units": 5}
    clone = Linear.from_config(config)
    assert clone.units == 5 and clone.name == "lin" and not clone.trainable
    # A custom layer with simple constructor arguments gets its config for free.
    assert ComputeSum(3).get_config()["input_dim"] == 3


def test_non_serializable_init_arguments_need_get_config():
    class Holder(layers.Layer):
        def __init__(self, thing):
            super().__init__()
            self.thing = thing

    with pytest.raises(NotImplementedError, match="must override `get_config\\(\\)`"):
        Holder(object()).get_config()


def test_forgetting_super_init_is_explained():
    class Broken(layers.Layer):
        def __init__(self):
            self.units = (
                3  # a plain value may precede super().__init__(), as in tf_keras
            )

    class BrokenNested(layers.Layer):
        def __init__(self):
            self.dense = layers.Dense(2)  # a layer needs tracking: explained at once

    broken = Broken()
    assert broken.units == 3
    match = "forgot to call `super\\(\\).__init__\\(\\)`"
    with pytest.raises(RuntimeError, match=match):
        broken(tf.ones((1, 2)))
    with pytest.raises(RuntimeError, match=match):
        BrokenNested()


def test_unknown_keyword_argument():
    with pytest.raises(TypeError, match="Keyword argument not understood: 'bogus'"):
        Linear(bogus=1)


def test_masks_propagate_and_reach_call():
    seen = []

    class MaskMaker(layers.Layer):
        def compute_mask(self, inputs, mask=None):
            return tf.not_equal(inputs[..., 0], 0)

    class MaskUser(layers.Layer):
        def call(self, inputs, mask=None):
            seen.append(mask)
            return inputs * 1.0

    x = tf.constant([[[1.0], [0.0], [2.0]]])
    out = MaskUser()(MaskMaker()(x))
    np.testing.assert_array_equal(seen[0].numpy(), [[True, False, True]])
    assert out._keras_mask is None  # MaskUser does not support masking


def test_activity_regularizer_is_divided_by_batch_size():
    layer = kengine.layers.Dense(
        2, kernel_initializer="ones", activity_regularizer=kengine.regularizers.l1(1.0)
    )
    layer(tf.ones((4, 3)))
    # each output is 3.0; sum over 4x2 outputs is 24, divided by batch 4
    np.testing.assert_allclose(float(layer.losses[0]), 6.0)


def test_variables_mirror_under_strategy():
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        layer = Linear(2)
        layer(tf.ones((1, 3)))
    assert isinstance(layer.w, tf.distribute.DistributedValues)
    assert layer.w.name == "linear/w:0"


def test_node_keeps_training_only_for_a_call_that_takes_it():
    # tf_keras writes `{}` for Dense(...)(x, training=False) and keeps the flag
    # for Dropout, whose call takes it.
    inputs = kengine.Input((3,))
    hidden = kengine.layers.Dense(2)(inputs, training=False)
    kengine.layers.Dropout(0.5)(hidden, training=False)
    dense = hidden._keras_history.layer
    dropout = dense._outbound_nodes[0].layer
    assert dense._inbound_nodes[0].call_kwargs == {}
    assert dropout._inbound_nodes[0].call_kwargs == {"training": False}
