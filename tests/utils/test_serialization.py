"""Serialization registry: tf_keras's dict format, custom objects, unknown names."""

import pytest

import kengine
from kengine.utils import serialization as ser


def test_builtin_objects_serialize_like_tf_keras():
    cfg = ser.serialize_keras_object(kengine.layers.Dense(2, name="d"))
    assert cfg["module"] == "keras.layers" and cfg["class_name"] == "Dense"
    assert cfg["registered_name"] is None and cfg["config"]["units"] == 2


def test_register_and_round_trip():
    @ser.register_keras_serializable(package="my_pkg")
    class Scale(kengine.layers.Layer):
        def __init__(self, k=2.0, **kwargs):
            super().__init__(**kwargs)
            self.k = k

        def get_config(self):
            return {**super().get_config(), "k": self.k}

    cfg = ser.serialize_keras_object(Scale(3.0, name="s"))
    assert cfg["registered_name"] == "my_pkg>Scale"
    clone = kengine.layers.deserialize(cfg)
    assert isinstance(clone, Scale) and clone.k == 3.0 and clone.name == "s"
    with pytest.raises(ValueError, match="has already been registered"):
        ser.register_keras_serializable(package="my_pkg")(Scale)


def test_custom_object_scope_and_unknown_names():
    class Mine(kengine.layers.Layer):
        pass

    cfg = {"class_name": "Mine", "config": {"name": "m"}}
    with pytest.raises(ValueError, match="Unknown layer: 'Mine'"):
        kengine.layers.deserialize(cfg)
    with ser.custom_object_scope({"Mine": Mine}):
        assert isinstance(kengine.layers.deserialize(cfg), Mine)
    assert isinstance(
        kengine.layers.deserialize(cfg, custom_objects={"Mine": Mine}), Mine
    )


def test_malformed_config():
    with pytest.raises(ValueError, match="expected a name or a dict with keys"):
        ser.deserialize_keras_object(["Dense"], printable_module_name="layer")


def test_safe_mode_scope():
    assert ser.in_safe_mode()
    with ser.SafeModeScope(False):
        assert not ser.in_safe_mode()
    assert ser.in_safe_mode()


def _marker_layer(marker):
    """A layer class whose construction writes `marker`: "code ran"."""

    class WritesMarker(kengine.layers.Layer):
        def __init__(self, **kwargs):
            marker.write_text("ran")
            super().__init__(**kwargs)

    return WritesMarker


def test_registered_name_naming_another_class_is_refused(tmp_path):
    """Disguised class (CVE-2025-1550 class): says `Dense`, registers as another."""
    marker = tmp_path / "marker"
    config = {
        "class_name": "Dense",
        "config": {"units": 1},
        "registered_name": "Evil",
    }
    message = "class_name 'Dense' and its registered_name 'Evil' name different"
    with pytest.raises(ValueError, match=message):
        kengine.layers.deserialize(
            config, custom_objects={"Evil": _marker_layer(marker)}
        )
    with pytest.raises(ValueError, match=message):  # unresolvable: refused too
        kengine.layers.deserialize(config)
    assert not marker.exists()


@pytest.mark.parametrize(
    "registered", [None, "", "Dense", "keras>Dense", "my_pkg>Dense"]
)
def test_registered_names_keras_2_writes_still_load(registered):
    config = {
        "class_name": "Dense",
        "config": {"units": 2},
        "registered_name": registered,
    }
    assert kengine.layers.deserialize(config).units == 2


def test_a_class_registered_under_another_name_loads_by_that_name():
    @ser.register_keras_serializable(package="alias_pkg", name="Renamed")
    class Original(kengine.layers.Layer):
        pass

    cfg = ser.serialize_keras_object(Original(name="o"))
    assert (cfg["class_name"], cfg["registered_name"]) == (
        "Original",
        "alias_pkg>Renamed",
    )
    assert isinstance(kengine.layers.deserialize(cfg), Original)
    with pytest.raises(ValueError, match="class_name 'Dense'"):
        kengine.layers.deserialize({**cfg, "class_name": "Dense"})


