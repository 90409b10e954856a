"""kengine.layers.lambda_layer: calling, shapes, masks, config and safe-mode loading."""

import numpy as np
import pytest
import tensorflow as tf

from kengine.engine.input_layer import Input
from kengine.layers.lambda_layer import Lambda, func_dump, func_load
from kengine.utils import serialization
from tests.goldens import load_json

GOLDEN = load_json("layers_core", "layers.json")


def double(x):
    return x * 2


def test_calls_the_function_with_arguments_mask_and_training():
    seen = {}

    def fn(x, scale, mask=None, training=None):
        seen.update(mask=mask, training=training)
        return x * scale

    out = Lambda(fn, arguments={"scale": 3.0})(tf.ones((1, 2)), training=True)
    np.testing.assert_allclose(out.numpy(), [[3.0, 3.0]])
    assert seen == {"mask": None, "training": True}


def test_symbolic_call_and_output_shape():
    assert Lambda(double)(Input((3,))).shape.as_list() == [None, 3]
    layer = Lambda(lambda x: tf.concat([x, x], -1), output_shape=(6,))
    assert layer.compute_output_shape(tf.TensorShape((5, 3))).as_list() == [5, 6]
    layer = Lambda(double, output_shape=lambda s: s)
    assert layer.compute_output_shape(tf.TensorShape((5, 3))).as_list() == [5, 3]
    assert Lambda(double).compute_output_shape(tf.TensorShape((None, 3))).as_list() == [
        None,
        3,
    ]


def test_mask_argument_is_attached_to_the_output():
    layer = Lambda(double, mask=lambda inputs, mask: tf.reduce_any(inputs > 1, -1))
    out = layer(tf.constant([[1.0, 2.0], [0.0, 0.5]]))
    np.testing.assert_array_equal(out._keras_mask.numpy(), [True, False])


def test_named_function_is_written_by_name_with_tf_keras_keys():
    config = Lambda(double, output_shape=(3,)).get_config()
    assert set(config) == set(GOLDEN["lambda_named"])
    assert (config["function"], config["function_type"]) == ("double", "function")
    assert config["module"] == __name__
    assert (config["output_shape"], config["output_shape_type"]) == ((3,), "raw")
    rebuilt = Lambda.from_config(config, custom_objects={"double": double})
    assert rebuilt.function is double and rebuilt.get_config() == config


def test_unknown_named_function_is_refused_in_safe_mode():
    config = Lambda(double).get_config()
    with pytest.raises(ValueError, match="Could not find the function 'double'"):
        Lambda.from_config(config)
    with serialization.SafeModeScope(False):
        assert Lambda.from_config(config).function is double


def test_python_lambda_is_written_as_bytecode_like_tf_keras():
    layer = Lambda(lambda x: x + 1, mask=lambda x, m: None)
    config = layer.get_config()
    expected = GOLDEN["lambda_anon"]
    assert set(config) == set(expected) | {"function", "mask"}
    assert {
        k: config[k] for k in ("function_type", "mask_type", "output_shape_type")
    } == {k: expected[k] for k in ("function_type", "mask_type", "output_shape_type")}
    assert isinstance(config["function"], tuple) and len(config["function"]) == 3


def test_bytecode_is_refused_in_safe_mode_and_loads_when_trusted():
    offset = 5.0
    config = Lambda(lambda x: x + offset).get_config()
    message = "Requested the deserialization of a Lambda layer with a Python `lambda`"
    with pytest.raises(ValueError, match=message):
        Lambda.from_config(config)
    with serialization.SafeModeScope(False):
        layer = Lambda.from_config(config)
    np.testing.assert_allclose(layer(tf.zeros((1, 2))).numpy(), [[5.0, 5.0]])


def test_func_dump_round_trip_keeps_defaults_and_closure():
    k = 4

    def scaled(x, y=2):
        return x * y * k

    restored = func_load(*func_dump(scaled), globs={})
    assert restored(3) == 24 and restored(3, 1) == 12


def test_variables_created_inside_the_function_are_refused():
    def make_var(x):
        return x * tf.Variable(2.0)

    with pytest.raises(ValueError, match="Variables were created within Lambda layer"):
        Lambda(make_var)(tf.ones((1, 1)))
