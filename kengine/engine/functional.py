"""Functional: a Model that is a DAG of layer calls, replayed on real tensors.

Mirrors Keras 2's `engine/functional.py` (`Functional._init_graph_network`,
`_run_internal_graph`, `get_config`, `from_config`, `_conform_to_reference_input`).
A Functional *is* a Model: this module imports `training.py`, and
`Model(inputs, outputs)` reaches back here through one commented import in
`training.py` (the cycle Keras itself has).

Construction walks the `_keras_history` of the outputs back to the inputs
(`functional_utils.map_graph_network`) and keeps the nodes grouped by depth.
Calling the model replays them deepest first: each node's arguments are looked up
by the id of the KerasTensor they stood for, the layer is called on the real
values, and its outputs are recorded under the ids of the node's KerasTensor
outputs. A model whose inputs are intermediate tensors (not from `Input`) is
rebuilt from fresh `Input`s first, as tf_keras's `clone_graph_nodes` does, so
its config can be saved and loaded.

>>> import kengine
>>> x = kengine.Input((4,), name="x")
>>> y = kengine.layers.Dense(2, name="d")(x)
>>> model = kengine.Model(x, y)
>>> type(model).__name__, [layer.name for layer in model.layers]
('Functional', ['x', 'd'])
"""

import tensorflow as tf

from kengine import backend
from kengine.engine import functional_utils
from kengine.engine.base_layer import Layer
from kengine.engine.base_layer_utils import set_untracked
from kengine.engine.input_layer import Input, InputLayer
from kengine.engine.input_spec import InputSpec
from kengine.engine.keras_tensor import KerasTensor
from kengine.engine.training import Model
from kengine.utils.object_registry import register_builtin

__all__ = ["Functional"]


def _check_keras_tensors(structure, what: str) -> None:
    for t in tf.nest.flatten(structure):
        if not isinstance(t, KerasTensor) or not hasattr(t, "_keras_history"):
            raise ValueError(
                f"{what} of a Functional model must come from `kengine.Input` or from "
                f"calling layers on it (missing previous layer metadata). Received: {t!r}"
            )


def _replay(nodes_by_depth, tensor_dict: dict, layer_for=None) -> None:
    """Calls every node whose arguments are known, deepest first, filling `tensor_dict`.

    Args:
        nodes_by_depth: the graph's nodes grouped by depth.
        tensor_dict: `id(KerasTensor)` -> value, seeded with the inputs' values.
        layer_for: optional `layer -> layer` substitution (used by `clone_model`).
    """
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            if node.is_input or any(
                id(x) not in tensor_dict for x in node.keras_inputs
            ):
                continue
            args, kwargs = node.map_arguments(tensor_dict)
            layer = layer_for(node.layer) if layer_for else node.layer
            outputs = layer(*args, **kwargs)
            for x, y in zip(tf.nest.flatten(node.outputs), tf.nest.flatten(outputs)):
                tensor_dict[id(x)] = y


class AddLoss(Layer):
    """Adds its input as a loss and passes it on: `model.add_loss(symbolic_tensor)`.

    Args:
        unconditional: kept for tf_keras config compatibility.
        **kwargs: base `Layer` arguments.
    """

    _serialized_module = "tf_keras.src.engine.base_layer"
    _serialized_registered_name = "AddLoss"
    _runs_without_consumers = True  # rebuilt graphs keep it (functional_utils)

    def __init__(self, unconditional: bool = False, **kwargs):
        kwargs["autocast"] = False
        super().__init__(**kwargs)
        self.unconditional = unconditional

    def call(self, inputs):
        self.add_loss(inputs)
        return inputs

    def get_config(self) -> dict:
        return {**super().get_config(), "unconditional": self.unconditional}


class AddMetric(Layer):
    """Reports its input as a metric and passes it on: `model.add_metric(tensor)`.

    Args:
        aggregation: "mean" or None (both average over the epoch).
        metric_name: the metric's name in the logs.
        **kwargs: base `Layer` arguments.
    """

    _serialized_module = "tf_keras.src.engine.base_layer"
    _serialized_registered_name = "AddMetric"
    _runs_without_consumers = True  # rebuilt graphs keep it (functional_utils)

    def __init__(self, aggregation=None, metric_name=None, **kwargs):
        super().__init__(**kwargs)
        self.aggregation = aggregation
        self.metric_name = metric_name

    def call(self, inputs):
        self.add_metric(inputs, aggregation=self.aggregation, name=self.metric_name)
        return inputs

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "aggregation": self.aggregation,
            "metric_name": self.metric_name,
        }


