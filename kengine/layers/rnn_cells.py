"""The cell side of recurrent layers: the cell contract, dropout masks, stacking.

A *cell* is one time step of a recurrent layer: a layer whose
`call(inputs, states, training=None)` returns `(output, new_states)` and which
declares `state_size` (an int, or a list with one entry per state) and
`output_size`. `RNN` (in `rnn.py`) runs a cell over time.

- `AbstractRNNCell`: a base class that documents the contract.
- `DropoutRNNCellMixin`: makes and caches the dropout masks of a cell. Keras 2
  uses *one* mask per sequence (the same units dropped at every step), so a mask
  is made on the first step and reused; `RNN.call` clears the cache before each
  sequence. The cache is keyed by graph, so a mask made outside a `tf.while_loop`
  is found (and captured) inside the loop body.
- `StackedRNNCells`: several cells acting as one; the output of each is the input
  of the next, and the states are the cells' states, in order.
- `KernelCellBase` and the layer side of `SimpleRNN`, `GRU` and `LSTM`: these
  layers take all their cell's arguments, build the cell through one function
  (`cell_of_layer`), read the arguments back through properties
  (`delegate_to_cell`) and write them into one flat config (`layer_config`).

Mirrors tf_keras `layers/rnn/abstract_rnn_cell.py`, `dropout_rnn_cell_mixin.py`,
`stacked_rnn_cells.py` and `rnn_utils.py` (`generate_zero_filled_state`,
`is_multiple_state`).
"""

import inspect

import tensorflow as tf

from kengine import activations, constraints, initializers, regularizers
from kengine.engine.base_layer import Layer
from kengine.utils import serialization
from kengine.utils.object_registry import builtin_objects

__all__ = ["AbstractRNNCell", "DropoutRNNCellMixin", "StackedRNNCells"]


def is_multiple_state(state_size) -> bool:
    """Whether `state_size` lists several states (a list/tuple, not a TensorShape)."""
    return hasattr(state_size, "__len__") and not isinstance(state_size, tf.TensorShape)


def zero_state(batch_size, state_size, dtype):
    """Zeros of shape `[batch_size] + state_size` for each (nested) state size.

    Raises:
        ValueError: if `batch_size` or `dtype` is None.
    """
    if batch_size is None or dtype is None:
        raise ValueError(
            "batch_size and dtype cannot be None while constructing initial "
            f"state. Received: batch_size={batch_size}, dtype={dtype}"
        )

    def zeros(size):
        return tf.zeros([batch_size] + tf.TensorShape(size).as_list(), dtype=dtype)

    if tf.nest.is_nested(state_size):
        return tf.nest.map_structure(zeros, state_size)
    return zeros(state_size)


def zero_state_for_cell(cell, inputs, batch_size, dtype):
    """A cell's default initial state: zeros sized from `inputs` or the arguments."""
    if inputs is not None:
        batch_size = tf.shape(inputs)[0]
        dtype = inputs.dtype
    return zero_state(batch_size, cell.state_size, dtype)


def accepts_arg(fn, name: str) -> bool:
    """Whether callable `fn` takes a keyword argument `name` (or `**kwargs`)."""
    params = inspect.signature(fn).parameters
    return name in params or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()
    )


def cell_output_size(cell):
    """The size of a cell's output: `output_size`, else its first state's size."""
    if getattr(cell, "output_size", None) is not None:
        return cell.output_size
    if is_multiple_state(cell.state_size):
        return cell.state_size[0]
    return cell.state_size


def check_units(layer_name: str, units) -> None:
    """Raises the Keras-style error for a non-positive `units` argument."""
    if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
        raise ValueError(
            f"Received an invalid value for argument `units` of layer {layer_name}, "
            f"expected a positive integer. Received: units={units}"
        )


def build_nested(layer: Layer, input_shape) -> None:
    """Builds a layer owned by another so its weights read `outer/inner/kernel:0`."""
    with tf.name_scope(layer.name):
        layer.build(input_shape)
    layer.built = True


