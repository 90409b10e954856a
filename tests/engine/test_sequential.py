"""Sequential: add/pop, deferred build, an Input first, config round trip."""

import numpy as np
import pytest

import kengine
from kengine import layers


def test_input_shape_on_first_layer_creates_named_input():
    model = kengine.Sequential([layers.Dense(2, input_shape=(3,))])
    assert model.inputs[0]._keras_history.layer.name == "dense_input"
    assert model.built and model.output_shape == (None, 2)


def test_input_first_element():
    model = kengine.Sequential([kengine.Input((4,), name="x"), layers.Dense(2)])
    assert model.input_shape == (None, 4)
    assert [layer.name for layer in model.layers] == ["dense"]


def test_deferred_build_on_first_call():
    model = kengine.Sequential([layers.Dense(4), layers.Dense(1)])
    assert not model.built
    with pytest.raises(ValueError, match="have not yet been created"):
        model.weights  # tf_keras raises here too (the Sequential guide shows it)
    assert model(np.ones((5, 3))).shape == (5, 1)
    assert model.built
    assert [w.name for w in model.weights] == [
        "dense/kernel:0",
        "dense/bias:0",
        "dense_1/kernel:0",
        "dense_1/bias:0",
    ]


def test_build_with_input_shape_then_summary():
    model = kengine.Sequential([layers.Dense(4)])
    with pytest.raises(ValueError, match="has not yet been built"):
        model.summary()
    model.build((None, 3))
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[0] == 'Model: "sequential"'
    assert lines[-2] == "Non-trainable params: 0 (0.00 Byte)"


def test_add_and_pop():
    model = kengine.Sequential()
    model.add(layers.Dense(3, input_shape=(2,)))
    model.add(layers.Dense(5))
    assert model.output_shape == (None, 5)
    model.pop()
    assert model.output_shape == (None, 3) and len(model.layers) == 1
    model.pop()
    with pytest.raises(TypeError, match="There are no layers in the model"):
        model.pop()


def test_bad_additions():
    model = kengine.Sequential([layers.Dense(2, name="same", input_shape=(2,))])
    with pytest.raises(TypeError, match="must be an instance of class Layer"):
        model.add("dense")
    with pytest.raises(ValueError, match='Name "same" is already the name'):
        model.add(layers.Dense(2, name="same"))


def test_config_round_trip_predicts_the_same():
    model = kengine.Sequential([layers.Dense(3, input_shape=(2,)), layers.Dense(1)])
    clone = kengine.Sequential.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    x = np.arange(6, dtype="float32").reshape(3, 2)
    np.testing.assert_allclose(clone(x).numpy(), model(x).numpy(), rtol=1e-6)


def test_input_spec_only_when_the_input_shape_was_given():
    # As in Keras 2: a shape inferred from the first call is no contract.
    given = kengine.Sequential([layers.Dense(1, input_shape=(4,))])
    assert given.input_spec.shape == (None, 4)
    deferred = kengine.Sequential([layers.Dense(1)])
    assert deferred.input_spec is None
    deferred(np.zeros((2, 4), "float32"))
    assert deferred.built and deferred.input_spec is None
    assert deferred(np.zeros((2, 3, 4), "float32")).shape == (2, 3, 1)
    with pytest.raises(ValueError, match=r"expected shape=\(None, 4\)"):
        given(np.zeros((2, 3, 4), "float32"))
