"""Graph algorithms behind `Functional`: mapping the DAG, and config in and out.

Mirrors Keras 2's `engine/functional.py` module functions (`_map_graph_network`,
`_build_map`, `get_network_config`, `reconstruct_from_config`), `engine/node.py`
(`Node.serialize`) and `engine/functional_utils.py` (`clone_graph_nodes`).

* `map_graph_network(inputs, outputs)` walks `_keras_history` back from the outputs
  (depth first, pre-order numbering of layers), gives every node a depth (outputs 0,
  a node's parents at least one deeper), and returns the nodes grouped by depth and
  the layers ordered by decreasing depth, then by discovery order: tf_keras's
  `model.layers` order. It raises "Graph disconnected" when a node needs a tensor
  that no model input leads to, and rejects duplicate layer names.
* `serialize_node` / `network_config` write the `inbound_nodes` format tf_keras
  writes (`[[layer_name, node_index, tensor_index, kwargs], ...]`), so tf_keras JSON
  loads here and ours loads there; `reconstruct` replays it, creating each layer
  once and calling it in an order where its inputs (and tensors in its call
  arguments) already exist. Every reference is checked first (layer declared,
  node created, tensor index in range, non-negative integers), a node waiting
  forever (a cycle) is reported, and a layer is only ever called symbolically:
  a node of constants alone is refused, so loading runs no layer on a file's
  values. Failures name the layer and node as `ValueError`/`TypeError`.
"""

import collections
import json

import numpy as np
import tensorflow as tf

from kengine.engine.keras_tensor import KerasTensor
from kengine.layers import deserialize as deserialize_layer
from kengine.utils import serialization

__all__ = ["map_graph_network", "network_config", "reconstruct", "graph_from_config"]

GraphMap = collections.namedtuple(
    "GraphMap", ["network_nodes", "nodes_by_depth", "layers", "layers_by_depth"]
)


def node_key(layer, node_index: int) -> str:
    """The key tf_keras uses for a node when converting indices (`dense_ib-0`)."""
    return f"{layer.name}_ib-{node_index}"


def _walk(outputs, stop_ids=frozenset()):
    """Depth-first walk from the outputs: nodes deepest-last, layers by first visit.

    Tensors whose id is in `stop_ids` are treated as given: their producers are
    not visited.
    """
    finished, in_progress, ordered, layer_indices = set(), set(), [], {}

    def visit(tensor):
        if id(tensor) in stop_ids:
            return
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if node in finished:
            return
        if node in in_progress:
            raise ValueError(
                f"Tensor {tensor} from layer '{layer.name}' is part of a cycle."
            )
        layer_indices.setdefault(layer, len(layer_indices))
        in_progress.add(node)
        if not node.is_input:
            for kt in node.keras_inputs:
                visit(kt)
        finished.add(node)
        in_progress.discard(node)
        ordered.append(node)

    for tensor in outputs:
        visit(tensor)
    return ordered, layer_indices


def map_graph_network(inputs: list, outputs: list, stop_at_inputs=False) -> GraphMap:
    """Orders the graph between `inputs` and `outputs` (see module docstring).

    Args:
        inputs: the model's input KerasTensors.
        outputs: the model's output KerasTensors.
        stop_at_inputs: do not walk past the inputs (they may be intermediate).

    Raises:
        ValueError: "Graph disconnected" naming the tensor and layer, or a layer
            name used twice.
    """
    stop = frozenset(id(x) for x in inputs) if stop_at_inputs else frozenset()
    ordered, layer_indices = _walk(outputs, stop)
    node_depth, layer_depth, walked = {}, {}, set(ordered)
    for node in reversed(ordered):
        depth = max(node_depth.setdefault(node, 0), layer_depth.get(node.layer, 0))
        layer_depth[node.layer] = depth
        node_depth[node] = depth
        for parent in node.parent_nodes:
            if parent not in walked:
                continue
            node_depth[parent] = max(depth + 1, node_depth.get(parent, 0))
    for x in [] if stop_at_inputs else inputs:  # unused inputs still belong
        layer = x._keras_history.layer
        if layer not in layer_depth:
            layer_depth[layer] = 0
            layer_indices[layer] = -1
            node_depth[layer._inbound_nodes[0]] = 0
    nodes_by_depth = collections.defaultdict(list)
    for node, depth in node_depth.items():
        nodes_by_depth[depth].append(node)
    layers_by_depth = collections.defaultdict(list)
    for layer, depth in layer_depth.items():
        layers_by_depth[depth].append(layer)
    layers = []
    for depth in sorted(layers_by_depth, reverse=True):
        layers.extend(
            sorted(layers_by_depth[depth], key=lambda lyr: layer_indices[lyr])
        )
    _check_connected(inputs, nodes_by_depth)
    _check_unique_names(layers)
    return GraphMap(
        set(node_depth), dict(nodes_by_depth), layers, dict(layers_by_depth)
    )