def _serializer(key: str):
    if key in ("activation", "recurrent_activation"):
        return activations.serialize
    for suffix, module in (
        ("_initializer", initializers),
        ("_regularizer", regularizers),
        ("_constraint", constraints),
    ):
        if key.endswith(suffix):
            return module.serialize
    return lambda value: value


def serialize_attrs(obj, keys) -> dict:
    """`{key: serialized getattr(obj, key)}`, in `keys` order (Keras 2 config order)."""
    return {key: _serializer(key)(getattr(obj, key)) for key in keys}


def arguments_for(target, local_values: dict) -> dict:
    """The entries of `local_values` that `target`'s signature names.

    Keras 2's recurrent layers repeat their cell's arguments, and the cells
    repeat `KernelCellBase`'s; instead of forwarding them one by one, a
    constructor passes its own `locals()` (called first thing, so they hold only
    its arguments) and hands on what the next constructor takes by name.

    >>> def cell(units, dropout=0.0, **kwargs): ...
    >>> arguments_for(cell, {"self": None, "units": 3, "dropout": 0.5, "stateful": True})
    {'units': 3, 'dropout': 0.5}

    Args:
        target: a callable (a class: its constructor).
        local_values: the caller's `locals()`.

    Returns:
        `{name: value}` for each named parameter of `target`, in its order.
    """
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    params = inspect.signature(target).parameters.values()
    return {p.name: local_values[p.name] for p in params if p.kind in named}


# Cell settings a recurrent layer accepts in its `**kwargs` and hands to its cell.
_CELL_SETTINGS = ("implementation", "enable_caching_device")


def cell_of_layer(cell_class, name: str, layer_arguments: dict, layer_kwargs: dict):
    """Builds the cell of a `SimpleRNN`, `GRU` or `LSTM` from the layer's arguments.

    The one path by which the three layers make their cell: the cell gets every
    argument its constructor names (`arguments_for`), the cell settings
    `implementation` and `enable_caching_device` move from the layer's
    `**kwargs` to the cell, and `dtype` and `trainable` are copied (the layer
    keeps them as well).

    Args:
        cell_class: `SimpleRNNCell`, `GRUCell` or `LSTMCell`.
        name: the cell's name; Keras 2 fixes it ("gru_cell", ...), so the
            weights read `gru/gru_cell/kernel:0`.
        layer_arguments: the layer's `locals()` at the top of its `__init__`.
        layer_kwargs: the layer's `**kwargs`; the cell settings are popped.

    Returns:
        The cell.
    """
    settings = {k: layer_kwargs.pop(k) for k in _CELL_SETTINGS if k in layer_kwargs}
    return cell_class(
        **arguments_for(cell_class, layer_arguments),
        dtype=layer_kwargs.get("dtype"),
        trainable=layer_kwargs.get("trainable", True),
        name=name,
        **settings,
    )


def layer_config(layer, keys, rnn_config: dict) -> dict:
    """The config of a `SimpleRNN`, `GRU` or `LSTM`: flat, as in Keras 2.

    Args:
        layer: the layer.
        keys: the cell arguments and `activity_regularizer`, in config order;
            each is read through the layer (see `delegate_to_cell`).
        rnn_config: `RNN.get_config()` of the layer; its `cell` entry is dropped,
            since the layer rebuilds its cell from the flat arguments.

    Returns:
        The config dict.
    """
    config = {k: v for k, v in rnn_config.items() if k != "cell"}
    config.update(serialize_attrs(layer, keys))
    # Keras 2 writes this flag only when it is not the default.
    if not layer.cell._enable_caching_device:
        config["enable_caching_device"] = False
    return config


def delegate_to_cell(*names: str):
    """Class decorator: read-only properties that forward `names` to `self.cell`.

    `SimpleRNN(units=3).units` reads `layer.cell.units`, as in Keras 2.
    """

    def decorate(cls):
        for name in names:
            prop = property(lambda self, _n=name: getattr(self.cell, _n))
            setattr(cls, name, prop)
        return cls

    return decorate


