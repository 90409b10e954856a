"""Draws a model's layer graph: `model_to_dot` (DOT text) and `plot_model` (a file).

Mirrors Keras 2's `utils/vis_utils.py` and takes the same arguments, with one
difference: tf_keras builds a `pydot.Dot` object and needs the `pydot` package,
while kengine writes the DOT text itself, so `model_to_dot` returns a `str` and
needs nothing installed. `plot_model` always writes that text next to the
requested file; turning it into PNG, SVG or PDF is the job of Graphviz's `dot`
program, run when it is on `PATH`.

Each layer is one box (a Graphviz `record`) whose id is its name, prefixed by
the enclosing model's name when `expand_nested` draws a nested model as a
cluster; tf_keras uses `id(layer)`, which changes on every run. An edge runs
from each layer that produced an input of a node to the node's layer, for the
nodes that belong to the model. This module sits under the layer library, so it
reads the model by duck typing (`layers`, `_input_layers`, `_inbound_nodes`,
`_network_nodes`) and imports no engine module.
"""

import re
import shutil
import subprocess
from pathlib import Path

import tensorflow as tf

__all__ = ["model_to_dot", "plot_model"]


def _is_graph_model(layer) -> bool:
    """A functional or Sequential model: it has input layers and a node set."""
    return hasattr(layer, "_input_layers") and hasattr(layer, "_network_nodes")


def _graph_layers(model) -> list:
    """Input layers first (Sequential leaves them out of `model.layers`), then the rest."""
    layers = list(model._input_layers)
    layers += [layer for layer in model.layers if all(layer is not x for x in layers)]
    return layers


def _layer_slice(layers: list, layer_range) -> tuple:
    """The `[start, stop)` indices of `layers` that `layer_range` selects.

    Raises:
        ValueError: when `layer_range` is not two strings or a name matches nothing.
    """
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2 or not all(isinstance(p, str) for p in layer_range):
        raise ValueError(
            f"`layer_range` must be two layer-name patterns, received {layer_range!r}."
        )
    names = [layer.name for layer in layers]
    starts = [i for i, name in enumerate(names) if re.match(layer_range[0], name)]
    stops = [i for i, name in enumerate(names) if re.match(layer_range[1], name)]
    if not starts or not stops:
        raise ValueError(
            f"`layer_range` {layer_range!r} matches no layer; layer names are {names}."
        )
    return starts[0], stops[-1] + 1


def _escape(text: str) -> str:
    """Escapes the characters a record label treats as structure."""
    return re.sub(r"([{}<>|\"])", r"\\\1", text)


def _shapes(tensors) -> str:
    shapes = [
        str(tuple(t.shape.as_list()) if t.shape.rank is not None else None)
        for t in tf.nest.flatten(tensors)
    ]
    return shapes[0] if len(shapes) == 1 else "[" + ", ".join(shapes) + "]"


def _shape_labels(model, layer) -> tuple:
    """(input, output) shape text of `layer`'s nodes in `model`; '?' if unknown."""
    nodes = [n for n in layer._inbound_nodes if n in model._network_nodes]
    if not nodes:
        return "?", "?"
    inputs = {_shapes(n.outputs if n.is_input else n.keras_inputs) for n in nodes}
    outputs = {_shapes(n.outputs) for n in nodes}
    pick = lambda found: found.pop() if len(found) == 1 else "multiple"  # noqa: E731
    return pick(inputs), pick(outputs)


def _activation_name(layer):
    activation = getattr(layer, "activation", None)
    if activation is None:
        return None
    return getattr(activation, "name", None) or getattr(
        activation, "__name__", str(activation)
    )


