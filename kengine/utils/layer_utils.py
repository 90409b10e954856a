"""`Model.summary()`: the layer table Keras 2 prints, character for character.

Mirrors Keras 2's `utils/layer_utils.py` (`print_summary`, `count_params`,
`readable_memory_size`). A model is printed "sequential-like" (three columns,
65 characters) when every depth of its graph has one node with one input and no
layer is shared; otherwise a fourth column, "Connected to", lists each node's
inputs as `layer[node_index][tensor_index]` and the table is 98 characters wide.
Cells too long for their column wrap at `),`, `],`, `',` boundaries, as in Keras 2.
"""

import numpy as np

__all__ = ["print_summary", "count_params", "readable_memory_size"]


def _size(w) -> int:
    # An unknown dimension (a vocabulary, a quantile summary) counts as 0, as in Keras 2.
    return int(np.prod([d or 0 for d in w.shape.as_list()]))


def count_params(weights) -> int:
    """Number of scalars in a list of variables, each counted once."""
    unique = {id(w): w for w in weights}.values()
    return int(sum(_size(w) for w in unique))


def _memory_size(weights) -> int:
    unique = {id(w): w for w in weights}.values()
    return int(sum(_size(w) * w.dtype.size for w in unique))


def readable_memory_size(size: float) -> str:
    """`32.00 Byte`, `1.50 KB`, ... (powers of 1024)."""
    for unit in ["Byte", "KB", "MB", "GB", "TB", "PB"]:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _is_sequential_like(model) -> bool:
    if type(model).__name__ == "Sequential" or not getattr(
        model, "_is_graph_network", False
    ):
        return True
    nodes = []
    for depth_nodes in model._nodes_by_depth.values():
        if len(depth_nodes) > 1 or (
            len(depth_nodes) == 1 and len(depth_nodes[0].keras_inputs) > 1
        ):
            return False
        nodes += depth_nodes
    for layer in model.layers:
        if sum(node in nodes for node in layer._inbound_nodes) > 1:
            return False
    return True


def _row_lines(fields, positions, nested_level=0) -> list:
    """Lays out one table row, wrapping long cells over several lines."""
    remaining = [str(f) for f in fields]
    lines = []
    while any(remaining):
        line = ""
        for col, text in enumerate(remaining):
            start = positions[col - 1] if col > 0 else 0
            last = col == len(positions) - 1
            space = 0 if last else 2
            cutoff = positions[col] - start - space - (0 if last else 1)
            if col == 0:
                cutoff -= nested_level
            piece = text[:cutoff]
            breaks = [
                piece.find(m) + len(m)
                for m in ("),", "},", "],", "',")
                if piece.find(m) >= 0
            ]
            if breaks:
                cutoff = min(breaks)
                piece = piece[:cutoff]
            if col == 0:
                line += "|" * nested_level + " "
            line += piece + " " * space
            remaining[col] = text[cutoff:]
            pad = positions[col] - len(line)
            if nested_level and last:
                pad -= nested_level
            line += " " * pad
        lines.append(line + "|" * nested_level)
    return lines


def _output_shape(layer):
    try:
        return layer.output_shape
    except AttributeError:
        return "multiple"
    except RuntimeError:
        return "?"


def _layer_fields(layer, relevant_nodes, show_trainable) -> list:
    if not layer.built and not getattr(layer, "_is_graph_network", False):
        params = "0 (unused)"
    else:
        params = layer.count_params()
    fields = [f"{layer.name} ({type(layer).__name__})", _output_shape(layer), params]
    if relevant_nodes is not None:
        connections = []
        for node in layer._inbound_nodes:
            if relevant_nodes and node not in relevant_nodes:
                continue
            for inbound, node_index, tensor_index, _ in node.iterate_inbound():
                connections.append(f"{inbound.name}[{node_index}][{tensor_index}]")
        fields.append(connections)
    if show_trainable:
        fields.append("Y" if layer.trainable else "N")
    return fields


def print_summary(
    model,
    line_length=None,
    positions=None,
    print_fn=None,
    expand_nested=False,
    show_trainable=False,
    layer_range=None,
) -> None:
    """Prints a summary of `model` (see `Model.summary` for the arguments)."""
    print_fn = print_fn or print
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = list(positions or [0.45, 0.85, 1.0])
        header = ["Layer (type)", "Output Shape", "Param #"]
        relevant_nodes = None
    else:
        line_length = line_length or 98
        positions = list(positions or [0.3, 0.6, 0.70, 1.0])
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        relevant_nodes = [n for nodes in model._nodes_by_depth.values() for n in nodes]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    if show_trainable:
        line_length += 11
        positions.append(line_length)
        header.append("Trainable")

    def emit(fields, level=0):
        for line in _row_lines(fields, positions, level):
            print_fn(line)

    def print_layer(layer, level=0, is_last=False):
        emit(_layer_fields(layer, relevant_nodes, show_trainable), level)
        children = getattr(layer, "layers", None) if expand_nested else None
        if children:
            print_fn(
                "|" * (level + 1)
                + "¯" * (line_length - 2 * level - 2)
                + "|" * (level + 1)
            )
            for i, child in enumerate(children):
                print_layer(child, level + 1, i == len(children) - 1)
            print_fn("|" * level + "¯" * (line_length - 2 * level) + "|" * level)
        if not is_last:
            print_fn("|" * level + " " * (line_length - 2 * level) + "|" * level)

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    emit(header)
    print_fn("=" * line_length)
    layers = model.layers
    start, end = _layer_range(model, layer_range)
    for layer in layers[start:end]:
        print_layer(layer)
    print_fn("=" * line_length)
    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    total_size = _memory_size(trainable) + _memory_size(non_trainable)
    print_fn(
        f"Total params: {count_params(trainable) + count_params(non_trainable)} "
        f"({readable_memory_size(total_size)})"
    )
    print_fn(
        f"Trainable params: {count_params(trainable)} "
        f"({readable_memory_size(_memory_size(trainable))})"
    )
    print_fn(
        f"Non-trainable params: {count_params(non_trainable)} "
        f"({readable_memory_size(_memory_size(non_trainable))})"
    )
    print_fn("_" * line_length)


def _layer_range(model, layer_range) -> tuple:
    if layer_range is None:
        return 0, len(model.layers)
    if len(layer_range) != 2:
        raise ValueError(
            "layer_range must be a list or tuple of length 2. Received: "
            f"layer_range = {layer_range} of length {len(layer_range)}"
        )
    names = [layer.name for layer in model.layers]
    matches = [i for i, n in enumerate(names) if layer_range[0] in n]
    ends = [i for i, n in enumerate(names) if layer_range[1] in n]
    if not matches or not ends:
        raise ValueError(
            f"Passed layer_range does not match any layer name. Received: {layer_range}"
        )
    return min(matches), max(ends) + 1
