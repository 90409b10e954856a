"""Compile state in files (`kengine/saving/saving_utils.py`)."""

import pytest

import kengine
from kengine.saving import saving_utils


def _compiled():
    inputs = kengine.Input((3,), name="x")
    model = kengine.Model(inputs, kengine.layers.Dense(2, name="out")(inputs))
    model.compile(
        kengine.optimizers.Adam(0.02),
        loss=kengine.losses.MeanSquaredError(),
        metrics=["mae", kengine.metrics.MeanAbsoluteError(name="m2")],
    )
    return model


def test_compile_config_round_trip():
    config = saving_utils.compile_config_of(_compiled())
    assert config["metrics"][0] == "mae"
    assert config["optimizer"]["class_name"] == "Adam"
    args = saving_utils.compile_args_from_config(config)
    assert type(args["loss"]).__name__ == "MeanSquaredError"
    assert args["metrics"][0] == "mae"
    assert args["metrics"][1].name == "m2"
    assert float(args["optimizer"].learning_rate) == pytest.approx(0.02)


def test_uncompiled_model_has_no_compile_config():
    model = kengine.Sequential([kengine.Input((2,)), kengine.layers.Dense(1)])
    assert saving_utils.compile_config_of(model) is None
    assert saving_utils.training_config_of(model) is None


def test_tf_keras_custom_prefix_reads_as_the_builtin_optimizer():
    config = {"class_name": "Custom>SGD", "config": {"learning_rate": 0.5}}
    args = saving_utils.compile_args_from_config({"optimizer_config": config})
    assert type(args["optimizer"]).__name__ == "SGD"


@pytest.mark.parametrize(
    "config, message",
    [("{not json", "not JSON"), ("[1]", "not a dict"), ({"optimizer": 3}, "malformed")],
)
def test_malformed_training_configs(config, message):
    with pytest.raises(ValueError, match=message):
        saving_utils.compile_args_from_config(config)


def test_model_from_config_refuses_a_non_model():
    with pytest.raises(ValueError, match="class_name"):
        saving_utils.model_from_config({"config": {}})
