"""model_from_json / model_from_config: safety (one test per payload class) and errors."""

import copy
import json
import re

import numpy as np
import pytest

import kengine
from kengine import models
from kengine.layers.lambda_layer import func_dump
from tests.goldens import load_json


def test_model_from_config_needs_class_name():
    with pytest.raises(ValueError, match="'class_name' and 'config'"):
        models.model_from_config({"config": {}})


def test_round_trip_sequential():
    model = kengine.Sequential([kengine.layers.Dense(2, input_shape=(3,), name="d")])
    clone = models.model_from_json(model.to_json())
    assert isinstance(clone, kengine.Sequential)
    assert [w.name for w in clone.weights] == ["d/kernel:0", "d/bias:0"]


def test_lambda_bytecode_refused_in_safe_mode():
    x = kengine.Input((2,))
    model = kengine.Model(x, kengine.layers.Lambda(lambda t: t * 2)(x))
    with pytest.raises(ValueError, match="safe_mode"):
        models.model_from_json(model.to_json())
    clone = models.model_from_json(model.to_json(), safe_mode=False)
    assert clone(kengine.backend.ones((1, 2))).numpy().tolist() == [[2.0, 2.0]]


def test_clone_functional_keeps_topology_with_fresh_layers():
    import numpy as np

    a, b = kengine.Input((3,), name="a"), kengine.Input((3,), name="b")
    shared = kengine.layers.Dense(2, name="shared")
    out = kengine.layers.add([shared(a), shared(b)])
    model = kengine.Model([a, b], out, name="m")
    clone = models.clone_model(model)
    assert [layer.name for layer in clone.layers] == [
        layer.name for layer in model.layers
    ]
    assert clone.get_layer("shared") is not shared
    assert len(clone.get_layer("shared").inbound_nodes) == 2  # still shared
    clone.set_weights(model.get_weights())
    x = [np.ones((1, 3)), np.arange(3.0).reshape(1, 3)]
    np.testing.assert_allclose(clone(x).numpy(), model(x).numpy(), rtol=1e-6)


def test_clone_sequential_and_custom_clone_function():
    model = kengine.Sequential([kengine.layers.Dense(2, input_shape=(3,), name="d")])
    seen = []

    def clone_function(layer):
        seen.append(layer.name)
        return type(layer).from_config(layer.get_config())

    clone = models.clone_model(model, clone_function=clone_function)
    assert seen == ["d"] and clone.input_shape == (None, 3)
    assert clone.layers[0] is not model.layers[0]


def test_clone_refuses_subclassed_models():
    class Sub(kengine.Model):
        def call(self, x):
            return x

    with pytest.raises(ValueError, match="subclassed models cannot be cloned"):
        models.clone_model(Sub())


# ----------------------------------------------------------------- payloads
# Each payload is a layer a file could carry to run code while loading; each test
# checks that the load is refused naming the culprit and that nothing ran.


def _op_model(op: str, argument, kwargs: dict) -> str:
    """A functional model JSON whose TFOpLambda calls `op(argument, **kwargs)`."""
    return json.dumps(
        {
            "class_name": "Functional",
            "config": {
                "name": "m",
                "layers": [
                    {
                        "class_name": "InputLayer",
                        "config": {"batch_input_shape": [None, 2], "name": "x"},
                        "name": "x",
                        "inbound_nodes": [],
                    },
                    {
                        "class_name": "TFOpLambda",
                        "config": {"name": "op", "function": op},
                        "name": "op",
                        "inbound_nodes": [["_CONSTANT_VALUE", -1, argument, kwargs]],
                    },
                ],
                "input_layers": [["x", 0, 0]],
                "output_layers": [["x", 0, 0]],
            },
        }
    )


def _refused(text: str, culprit: str, **kwargs) -> None:
    for safe_mode in (True, False):
        with pytest.raises(ValueError, match=re.escape(culprit)):
            models.model_from_json(text, safe_mode=safe_mode, **kwargs)


