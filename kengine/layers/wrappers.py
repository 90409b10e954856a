"""Layers that wrap another layer: `Wrapper`, `TimeDistributed`, `Bidirectional`.

- `Wrapper` holds the inner layer, builds it, and serializes it under `"layer"`.
- `TimeDistributed(layer)` applies `layer` to every time step (axis 1) of a
  `(batch, time, ...)` input. For kengine's own layers it folds time into the
  batch, `(batch * time, ...)`, calls the layer once and unfolds the result, as
  Keras 2 does; for a custom layer with a known batch size it loops over time
  with `rnn_loop` (so a stateful custom layer sees the steps in order). The input
  mask is folded the same way for a mask-aware inner layer, and the output mask
  is the inner layer's mask unfolded (or the input mask).
- `Bidirectional(rnn)` runs a copy of `rnn` forwards (`forward_<name>`) and a
  copy backwards (`backward_<name>`), re-reverses the backward sequence and
  merges the two (`concat`, `sum`, `mul`, `ave`, or `None` for a list). The
  weights are the forward layer's, then the backward layer's:
  `bidirectional/forward_lstm/lstm_cell/kernel:0`, ...
  `initial_state` holds the forward states followed by the backward states;
  `return_state=True` returns them in that order after the output(s).

Mirrors tf_keras `layers/rnn/base_wrapper.py`, `time_distributed.py` and
`bidirectional.py`.

>>> import tensorflow as tf
>>> from kengine.layers import LSTM
>>> layer = Bidirectional(LSTM(2, return_sequences=True))
>>> layer(tf.ones((1, 3, 4))).shape
TensorShape([1, 3, 4])
"""

import copy
import inspect

import tensorflow as tf

from kengine import backend
from kengine.engine.base_layer import Layer
from kengine.engine.base_layer_utils import map_shapes
from kengine.engine.input_spec import InputSpec
from kengine.layers.rnn import standardize_args
from kengine.layers.rnn_cells import accepts_arg
from kengine.layers.rnn_loop import rnn_loop
from kengine.utils import serialization
from kengine.utils.object_registry import builtin_objects

__all__ = ["Wrapper", "TimeDistributed", "Bidirectional"]

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _deserialize_layer(config, custom_objects=None):
    return serialization.deserialize_keras_object(
        config,
        module_objects=builtin_objects("layer"),
        custom_objects=custom_objects,
        printable_module_name="layer",
    )


def _is_builtin(layer: Layer) -> bool:
    """Whether `layer` is (a subclass of) one of kengine's own layer classes."""
    return any(
        c.__module__.startswith("kengine.")
        for c in type(layer).__mro__
        if issubclass(c, Layer) and c is not Layer
    )


class Wrapper(Layer):
    """Base class of layers that wrap one other layer.

    Args:
        layer: the wrapped `Layer`.
        **kwargs: base `Layer` arguments.

    Raises:
        ValueError: if `layer` is not a `Layer`.
    """

    def __init__(self, layer: Layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Layer {layer} supplied to wrapper is not a supported layer type. "
                "Please ensure wrapped layer is a valid Keras layer."
            )
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True
        self.built = True

    @property
    def activity_regularizer(self):
        """The wrapped layer's activity regularizer (Keras 2 reports that one)."""
        return getattr(self.layer, "activity_regularizer", None)

    @activity_regularizer.setter
    def activity_regularizer(self, value) -> None:
        Layer.activity_regularizer.fset(self, value)

    def get_config(self) -> dict:
        config = {"layer": serialization.serialize_keras_object(self.layer)}
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        config = copy.deepcopy(config)
        layer = _deserialize_layer(config.pop("layer"), custom_objects)
        return cls(layer, **config)


def _shape_tuple(prefix: tuple, tensor, start: int) -> tuple:
    """`prefix + shape[start:]`, with dynamic sizes where the static ones are None."""
    static = tensor.shape.as_list()[start:]
    if all(s is not None for s in static):
        return prefix + tuple(static)
    dynamic = tf.shape(tensor)
    return prefix + tuple(
        dynamic[start + i] if s is None else s for i, s in enumerate(static)
    )


