"""Prints the layer graph of a model: every layer, node and `_keras_history`.

Keras 2 records a model as layers joined by nodes (`engine/node.py`): calling a
layer on KerasTensors appends a `Node` to the layer's `_inbound_nodes` and to
the `_outbound_nodes` of each layer that produced an argument, and stamps every
output with `_keras_history = (layer, node_index, tensor_index)`. `dump(model)`
writes that bookkeeping down as text, one block per layer, so a learner can
check on their own model what seed note 000 asserts (a shared layer has two
inbound nodes; a nested model is one layer of the outer graph with its own
graph inside). `to_dot(model)` writes the same nodes as a Graphviz digraph.

Usage:
    python -m kengine.tools.graph_dump module:function [--dot]

where `module:function` names a function taking no arguments that returns a
model. There is no single Keras 2 file this mirrors; the attributes it reads
are those of tf_keras's `engine/node.py` and `engine/functional.py`.
"""

import argparse
import importlib
import sys

import tensorflow as tf

__all__ = ["dump", "to_dot", "main"]


def _layers_in_order(model) -> list:
    """The model's input layers (Sequential hides them) then `model.layers`."""
    layers = list(getattr(model, "_input_layers", []))
    for layer in model.layers:
        if all(layer is not seen for seen in layers):
            layers.append(layer)
    return layers


def _node_label(node) -> str:
    """`layer_name[node_index]`: the node's place in its layer's `_inbound_nodes`."""
    return f"{node.layer.name}[{node.layer._inbound_nodes.index(node)}]"


def _history(tensor) -> str:
    layer, node_index, tensor_index = tensor._keras_history
    return f"KerasHistory({layer.name!r}, node_index={node_index}, tensor_index={tensor_index})"


def _tensor(tensor) -> str:
    shape = tuple(tensor.shape.as_list()) if tensor.shape.rank is not None else None
    return f"{shape} {tensor.dtype.name} {_history(tensor)}"


def _node_lines(model, node, index: int) -> list:
    """The lines for one inbound node of a layer."""
    network_nodes = getattr(model, "_network_nodes", None)
    outside = network_nodes is not None and node not in network_nodes
    head = f"    inbound node {index}" + (
        " (not part of this model)" if outside else ""
    )
    lines = [head + ":"]
    if node.is_input:
        lines.append("      input node: no inbound layers")
    for layer, node_index, tensor_index, _ in node.iterate_inbound():
        lines.append(
            f"      from {layer.name}: node_index={node_index} tensor_index={tensor_index}"
        )
    for tensor in tf.nest.flatten(node.outputs):
        lines.append(f"      output {_tensor(tensor)}")
    return lines


def _layer_lines(model, layer, position: int, indent: str) -> list:
    lines = [f"{indent}layer {position}: {layer.name} ({type(layer).__name__})"]
    for index, node in enumerate(layer._inbound_nodes):
        lines.extend(indent + line for line in _node_lines(model, node, index))
    outbound = ", ".join(_node_label(node) for node in layer._outbound_nodes)
    lines.append(f"{indent}    outbound nodes: {outbound or '-'}")
    if hasattr(layer, "layers") and hasattr(layer, "_input_layers"):
        lines.extend(_model_lines(layer, indent + "    "))
    return lines


def _model_lines(model, indent: str = "") -> list:
    lines = [f"{indent}model {model.name} ({type(model).__name__})"]
    for kind in ("inputs", "outputs"):
        for tensor in tf.nest.flatten(getattr(model, kind, None) or []):
            lines.append(f"{indent}  {kind[:-1]} {_tensor(tensor)}")
    for position, layer in enumerate(_layers_in_order(model)):
        lines.extend(_layer_lines(model, layer, position, indent + "  "))
    return lines


def dump(model) -> str:
    """Describes every layer of `model` with its nodes and tensor histories.

    Args:
        model: a built functional or Sequential model (anything with `layers`,
            `inputs` and `outputs` whose layers carry `_inbound_nodes`).

    Returns:
        The description, one line per fact, ending with a newline. Nested
        models are described again, indented, under the layer they are.
    """
    return "\n".join(_model_lines(model)) + "\n"


def _dot_id(node) -> str:
    return '"' + _node_label(node) + '"'


def to_dot(model) -> str:
    """Returns the node graph of `model` as Graphviz DOT text.

    Each node of the model is a vertex labelled `layer[node_index]`; an edge
    goes from the node that produced a tensor to the node it was passed to,
    labelled with the tensor index.

    Args:
        model: a built functional or Sequential model.

    Returns:
        The DOT text of a `digraph`.
    """
    lines = [f'digraph "{model.name}" {{', "  node [shape=record];"]
    for layer in _layers_in_order(model):
        for node in layer._inbound_nodes:
            lines.append(f"  {_dot_id(node)};")
            for source, node_index, tensor_index, _ in node.iterate_inbound():
                parent = source._inbound_nodes[node_index]
                edge = (
                    f'  {_dot_id(parent)} -> {_dot_id(node)} [label="{tensor_index}"];'
                )
                lines.append(edge)
    lines.append("}")
    return "\n".join(lines) + "\n"


def load_function(spec: str):
    """Returns the function named by `module:function`, importing its module.

    Raises:
        ValueError: when `spec` has no `:`.
    """
    module_name, sep, function_name = spec.partition(":")
    if not sep:
        raise ValueError(f"Expected 'module:function', received {spec!r}.")
    return getattr(importlib.import_module(module_name), function_name)


def load_model_function(spec: str):
    """Calls the function named by `module:function` and returns what it returns.

    Raises:
        ValueError: when `spec` has no `:`.
    """
    return load_function(spec)()


def main(argv=None) -> int:
    """Command-line entry: prints `dump` (or `to_dot` with `--dot`) of a model."""
    parser = argparse.ArgumentParser(prog="python -m kengine.tools.graph_dump")
    parser.add_argument("model", help="module:function returning a model")
    parser.add_argument("--dot", action="store_true", help="print Graphviz DOT")
    args = parser.parse_args(argv)
    model = load_model_function(args.model)
    sys.stdout.write(to_dot(model) if args.dot else dump(model))
    return 0


if __name__ == "__main__":
    sys.exit(main())
