"""Tests for kengine/optimizers/registry.py: get, serialize, deserialize."""

import pytest

from kengine import optimizers
from kengine.utils.serialization import register_keras_serializable
from tests.optimizers._cases import DEFAULTS, assert_config_matches

NAMES = {
    "sgd": "SGD",
    "rmsprop": "RMSprop",
    "adagrad": "Adagrad",
    "adadelta": "Adadelta",
    "adam": "Adam",
    "adamax": "Adamax",
    "nadam": "Nadam",
    "adamw": "AdamW",
}


@pytest.mark.parametrize("identifier", [*NAMES, "Adam", "SGD", "RMSProp"])
def test_get_by_name_returns_a_default_instance(identifier):
    opt = optimizers.get(identifier)
    class_name = NAMES[identifier.lower()]
    assert type(opt).__name__ == class_name
    assert_config_matches(opt.get_config(), DEFAULTS[class_name]["config"])


def test_get_returns_instances_unchanged_and_reads_configs():
    opt = optimizers.Adam(learning_rate=0.5)
    assert optimizers.get(opt) is opt
    restored = optimizers.get(optimizers.serialize(opt))
    assert (
        type(restored) is optimizers.Adam and restored.get_config() == opt.get_config()
    )


def test_serialize_matches_tf_keras_layout():
    assert optimizers.serialize(optimizers.SGD()) == {
        "module": DEFAULTS["SGD"]["module"],
        "class_name": "SGD",
        "config": optimizers.SGD().get_config(),
        "registered_name": None,
    }
    legacy = optimizers.serialize(optimizers.SGD(), use_legacy_format=True)
    assert sorted(legacy) == ["class_name", "config"]
    assert type(optimizers.deserialize(legacy)) is optimizers.SGD


def test_schedule_inside_an_optimizer_config_round_trips():
    schedule = optimizers.schedules.CosineDecay(
        0.1, 100, warmup_target=0.2, warmup_steps=5
    )
    config = optimizers.serialize(optimizers.SGD(learning_rate=schedule))
    assert config["config"]["learning_rate"]["module"] == "keras.optimizers.schedules"
    restored = optimizers.deserialize(config)
    assert restored._learning_rate.get_config() == schedule.get_config()


def test_unknown_name_raises_naming_it():
    with pytest.raises(ValueError, match="Unknown optimizer: 'adamx'"):
        optimizers.get("adamx")


def test_uninterpretable_identifier_raises():
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 3"):
        optimizers.get(3)


def test_deserialize_rejects_unknown_keyword_arguments():
    with pytest.raises(TypeError, match="Invalid keyword arguments"):
        optimizers.deserialize({"class_name": "sgd", "config": {}}, foo=1)


def test_custom_optimizers_are_found_when_registered_or_passed():
    class Custom(optimizers.SGD):
        pass

    config = {"class_name": "Custom", "config": {}}
    with pytest.raises(ValueError, match="Unknown optimizer: 'Custom'"):
        optimizers.deserialize(config)
    assert (
        type(optimizers.deserialize(config, custom_objects={"Custom": Custom}))
        is Custom
    )
    register_keras_serializable(package="test_registry")(Custom)
    assert type(optimizers.get(optimizers.serialize(Custom()))) is Custom