def _check_connected(inputs, nodes_by_depth) -> None:
    computable = {id(x) for x in inputs}
    seen_layers = []
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            if node.is_input:
                continue
            for x in node.keras_inputs:
                if id(x) not in computable:
                    raise ValueError(
                        f"Graph disconnected: cannot obtain value for tensor {x} at layer "
                        f'"{node.layer.name}". The following previous layers were accessed '
                        f"without issue: {seen_layers}"
                    )
            computable.update(id(x) for x in tf.nest.flatten(node.outputs))
            seen_layers.append(node.layer.name)


def _check_unique_names(layers) -> None:
    counts = collections.Counter(layer.name for layer in layers)
    for name, count in counts.items():
        if count > 1:
            raise ValueError(
                f'The name "{name}" is used {count} times in the model. All layer names '
                "should be unique."
            )


# ------------------------------------------------------------------ to config
def _encode(value, conversion):
    if isinstance(value, KerasTensor):
        layer, node_index, tensor_index = value._keras_history
        return [
            layer.name,
            conversion.get(node_key(layer, node_index), 0),
            tensor_index,
        ]
    if isinstance(value, slice):
        return {"start": value.start, "stop": value.stop, "step": value.step}
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    if isinstance(value, tf.Tensor):
        return value.numpy().tolist()
    return value


def serialize_node(node, conversion: dict):
    """One entry of a layer's `inbound_nodes` in tf_keras's format."""
    names = node.layer._call_arg_names()
    inputs, rest = node.call_args[0], node.call_args[1:]
    kwargs = dict(zip(names[1:], rest))
    kwargs.update(node.call_kwargs)
    kwargs = {
        k: tf.nest.map_structure(lambda v: _encode(v, conversion), v)
        for k, v in kwargs.items()
    }
    try:
        json.dumps(kwargs)
    except TypeError as err:
        raise TypeError(
            f"Layer {node.layer.name} was passed non-JSON-serializable arguments. "
            f"Arguments had types: { ({k: type(v).__name__ for k, v in kwargs.items()}) }. "
            "They cannot be serialized out when saving the model."
        ) from err

    def first_arg(t):
        if isinstance(t, KerasTensor):
            return [*_encode(t, conversion), kwargs]
        return ["_CONSTANT_VALUE", -1, _encode(t, conversion), kwargs]

    if isinstance(inputs, dict):
        return {k: first_arg(v) for k, v in inputs.items()}
    if isinstance(inputs, list | tuple):
        return [first_arg(t) for t in inputs]
    if getattr(node.layer, "_preserve_input_structure_in_config", False):
        return first_arg(inputs)
    return [first_arg(inputs)]


def network_config(model) -> dict:
    """The `get_config()` of a Functional model, in tf_keras's layout."""
    conversion = {}
    for layer in model.layers:
        # tf_keras numbers a nested graph network's nodes from 1 (a legacy of
        # Keras 1, where a model's first node was its own construction).
        kept = 1 if _skip_first_node(layer) else 0
        for index, node in enumerate(layer._inbound_nodes):
            if node in model._network_nodes:
                conversion[node_key(layer, index)] = kept
                kept += 1
    layer_configs = []
    for layer in model.layers:
        entry = layer_entry(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [
            serialize_node(node, conversion)
            for node in layer._inbound_nodes
            if node in model._network_nodes and not node.is_input
        ]
        layer_configs.append(entry)

    def endpoint(t):
        layer, node_index, tensor_index = t._keras_history
        return [
            layer.name,
            conversion.get(node_key(layer, node_index), 0),
            tensor_index,
        ]

    def endpoints(structure):
        # A single tensor is still written as a list of one endpoint.
        if isinstance(structure, KerasTensor):
            return [endpoint(structure)]
        return tf.nest.map_structure(endpoint, structure)

    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layer_configs,
        "input_layers": endpoints(model._nested_inputs),
        "output_layers": endpoints(model._nested_outputs),
    }


