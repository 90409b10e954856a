"""TFOpLambda: op names, config, reloading by public TF name through the allow-list."""

import re

import numpy as np
import pytest
import tensorflow as tf

import kengine
from kengine.layers.tf_op_layer import (
    SlicingOpLambda,
    TFOpLambda,
    layer_for_op,
    resolve_op,
)
from kengine.utils import serialization


def test_names_and_config():
    layer = TFOpLambda(tf.math.multiply)
    assert layer.name == "tf.math.multiply"
    assert layer.get_config() == {
        "name": "tf.math.multiply",
        "trainable": True,
        "dtype": "float32",
        "function": "math.multiply",
    }
    clone = TFOpLambda.from_config(layer.get_config())
    assert clone.function is tf.math.multiply


def test_slicing_uses_its_own_class_and_round_trips():
    x = kengine.Input((4,), name="x")
    y = x[:, 1:3]
    assert isinstance(y._keras_history.layer, SlicingOpLambda)
    model = kengine.Model(x, y)
    clone = kengine.models.model_from_json(model.to_json())
    data = np.arange(8, dtype="float32").reshape(2, 4)
    np.testing.assert_array_equal(clone(data).numpy(), data[:, 1:3])


# Names tf_keras writes for ops on KerasTensors, operators included (`//` goes
# through the v1 `floor_div`, `tf.gather` through the v1 `gather`).
ALLOWED = [
    "concat",
    "reshape",
    "math.multiply",
    "math.reduce_sum",
    "nn.relu",
    "nn.softmax",
    "linalg.matmul",
    "__operators__.add",
    "__operators__.getitem",
    "compat.v1.gather",
    "compat.v1.floor_div",
    "compat.v1.squeeze",
    "strings.as_string",
    "image.flip_left_right",
]

# Private attributes, I/O, printing, Python hooks, library loading, global state,
# codecs, classes and names TensorFlow does not export at all.
REFUSED = [
    "_os.system",
    "_inspect.builtins.exec",
    "io.write_file",
    "io.gfile.remove",
    "io.read_file",
    "print",
    "py_function",
    "numpy_function",
    "load_op_library",
    "load_library",
    "import_graph_def",
    "compat.v1.Print",
    "compat.v1.py_func",
    "compat.v1.write_file",
    "compat.v1.random.set_random_seed",
    "raw_ops.WriteFile",
    "debugging.Assert",
    "summary.text",
    "saved_model.load",
    "random.set_seed",
    "image.decode_png",
    "nn.RNNCellDropoutWrapper",
    "__operators__.__class__",
    "concat.__globals__",
    "Nope",
    "",
]


@pytest.mark.parametrize("name", ALLOWED)
def test_allowed_ops_resolve_to_the_tf_function(name):
    expected = tf
    for part in name.split("."):
        expected = getattr(expected, part)
    assert resolve_op(name) is expected
    layer = TFOpLambda.from_config({"name": "op", "function": name})
    assert layer.function is expected and layer.get_config()["function"] == name


@pytest.mark.parametrize("name", REFUSED)
def test_other_names_are_refused_in_and_out_of_safe_mode(name):
    message = f"Refusing to load the TensorFlow op '{re.escape(name)}'"
    with pytest.raises(ValueError, match=message):
        TFOpLambda.from_config({"name": "op", "function": name})
    with serialization.SafeModeScope(False), pytest.raises(ValueError, match=message):
        TFOpLambda.from_config({"name": "op", "function": name})


def test_a_function_passed_by_the_caller_is_used_under_the_files_name():
    def fake_write(filename, contents):
        return tf.strings.join([filename, contents])

    config = {"name": "op", "function": "io.write_file"}
    layer = TFOpLambda.from_config(config, custom_objects={"io.write_file": fake_write})
    assert layer.function is fake_write
    assert layer.get_config()["function"] == "io.write_file"
    assert layer(tf.constant("a"), contents=tf.constant("b")).numpy() == b"ab"


def test_malformed_function_entries_are_refused_by_name():
    with pytest.raises(TypeError, match=r"function=\['concat'\]"):
        TFOpLambda.from_config({"name": "op", "function": ["concat"]})
    with pytest.raises(ValueError, match="needs 'function'"):
        TFOpLambda.from_config({"name": "op"})


def test_building_a_model_with_any_op_still_works():
    # The allow-list guards names read from files, not ops users call themselves.
    x = kengine.Input((2,), name="x")
    layer = layer_for_op(tf.debugging.check_numerics)
    assert layer.symbol == "debugging.check_numerics"
    assert layer(x, message="m").shape.as_list() == [None, 2]


def test_operators_and_common_ops_round_trip_with_their_values():
    x = kengine.Input((4,), name="x")
    i = kengine.Input((4,), name="i", dtype="int32")
    outputs = [
        1.0 + x,  # a constant first argument: saved as the input, as tf_keras
        2.0 - x,
        x // 2.0,
        x % 3.0,
        -x,
        abs(x) ** 2.0,
        x >= 2.0,
        i & 1,
        ~i,
        x[:, 1:3],
        tf.concat([x, x], -1),
        tf.gather(x, [0, 2], axis=1),
        tf.nn.softmax(x),
        tf.math.reduce_sum(x, -1),
        tf.reshape(x, (-1, 2, 2)) @ tf.reshape(x, (-1, 2, 2)),
        tf.where(x > 2.0, x, -x),
        tf.pad(x, [[0, 0], [1, 0]]),
    ]
    model = kengine.Model([x, i], outputs)
    clone = kengine.models.model_from_json(model.to_json())
    data = [
        np.arange(8, dtype="float32").reshape(2, 4),
        np.arange(8, dtype="int32").reshape(2, 4),
    ]
    for ours, theirs in zip(model(data), clone(data)):
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