def test_shell_command_through_a_private_tf_attribute_is_refused(tmp_path):
    """Shell command (CVE-2025-1550 class: a function a config names, called)."""
    marker = tmp_path / "marker"
    _refused(_op_model("_os.system", f"touch {marker}", {}), "'_os.system'")
    assert not marker.exists()


def test_python_exec_through_a_private_tf_attribute_is_refused(tmp_path):
    """Python exec (CVE-2025-1550 class) via `tf._inspect.builtins.exec`."""
    marker = tmp_path / "marker"
    code = f"open({str(marker)!r}, 'w').write('ran')"
    _refused(_op_model("_inspect.builtins.exec", code, {}), "'_inspect.builtins.exec'")
    assert not marker.exists()


def _with_writer_bytecode(model, marker) -> str:
    """`model.to_json()` with every Lambda's bytecode replaced by a marker writer.

    (Calling such a Lambda while building the model would write the marker.)
    """
    writer = lambda t, p=str(marker): (open(p, "w").write("ran"), t)[1]  # noqa: E731
    payload = json.dumps(list(func_dump(writer)))
    text = model.to_json()
    for layer in _lambda_configs(json.loads(text)):
        text = text.replace(json.dumps(layer["function"]), payload)
    assert payload in text
    return text


def _lambda_configs(config):
    if isinstance(config, dict):
        if config.get("function_type") == "lambda":
            yield config
        for value in config.values():
            yield from _lambda_configs(value)
    elif isinstance(config, list):
        for value in config:
            yield from _lambda_configs(value)


def test_python_lambda_bytecode_is_refused_in_safe_mode(tmp_path):
    """Python exec (CVE-2024-3660 class): `Lambda` bytecode, refused in safe mode.

    Nested in a wrapper inside a nested model, and under an enclosing
    `SafeModeScope(False)`: the loader's `safe_mode=True` still reaches it
    (CVE-2025-9905 class: a load path that ignored `safe_mode`).
    """
    marker = tmp_path / "marker"
    x = kengine.Input((1, 2))
    inner = kengine.Sequential(
        [
            kengine.Input((1, 2)),
            kengine.layers.TimeDistributed(kengine.layers.Lambda(lambda t: t)),
        ]
    )
    text = _with_writer_bytecode(kengine.Model(x, inner(x)), marker)
    with pytest.raises(ValueError, match="Lambda layer with a Python `lambda`"):
        models.model_from_json(text)
    with kengine.utils.serialization.SafeModeScope(False):
        with pytest.raises(ValueError, match="Lambda layer with a Python `lambda`"):
            models.model_from_json(text, safe_mode=True)
    assert not marker.exists()


def test_file_write_through_a_public_tf_op_is_refused(tmp_path):
    """File write (CVE-2025-1550 class): `tf.io.write_file` and `tf.print` to a file."""
    marker = tmp_path / "marker"
    _refused(
        _op_model("io.write_file", str(marker), {"contents": "ran"}), "'io.write_file'"
    )
    stream = {"output_stream": f"file://{marker}"}
    _refused(_op_model("print", "ran", stream), "'print'")
    assert not marker.exists()


def test_file_delete_through_a_public_tf_op_is_refused(tmp_path):
    """File delete (CVE-2025-1550 class): `tf.io.gfile.remove` on a constant path."""
    canary = tmp_path / "canary"
    canary.write_text("keep me")
    _refused(_op_model("io.gfile.remove", str(canary), {}), "'io.gfile.remove'")
    assert canary.exists()


def test_a_trusted_caller_may_supply_a_refused_op():
    text = _op_model("io.write_file", "name", {"contents": ["x", 0, 0]})
    text = text.replace(
        '"output_layers": [["x", 0, 0]]', '"output_layers": [["op", 0, 0]]'
    )
    fake = {"io.write_file": lambda filename, contents: contents * 2.0}
    model = models.model_from_json(text, custom_objects=fake)
    assert model(np.ones((1, 2), "float32")).numpy().tolist() == [[2.0, 2.0]]