class AbstractRNNCell(Layer):
    """Base class for RNN cells: states in, output and new states out.

    Subclasses implement `call(inputs, states)`, `state_size` and `output_size`.
    """

    def call(self, inputs, states):
        """Runs one time step; returns `(output, new_states)`."""
        raise NotImplementedError

    @property
    def state_size(self):
        """An int, or a list of ints (one per state)."""
        raise NotImplementedError

    @property
    def output_size(self):
        """The size of the output of one step."""
        raise NotImplementedError

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        """Zeros of shape `(batch_size, state_size)` for each state."""
        return zero_state_for_cell(self, inputs, batch_size, dtype)


def _graph_key():
    return None if tf.executing_eagerly() else tf.compat.v1.get_default_graph()


def _in_train_phase(train_fn, alt, training):
    """`train_fn()` when training, else `alt`; a tensor `training` builds a cond."""
    if training is None:
        return alt  # kengine: training=None means inference.
    static = tf.get_static_value(training)
    if static is not None:
        return train_fn() if bool(static) else alt
    return tf.cond(tf.cast(training, tf.bool), train_fn, lambda: alt)


class _MaskCache:
    """Dropout masks by graph; a loop body finds the masks of its outer graphs."""

    def __init__(self):
        self._masks = {}

    def clear(self) -> None:
        self._masks = {}

    def get_or_make(self, make):
        graph = _graph_key()
        key = graph
        while True:
            if key in self._masks:
                return self._masks[key]
            key = getattr(key, "outer_graph", None)
            if key is None:
                break
        self._masks[graph] = make()
        return self._masks[graph]


class DropoutRNNCellMixin:
    """Gives a cell cached input and recurrent dropout masks.

    The cell sets `self.dropout` and `self.recurrent_dropout` (rates in [0, 1]).
    `RNN.call` calls `reset_dropout_mask()` and `reset_recurrent_dropout_mask()`
    before each sequence, so every sequence draws new masks.
    """

    def __init__(self, *args, **kwargs):
        # Keras 2 random layers take a `seed` for their dropout masks.
        seed = kwargs.pop("seed", None)
        super().__init__(*args, **kwargs)
        self._seed = seed
        self._dropout_masks = _MaskCache()
        self._recurrent_dropout_masks = _MaskCache()

    def reset_dropout_mask(self) -> None:
        """Forgets the cached input dropout mask."""
        self._dropout_masks.clear()

    def reset_recurrent_dropout_mask(self) -> None:
        """Forgets the cached recurrent dropout mask."""
        self._recurrent_dropout_masks.clear()

    def _make_masks(self, inputs, rate, training, count):
        ones = tf.ones_like(inputs)

        def dropped():
            return tf.nn.dropout(ones, rate=rate, seed=self._seed)

        masks = [_in_train_phase(dropped, ones, training) for _ in range(count)]
        return masks if count > 1 else masks[0]

    def get_dropout_mask_for_cell(self, inputs, training, count: int = 1):
        """The (cached) dropout mask(s) for the cell's input, or None if no dropout.

        Args:
            inputs: the step input; the mask has its shape.
            training: whether to drop (None or False: a mask of ones).
            count: how many masks (one per fused gate) to return as a list.
        """
        if self.dropout == 0:
            return None
        return self._dropout_masks.get_or_make(
            lambda: self._make_masks(inputs, self.dropout, training, count)
        )

    def get_recurrent_dropout_mask_for_cell(self, inputs, training, count: int = 1):
        """The (cached) dropout mask(s) for the previous output, or None."""
        if self.recurrent_dropout == 0:
            return None
        return self._recurrent_dropout_masks.get_or_make(
            lambda: self._make_masks(inputs, self.recurrent_dropout, training, count)
        )