def layer_entry(layer) -> dict:
    """A layer's serialized config (with `build_config` once built)."""
    return serialization.serialize_keras_object(layer)


def _skip_first_node(layer) -> bool:
    return bool(getattr(layer, "_is_graph_network", False))


def _is_input(layer) -> bool:
    return type(layer).__name__ == "InputLayer"


# ---------------------------------------------------------------- from config
_CONSTANT = "_CONSTANT_VALUE"


def _is_index(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


class _Replay:
    """Layers created so far and, per layer, saved node index -> real node.

    Every reference a config makes (`[layer_name, node_index, tensor_index]`) is
    checked here, so a bad one is a `ValueError` naming it, never an
    `IndexError` or `KeyError` from deep inside.
    """

    def __init__(self, names: set):
        self.names = names  # every layer name the config declares
        self.created = {}
        self.nodes = collections.defaultdict(dict)

    def add_layer(self, name, layer) -> None:
        self.created[name] = layer
        for i, node in enumerate(layer._inbound_nodes):
            self.nodes[name][i] = node  # an InputLayer's own node is saved as 0

    def record(self, name, layer) -> None:
        saved = len(self.nodes[name]) + int(_skip_first_node(layer))
        self.nodes[name][saved] = layer._inbound_nodes[-1]

    def check_entry(self, entry, where: str) -> None:
        """Raises ValueError unless `entry` is a well-formed reference or constant."""
        if not (isinstance(entry, list | tuple) and len(entry) in (3, 4)):
            raise ValueError(
                f"Could not reconstruct the model: {where} must hold entries "
                "[layer_name, node_index, tensor_index(, kwargs)]. "
                f"Received: {entry!r}"[:500]
            )
        if len(entry) == 4 and not isinstance(entry[3], dict | type(None)):
            raise ValueError(
                f"Could not reconstruct the model: the call arguments in {where} must "
                f"be a dict. Received: {entry[3]!r}"[:500]
            )
        if entry[0] == _CONSTANT:
            return
        name, node_index, tensor_index = entry[:3]
        if not isinstance(name, str) or name not in self.names:
            raise ValueError(
                f"Could not reconstruct the model: {where} refers to layer {name!r}, "
                "which is not in the config's 'layers'."[:500]
            )
        if not (_is_index(node_index) and _is_index(tensor_index)):
            raise ValueError(
                f"Could not reconstruct the model: {where} refers to layer '{name}' "
                "with node and tensor indices that are not non-negative integers. "
                f"Received: node_index={node_index!r}, tensor_index={tensor_index!r}"
            )

    def has(self, entry) -> bool:
        return entry[1] in self.nodes.get(entry[0], {})

    def tensor(self, entry, where: str):
        name, node_index, tensor_index = entry[:3]
        node = self.nodes.get(name, {}).get(node_index)
        if node is None:
            raise ValueError(
                f"Could not reconstruct the model: {where} refers to node "
                f"{node_index} of layer '{name}', which the config never creates."
            )
        outputs = tf.nest.flatten(node.outputs)
        if tensor_index >= len(outputs):
            raise ValueError(
                f"Could not reconstruct the model: {where} refers to output "
                f"{tensor_index} of layer '{name}' (node {node_index}), which has "
                f"{len(outputs)} output(s)."
            )
        return outputs[tensor_index]


def _is_reference(value, replay) -> bool:
    """Whether a call-argument value is a `[layer_name, node, tensor]` reference."""
    return (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], str)
        and value[0] in replay.names
        and _is_index(value[1])
    )


def _references(value, replay) -> list:
    """The tensor references inside call arguments (which must exist first)."""
    if _is_reference(value, replay):
        return [value]
    if isinstance(value, dict | list):
        children = value.values() if isinstance(value, dict) else value
        return [ref for child in children for ref in _references(child, replay)]
    return []


