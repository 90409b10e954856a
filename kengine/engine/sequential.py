"""Sequential: a Functional model grown one layer at a time.

Mirrors Keras 2's `engine/sequential.py` (`Sequential.add`, `pop`, `build`,
`_build_graph_network_for_inferred_shape`, `get_config`, `from_config`).

A Sequential knows its input shape either from the start (an `Input`, an
`InputLayer`, or `input_shape=` on its first layer, which creates an InputLayer
named `<first layer>_input`) or only later, when it is built or first called
(deferred build). Once the shape is known it is a graph network like any
Functional: each added layer is called on the previous output, and `call`
replays the graph. `layers` hides the InputLayer, as in Keras 2.

>>> import kengine
>>> kengine.backend.clear_session()
>>> model = kengine.Sequential([kengine.layers.Dense(2, input_shape=(3,))])
>>> model.add(kengine.layers.Dense(1))
>>> [layer.name for layer in model.layers], model.output_shape
(['dense', 'dense_1'], (None, 1))
"""

import tensorflow as tf

from kengine.engine.base_layer import Layer
from kengine.engine.base_layer_utils import set_untracked
from kengine.engine.functional import Functional
from kengine.engine.functional_utils import layer_entry
from kengine.engine.input_layer import Input, InputLayer
from kengine.engine.keras_tensor import KerasTensor
from kengine.engine.training import Model
from kengine.layers import deserialize as deserialize_layer
from kengine.utils.object_registry import register_builtin

__all__ = ["Sequential"]


class Sequential(Functional):
    """A linear stack of layers.

    Args:
        layers: optional list of layers (or an `Input` first) to add.
        name: the model's name.
    """

    _serialized_module = "keras"
    _serialized_registered_name = None

    def __init__(self, layers: list | None = None, name: str | None = None):
        Model.__init__(self, name=name)
        set_untracked(self, "_is_graph_network", False)
        set_untracked(self, "_stack", [])  # the layers, InputLayer excluded
        set_untracked(self, "_chain", [])  # input tensor, then each layer's output
        set_untracked(self, "_self_tracked_layers", [])
        for layer in layers or []:
            self.add(layer)

    # ------------------------------------------------------------ building
    def add(self, layer) -> None:
        """Appends a layer (or starts the model from an `Input`).

        Raises:
            TypeError: if `layer` is not a Layer.
            ValueError: if its name is already used in the model.
        """
        if isinstance(layer, KerasTensor):
            layer = layer._keras_history.layer
        if not isinstance(layer, Layer):
            raise TypeError(
                "The added layer must be an instance of class Layer. "
                f"Received: layer={layer} of type {type(layer)}."
            )
        if any(layer.name == other.name for other in self._all_layers()):
            raise ValueError(
                "All layers added to a Sequential model should have unique names. "
                f'Name "{layer.name}" is already the name of a layer in this model. '
                "Update the `name` argument to pass a unique name."
            )
        if isinstance(layer, InputLayer):
            self._start_graph(layer._inbound_nodes[0].outputs)
            return
        self._stack.append(layer)
        self._track_trackable(
            layer, name=f"layer-{len(self._stack) - 1}", overwrite=True
        )
        if self._chain:
            self._extend_graph(layer)
        elif layer._batch_input_shape is not None:
            self._start_graph(
                Input(
                    batch_shape=layer._batch_input_shape,
                    dtype=layer.dtype,
                    name=f"{layer.name}_input",
                )
            )
        else:
            self.built = False

    def pop(self) -> None:
        """Removes the last layer.

        Raises:
            TypeError: if there are no layers.
        """
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        self._stack.pop()
        if self._chain:
            self._chain.pop()
            self._reset_graph()
        self.built = bool(self._chain) and bool(self._stack)

    def _all_layers(self) -> list:
        first = [self._chain[0]._keras_history.layer] if self._chain else []
        return first + list(self._stack)

    def _start_graph(self, input_tensor) -> None:
        self._chain[:] = [input_tensor]
        outputs = input_tensor
        for layer in self._stack:
            outputs = layer(outputs)
            self._chain.append(outputs)
        self._reset_graph()

    def _extend_graph(self, layer) -> None:
        output = layer(self._chain[-1])
        if isinstance(output, list | tuple) and len(tf.nest.flatten(output)) > 1:
            raise ValueError(
                "All layers in a Sequential model should have a single output tensor. "
                "For multi-output layers, use the functional API."
            )
        self._chain.append(output)
        self._reset_graph()

    def _reset_graph(self) -> None:
        set_untracked(self, "_inbound_nodes", [])
        if len(self._chain) > 1:
            self._init_graph_network(self._chain[0], self._chain[-1])
        else:
            set_untracked(self, "_is_graph_network", False)
            set_untracked(self, "_self_tracked_layers", self._all_layers())

    def build(self, input_shape=None) -> None:
        """Builds a deferred Sequential from the input shape (batch size left free).

        Raises:
            ValueError: if no input shape is known.
        """
        if self._chain:
            self.built = True
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        shape = tf.TensorShape(input_shape).as_list()
        first = self._stack[0] if self._stack else None
        name = f"{first.name}_input" if first is not None else None
        # Built from inside the model's own call: leave its name scope, so weights
        # are named "dense/kernel:0" as if the layers were built at construction.
        with tf.name_scope(""):
            self._start_graph(
                Input(
                    batch_shape=(None, *shape[1:]),
                    name=name,
                    dtype=first.dtype if first is not None else None,
                )
            )
        self._build_input_shape = tf.TensorShape(input_shape)
        # An inferred input shape is no contract: as in Keras 2, no input_spec.
        set_untracked(self, "_inferred_input_shape", True)
        self.built = True

    def _maybe_build(self, inputs) -> None:
        if not self._chain:
            self.built = False
        super()._maybe_build(inputs)

    # ------------------------------------------------------------ structure
    @property
    def layers(self) -> list:
        """The added layers, without the InputLayer."""
        return list(self._stack)

    def _sublayers(self) -> list:
        return self._all_layers()

    # --------------------------------------------------------------- config
    def get_config(self) -> dict:
        """`{"name", "layers"}`, the InputLayer first when there is one."""
        layers = [layer_entry(layer) for layer in self._all_layers()]
        return {"name": self.name, "layers": layers}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        """Rebuilds a Sequential from `get_config()` output (or tf_keras's)."""
        if isinstance(config, list):  # the oldest Keras format: just the layers
            config = {"layers": config}
        model = cls(name=config.get("name"))
        for layer_config in config["layers"]:
            model.add(deserialize_layer(layer_config, custom_objects=custom_objects))
        if config.get("build_input_shape") and not model.built:
            model.build(config["build_input_shape"])
        return model


# Found by name by `layers.deserialize` (layer 4), which cannot import this module.
register_builtin("layer", Sequential)
