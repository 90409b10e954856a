"""Functional: a Model that is a DAG of layer calls, replayed on real tensors.

Mirrors Keras 2's `engine/functional.py` (`Functional._init_graph_network`,
`_run_internal_graph`, `get_config`, `from_config`, `_conform_to_reference_input`).
This module imports `training.py` (a Functional *is* a Model): the one upward
import the architecture allows.

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

from kengine.engine import functional_utils
from kengine.engine.base_layer import Layer
from kengine.engine.input_layer import Input, InputLayer
from kengine.engine.input_spec import InputSpec
from kengine.engine.keras_tensor import KerasTensor
from kengine.engine.training import Model
from kengine.saving import serialization

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

    def __init__(
        self, inputs, outputs, name: str | None = None, trainable: bool = True, **kwargs
    ):
        if name is None and type(self) is Functional:
            # tf_keras hides the Functional class name: models are "model", "model_1".
            from kengine import backend

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
        object.__setattr__(self, "_is_graph_network", True)
        object.__setattr__(self, "_nested_inputs", inputs)
        object.__setattr__(self, "_nested_outputs", outputs)
        object.__setattr__(self, "inputs", tf.nest.flatten(inputs))
        object.__setattr__(self, "outputs", tf.nest.flatten(outputs))
        object.__setattr__(self, "_extra_outputs", [])
        object.__setattr__(
            self, "_input_layers", [t._keras_history.layer for t in self.inputs]
        )
        object.__setattr__(
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
        object.__setattr__(self, "_network_nodes", graph.network_nodes)
        object.__setattr__(self, "_nodes_by_depth", graph.nodes_by_depth)
        object.__setattr__(self, "_self_tracked_layers", graph.layers)
        for index, layer in enumerate(graph.layers):
            self._track_trackable(layer, name=f"layer-{index}", overwrite=True)
        with_weights = [lyr for lyr in graph.layers if lyr.weights]
        for index, layer in enumerate(with_weights):
            self._track_trackable(
                layer, name=f"layer_with_weights-{index}", overwrite=True
            )

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
        """Names of the layers producing the outputs, in `outputs` order."""
        if isinstance(self._nested_outputs, dict):
            return sorted(self._nested_outputs)
        return [layer.name for layer in self._output_layers]

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
        """One `InputSpec` per input, checking rank and fixed sizes (not the batch)."""
        if self._input_spec is not None:
            return self._input_spec
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

    @classmethod
    def from_config(
        cls,
        config: dict,
        custom_objects: dict | None = None,
        safe_mode: bool | None = None,
    ):
        """Rebuilds a Functional model from `get_config()` output (or tf_keras's).

        Args:
            config: the model's `get_config()`.
            custom_objects: user classes and functions by name.
            safe_mode: refuse `Lambda` bytecode; the loaders pass the mode of the
                load in progress, and None means `serialization.in_safe_mode()`.

        Raises:
            ValueError: for an unknown layer class or a malformed config.
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
        inputs, outputs, created = functional_utils.reconstruct(
            config, custom_objects, safe_mode
        )
        model = cls(inputs=inputs, outputs=outputs, name=name, trainable=trainable)
        # Layers no output depends on (`model.add_loss`, `model.add_metric`) still run.
        for layer in created.values():
            if isinstance(layer, AddLoss | AddMetric):
                model._extra_outputs.extend(n.outputs for n in layer._inbound_nodes)
        if model._extra_outputs:
            model._map_graph()
        return model


def _conform_to_reference(value, ref: KerasTensor):
    """Casts and adds/removes a trailing 1-axis to match the Input, as tf_keras does."""
    if not isinstance(value, tf.Tensor) or ref.shape.rank is None:
        return value
    rank, ref_rank = value.shape.rank, ref.shape.rank
    if rank is not None:
        if rank == ref_rank + 1 and value.shape[-1] == 1:
            value = tf.squeeze(value, axis=-1)
        elif rank == ref_rank - 1 and ref.shape[-1] == 1:
            value = tf.expand_dims(value, axis=-1)
    if value.dtype != ref.dtype and ref.dtype.is_floating == value.dtype.is_floating:
        value = tf.cast(value, ref.dtype)
    return value
