"""layers.serialize/deserialize over every exported layer class."""

import pytest

import kengine
from kengine import layers


def test_every_exported_layer_class_is_known():
    for name in (
        "Dense",
        "Conv2D",
        "LSTM",
        "Bidirectional",
        "InputLayer",
        "Functional",
        "Sequential",
        "TFOpLambda",
    ):
        assert layers.get_builtin_layer(name) is not None, name


def test_round_trip_and_unknown():
    cfg = layers.serialize(layers.Dense(3, name="d"))
    clone = layers.deserialize(cfg)
    assert isinstance(clone, kengine.layers.Dense) and clone.units == 3
    with pytest.raises(ValueError, match="Unknown layer: 'Nope'"):
        layers.deserialize({"class_name": "Nope", "config": {}})


# Attributes of the `kengine.layers` module (and kengine functions) that are not
# layer classes: none may be resolved from a config.
NOT_LAYERS = [
    "__builtins__",
    "serialization",
    "deserialize",
    "serialize",
    "core",
    "get_file",
    "load_model",
    "model_from_json",
    "SafeModeScope",
]


def _wrapped(kind: str, inner: dict) -> dict:
    """A config that deserializes `inner` through a wrapper or RNN cell path."""
    if kind == "TimeDistributed":
        return {"class_name": "TimeDistributed", "config": {"layer": inner}}
    if kind == "Bidirectional":
        return {"class_name": "Bidirectional", "config": {"layer": inner}}
    if kind == "RNN":
        return {"class_name": "RNN", "config": {"cell": inner}}
    cells = {"class_name": "StackedRNNCells", "config": {"cells": [inner]}}
    return {"class_name": "RNN", "config": {"cell": cells}}


@pytest.mark.parametrize("name", NOT_LAYERS)
@pytest.mark.parametrize(
    "kind", ["top", "TimeDistributed", "Bidirectional", "RNN", "StackedRNNCells"]
)
def test_module_attributes_are_not_layers(kind, name):
    inner = {"class_name": name, "config": {}}
    config = inner if kind == "top" else _wrapped(kind, inner)
    with pytest.raises(ValueError, match=f"Unknown layer: '{name}'"):
        layers.deserialize(config)


def test_the_table_holds_only_layer_classes():
    table = layers.serialization.builtin_layers()
    assert all(issubclass(cls, kengine.layers.Layer) for cls in table.values())
    assert {"Dense", "LSTM", "Functional", "Sequential"} <= set(table)
    assert not set(NOT_LAYERS) & set(table)