def test_a_module_is_never_returned_by_name():
    import os

    with pytest.raises(ValueError, match="'os': it names a module"):
        ser.deserialize_keras_object("os", module_objects={"os": os})
    with pytest.raises(ValueError, match="'os': it names a module"):
        ser.deserialize_keras_object(
            {"class_name": "os", "config": {}}, module_objects={"os": os}
        )


@pytest.mark.parametrize(
    "config, error, message",
    [
        ({"class_name": 3, "config": {}}, TypeError, "class_name=3"),
        ({"class_name": "", "config": {}}, TypeError, "class_name=''"),
        ({"class_name": "Dense", "config": [1]}, TypeError, r"config=\[1\]"),
        (
            {"class_name": "Dense", "config": {}, "registered_name": 5},
            TypeError,
            "registered_name=5",
        ),
    ],
)
def test_config_parts_of_the_wrong_type(config, error, message):
    with pytest.raises(error, match=message):
        kengine.layers.deserialize(config)


def test_internal_failures_of_from_config_become_value_errors_naming_the_class():
    class NeedsKey(kengine.layers.Layer):
        @classmethod
        def from_config(cls, config):
            return cls(size=config["size"])

    with pytest.raises(ValueError, match="layer 'NeedsKey' from its config: KeyError"):
        kengine.layers.deserialize(
            {"class_name": "NeedsKey", "config": {}},
            custom_objects={"NeedsKey": NeedsKey},
        )


def _lambda_config(marker) -> dict:
    """A Lambda layer config whose bytecode writes `marker` when called."""
    layer = kengine.layers.Lambda(
        lambda t, p=str(marker): (open(p, "w").write("x"), t)[1]
    )
    return ser.serialize_keras_object(layer)


def test_a_config_naming_safe_mode_scope_is_unknown(tmp_path):
    """CVE-2025-9906 class: a config cannot name the switch that lifts safe mode."""
    config = {"class_name": "SafeModeScope", "config": {"safe_mode": False}}
    with pytest.raises(ValueError, match="Unknown layer: 'SafeModeScope'"):
        kengine.layers.deserialize(config)
    with pytest.raises(ValueError, match="Unknown object: 'SafeModeScope'"):
        ser.deserialize_keras_object(config)
    with pytest.raises(ValueError, match="Python `lambda`"):
        kengine.layers.deserialize(_lambda_config(tmp_path / "marker"))
    assert not (tmp_path / "marker").exists()


def test_code_run_during_a_load_cannot_switch_safe_mode_off(tmp_path):
    """CVE-2025-9906 class: an earlier file's code does not lift safe mode.

    A (trusted, registered) layer's `from_config` leaves `SafeModeScope(False)`
    open. A `Lambda` later in the same load, and the next load, stay refused.
    """
    marker = tmp_path / "marker"

    class Switcher(kengine.layers.Layer):
        @classmethod
        def from_config(cls, config):
            ser.SafeModeScope(False).__enter__()  # never exited
            return cls(**config)

    switch = {"class_name": "Switcher", "config": {"name": "s"}}
    seq = {
        "class_name": "Sequential",
        "config": {"name": "m", "layers": [switch, _lambda_config(marker)]},
    }
    custom = {"Switcher": Switcher}
    with pytest.raises(ValueError, match="Python `lambda`"):
        kengine.layers.deserialize(seq, custom_objects=custom)
    assert ser.in_safe_mode()
    kengine.layers.deserialize(switch, custom_objects=custom)  # the first file
    assert ser.in_safe_mode()
    with pytest.raises(ValueError, match="Python `lambda`"):  # the second file
        kengine.layers.deserialize(_lambda_config(marker))
    assert not marker.exists()