def _decode(value, replay, where: str):
    """Call kwargs from a config: tensor references become tensors, slices slices."""
    if _is_reference(value, replay):
        replay.check_entry(value, where)
        return replay.tensor(value, where)
    if isinstance(value, dict) and set(value) == {"start", "stop", "step"}:
        return slice(value["start"], value["stop"], value["step"])
    if isinstance(value, dict):
        return {k: _decode(v, replay, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v, replay, where) for v in value]
    return value


def _is_entry(data) -> bool:
    return isinstance(data, list) and len(data) >= 3 and isinstance(data[0], str)


def _entries(node_data, replay, where: str):
    """(structure, flat list of checked [name, index, tensor_index, kwargs]) of a node."""
    if isinstance(node_data, dict):
        flat = list(node_data.values())
    elif _is_entry(node_data):  # a single argument written without a list around it
        flat = [node_data]
    elif isinstance(node_data, list):
        flat = list(node_data)
    else:
        raise ValueError(
            f"Could not reconstruct the model: {where} must be a list or dict of "
            f"tensor references. Received: {node_data!r}"[:500]
        )
    for entry in flat:
        replay.check_entry(entry, where)
    return node_data, flat


def _ready(flat, replay) -> bool:
    """Whether every tensor a node uses, in its inputs or call arguments, exists."""
    refs = [e for e in flat if e[0] != _CONSTANT]
    refs += [r for e in flat if len(e) > 3 for r in _references(e[3], replay)]
    return all(replay.has(ref) for ref in refs)


def _call_node(name, layer, structure, flat, replay, where: str) -> None:
    kwargs = {}

    def tensor_of(entry):
        nonlocal kwargs
        if len(entry) > 3 and entry[3]:
            kwargs = _decode(entry[3], replay, where)
        if entry[0] == _CONSTANT:
            return entry[2]
        return replay.tensor(entry, where)

    if isinstance(structure, dict):
        inputs = {k: tensor_of(v) for k, v in structure.items()}
    elif _is_entry(structure):
        inputs = tensor_of(structure)
    else:
        inputs = [tensor_of(e) for e in flat]
        if len(inputs) == 1 and not getattr(layer, "_preserve_list_inputs", False):
            inputs = inputs[0]
    if not any(isinstance(t, KerasTensor) for t in tf.nest.flatten((inputs, kwargs))):
        # Only symbolic calls rebuild a graph; an all-constant call would run the
        # layer on the file's values while loading.
        raise ValueError(
            f"Could not reconstruct the model: {where} passes no tensor of the model, "
            f"only constants. Received: {structure!r}"[:500]
        )
    before = len(layer._inbound_nodes)
    try:
        layer(inputs, **kwargs)
    except (*serialization.CONFIG_ERRORS, ValueError, TypeError) as err:
        kind = TypeError if isinstance(err, TypeError) else ValueError
        raise kind(
            f"Could not reconstruct the model: calling layer '{name}' on the inputs "
            f"its config gives ({where}) failed with {type(err).__name__}: {err}"[:1000]
        ) from err
    if len(layer._inbound_nodes) == before:
        raise ValueError(
            f"Could not reconstruct the model: calling layer '{name}' ({where}) "
            "did not add a node to the graph."
        )
    replay.record(name, layer)


def _layer_list(config: dict) -> list[tuple]:
    """`(name, layer_data)` for the config's `layers`, checked: dicts, unique names."""
    layers = config.get("layers")
    if not isinstance(layers, list):
        raise TypeError(
            "A Functional config's 'layers' must be a list of layer configs. "
            f"Received: {layers!r}"[:500]
        )
    named = []
    for layer_data in layers:
        if not isinstance(layer_data, dict):
            raise TypeError(
                "Each entry of a Functional config's 'layers' must be a dict. "
                f"Received: {layer_data!r}"[:500]
            )
        inner = layer_data.get("config")
        name = layer_data.get(
            "name", inner.get("name") if isinstance(inner, dict) else None
        )
        if not isinstance(name, str) or name in {n for n, _ in named}:
            raise ValueError(
                "Each layer of a Functional config needs a unique string 'name'. "
                f"Received: name={name!r}"[:500]
            )
        if not isinstance(layer_data.get("inbound_nodes", []), list):
            raise TypeError(
                f"The 'inbound_nodes' of layer '{name}' must be a list. Received: "
                f"{layer_data['inbound_nodes']!r}"[:500]
            )
        named.append((name, layer_data))
    return named


