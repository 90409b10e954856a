"""`RNN`: runs a cell over the time axis of a sequence.

The layer owns what is common to every recurrent layer; the cell owns one step.

- `__call__` accepts `initial_state=` and `constants=`. When they are Keras
  tensors they are appended to the inputs list, so the functional graph records
  them as inputs of the call (and `call` splits them off again).
- `build` turns the input shape into an `InputSpec` (time and batch free, unless
  stateful), builds the cell on the shape of one step, and for a stateful layer
  creates the state variables (`reset_states`). A tuple of inputs (a cell taking
  nested inputs per step) gets a tuple of specs and a tuple of step shapes; the
  cell's states and outputs may be nested too (`tf.nest` structures).
- `call` picks the initial states (given, stored, or the cell's zeros), clears
  the cells' dropout masks, and runs `rnn_loop` with the mask, direction,
  unrolling and output options; a stateful layer stores the final states.
- `compute_mask` passes the time mask on when sequences are returned.

Outputs: the last output `(batch, units)`, or the sequence `(batch, time, units)`
with `return_sequences=True`; `return_state=True` appends the final states.

Mirrors tf_keras `layers/rnn/base_rnn.py` (`RNN`) and `rnn_utils.standardize_args`.

>>> import numpy as np, tensorflow as tf
>>> from kengine.layers import SimpleRNNCell
>>> layer = RNN(SimpleRNNCell(2, kernel_initializer="ones",
...                           recurrent_initializer="zeros"), return_sequences=True)
>>> layer(tf.ones((1, 3, 1))).shape
TensorShape([1, 3, 2])
"""

import numpy as np
import tensorflow as tf

from kengine import backend
from kengine.engine.base_layer import Layer
from kengine.engine.input_spec import InputSpec
from kengine.layers import rnn_cells
from kengine.layers.rnn_cells import DropoutRNNCellMixin, StackedRNNCells
from kengine.layers.rnn_loop import rnn_loop
from kengine.utils import serialization
from kengine.utils.object_registry import builtin_objects

__all__ = ["RNN"]


def _to_list_or_none(x):
    if x is None or isinstance(x, list):
        return x
    if isinstance(x, tuple):
        return list(x)
    return [x]


def standardize_args(inputs, initial_state, constants, num_constants: int):
    """Splits a list `[inputs, *initial_state, *constants]` into its three parts.

    Models loaded from a config pass states and constants inside the inputs list.

    Returns:
        `(inputs, initial_state, constants)`, the last two lists or None.
    """
    if isinstance(inputs, list):
        if num_constants:
            constants = inputs[-num_constants:]
            inputs = inputs[:-num_constants]
        if len(inputs) > 1:
            initial_state = inputs[1:]
            inputs = inputs[:1]
        inputs = tuple(inputs) if len(inputs) > 1 else inputs[0]
    return inputs, _to_list_or_none(initial_state), _to_list_or_none(constants)


def _as_shape_structure(shape):
    """One `TensorShape`, or a nested structure of them for nested inputs.

    A tuple of ints (or None) is one shape; a tuple of shapes is a nested input.
    """
    if isinstance(shape, tf.TensorShape) or shape is None:
        return tf.TensorShape(shape)
    if isinstance(shape, dict):
        return {k: _as_shape_structure(v) for k, v in shape.items()}
    if all(d is None or isinstance(d, int | tf.compat.v1.Dimension) for d in shape):
        return tf.TensorShape(shape)
    return type(shape)(_as_shape_structure(s) for s in shape)


def _check_rank(layer_name: str, shape: tf.TensorShape) -> None:
    if shape.rank is not None and shape.rank < 3:
        raise ValueError(
            f"Layer {layer_name} expects an input of rank 3 or more "
            "(batch, timesteps, features). "
            f"Received input with shape {tuple(shape.as_list())}"
        )


class _StateVariables:
    """Holds a stateful RNN's state variables out of weight tracking.

    Keras 2 keeps the states out of `layer.weights`: they are not trained, not
    saved in weight files and not counted by `count_params`.
    """

    def __init__(self, variables):
        self.variables = variables