def test_a_layer_is_never_run_on_constants_alone_while_loading():
    text = _op_model("math.add", 1.0, {"y": 2.0})
    with pytest.raises(
        ValueError, match="passes no tensor of the model, only constants"
    ):
        models.model_from_json(text)


def test_disguised_class_is_refused(tmp_path):
    """Disguised class (CVE-2025-1550 class): `class_name` Dense built as another."""
    marker = tmp_path / "marker"

    class WritesMarker(kengine.layers.Layer):
        def __init__(self, **kwargs):
            marker.write_text("ran")
            super().__init__(**kwargs)

    model = kengine.Sequential([kengine.Input((2,)), kengine.layers.Dense(1, name="d")])
    config = json.loads(model.to_json())
    config["config"]["layers"][1]["registered_name"] = "Evil"
    with pytest.raises(ValueError, match="'Dense' and its registered_name 'Evil'"):
        models.model_from_config(config, custom_objects={"Evil": WritesMarker})
    assert not marker.exists()


def test_safe_mode_switched_off_by_an_earlier_file_stays_on(tmp_path):
    """CVE-2025-9906 class: a file's code cannot lift safe mode for later files."""
    marker = tmp_path / "marker"

    class Switcher(kengine.layers.Layer):
        @classmethod
        def from_config(cls, config):
            kengine.utils.serialization.SafeModeScope(False).__enter__()
            return cls(**config)

    first = kengine.Sequential([kengine.Input((2,)), Switcher(name="s")])
    models.model_from_json(first.to_json(), custom_objects={"Switcher": Switcher})
    x = kengine.Input((2,))
    second = kengine.Model(x, kengine.layers.Lambda(lambda t: t)(x))
    second = _with_writer_bytecode(second, marker)
    with pytest.raises(ValueError, match="Lambda layer with a Python `lambda`"):
        models.model_from_json(second)
    assert not marker.exists()


# ----------------------------------------------------- malformed references


def _functional_config() -> dict:
    a = kengine.Input((2,), name="a")
    shared = kengine.layers.Dense(2, name="shared")
    out = kengine.layers.add([shared(a), shared(shared(a))], name="sum")
    return json.loads(kengine.Model(a, out, name="m").to_json())


def _layer(config: dict, name: str) -> dict:
    return next(layer for layer in config["config"]["layers"] if layer["name"] == name)


@pytest.mark.parametrize(
    "mutate, error, message",
    [
        (
            lambda c: _layer(c, "sum")["inbound_nodes"][0][0].__setitem__(2, 7),
            ValueError,
            r"refers to output 7 of layer 'shared' \(node 0\), which has 1 output",
        ),
        (
            lambda c: _layer(c, "sum")["inbound_nodes"][0][0].__setitem__(1, 9),
            ValueError,
            "are never produced",
        ),
        (
            lambda c: _layer(c, "sum")["inbound_nodes"][0][0].__setitem__(1, -1),
            ValueError,
            "node_index=-1, tensor_index=0",
        ),
        (
            lambda c: _layer(c, "sum")["inbound_nodes"][0][0].__setitem__(0, "ghost"),
            ValueError,
            "refers to layer 'ghost', which is not in the config",
        ),
        (
            # A cycle: the shared layer's first call now waits on the sum.
            lambda c: _layer(c, "shared")["inbound_nodes"][0][0].__setitem__(0, "sum"),
            ValueError,
            "never produced",
        ),
        (
            lambda c: c["config"].__setitem__("output_layers", [["sum", 0, 3]]),
            ValueError,
            "'output_layers' refers to output 3 of layer 'sum'",
        ),
        (
            lambda c: c["config"].__setitem__("input_layers", 5),
            ValueError,
            "'input_layers' must hold",
        ),
        (
            lambda c: c["config"]["layers"].append(c["config"]["layers"][1]),
            ValueError,
            "unique string 'name'. Received: name='shared'",
        ),
        (
            lambda c: c["config"].__setitem__("layers", {"a": 1}),
            TypeError,
            "'layers' must be a list",
        ),
        (
            lambda c: _layer(c, "sum").__setitem__("inbound_nodes", "x"),
            TypeError,
            "'inbound_nodes' of layer 'sum' must be a list",
        ),
        (
            lambda c: c["config"].__setitem__("trainable", "yes"),
            TypeError,
            "trainable='yes'",
        ),
        (
            lambda c: _layer(c, "shared")["config"].pop("units"),
            TypeError,
            "units",
        ),
    ],
)
def test_broken_references_and_parts_raise_naming_the_problem(mutate, error, message):
    config = _functional_config()
    models.model_from_config(copy.deepcopy(config))  # the unbroken one loads
    mutate(config)
    with pytest.raises(error, match=message):
        models.model_from_config(config)