def _label(model, layer, options: dict) -> str:
    """The record label of one layer box, built in tf_keras's field order."""
    label = _escape(type(layer).__name__)
    activation = _activation_name(layer) if options["show_layer_activations"] else None
    if activation is not None:
        label = f"{{{label}|{_escape(activation)}}}"
    if options["show_layer_names"]:
        label = f"{_escape(layer.name)}|{label}"
    if options["show_dtype"]:
        dtype = getattr(layer, "dtype", None)
        label = f"{label}|{'?' if dtype is None else _escape(str(dtype))}"
    if options["show_shapes"]:
        inputs, outputs = (_escape(s) for s in _shape_labels(model, layer))
        label = f"{{{label}}}|{{input:|output:}}|{{{{{inputs}}}|{{{outputs}}}}}"
    if options["show_trainable"]:
        label = f"{'T' if layer.trainable else 'NT'}|{label}"
    return label


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Drawing:
    """Collects the DOT lines of one model and, recursively, its nested models."""

    def __init__(self, options: dict):
        self.options = options
        self.lines = []

    def box_id(self, prefix: str, layer) -> str:
        return _quote(prefix + layer.name)

    def entries(self, prefix: str, layer) -> list:
        """The box ids an edge *into* `layer` should reach (a cluster's inputs)."""
        if self.options["expand_nested"] and _is_graph_model(layer):
            inner = f"{prefix}{layer.name}/"
            return [e for x in layer._input_layers for e in self.entries(inner, x)]
        return [self.box_id(prefix, layer)]

    def exits(self, prefix: str, layer) -> list:
        """The box ids an edge *out of* `layer` should start at (a cluster's outputs)."""
        if self.options["expand_nested"] and _is_graph_model(layer):
            inner = f"{prefix}{layer.name}/"
            outputs = [t._keras_history.layer for t in tf.nest.flatten(layer.outputs)]
            return [e for x in outputs for e in self.exits(inner, x)]
        return [self.box_id(prefix, layer)]

    def add_model(self, model, prefix: str, indent: str, layer_range=None) -> None:
        layers = _graph_layers(model)
        start, stop = _layer_slice(layers, layer_range)
        chosen = layers[start:stop]
        for layer in chosen:
            self.add_layer(model, layer, prefix, indent)
        for layer in chosen:
            self.add_edges(model, layer, chosen, prefix, indent)

    def add_layer(self, model, layer, prefix: str, indent: str) -> None:
        if self.options["expand_nested"] and _is_graph_model(layer):
            inner = f"{prefix}{layer.name}/"
            self.lines.append(f"{indent}subgraph {_quote('cluster_' + inner)} {{")
            self.lines.append(f'{indent}  label={_quote(layer.name)}; style="dashed";')
            self.add_model(layer, inner, indent + "  ")
            self.lines.append(f"{indent}}}")
            return
        label = _label(model, layer, self.options)
        self.lines.append(
            f"{indent}{self.box_id(prefix, layer)} [label={_quote(label)}];"
        )

    def add_edges(self, model, layer, chosen: list, prefix: str, indent: str) -> None:
        for node in layer._inbound_nodes:
            if node not in model._network_nodes:
                continue
            for source in (
                h.layer for h in (kt._keras_history for kt in node.keras_inputs)
            ):
                if all(source is not x for x in chosen):
                    continue
                for tail in self.exits(prefix, source):
                    for head in self.entries(prefix, layer):
                        edge = f"{indent}{tail} -> {head};"
                        if edge not in self.lines:
                            self.lines.append(edge)