class RNN(Layer):
    """Base class for recurrent layers: runs `cell` over the time axis.

    Args:
        cell: an RNN cell (`call(inputs, states)`, `state_size`, optionally
            `output_size` and `get_initial_state`), or a list of cells, stacked.
        return_sequences: return the whole output sequence, not just the last.
        return_state: also return the final states.
        go_backwards: process the sequence backwards (and return it reversed).
        stateful: use the last states of batch i as initial states of batch i+1.
        unroll: unroll the loop in Python (needs a fixed number of time steps).
        time_major: inputs and outputs are `(time, batch, ...)`.
        **kwargs: base `Layer` arguments; also `zero_output_for_mask`, and
            `input_dim`/`input_length` as a shorthand for `input_shape`.

    Raises:
        ValueError: if `cell` lacks `call` or `state_size`, or `stateful=True`
            under a distribution strategy.
    """

    def __init__(
        self,
        cell,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        time_major: bool = False,
        **kwargs,
    ):
        if isinstance(cell, list | tuple):
            cell = StackedRNNCells(cell)
        if "call" not in dir(cell):
            raise ValueError(
                "Argument `cell` should have a `call` method. "
                f"The RNN was passed: cell={cell}"
            )
        if "state_size" not in dir(cell):
            raise ValueError(
                "The RNN cell should have a `state_size` attribute "
                "(tuple of integers, one integer per RNN state). "
                f"Received: cell={cell}"
            )
        zero_output_for_mask = kwargs.pop("zero_output_for_mask", False)
        if "input_shape" not in kwargs and (
            "input_dim" in kwargs or "input_length" in kwargs
        ):
            kwargs["input_shape"] = (
                kwargs.pop("input_length", None),
                kwargs.pop("input_dim", None),
            )
        super().__init__(**kwargs)
        self.zero_output_for_mask = zero_output_for_mask
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.time_major = time_major
        self.supports_masking = True
        self.input_spec = None
        self.state_spec = None
        self.constants_spec = None
        self._num_constants = 0
        self._state_vars = _StateVariables(None)
        if stateful and tf.distribute.has_strategy():
            raise ValueError(
                "Stateful RNNs (created with `stateful=True`) "
                "are not yet supported with tf.distribute.Strategy."
            )

    @property
    def states(self) -> list:
        """The state variables of a stateful layer (a list of None before build)."""
        if self._state_vars.variables is None:
            sizes = self.cell.state_size
            none = tf.nest.map_structure(lambda _: None, sizes)
            return none if tf.nest.is_nested(sizes) else [none]
        return self._state_vars.variables

    @states.setter
    def states(self, states) -> None:
        self._state_vars.variables = states

    def __setattr__(self, name, value):
        if name == "states":
            # Straight to the property: Layer.__setattr__ would track the variables.
            object.__setattr__(self, name, value)
            return
        super().__setattr__(name, value)

    def _state_sizes(self) -> list:
        sizes = self.cell.state_size
        return list(sizes) if rnn_cells.is_multiple_state(sizes) else [sizes]

    def compute_output_shape(self, input_shape):
        if (
            isinstance(input_shape, list | tuple)
            and input_shape
            and isinstance(input_shape[0], list | tuple | tf.TensorShape)
        ):
            input_shape = input_shape[0]  # [inputs, *initial_state, *constants]
        # Nested inputs share batch and time: the first tensor's shape tells them.
        input_shape = tf.nest.flatten(_as_shape_structure(input_shape))[0]
        batch, time = input_shape[0], input_shape[1]
        if self.time_major:
            batch, time = time, batch

        def output_shape(size):
            dims = tf.TensorShape(size).as_list()
            if not self.return_sequences:
                return tf.TensorShape([batch] + dims)
            lead = [time, batch] if self.time_major else [batch, time]
            return tf.TensorShape(lead + dims)

        shapes = tf.nest.flatten(
            tf.nest.map_structure(output_shape, rnn_cells.cell_output_size(self.cell))
        )
        shape = shapes[0] if len(shapes) == 1 else shapes
        if not self.return_state:
            return shape
        states = [
            tf.TensorShape([batch] + tf.TensorShape(s).as_list())
            for s in tf.nest.flatten(self._state_sizes())
        ]
        return (shape if isinstance(shape, list) else [shape]) + states

    def compute_mask(self, inputs, mask):
        mask = tf.nest.flatten(mask)[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None for _ in self.states]
        return output_mask

    def _spec_for_input(self, shape) -> InputSpec:
        dims = tf.TensorShape(shape).as_list()
        batch_axis, time_axis = (1, 0) if self.time_major else (0, 1)
        if not self.stateful:
            dims[batch_axis] = None
        dims[time_axis] = None
        return InputSpec(shape=tuple(dims))

    def _step_shape(self, shape) -> tf.TensorShape:
        """The shape of one time step: `shape` without its time axis."""
        dims = tf.TensorShape(shape).as_list()
        return tf.TensorShape(dims[1:] if self.time_major else dims[:1] + dims[2:])

    def build(self, input_shape):
        if isinstance(input_shape, list):
            input_shape = input_shape[0]  # [inputs, *initial_state, *constants]
        input_shape = _as_shape_structure(input_shape)
        for shape in tf.nest.flatten(input_shape):
            _check_rank(self.name, shape)
        # A nested input (the cell takes a tuple per step) gets one spec per tensor.
        spec = tf.nest.map_structure(self._spec_for_input, input_shape)
        if self.input_spec is not None:
            self.input_spec[0] = spec
        else:
            self.input_spec = [spec]
        step_shape = tf.nest.map_structure(self._step_shape, input_shape)
        if isinstance(self.cell, Layer) and not self.cell.built:
            rnn_cells.build_nested(self.cell, step_shape)
        sizes = self._state_sizes()
        if self.state_spec is None:
            self.state_spec = [
                InputSpec(shape=[None] + tf.TensorShape(s).as_list())
                for s in tf.nest.flatten(sizes)
            ]
        self._validate_state_spec(sizes, self.state_spec)
        if self.stateful:
            self.reset_states()
        self.built = True

    @staticmethod
    def _validate_state_spec(state_sizes, state_specs) -> None:
        error = ValueError(
            "An `initial_state` was passed that is not compatible with "
            f"`cell.state_size`. Received `state_spec`={state_specs}; "
            f"however `cell.state_size` is {state_sizes}"
        )
        flat_sizes = tf.nest.flatten(state_sizes)
        flat_specs = tf.nest.flatten(state_specs)
        if len(flat_sizes) != len(flat_specs):
            raise error
        for spec, size in zip(flat_specs, flat_sizes):
            if spec.shape is None:
                continue
            if not tf.TensorShape(spec.shape[1:]).is_compatible_with(
                tf.TensorShape(size)
            ):
                raise error

    def get_initial_state(self, inputs):
        """The cell's initial states for `inputs` (zeros unless the cell says else)."""
        if tf.nest.is_nested(inputs):
            inputs = tf.nest.flatten(inputs)[0]
        shape = tf.shape(inputs)
        batch_size = shape[1] if self.time_major else shape[0]
        fn = getattr(self.cell, "get_initial_state", None)
        if fn is not None:
            state = fn(inputs=None, batch_size=batch_size, dtype=inputs.dtype)
        else:
            state = rnn_cells.zero_state(batch_size, self.cell.state_size, inputs.dtype)
        return list(state) if tf.nest.is_nested(state) else [state]

    def __call__(self, inputs, initial_state=None, constants=None, **kwargs):
        inputs, initial_state, constants = standardize_args(
            inputs, initial_state, constants, self._num_constants
        )
        if initial_state is None and constants is None:
            return super().__call__(inputs, **kwargs)
        extra_inputs, extra_specs = [], []
        if initial_state is not None:
            extra_inputs += initial_state
            self.state_spec = [
                InputSpec(shape=backend.int_shape(s)) for s in initial_state
            ]
            extra_specs += self.state_spec
        if constants is not None:
            extra_inputs += constants
            self.constants_spec = [
                InputSpec(shape=backend.int_shape(c)) for c in constants
            ]
            self._num_constants = len(constants)
            extra_specs += self.constants_spec
        symbolic = [backend.is_keras_tensor(t) for t in tf.nest.flatten(extra_inputs)]
        if any(symbolic) != all(symbolic):
            raise ValueError(
                "The initial state or constants of an RNN layer cannot be "
                "specified via a mix of Keras tensors and non-Keras tensors. "
                f"Received: initial_state={initial_state}, constants={constants}"
            )
        if not all(symbolic):
            if initial_state is not None:
                kwargs["initial_state"] = initial_state
            if constants is not None:
                kwargs["constants"] = constants
            return super().__call__(inputs, **kwargs)
        # Keras tensors travel in the inputs list so the graph records them.
        own_spec = self.input_spec if self.built else [None]
        self.input_spec = list(own_spec) + extra_specs
        try:
            return super().__call__([inputs] + extra_inputs, **kwargs)
        finally:
            self.input_spec = self.input_spec[: len(own_spec)]

    def _process_inputs(self, inputs, initial_state, constants):
        """Splits list inputs and picks the initial states (given, stored or zeros)."""
        if isinstance(inputs, list):
            if self._num_constants:
                initial_state = inputs[1 : -self._num_constants]
                constants = inputs[-self._num_constants :]
            else:
                initial_state = inputs[1:]
            initial_state = initial_state or None
            inputs = inputs[0]
        if self.stateful:
            stored = self.states
            if initial_state is not None:
                # A non-zero stored state wins over the given one, as in Keras 2.
                nonzero = tf.add_n(
                    [tf.math.count_nonzero(s) for s in tf.nest.flatten(stored)]
                )
                given = initial_state
                initial_state = tf.cond(
                    nonzero > 0,
                    lambda: tf.nest.map_structure(tf.identity, list(stored)),
                    lambda: tf.nest.map_structure(tf.identity, list(given)),
                )
            else:
                initial_state = list(stored)
            dtype = self.compute_dtype or self.cell.compute_dtype
            initial_state = tf.nest.map_structure(
                lambda s: tf.cast(s, dtype), initial_state
            )
        elif initial_state is None:
            initial_state = self.get_initial_state(inputs)
        if len(initial_state) != len(self.states):
            raise ValueError(
                f"Layer {self.name} has {len(self.states)} states but was passed "
                f"{len(initial_state)} initial states. "
                f"Received: initial_state={initial_state}"
            )
        return inputs, initial_state, constants

    def _reset_dropout_masks(self) -> None:
        cells = [self.cell]
        if isinstance(self.cell, StackedRNNCells):
            cells += list(self.cell.cells)
        for cell in cells:
            if isinstance(cell, DropoutRNNCellMixin):
                cell.reset_dropout_mask()
                cell.reset_recurrent_dropout_mask()

    def _make_step(self, training, constants):
        """The step function the loop runs: one call of the cell."""
        cell = self.cell
        kwargs = {}
        if rnn_cells.accepts_arg(cell.call, "training"):
            kwargs["training"] = training
        if constants:
            if not rnn_cells.accepts_arg(cell.call, "constants"):
                raise ValueError(
                    f"RNN cell {cell} does not support constants. "
                    f"Received: constants={constants}"
                )
            kwargs["constants"] = constants
        call_fn = cell.__call__ if callable(cell) else cell.call

        def step(inputs, states):
            output, new_states = call_fn(inputs, list(states), **kwargs)
            if not tf.nest.is_nested(new_states):
                new_states = [new_states]
            return output, new_states

        return step

    def call(
        self, inputs, mask=None, training=None, initial_state=None, constants=None
    ):
        inputs, initial_state, constants = self._process_inputs(
            inputs, initial_state, constants
        )
        self._reset_dropout_masks()
        if mask is not None:
            mask = tf.nest.flatten(mask)[0]
        shape = backend.int_shape(tf.nest.flatten(inputs)[0])
        timesteps = shape[0] if self.time_major else shape[1]
        if self.unroll and timesteps is None:
            raise ValueError(
                f"Cannot unroll the RNN layer {self.name}: the time dimension is "
                "undefined. Specify it by passing a `shape` or `batch_shape` with a "
                "fixed number of timesteps to your Input (or `input_shape` / "
                "`input_length` to your first layer)."
            )
        last_output, outputs, states = rnn_loop(
            self._make_step(training, constants),
            inputs,
            tuple(initial_state),
            go_backwards=self.go_backwards,
            mask=mask,
            unroll=self.unroll,
            time_major=self.time_major,
            zero_output_for_mask=self.zero_output_for_mask,
            return_all_outputs=self.return_sequences,
        )
        if self.stateful:
            for variable, value in zip(
                tf.nest.flatten(self.states), tf.nest.flatten(states)
            ):
                variable.assign(tf.cast(value, variable.dtype))
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return [output] + list(states)
        return output

    def reset_states(self, states=None) -> None:
        """Resets a stateful layer's states to zeros, or to the given values.

        Args:
            states: None for zeros, or numpy arrays, one per state.

        Raises:
            AttributeError: if the layer is not stateful.
            ValueError: if the batch size is unknown, or `states` does not match.
        """
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        batch_size = None
        if self.input_spec is not None:
            spec = tf.nest.flatten(self.input_spec[0])[0]
            if spec is not None and spec.shape is not None:
                batch_size = spec.shape[1] if self.time_major else spec.shape[0]
        if not batch_size:
            raise ValueError(
                "If a RNN is stateful, it needs to know its batch size. Specify the "
                "batch size of your input tensors: \n"
                "- If using a Sequential model, specify the batch size by passing "
                "a `batch_input_shape` argument to your first layer.\n"
                "- If using the functional API, specify the batch size by passing "
                "a `batch_shape` argument to your Input layer."
            )
        sizes = tf.nest.flatten(self._state_sizes())
        if tf.nest.flatten(self.states)[0] is None:
            dtype = self.variable_dtype or backend.floatx()
            variables = [
                tf.Variable(
                    tf.zeros([batch_size] + tf.TensorShape(s).as_list(), dtype),
                    trainable=False,
                )
                for s in sizes
            ]
            # Same structure as the cell's states (per cell for stacked cells).
            state_size = self.cell.state_size
            if tf.nest.is_nested(state_size):
                self.states = list(tf.nest.pack_sequence_as(state_size, variables))
            else:
                self.states = variables
            if states is None:
                return
        if states is None:
            for variable in tf.nest.flatten(self.states):
                variable.assign(tf.zeros_like(variable))
            return
        self._assign_states(states)

    def _assign_states(self, states) -> None:
        variables = tf.nest.flatten(self.states)
        values = tf.nest.flatten(states)
        if len(values) != len(variables):
            raise ValueError(
                f"Layer {self.name} expects {len(variables)} states, but it "
                f"received {len(values)} state values. States received: {states}"
            )
        for i, (value, variable) in enumerate(zip(values, variables)):
            value = np.asarray(value)
            if value.shape != tuple(variable.shape):
                raise ValueError(
                    f"State {i} is incompatible with layer {self.name}: expected "
                    f"shape={tuple(variable.shape)} but found shape={value.shape}"
                )
            variable.assign(value.astype(variable.dtype.as_numpy_dtype))

    def get_config(self) -> dict:
        config = {
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "time_major": self.time_major,
        }
        if self._num_constants:
            config["num_constants"] = self._num_constants
        if self.zero_output_for_mask:
            config["zero_output_for_mask"] = self.zero_output_for_mask
        config["cell"] = serialization.serialize_keras_object(self.cell)
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        config = dict(config)
        cell = serialization.deserialize_keras_object(
            config.pop("cell"),
            module_objects=builtin_objects("layer"),
            custom_objects=custom_objects,
            printable_module_name="layer",
        )
        num_constants = config.pop("num_constants", 0)
        layer = cls(cell, **config)
        layer._num_constants = num_constants
        return layer