@pytest.mark.parametrize(
    "text, message",
    [
        (
            '{"class_name": "Sequential", "config": ' + "[" * 5000 + "]" * 5000 + "}",
            "parse",
        ),
        (
            '{"class_name": "Sequential", "config": {"layers": '
            + "[" * 150
            + "]" * 150
            + "}}",
            "nests deeper than 100",
        ),
        ('{"class_name": "Sequential", "con', "parse"),
    ],
)
def test_deep_or_truncated_json_is_a_value_error(text, message):
    with pytest.raises(ValueError, match=message):
        models.model_from_json(text)


def test_a_config_containing_itself_is_refused():
    config = {"class_name": "Sequential", "config": {"layers": []}}
    config["config"]["layers"].append(config)
    with pytest.raises(ValueError, match="contains itself"):
        models.model_from_config(config)


@pytest.mark.parametrize("units", [2**40, 2**63])
def test_a_size_tensorflow_cannot_allocate_is_a_value_error(units):
    x = kengine.Input((2,), name="x")
    config = json.loads(
        kengine.Model(x, kengine.layers.Dense(1, name="d")(x)).to_json()
    )
    _layer(config, "d")["config"]["units"] = units
    with pytest.raises(ValueError, match="calling layer 'd' on the inputs its config"):
        models.model_from_config(config)


def test_tensors_in_call_arguments_are_waited_for_like_inputs():
    # tf_keras's tf_ops model, with the slice that `+` takes as `y` listed last.
    text = load_json("engine", "tf_ops.json")["to_json"]
    config = json.loads(text)
    layers = config["config"]["layers"]
    getitem = next(lyr for lyr in layers if lyr["class_name"] == "SlicingOpLambda")
    layers.remove(getitem)
    layers.append(getitem)
    data = [np.ones((1, 3), "float32"), np.ones((1, 3), "float32")]
    ours, reference = models.model_from_config(config), models.model_from_json(text)
    reference.set_weights(ours.get_weights())
    np.testing.assert_allclose(ours(data).numpy(), reference(data).numpy())


@pytest.mark.parametrize(
    "key, value, culprit",
    [
        (
            "activation",
            {"module": "os", "class_name": "function", "config": "system"},
            "Unknown activation function: 'system'",
        ),
        ("activation", "get_file", "Unknown activation function: 'get_file'"),
        (
            "kernel_initializer",
            {"module": "builtins", "class_name": "eval", "config": {}},
            "Unknown initializer: 'eval'",
        ),
        (
            "kernel_regularizer",
            {"module": "kengine.models", "class_name": "model_from_json", "config": {}},
            "Unknown regularizer: 'model_from_json'",
        ),
    ],
)
def test_a_config_cannot_name_a_module_function(key, value, culprit):
    """CVE-2025-1550 class: `module` + name in a config never import or call it."""
    model = kengine.Sequential([kengine.Input((2,)), kengine.layers.Dense(1, name="d")])
    config = json.loads(model.to_json())
    config["config"]["layers"][1]["config"][key] = value
    with pytest.raises(ValueError, match=re.escape(culprit)):
        models.model_from_config(config, safe_mode=False)