class Functional(Model):
    """A model defined by its `inputs` and `outputs` KerasTensors.

    Args:
        inputs: an `Input` KerasTensor, or a list/dict of them.
        outputs: the KerasTensor(s) computed from the inputs (list/dict allowed).
        name: the model's name.
        trainable: whether its weights are trained.

    Raises:
        ValueError: for tensors not made by layers, a graph that does not connect
            the outputs to the given inputs, or duplicate layer names.
    """

    # tf_keras does not export Functional; its configs name the private module.
    _serialized_module = "tf_keras.src.engine.functional"
    _serialized_registered_name = "Functional"
    # Read by the Layer core and the trainer instead of `isinstance(x, Functional)`;
    # `Model.from_config` rebuilds the graph for classes that set it.
    _is_graph_network = True

    def __init__(
        self, inputs, outputs, name: str | None = None, trainable: bool = True, **kwargs
    ):
        if name is None and type(self) is Functional:
            # tf_keras hides the Functional class name: models are "model", "model_1".
            name = backend.unique_object_name("model")
        Model.__init__(self, name=name, trainable=trainable, **kwargs)
        self._init_graph_network(inputs, outputs)

    def _init_graph_network(self, inputs, outputs) -> None:
        if isinstance(inputs, tuple):
            inputs = list(inputs)
        if isinstance(outputs, tuple):
            outputs = list(outputs)
        # A list of one is the same model as the single tensor, as in tf_keras.
        if isinstance(inputs, list) and len(tf.nest.flatten(inputs)) == 1:
            inputs = tf.nest.flatten(inputs)[0]
        if isinstance(outputs, list) and len(tf.nest.flatten(outputs)) == 1:
            outputs = tf.nest.flatten(outputs)[0]
        _check_keras_tensors(inputs, "Inputs")
        _check_keras_tensors(outputs, "Outputs")
        if not all(
            isinstance(t._keras_history.layer, InputLayer)
            for t in tf.nest.flatten(inputs)
        ):
            inputs, outputs = self._clone_from_intermediate(inputs, outputs)
        set_untracked(self, "_is_graph_network", True)
        set_untracked(self, "_nested_inputs", inputs)
        set_untracked(self, "_nested_outputs", outputs)
        set_untracked(self, "inputs", tf.nest.flatten(inputs))
        set_untracked(self, "outputs", tf.nest.flatten(outputs))
        set_untracked(self, "_extra_outputs", [])
        set_untracked(
            self, "_input_layers", [t._keras_history.layer for t in self.inputs]
        )
        set_untracked(
            self, "_output_layers", [t._keras_history.layer for t in self.outputs]
        )
        self._map_graph()
        self.built = True
        self._build_input_shape = tf.nest.map_structure(lambda t: t.shape, inputs)

    def _map_graph(self) -> None:
        """(Re)computes the node order; `_extra_outputs` (added losses) run too."""
        graph = functional_utils.map_graph_network(
            self.inputs, self.outputs + self._extra_outputs
        )
        set_untracked(self, "_network_nodes", graph.network_nodes)
        set_untracked(self, "_nodes_by_depth", graph.nodes_by_depth)
        set_untracked(self, "_self_tracked_layers", graph.layers)
        self._track_layers_by_position()

    def _track_layers_by_position(self) -> None:
        """Names the layers as Keras 2's checkpoints do, by position in `layers`.

        `layer-j` is the j-th of `model.layers` and `layer_with_weights-i` the i-th
        of those that hold weights, so a checkpoint written by one process (or by
        tf_keras) restores into a model built by the same code elsewhere.
        """
        for index, layer in enumerate(self.layers):
            self._track_trackable(layer, name=f"layer-{index}", overwrite=True)
        with_weights = [layer for layer in self.layers if layer.weights]
        for index, layer in enumerate(with_weights):
            self._track_trackable(
                layer, name=f"layer_with_weights-{index}", overwrite=True
            )

    def _trackable_children(self, save_type="checkpoint", **kwargs):
        # Layers may have been built since the graph was mapped (a deferred
        # Sequential), so the positional names are refreshed here. They come
        # first because the first path to a variable becomes its checkpoint key:
        # `layer_with_weights-0/kernel`, as tf_keras writes it.
        self._track_layers_by_position()
        children = super()._trackable_children(save_type, **kwargs)
        return dict(sorted(children.items(), key=lambda item: _keras2_rank(item[0])))

    @staticmethod
    def _clone_from_intermediate(inputs, outputs):
        """Rebuilds the subgraph from fresh Inputs standing where intermediate tensors were."""
        tensor_dict = {}
        new_inputs = tf.nest.map_structure(
            lambda t: (
                t
                if isinstance(t._keras_history.layer, InputLayer)
                else Input(type_spec=t.type_spec)
            ),
            inputs,
        )
        for old, new in zip(tf.nest.flatten(inputs), tf.nest.flatten(new_inputs)):
            tensor_dict[id(old)] = new
        graph = functional_utils.map_graph_network(
            tf.nest.flatten(inputs), tf.nest.flatten(outputs), stop_at_inputs=True
        )
        _replay(graph.nodes_by_depth, tensor_dict)
        return new_inputs, tf.nest.map_structure(lambda t: tensor_dict[id(t)], outputs)

    # ------------------------------------------------------------ structure
    def _sublayers(self) -> list:
        graph = list(self.__dict__.get("_self_tracked_layers", []))
        # Layers a subclass assigns as attributes (a `Mean` loss tracker, say) are
        # children too, after the graph's: `metrics` must find them, as in tf_keras.
        extra = [x for x in super()._sublayers() if not any(x is g for g in graph)]
        return graph + extra

    @property
    def layers(self) -> list:
        """The model's layers, inputs first, in tf_keras's depth order."""
        return list(self._self_tracked_layers)

    @property
    def input_names(self) -> list:
        """Names of the input layers, in `inputs` order."""
        return [layer.name for layer in self._input_layers]

    @property
    def output_names(self) -> list:
        """Names of the layers producing the outputs, in `outputs` order.

        A layer giving several outputs (an RNN with `return_state=True`, a cell
        with nested outputs) names them `rnn`, `rnn_1`, ... as Keras 2 does.
        """
        if isinstance(self._nested_outputs, dict):
            return sorted(self._nested_outputs)
        names, taken, suffix = [], set(), {}
        for layer in self._output_layers:
            name = layer.name
            while name in taken:
                count = suffix.get(layer.name, 1)
                name = f"{layer.name}_{count}"
                suffix[layer.name] = count + 1
            taken.add(name)
            names.append(name)
        return names

    @property
    def input_layers(self) -> list:
        """The `InputLayer`s of the model."""
        return list(self._input_layers)

    @property
    def output_layers(self) -> list:
        """The layers producing the outputs."""
        return list(self._output_layers)

    @property
    def input(self):
        """The model's input KerasTensor(s), as given to the constructor."""
        return self._nested_inputs

    @property
    def output(self):
        """The model's output KerasTensor(s), as given to the constructor."""
        return self._nested_outputs

    @property
    def input_shape(self):
        """Input shape(s) as tuples."""
        return tf.nest.map_structure(
            lambda t: tuple(t.shape.as_list()), self._nested_inputs
        )

    @property
    def output_shape(self):
        """Output shape(s) as tuples."""
        return tf.nest.map_structure(
            lambda t: tuple(t.shape.as_list()), self._nested_outputs
        )

    @property
    def input_spec(self):
        """One `InputSpec` per input, checking rank and fixed sizes (not the batch).

        None for a graph whose input shape was inferred from its first call or
        `build` (a deferred Sequential), as in Keras 2: it accepts inputs of
        another rank, as its layers do.
        """
        if self._input_spec is not None:
            return self._input_spec
        if not self._is_graph_network or self.__dict__.get("_inferred_input_shape"):
            return None
        specs = []
        for t, name in zip(self.inputs, self.input_names):
            if not isinstance(t.type_spec, tf.TensorSpec) or t.shape.rank is None:
                specs.append(None)
                continue
            shape = [None, *t.shape.as_list()[1:]]
            specs.append(
                InputSpec(shape=shape, allow_last_axis_squeeze=True, name=name)
            )
        return (
            specs
            if len(specs) > 1 or isinstance(self._nested_inputs, list | dict)
            else specs[0]
        )

    @input_spec.setter
    def input_spec(self, value) -> None:
        self._input_spec = value

    # -------------------------------------------------------------- calling
    def call(self, inputs, training=None, mask=None):
        """Replays the graph on real tensors."""
        flat = self._flatten_to_reference_inputs(inputs)
        masks = [None] * len(flat) if mask is None else tf.nest.flatten(mask)
        tensor_dict = {}
        for ref, value, m in zip(self.inputs, flat, masks):
            value = _conform_to_reference(value, ref)
            if m is not None:
                value._keras_mask = m
            tensor_dict[id(ref)] = value
        _replay(self._nodes_by_depth, tensor_dict)
        return tf.nest.map_structure(lambda t: tensor_dict[id(t)], self._nested_outputs)

    def _flatten_to_reference_inputs(self, inputs) -> list:
        if isinstance(inputs, dict) and not isinstance(self._nested_inputs, dict):
            missing = [n for n in self.input_names if n not in inputs]
            if missing:
                raise ValueError(
                    f'Missing data for input "{missing[0]}". You passed a data dictionary '
                    f"with keys {sorted(inputs)}. Expected the following keys: "
                    f"{self.input_names}"
                )
            return [inputs[name] for name in self.input_names]
        flat = tf.nest.flatten(inputs)
        if len(flat) != len(self.inputs):
            raise ValueError(
                f'Layer "{self.name}" expects {len(self.inputs)} input(s), but it '
                f"received {len(flat)} input tensors. Inputs received: {flat}"
            )
        return flat

    def _add_symbolic_loss(self, loss) -> None:
        """`model.add_loss(tensor built from the inputs)`: a graph node adding it."""
        self._extra_outputs.append(AddLoss(dtype=loss.dtype)(loss))
        self._map_graph()

    def _add_symbolic_metric(self, value, name: str) -> None:
        """`model.add_metric(tensor built from the inputs)`: a graph node reporting it."""
        self._extra_outputs.append(AddMetric("mean", name, dtype=value.dtype)(value))
        self._map_graph()

    def _set_output_masks(self, inputs, previous_mask, outputs) -> None:
        # Masks are computed jointly with the outputs: the replayed layers already
        # attached them. Asking compute_mask would replay the whole graph again.
        return

    def compute_mask(self, inputs, mask=None):
        """Output masks, by replaying the graph (masks ride on the tensors)."""
        outputs = self.call(inputs, mask=mask)
        return tf.nest.map_structure(lambda t: getattr(t, "_keras_mask", None), outputs)

    def compute_output_shape(self, input_shape):
        """Output shapes of the outputs (the graph already knows them)."""
        return tf.nest.map_structure(lambda t: t.shape, self._nested_outputs)

    # --------------------------------------------------------------- config
    def get_config(self) -> dict:
        """The graph as tf_keras writes it: layers, inbound nodes, input/output layers."""
        return functional_utils.network_config(self)