def _endpoints(spec, replay, where: str):
    """Tensors for `input_layers`/`output_layers`, keeping their nesting."""
    if isinstance(spec, dict):
        return {k: _endpoints(v, replay, where) for k, v in spec.items()}
    if isinstance(spec, list) and spec and isinstance(spec[0], str):
        replay.check_entry(spec, where)
        return replay.tensor(spec, where)
    if isinstance(spec, list):
        return [_endpoints(s, replay, where) for s in spec]
    raise ValueError(
        f"Could not reconstruct the model: {where} must hold "
        f"[layer_name, node_index, tensor_index] entries. Received: {spec!r}"[:500]
    )


def reconstruct(
    config: dict, custom_objects: dict | None = None, safe_mode: bool = True
):
    """Recreates the layers of a Functional config and replays their calls.

    Args:
        config: the `get_config()` of a Functional model (or tf_keras's).
        custom_objects: user classes and functions by name.
        safe_mode: refuse `Lambda` bytecode (the mode of the load in progress).

    Returns:
        `(inputs, outputs, created_layers)` ready for `Functional(inputs, outputs)`.

    Raises:
        ValueError: for an unknown layer class, a reference to a layer, node or
            tensor the config does not create, or inputs that are never produced
            (a cycle).
        TypeError: for parts of the config of the wrong type.
    """
    layers = _layer_list(config)
    replay = _Replay({name for name, _ in layers})
    pending = collections.deque()
    for name, layer_data in layers:
        layer = deserialize_layer(
            layer_data, custom_objects=custom_objects, safe_mode=safe_mode
        )
        replay.add_layer(name, layer)
        for index, node_data in enumerate(layer_data.get("inbound_nodes", [])):
            where = f"inbound node {index} of layer '{name}'"
            structure, flat = _entries(node_data, replay, where)
            pending.append((name, layer, structure, flat, where))
    stalled = 0
    while pending:
        name, layer, structure, flat, where = item = pending.popleft()
        if _ready(flat, replay):
            _call_node(name, layer, structure, flat, replay, where)
            stalled = 0
            continue
        pending.append(item)
        stalled += 1
        if stalled > len(pending):
            raise ValueError(
                f"Could not reconstruct the model: the inputs of layer '{name}' are "
                "never produced (they refer to a node no layer creates, or the "
                f"inbound nodes form a cycle). Config: {structure}"[:1000]
            )
    return (
        _endpoints(config.get("input_layers"), replay, "'input_layers'"),
        _endpoints(config.get("output_layers"), replay, "'output_layers'"),
        replay.created,
    )


def graph_from_config(cls, config: dict, custom_objects, safe_mode):
    """`cls(inputs=..., outputs=..., name=...)` rebuilt from a graph config.

    `Model.from_config` calls it for `Functional`, and for subclasses that take
    `inputs` and `outputs`. Layers no output depends on (the `AddLoss` and
    `AddMetric` nodes of `model.add_loss`/`add_metric`) still run.

    Raises:
        ValueError: for missing keys, an unknown layer class or a bad reference.
        TypeError: for parts of the config of the wrong type.
    """
    required = ("layers", "input_layers", "output_layers")
    if not isinstance(config, dict) or not all(k in config for k in required):
        keys = sorted(map(str, config)) if isinstance(config, dict) else config
        raise ValueError(
            "A Functional config needs 'layers', 'input_layers' and "
            f"'output_layers'. Received keys: {keys!r}"[:500]
        )
    name, trainable = config.get("name"), config.get("trainable", True)
    if not isinstance(name, str | None) or not isinstance(trainable, bool):
        raise TypeError(
            "A Functional config's 'name' must be a string and 'trainable' a "
            f"bool. Received: name={name!r}, trainable={trainable!r}"[:500]
        )
    if safe_mode is None:
        safe_mode = serialization.in_safe_mode()
    inputs, outputs, created = reconstruct(config, custom_objects, safe_mode)
    model = cls(inputs=inputs, outputs=outputs, name=name, trainable=trainable)
    for layer in created.values():
        if getattr(layer, "_runs_without_consumers", False):
            model._extra_outputs.extend(n.outputs for n in layer._inbound_nodes)
    if model._extra_outputs:
        model._map_graph()
    return model