class TimeDistributed(Wrapper):
    """Applies a layer to every temporal slice (axis 1) of an input.

    Args:
        layer: the `Layer` to apply; it sees inputs of shape `(batch, ...)`.
        **kwargs: base `Layer` arguments.

    Raises:
        ValueError: if `layer` is not a `Layer`, or (at build) the input has
            fewer than 3 dimensions.
    """

    def __init__(self, layer: Layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `TimeDistributed` layer with a `Layer` instance. "
                f"Received: {layer}"
            )
        super().__init__(layer, **kwargs)
        self.supports_masking = True
        # Folding time into the batch is only safe for layers known to treat
        # samples independently.
        self._always_use_reshape = _is_builtin(layer) and not getattr(
            layer, "stateful", False
        )

    @staticmethod
    def _remove_timesteps(shape: tf.TensorShape) -> tf.TensorShape:
        dims = shape.as_list()
        return tf.TensorShape([dims[0]] + dims[2:])

    def build(self, input_shape):
        flat = []
        map_shapes(flat.append, input_shape)
        if any(s.rank is None or s.rank < 3 for s in flat):
            raise ValueError(
                f"`TimeDistributed` Layer {self.name} should be passed an "
                "`input_shape` with at least 3 dimensions, received: "
                f"{[s.as_list() if s.rank is not None else None for s in flat]}"
            )
        specs = [InputSpec(shape=[None, None] + s.as_list()[2:]) for s in flat]
        self.input_spec = specs[0] if len(specs) == 1 else specs
        child = [self._remove_timesteps(s) for s in flat]
        super().build(child[0] if len(child) == 1 else child)

    def compute_output_shape(self, input_shape):
        input_shape = tf.TensorShape(input_shape)
        child_output = tf.TensorShape(
            self.layer.compute_output_shape(self._remove_timesteps(input_shape))
        )
        dims = child_output.as_list()
        return tf.TensorShape([dims[0], input_shape[1]] + dims[1:])

    def _layer_kwargs(self, training) -> dict:
        if accepts_arg(self.layer.call, "training"):
            return {"training": training}
        return {}

    def call(self, inputs, training=None, mask=None):
        kwargs = self._layer_kwargs(training)
        first = tf.nest.flatten(inputs)[0]
        batch_size, input_length = first.shape[0], first.shape[1]
        if batch_size and not self._always_use_reshape:
            # A custom layer, stepped through time like an RNN without state.
            def step(x, _):
                return self.layer(x, **kwargs), ()

            _, outputs, _ = rnn_loop(step, inputs, (), mask=mask)
            return outputs
        if not input_length:
            input_length = tf.shape(first)[1]
        folded = tf.nest.map_structure(
            lambda x: tf.reshape(x, _shape_tuple((-1,), x, 2)), inputs
        )
        if mask is not None and accepts_arg(self.layer.call, "mask"):
            kwargs["mask"] = tf.reshape(mask, _shape_tuple((-1,), mask, 2))
        y = self.layer(folded, **kwargs)
        batch = batch_size if batch_size else -1
        return tf.nest.map_structure(
            lambda t: tf.reshape(t, _shape_tuple((batch, input_length), t, 1)), y
        )

    def compute_mask(self, inputs, mask=None):
        first = tf.nest.flatten(inputs)[0]
        batch_size, input_length = first.shape[0], first.shape[1]
        if batch_size and not self._always_use_reshape:
            return mask
        inner_mask = mask
        if inner_mask is not None:
            inner_mask = tf.reshape(mask, _shape_tuple((-1,), mask, 2))
        folded = tf.nest.map_structure(
            lambda x: tf.reshape(x, _shape_tuple((-1,), x, 2)), inputs
        )
        output_mask = self.layer.compute_mask(folded, inner_mask)
        if output_mask is None:
            if mask is None:
                return None
            # A mask with feature axes collapses to one flag per (batch, step).
            for _ in range(2, len(mask.shape)):
                mask = tf.reduce_any(mask, axis=-1)
            return mask
        if not input_length:
            input_length = tf.shape(first)[1]
        batch = batch_size if batch_size else -1
        return tf.reshape(
            output_mask, _shape_tuple((batch, input_length), output_mask, 1)
        )


