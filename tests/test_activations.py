"""kengine.activations against tf_keras goldens: values, gradients, names, errors."""

import numpy as np
import pytest
import tensorflow as tf

from kengine import activations
from kengine.utils import serialization
from tests.goldens import load_json, load_npz

AREA = "layers_core"
META = load_json(AREA, "activations.json")
DATA = load_npz(AREA, "activations.npz")
ERRORS = load_json(AREA, "errors.json")
CASES = sorted(k for k in META if not k.startswith("_"))


def _probe(shape):
    n = int(np.prod(shape))
    vals = np.sin(np.arange(n, dtype=np.float64) * 0.7 + 0.3 + 7.0)
    return vals.reshape(shape).astype(np.float32)


@pytest.mark.parametrize("case", CASES)
def test_values_and_gradients_match_tf_keras(case):
    meta = META[case]
    kwargs = {
        k: tuple(v) if isinstance(v, list) else v for k, v in meta["kwargs"].items()
    }
    fn = activations.get(meta["name"])
    x = tf.constant(DATA["x"])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x, **kwargs)
        loss = tf.reduce_sum(y * _probe(y.shape))
    np.testing.assert_allclose(y.numpy(), DATA[f"{case}/y"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        tape.gradient(loss, x).numpy(), DATA[f"{case}/dx"], rtol=1e-5, atol=1e-6
    )
    assert activations.serialize(fn) == meta["serialized"]


def test_get_then_serialize_gives_tf_keras_names():
    table = META["_serialize_get"]
    assert {n: activations.serialize(activations.get(n)) for n in table} == table


def test_none_is_linear():
    assert activations.get(None) is activations.linear
    assert activations.serialize(activations.get(None)) == META["_serialize_none"]


@pytest.mark.parametrize("fn", [activations.sigmoid, activations.softmax])
def test_probabilities_remember_their_logits(fn):
    x = tf.constant([[1.0, -2.0, 0.5]])
    assert fn(x)._keras_logits is not None
    np.testing.assert_array_equal(fn(x)._keras_logits.numpy(), x.numpy())


def test_softmax_on_1d_raises_like_tf_keras():
    kind, message = ERRORS["softmax_1d"]
    with pytest.raises(ValueError, match="Cannot apply softmax to a tensor that is 1D"):
        activations.softmax(tf.constant([1.0, 2.0]))
    assert kind == "ValueError" and "1D" in message


def test_get_rejects_non_callables():
    kind, message = ERRORS["act_get_int"]
    with pytest.raises(TypeError) as info:
        activations.get(3)
    assert (type(info.value).__name__, str(info.value)) == (kind, message)


def test_unknown_name_raises_value_error():
    with pytest.raises(ValueError, match="Unknown activation function: 'nope'"):
        activations.get("nope")


def test_callable_passes_through():
    def mine(x):
        return x * 3

    assert activations.get(mine) is mine


def test_user_function_round_trips_like_keras2():
    def triple(x):
        return x * 3

    config = activations.serialize(triple)
    assert config == {
        "module": "builtins",
        "class_name": "function",
        "config": "triple",
        "registered_name": "function",
    }
    assert activations.deserialize(config, custom_objects={"triple": triple}) is triple
    with pytest.raises(ValueError, match="Unknown activation function"):
        activations.deserialize(config)


def test_registered_function_serializes_with_package_name():
    @serialization.register_keras_serializable(package="kengine_test_act")
    def quadruple(x):
        return x * 4

    config = activations.serialize(quadruple)
    assert config["config"] == "kengine_test_act>quadruple"
    assert activations.get(config) is quadruple


def test_lambda_cannot_be_serialized():
    with pytest.raises(ValueError, match="a lambda has no name"):
        activations.serialize(lambda x: x)
