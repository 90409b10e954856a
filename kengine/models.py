"""`kengine.models`: model classes and rebuilding models from JSON configs.

Mirrors Keras 2's `models/__init__.py` and `saving/legacy/model_config.py`
(`model_from_json`, `model_from_config`). Rebuilding only instantiates known
classes (kengine's layers, registered classes and `custom_objects`), resolves
TF ops of `TFOpLambda` layers only from an allow-list of pure tensor ops, and
refuses `Lambda` bytecode in safe mode (the default) — see
`utils/serialization.py` and `layers/tf_op_layer.py`. A config that is not what
the classes expect (keys missing, wrong types, references to layers or tensors
that do not exist, cycles, nesting deeper than 100 levels) raises `ValueError`
or `TypeError` naming the problem.

>>> import kengine
>>> x = kengine.Input((2,), name="x")
>>> model = kengine.Model(x, kengine.layers.Dense(1, name="out")(x))
>>> clone = model_from_json(model.to_json())
>>> [layer.name for layer in clone.layers]
['x', 'out']
"""

import json

import tensorflow as tf

from kengine import layers
from kengine.engine.functional import Functional, _replay
from kengine.engine.input_layer import Input
from kengine.engine.sequential import Sequential
from kengine.engine.training import Model
from kengine.saving.saving_api import load_model, save_model
from kengine.utils.serialization import SafeModeScope

__all__ = [
    "Model",
    "Sequential",
    "Functional",
    "model_from_json",
    "model_from_config",
    "clone_model",
    "load_model",
    "save_model",
]


# Real configs nest about eight levels per model (a nested model adds a few more);
# a deeper one is refused before anything recurses into it.
_MAX_CONFIG_DEPTH = 100


def _check_nesting(config) -> None:
    """Raises ValueError if `config` nests deeper than `_MAX_CONFIG_DEPTH` or loops.

    Iterative, and each container is visited once, so no config can make the
    check itself recurse, loop or take exponential time.
    """
    depth_of, on_path = {}, set()
    stack = [(config, False)]
    while stack:
        obj, children_done = stack.pop()
        if not isinstance(obj, dict | list | tuple) or id(obj) in depth_of:
            continue
        children = obj.values() if isinstance(obj, dict) else obj
        if children_done:
            on_path.discard(id(obj))
            depth_of[id(obj)] = 1 + max(
                (depth_of.get(id(c), 0) for c in children), default=0
            )
            if depth_of[id(obj)] > _MAX_CONFIG_DEPTH:
                raise ValueError(
                    "The model config nests deeper than "
                    f"{_MAX_CONFIG_DEPTH} levels; refusing to rebuild it."
                )
            continue
        if id(obj) in on_path:
            raise ValueError("The model config contains itself (a reference cycle).")
        on_path.add(id(obj))
        stack.append((obj, True))
        stack.extend((c, False) for c in children)


def model_from_config(
    config: dict, custom_objects: dict | None = None, safe_mode: bool = True
):
    """Builds a model (or layer) from a `{"class_name", "config"}` dict.

    Args:
        config: the dict `Model.get_config()` is wrapped in by `to_json()`.
        custom_objects: user classes and functions by name.
        safe_mode: refuse `Lambda` bytecode (overrides an enclosing
            `SafeModeScope`); nothing in the config can turn it off.

    Returns:
        The model or layer.

    Raises:
        ValueError: for an unknown class name or a malformed config.
        TypeError: for parts of the config of the wrong type.
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "`model_from_config` expects a dict with keys 'class_name' and 'config'. "
            f"Received: {config!r}"[:300]
        )
    _check_nesting(config)
    with SafeModeScope(safe_mode):
        return layers.deserialize(
            config, custom_objects=custom_objects, safe_mode=safe_mode
        )


def model_from_json(
    json_string: str, custom_objects: dict | None = None, safe_mode: bool = True
):
    """Builds a model from the JSON written by `Model.to_json()` (kengine's or tf_keras's).

    Args:
        json_string: the JSON text.
        custom_objects: user classes and functions by name.
        safe_mode: refuse `Lambda` bytecode (see `model_from_config`).

    Returns:
        The model.

    Raises:
        ValueError: for malformed JSON, an unknown class name or a bad config.
        TypeError: for parts of the config of the wrong type.
    """
    try:
        config = json.loads(json_string)
    except (TypeError, json.JSONDecodeError, RecursionError) as err:
        raise ValueError(f"Could not parse the model JSON: {err}"[:500]) from err
    return model_from_config(config, custom_objects=custom_objects, safe_mode=safe_mode)


def _fresh_copy(layer):
    """The default `clone_function`: a new layer of the same config (new weights)."""
    return type(layer).from_config(layer.get_config())


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same topology and freshly created layers.

    The clone's layers come from `clone_function(layer)` (default: the same
    config, hence newly initialized weights); a functional model's graph is
    replayed through them, so shared layers stay shared. Weights are not copied:
    call `clone.set_weights(model.get_weights())` for that.

    Args:
        model: a Sequential or functional model.
        input_tensors: optional KerasTensor(s) to build the clone on.
        clone_function: `layer -> layer` used for every layer but InputLayers.

    Returns:
        The clone.

    Raises:
        ValueError: for a subclassed model, whose topology lives in Python code.
    """
    clone_function = clone_function or _fresh_copy
    if isinstance(model, Sequential):
        layers = [clone_function(layer) for layer in model.layers]
        if input_tensors is None and model.inputs:
            t = model.inputs[0]
            input_tensors = Input(type_spec=t.type_spec, name=t.node.layer.name)
        return Sequential(
            ([input_tensors] if input_tensors is not None else []) + layers,
            name=model.name,
        )
    if not getattr(model, "_is_graph_network", False):
        raise ValueError(
            "Expected `model` to be a functional or Sequential model; subclassed "
            f"models cannot be cloned. Received: model={model!r}"
        )
    new_inputs = input_tensors
    if new_inputs is None:
        new_inputs = [
            Input(type_spec=t.type_spec, name=t.node.layer.name) for t in model.inputs
        ]
    flat_new = tf.nest.flatten(new_inputs)
    tensor_dict = {id(old): new for old, new in zip(model.inputs, flat_new)}
    clones = {}

    def layer_for(layer):
        if id(layer) not in clones:
            clones[id(layer)] = clone_function(layer)
        return clones[id(layer)]

    _replay(model._nodes_by_depth, tensor_dict, layer_for)
    outputs = [tensor_dict[id(t)] for t in model.outputs]
    return Model(
        new_inputs if len(flat_new) > 1 else flat_new[0],
        tf.nest.pack_sequence_as(model._nested_outputs, outputs),
        name=model.name,
    )