def _recreate(layer: Layer, go_backwards: bool = False) -> Layer:
    """A fresh copy of `layer` from its config (optionally running the other way)."""
    config = layer.get_config()
    if go_backwards:
        config["go_backwards"] = not config["go_backwards"]
    from_config = type(layer).from_config
    if "custom_objects" not in inspect.signature(from_config).parameters:
        return from_config(config)
    custom_objects = {}
    cell = getattr(layer, "cell", None)
    if cell is not None:
        custom_objects[type(cell).__name__] = type(cell)
        for c in getattr(cell, "cells", []):
            custom_objects[type(c).__name__] = type(c)
    return from_config(config, custom_objects=custom_objects)


class Bidirectional(Wrapper):
    """Runs an RNN forwards and backwards over the input and merges the results.

    Args:
        layer: a recurrent layer (`RNN`, `LSTM`, `GRU`, ...), or any layer with
            `go_backwards`, `return_sequences`, `return_state` and `stateful`.
        merge_mode: how to merge the two outputs: `"concat"` (default), `"sum"`,
            `"mul"`, `"ave"`, or None to return both as a list.
        weights: initial weights, forward then backward.
        backward_layer: optional layer for the backward direction (must have
            `go_backwards` opposite to `layer`'s); by default a copy of `layer`.
        **kwargs: base `Layer` arguments.

    Raises:
        ValueError: for a non-layer, an unknown `merge_mode`, or forward and
            backward layers that do not match.
    """

    def __init__(
        self,
        layer: Layer,
        merge_mode: str | None = "concat",
        weights=None,
        backward_layer: Layer | None = None,
        **kwargs,
    ):
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `Bidirectional` layer with a `Layer` instance. "
                f"Received: {layer}"
            )
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(
                "`backward_layer` need to be a `Layer` instance. "
                f"Received: {backward_layer}"
            )
        if merge_mode not in _MERGE_MODES:
            raise ValueError(
                f"Invalid merge mode. Received: {merge_mode}. Merge mode should be "
                'one of {"sum", "mul", "ave", "concat", None}'
            )
        # Skip Wrapper.__init__: the template layer is never run or built, so it is
        # kept out of tracking; only its two copies own weights.
        Layer.__init__(self, **kwargs)
        object.__setattr__(self, "layer", layer)
        self.forward_layer = _recreate(layer)
        if backward_layer is None:
            self.backward_layer = _recreate(layer, go_backwards=True)
        else:
            self.backward_layer = backward_layer
            # Snapshot before the rename below; kept as a plain dict (untracked).
            object.__setattr__(
                self,
                "_backward_layer_config",
                serialization.serialize_keras_object(backward_layer),
            )
        self.forward_layer._name = "forward_" + self.forward_layer.name
        self.backward_layer._name = "backward_" + self.backward_layer.name
        self._verify_layer_config()
        for rnn in (self.forward_layer, self.backward_layer):
            # Zeros at masked steps keep the two directions' padding aligned.
            if getattr(rnn, "zero_output_for_mask", None) is not None:
                rnn.zero_output_for_mask = rnn.return_sequences
        self.merge_mode = merge_mode
        self._split_weights = None
        if weights:
            half = len(weights) // 2
            self._split_weights = (weights[:half], weights[half:])
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self._trainable = kwargs.get("trainable", layer.trainable)
        self._num_constants = 0
        self.input_spec = layer.input_spec

    def _verify_layer_config(self) -> None:
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError(
                "Forward layer and backward layer should have different "
                "`go_backwards` value. "
                f"forward_layer.go_backwards = {forward.go_backwards}, "
                f"backward_layer.go_backwards = {backward.go_backwards}"
            )
        for attr in ("stateful", "return_sequences", "return_state"):
            f_value, b_value = getattr(forward, attr), getattr(backward, attr)
            if f_value != b_value:
                raise ValueError(
                    "Forward layer and backward layer are expected to have the same "
                    f'value for attribute "{attr}", got "{f_value}" for forward layer '
                    f'and "{b_value}" for backward layer'
                )

    def compute_output_shape(self, input_shape):
        output_shape = self.forward_layer.compute_output_shape(input_shape)
        state_shape = []
        if self.return_state:
            state_shape = [tf.TensorShape(s) for s in output_shape[1:]]
            output_shape = output_shape[0]
        output_shape = tf.TensorShape(output_shape)
        if self.merge_mode == "concat":
            dims = output_shape.as_list()
            dims[-1] = None if dims[-1] is None else dims[-1] * 2
            output_shape = tf.TensorShape(dims)
        elif self.merge_mode is None:
            output_shape = [output_shape, copy.copy(output_shape)]
        if not self.return_state:
            return output_shape
        head = output_shape if self.merge_mode is None else [output_shape]
        return head + state_shape + copy.copy(state_shape)

    def __call__(self, inputs, initial_state=None, constants=None, **kwargs):
        inputs, initial_state, constants = standardize_args(
            inputs, initial_state, constants, self._num_constants
        )
        if isinstance(inputs, list):
            if len(inputs) > 1:
                initial_state = inputs[1:]
            inputs = inputs[0]
        if initial_state is None and constants is None:
            return super().__call__(inputs, **kwargs)
        extra_inputs, extra_specs = self._register_extras(initial_state, constants)
        symbolic = [backend.is_keras_tensor(t) for t in tf.nest.flatten(extra_inputs)]
        if any(symbolic) != all(symbolic):
            raise ValueError(
                "The initial state of a Bidirectional layer cannot be specified with "
                'a mix of Keras tensors and non-Keras tensors (a "Keras tensor" is '
                "a tensor that was returned by a Keras layer, or by `Input`)"
            )
        if not all(symbolic):
            if initial_state is not None:
                kwargs["initial_state"] = initial_state
            if constants is not None:
                kwargs["constants"] = constants
            return super().__call__(inputs, **kwargs)
        # Keras tensors travel in the inputs list so the graph records them.
        own_spec = self.input_spec
        self.input_spec = [None for _ in tf.nest.flatten(inputs)] + extra_specs
        try:
            return super().__call__([inputs] + extra_inputs, **kwargs)
        finally:
            self.input_spec = own_spec

    def _register_extras(self, initial_state, constants):
        """Shares the states (half each) and constants out to the two layers."""
        extra_inputs, extra_specs = [], []
        if initial_state is not None:
            num_states = len(initial_state)
            if num_states % 2 > 0:
                raise ValueError(
                    "When passing `initial_state` to a Bidirectional RNN, the state "
                    "should be a list containing the states of the underlying RNNs. "
                    f"Received: {initial_state}"
                )
            specs = [InputSpec(shape=backend.int_shape(s)) for s in initial_state]
            self.forward_layer.state_spec = specs[: num_states // 2]
            self.backward_layer.state_spec = specs[num_states // 2 :]
            extra_inputs += initial_state
            extra_specs += specs
        if constants is not None:
            specs = [InputSpec(shape=backend.int_shape(c)) for c in constants]
            self.forward_layer.constants_spec = specs
            self.backward_layer.constants_spec = specs
            self._num_constants = len(constants)
            self.forward_layer._num_constants = self._num_constants
            self.backward_layer._num_constants = self._num_constants
            extra_inputs += constants
            extra_specs += specs
        return extra_inputs, extra_specs

    def _split_call_inputs(self, inputs, initial_state):
        """(forward_inputs, backward_inputs, forward_state, backward_state)."""
        if isinstance(inputs, list) and len(inputs) > 1:
            # [x, *forward_states, *backward_states, *constants] from __call__.
            n_const = self._num_constants
            pivot = (len(inputs) - n_const) // 2 + 1
            forward = [inputs[0]] + inputs[1:pivot]
            backward = [inputs[0]] + inputs[pivot : len(inputs) - n_const]
            if n_const:
                forward += inputs[-n_const:]
                backward += inputs[-n_const:]
            return forward, backward, None, None
        if initial_state is not None:
            half = len(initial_state) // 2
            return inputs, inputs, initial_state[:half], initial_state[half:]
        return inputs, inputs, None, None

    def call(
        self, inputs, training=None, mask=None, initial_state=None, constants=None
    ):
        kwargs = {}
        layer_call = self.layer.call
        if accepts_arg(layer_call, "training"):
            kwargs["training"] = training
        if accepts_arg(layer_call, "mask"):
            kwargs["mask"] = mask
        if accepts_arg(layer_call, "constants"):
            kwargs["constants"] = constants
        if accepts_arg(layer_call, "initial_state"):
            if isinstance(inputs, list) and len(inputs) > 1 and "constants" in kwargs:
                kwargs["constants"] = None  # they travel in the inputs list
            f_in, b_in, f_state, b_state = self._split_call_inputs(
                inputs, initial_state
            )
            y = self.forward_layer(f_in, initial_state=f_state, **kwargs)
            y_rev = self.backward_layer(b_in, initial_state=b_state, **kwargs)
        else:
            y = self.forward_layer(inputs, **kwargs)
            y_rev = self.backward_layer(inputs, **kwargs)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            time_axis = 0 if getattr(self.forward_layer, "time_major", False) else 1
            y_rev = tf.reverse(y_rev, [time_axis])
        output = self._merge(y, y_rev)
        if not self.return_state:
            return output
        return (output if self.merge_mode is None else [output]) + states

    def _merge(self, y, y_rev):
        if self.merge_mode == "concat":
            return tf.concat([y, y_rev], axis=-1)
        if self.merge_mode == "sum":
            return y + y_rev
        if self.merge_mode == "ave":
            return (y + y_rev) / 2
        if self.merge_mode == "mul":
            return y * y_rev
        return [y, y_rev]

    def reset_states(self, states=None) -> None:
        """Resets both layers' states (forward states first, then backward).

        Raises:
            AttributeError: if the layer is not stateful.
            ValueError: if `states` is not a list or tuple.
        """
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        if states is None:
            self.forward_layer.reset_states()
            self.backward_layer.reset_states()
            return
        if not isinstance(states, list | tuple):
            raise ValueError(
                "Unrecognized value for `states`. Expected `states` to be list or "
                f"tuple. Received: {states}"
            )
        half = len(states) // 2
        self.forward_layer.reset_states(states[:half])
        self.backward_layer.reset_states(states[half:])

    def build(self, input_shape):
        # Each direction's weights are named under its own layer name.
        for rnn in (self.forward_layer, self.backward_layer):
            with tf.name_scope(rnn.name):
                rnn.build(input_shape)
            rnn.built = True
        if self._split_weights is not None:
            self.forward_layer.set_weights(self._split_weights[0])
            self.backward_layer.set_weights(self._split_weights[1])
            self._split_weights = None
        self.built = True

    def compute_mask(self, inputs, mask):
        if isinstance(mask, list):
            mask = mask[0]
        if self.return_sequences:
            output_mask = [mask, mask] if not self.merge_mode else mask
        else:
            output_mask = [None, None] if not self.merge_mode else None
        if not self.return_state:
            return output_mask
        state_mask = [None for _ in self.forward_layer.states] * 2
        if isinstance(output_mask, list):
            return output_mask + state_mask
        return [output_mask] + state_mask

    @property
    def constraints(self) -> dict:
        """The two layers' constraints, merged."""
        found = {}
        if hasattr(self.forward_layer, "constraints"):
            found.update(self.forward_layer.constraints)
            found.update(self.backward_layer.constraints)
        return found

    def get_config(self) -> dict:
        config = {"merge_mode": self.merge_mode}
        if self._num_constants:
            config["num_constants"] = self._num_constants
        if hasattr(self, "_backward_layer_config"):
            config["backward_layer"] = self._backward_layer_config
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        config = copy.deepcopy(config)
        num_constants = config.pop("num_constants", 0)
        config["layer"] = _deserialize_layer(config["layer"], custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = _deserialize_layer(backward, custom_objects)
        layer = cls(**config)
        layer._num_constants = num_constants
        return layer