class StackedRNNCells(Layer):
    """Several RNN cells acting as one cell (used by `RNN([cell1, cell2])`).

    Args:
        cells: list of cell instances; each needs `call` and `state_size`.

    Raises:
        ValueError: if a cell lacks `call` or `state_size`.
    """

    def __init__(self, cells: list, **kwargs):
        for cell in cells:
            if "call" not in dir(cell):
                raise ValueError(
                    "All cells must have a `call` method. "
                    f"Received cell without a `call` method: {cell}"
                )
            if "state_size" not in dir(cell):
                raise ValueError(
                    "All cells must have a `state_size` attribute. "
                    f"Received cell without a `state_size`: {cell}"
                )
        super().__init__(**kwargs)
        self.cells = cells

    @property
    def state_size(self) -> tuple:
        return tuple(c.state_size for c in self.cells)

    @property
    def output_size(self):
        return cell_output_size(self.cells[-1])

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        """The initial states of every cell, as a tuple."""
        states = []
        for cell in self.cells:
            fn = getattr(cell, "get_initial_state", None)
            if fn is not None:
                states.append(fn(inputs=inputs, batch_size=batch_size, dtype=dtype))
            else:
                states.append(zero_state_for_cell(cell, inputs, batch_size, dtype))
        return tuple(states)

    def call(self, inputs, states, constants=None, training=None, **kwargs):
        nested = tf.nest.pack_sequence_as(self.state_size, tf.nest.flatten(states))
        new_nested = []
        for cell, cell_states in zip(self.cells, nested):
            if not tf.nest.is_nested(cell_states):
                cell_states = [cell_states]
            call_kwargs = dict(kwargs)
            if accepts_arg(cell.call, "training"):
                call_kwargs["training"] = training
            if accepts_arg(cell.call, "constants"):
                call_kwargs["constants"] = constants
            call_fn = cell.__call__ if callable(cell) else cell.call
            inputs, cell_states = call_fn(inputs, cell_states, **call_kwargs)
            new_nested.append(cell_states)
        return inputs, tf.nest.pack_sequence_as(
            self.state_size, tf.nest.flatten(new_nested)
        )

    def build(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]
        input_shape = tf.TensorShape(input_shape)
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                build_nested(cell, input_shape)
            out = tf.TensorShape(cell_output_size(cell))
            input_shape = tf.TensorShape([input_shape[0]]).concatenate(out)
        self.built = True

    def get_config(self) -> dict:
        config = {
            "cells": [serialization.serialize_keras_object(c) for c in self.cells]
        }
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        config = dict(config)
        cells = [
            serialization.deserialize_keras_object(
                c,
                module_objects=builtin_objects("layer"),
                custom_objects=custom_objects,
                printable_module_name="layer",
            )
            for c in config.pop("cells")
        ]
        return cls(cells, **config)


class KernelCellBase(DropoutRNNCellMixin, Layer):
    """What `SimpleRNNCell`, `GRUCell` and `LSTMCell` share.

    `units`, the activation, the initializers/regularizers/constraints of
    `kernel`, `recurrent_kernel` and `bias`, the dropout rates, and the creation
    of the two kernels with `gates * units` columns (one block per gate).
    """

    gates = 1

    def __init__(
        self,
        units: int,
        activation,
        use_bias: bool,
        kernel_initializer,
        recurrent_initializer,
        bias_initializer,
        kernel_regularizer,
        recurrent_regularizer,
        bias_regularizer,
        kernel_constraint,
        recurrent_constraint,
        bias_constraint,
        dropout: float,
        recurrent_dropout: float,
        **kwargs,
    ):
        # Keras 2 writes this flag to the config only when it is not the default.
        enable_caching_device = kwargs.pop("enable_caching_device", True)
        super().__init__(**kwargs)
        self._enable_caching_device = enable_caching_device
        check_units(self.name, units)
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        # Rates are clipped to [0, 1] as Keras 2 does.
        self.dropout = min(1.0, max(0.0, dropout))
        self.recurrent_dropout = min(1.0, max(0.0, recurrent_dropout))

    def _add_kernels(self, input_shape) -> None:
        input_dim = tf.TensorShape(input_shape)[-1]
        self.kernel = self.add_weight(
            shape=(input_dim, self.units * self.gates),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, self.units * self.gates),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )

    def _add_bias(self, shape, initializer=None) -> None:
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=shape,
                name="bias",
                initializer=initializer or self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        """Zeros of shape `(batch_size, units)` for each state."""
        return zero_state_for_cell(self, inputs, batch_size, dtype)

    def _cell_config(self, keys) -> dict:
        config = serialize_attrs(self, keys)
        if not self._enable_caching_device:
            config["enable_caching_device"] = False
        return {**super().get_config(), **config}