def test_safe_mode_is_handed_to_from_config_as_an_argument():
    seen = []

    class Records(kengine.layers.Layer):
        @classmethod
        def from_config(cls, config, safe_mode=None):
            seen.append(safe_mode)
            return cls(**config)

    cfg = {"class_name": "Records", "config": {}}
    custom = {"Records": Records}
    ser.deserialize_keras_object(cfg, custom)
    ser.deserialize_keras_object(cfg, custom, safe_mode=False)
    with ser.SafeModeScope(False):
        ser.deserialize_keras_object(cfg, custom)
    assert seen == [True, False, False]


def test_a_nested_load_may_be_stricter_but_not_laxer():
    seen = []

    class Nested(kengine.layers.Layer):
        @classmethod
        def from_config(cls, config):
            with ser.SafeModeScope(config.pop("inner")):
                seen.append(ser.in_safe_mode())
            return cls(**config)

    custom = {"Nested": Nested}
    ser.deserialize_keras_object(
        {"class_name": "Nested", "config": {"inner": False}}, custom
    )
    ser.deserialize_keras_object(
        {"class_name": "Nested", "config": {"inner": True}}, custom, safe_mode=False
    )
    assert seen == [True, True]


@pytest.mark.parametrize("value", [None, True, 0, ""])
def test_only_an_explicit_false_lifts_safe_mode(value):
    with ser.SafeModeScope(value):
        assert ser.in_safe_mode() is (value is not False)
    seen = []

    class Records(kengine.layers.Layer):
        @classmethod
        def from_config(cls, config, safe_mode=None):
            seen.append(safe_mode)
            return cls(**config)

    ser.deserialize_keras_object(
        {"class_name": "Records", "config": {}}, {"Records": Records}, safe_mode=value
    )
    assert seen == [True]


# The helper every family's `deserialize` and `get` share.


def test_deserialize_builtin_instantiates_a_class_named_by_a_bare_name():
    obj = ser.deserialize_builtin("MaxNorm", "constraint", what="constraint")
    assert isinstance(obj, kengine.constraints.MaxNorm)
    assert obj.get_config() == {"max_value": 2, "axis": 0}


def test_deserialize_builtin_can_leave_a_class_as_is():
    cls = ser.deserialize_builtin("Dense", "layer", what="layer", instantiate=False)
    assert cls is kengine.layers.Dense


def test_deserialize_builtin_reads_custom_objects_and_names_the_family():
    def my_act(x):
        return x

    found = ser.deserialize_builtin(
        "my_act", "activation", {"my_act": my_act}, what="activation function"
    )
    assert found is my_act
    with pytest.raises(ValueError, match="Unknown activation function: 'bogus'"):
        ser.deserialize_builtin("bogus", "activation", what="activation function")


def _echo(identifier):
    return ("deserialized", identifier)


@pytest.mark.parametrize(
    "identifier, options, expected",
    [
        ("name", {}, ("deserialized", "name")),
        ({"class_name": "X"}, {}, ("deserialized", {"class_name": "X"})),
        (
            "X",
            {"names_are_classes": True},
            ("deserialized", {"class_name": "X", "config": {}}),
        ),
        (None, {"default": "fallback"}, "fallback"),
        (None, {"default": None}, None),
        (len, {}, len),
        (dict, {"instantiate_classes": True}, {}),
    ],
)
def test_get_builtin_routes_each_kind_of_identifier(identifier, options, expected):
    assert ser.get_builtin(identifier, _echo, what="thing", **options) == expected


@pytest.mark.parametrize(
    "identifier, options, error, message",
    [
        (None, {}, ValueError, "Could not interpret thing identifier: None"),
        (3, {}, ValueError, "Could not interpret thing identifier: 3"),
        (3, {"error": TypeError}, TypeError, "thing identifier: 3"),
        (len, {"accepts": lambda x: False}, ValueError, "thing identifier: <built-in"),
        (3, {"hint": "Try a name."}, ValueError, r"identifier: 3\. Try a name\."),
    ],
)
def test_get_builtin_refuses_what_the_family_does_not_accept(
    identifier, options, error, message
):
    with pytest.raises(error, match=message):
        ser.get_builtin(identifier, _echo, what="thing", **options)
