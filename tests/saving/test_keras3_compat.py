"""Keras 3 configs rewritten in Keras 2's spelling (`kengine/saving/keras3_compat.py`)."""

import pytest

from kengine.saving import keras3_compat

_POLICY = {
    "module": "keras",
    "class_name": "DTypePolicy",
    "config": {"name": "float32"},
}


def _tensor(name):
    return {
        "class_name": "__keras_tensor__",
        "config": {
            "shape": [None, 2],
            "dtype": "float32",
            "keras_history": [name, 0, 0],
        },
    }


def test_dtype_policy_batch_shape_and_new_arguments():
    config = {
        "class_name": "InputLayer",
        "config": {"batch_shape": [None, 4], "dtype": _POLICY, "optional": False},
    }
    assert keras3_compat.to_keras2_config(config) == {
        "class_name": "InputLayer",
        "config": {"batch_input_shape": [None, 4], "dtype": "float32"},
    }


def test_nodes_become_keras2_inbound_lists():
    entry = {
        "class_name": "Concatenate",
        "name": "c",
        "config": {"name": "c", "dtype": _POLICY},
        "inbound_nodes": [{"args": [[_tensor("a"), _tensor("b")]], "kwargs": {}}],
    }
    got = keras3_compat.to_keras2_config(entry)
    assert got["inbound_nodes"] == [[["a", 0, 0, {}], ["b", 0, 0, {}]]]


def test_single_input_layers_are_wrapped_in_a_list():
    config = {"class_name": "Functional", "config": {"input_layers": ["x", 0, 0]}}
    got = keras3_compat.to_keras2_config(config)
    assert got["config"]["input_layers"] == [["x", 0, 0]]


def test_an_argument_without_keras2_meaning_is_refused():
    config = {
        "class_name": "Dense",
        "config": {"quantization_config": {"mode": "int8"}},
    }
    with pytest.raises(ValueError, match="quantization_config"):
        keras3_compat.to_keras2_config(config)


def test_compile_config_optimizer_name_and_flag():
    got = keras3_compat.to_keras2_compile_config(
        {"optimizer": {"class_name": "Adam", "config": {"name": "adam"}}, "loss": "mse"}
    )
    assert got["optimizer"]["config"] == {"name": "Adam", "is_legacy_optimizer": False}


@pytest.mark.parametrize("version, expected", [("3.15.1", True), ("2.21.0", False)])
def test_is_keras3(version, expected):
    assert keras3_compat.is_keras3({"keras_version": version}) is expected