def _conform_to_reference(value, ref: KerasTensor):
    """Adds/removes a trailing 1-axis and casts to the Input's dtype, as tf_keras does.

    Any dtype is cast (bool or integer arrays into a float model, floats into an
    integer `Input` feeding an `Embedding`), except strings and variants, which
    `tf.cast` cannot convert: those reach the layers unchanged.
    """
    if not isinstance(value, tf.Tensor):
        return value
    rank, ref_rank = value.shape.rank, ref.shape.rank
    if rank is not None and ref_rank is not None:
        if rank == ref_rank + 1 and value.shape[-1] == 1:
            value = tf.squeeze(value, axis=-1)
        elif rank == ref_rank - 1 and ref.shape[-1] == 1:
            value = tf.expand_dims(value, axis=-1)
    uncastable = (tf.string, tf.variant, tf.resource)
    if (
        value.dtype != ref.dtype
        and value.dtype not in uncastable
        and ref.dtype not in uncastable
    ):
        value = tf.cast(value, ref.dtype)
    return value


# Found by name by `layers.deserialize` (layer 4), which cannot import this module.
register_builtin("layer", Functional)
register_builtin("layer", AddLoss)
register_builtin("layer", AddMetric)


def _keras2_rank(name: str) -> tuple:
    """Sort key putting `layer_with_weights-i`, then `layer-j`, before the rest."""
    for rank, prefix in enumerate(("layer_with_weights-", "layer-")):
        if name.startswith(prefix) and name[len(prefix) :].isdigit():
            return rank, int(name[len(prefix) :])
    return 2, 0