def model_to_dot(
    model,
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 96,
    subgraph: bool = False,
    layer_range=None,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
) -> str:
    """Returns the layer graph of `model` as Graphviz DOT text.

    Unlike tf_keras, which returns a `pydot.Dot`, this returns the text itself.

    Args:
        model: a built model. A subclassed model (no layer graph) is one box.
        show_shapes: add each layer's input and output shapes.
        show_dtype: add each layer's dtype.
        show_layer_names: put the layer name before its class name.
        rankdir: Graphviz direction, `"TB"` (top to bottom) or `"LR"`.
        expand_nested: draw a nested model as a dashed cluster of its layers.
        dpi: resolution Graphviz renders at.
        subgraph: return a `subgraph cluster_...` block instead of a `digraph`.
        layer_range: two regular expressions; the drawing keeps the layers from
            the first whose name matches `layer_range[0]` to the last whose name
            matches `layer_range[1]`.
        show_layer_activations: add the activation of layers that have one.
        show_trainable: prefix each box with `T` (trainable) or `NT`.

    Returns:
        The DOT text, ending with a newline.

    Raises:
        ValueError: when the model is not built, or `layer_range` is malformed.
    """
    if not getattr(model, "built", False):
        raise ValueError(
            f"Model {model.name!r} is not built yet: call `build()` or call it on "
            "data before drawing it."
        )
    options = dict(
        show_shapes=show_shapes,
        show_dtype=show_dtype,
        show_layer_names=show_layer_names,
        expand_nested=expand_nested,
        show_layer_activations=show_layer_activations,
        show_trainable=show_trainable,
    )
    if subgraph:
        head = [
            f"subgraph {_quote('cluster_' + model.name)} {{",
            f"  label={_quote(model.name)};",
        ]
    else:
        head = [
            "digraph G {",
            f'  rankdir="{rankdir}"; concentrate=true; dpi={dpi};',
            "  node [shape=record];",
        ]
    drawing = _Drawing(options)
    if _is_graph_model(model):
        drawing.add_model(model, "", "  ", layer_range)
    else:
        drawing.lines.append(
            f"  {_quote(model.name)} [label={_quote(_escape(model.name))}];"
        )
    return "\n".join(head + drawing.lines + ["}"]) + "\n"


def _render(dot_path: Path, to_file: Path, extension: str, dpi: int) -> None:
    """Runs Graphviz's `dot` on `dot_path` to write `to_file`.

    Raises:
        ImportError: when `dot` is not on PATH.
        OSError: when `dot` fails.
    """
    program = shutil.which("dot")
    if program is None:
        raise ImportError(
            f"plot_model needs Graphviz's `dot` program to write {str(to_file)!r}, "
            "and `dot` is not on PATH (install Graphviz, e.g. `apt-get install "
            f"graphviz`). The DOT text was written to {str(dot_path)!r}."
        )
    command = [
        program,
        f"-T{extension}",
        f"-Gdpi={dpi}",
        str(dot_path),
        "-o",
        str(to_file),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise OSError(f"`{' '.join(command)}` failed: {result.stderr.strip()}")


def plot_model(
    model,
    to_file: str = "model.png",
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 96,
    layer_range=None,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
) -> None:
    """Writes a picture of `model`'s layer graph to `to_file`.

    The DOT text of `model_to_dot` is written first: to `to_file` itself when it
    ends in `.dot`, else next to it with the suffix `.dot`. Any other suffix
    (`.png` by default, `.svg`, `.pdf`, ...) is rendered from that text by
    Graphviz's `dot` program. tf_keras returns an IPython image in a notebook;
    kengine returns nothing.

    Args:
        model: a built model.
        to_file: where to write; the suffix picks the format.
        show_shapes, show_dtype, show_layer_names, rankdir, expand_nested, dpi,
            layer_range, show_layer_activations, show_trainable: as in
            `model_to_dot`.

    Raises:
        ImportError: when a picture format is asked for and `dot` is not
            installed; the message names the `.dot` file that was written.
        OSError: when `dot` fails.
        ValueError: as `model_to_dot`.
    """
    text = model_to_dot(
        model,
        show_shapes=show_shapes,
        show_dtype=show_dtype,
        show_layer_names=show_layer_names,
        rankdir=rankdir,
        expand_nested=expand_nested,
        dpi=dpi,
        layer_range=layer_range,
        show_layer_activations=show_layer_activations,
        show_trainable=show_trainable,
    )
    to_file = Path(to_file)
    extension = to_file.suffix[1:] or "png"
    dot_path = to_file if extension == "dot" else to_file.with_suffix(".dot")
    dot_path.write_text(text)
    if extension != "dot":
        _render(dot_path, to_file, extension, dpi)
