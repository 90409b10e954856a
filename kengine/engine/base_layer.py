"""Layer: the unit of computation and state that every kengine model is built from.

Mirrors Keras 2's `engine/base_layer.py` (`Layer.__call__`, `_functional_construction_call`,
`_maybe_build`, `add_weight`, `add_loss`, `losses`, the weight properties, `get_config`).

Who owns what:
* `__call__` is the only entry point. On real tensors it converts NumPy inputs,
  checks `input_spec`, builds once from the input shapes, resolves `training` and
  `mask`, runs `call` under the layer's name scope, adds the activity regularization
  loss and attaches the output mask (`_keras_mask`). On KerasTensors it does the same
  symbolically in a scratch `FuncGraph` (see `keras_tensor.py`) and records a `Node`.
* Weights are `tf.Variable`s from `add_weight`, named `"<layer>/<weight>:0"` because
  they are created inside the layer's name scope. Under a `tf.distribute` scope they
  come out mirrored with no code here knowing it.
* Tracking is by attribute assignment (`__setattr__`): variables and (lists/dicts of)
  layers assigned as attributes become part of `weights` in the order Keras 2 uses:
  own trainable weights in creation order, then nested layers' in assignment order;
  then non-trainable weights the same way.
* Losses (`LossesMixin`, `layer_losses.py`): `add_loss` inside `call` records a
  tensor; the outermost `__call__` clears every nested layer's tensors first, so
  `losses` reflects only the last forward pass. Weight regularizers are
  zero-argument callables evaluated whenever `losses` is read.
* Metrics (`MetricsMixin`, `layer_metrics.py`): `add_metric` inside `call` averages
  a value over the epoch in a `Mean` the layer keeps (not in `weights`).
* `get_config`/`from_config` (with the automatic config of simple custom
  layers) live in `ConfigMixin` (`layer_config.py`).
* The weight lists and `get_weights`/`set_weights` live in `WeightsMixin`
  (`layer_weights.py`); graph bookkeeping (`_inbound_nodes`, `input`,
  `output_shape`, ...) in `NodeAccessorsMixin` (`layer_node_accessors.py`).
"""

import functools
import inspect

import numpy as np
import tensorflow as tf

from kengine import backend, constraints, initializers, regularizers
from kengine.engine import base_layer_utils as utils
from kengine.engine import keras_tensor
from kengine.engine.input_spec import assert_input_compatibility
from kengine.engine.layer_config import ConfigMixin
from kengine.engine.layer_losses import LossesMixin
from kengine.engine.layer_metrics import MetricsMixin
from kengine.engine.layer_node_accessors import NodeAccessorsMixin
from kengine.engine.layer_weights import WeightsMixin
from kengine.engine.node import Node
from kengine.engine.symbolic import infer_outputs

__all__ = ["Layer"]

_ALLOWED_KWARGS = frozenset(
    {
        "input_dim",
        "input_shape",
        "batch_input_shape",
        "batch_size",
        "weights",
        "activity_regularizer",
        "autocast",
        "implementation",
    }
)

# Attributes of the base classes themselves: assigned without tracking so the
# bookkeeping lists are never wrapped or saved as checkpoint dependencies.
_INTERNAL_ATTRS = frozenset(
    {
        "_name",
        "_trainable",
        "_dtype",
        "_dynamic",
        "built",
        "_input_spec",
        "_supports_masking",
        "_trainable_weights",
        "_non_trainable_weights",
        "_callable_losses",
        "_call_losses",
        "_inbound_nodes",
        "_outbound_nodes",
        "_activity_regularizer",
        "_initial_weights",
        "_autocast",
        "_build_input_shape",
        "_tracked_layer_attrs",
        "_batch_input_shape",
        "stateful",
        "_init_args",
    }
)


@functools.cache
def _call_spec(call_fn) -> dict:
    """What a `call` signature accepts: training, mask, **kwargs, its first arg name."""
    params = list(inspect.signature(call_fn).parameters.values())[1:]  # drop self
    names = [p.name for p in params]
    var_kw = any(p.kind == p.VAR_KEYWORD for p in params)
    training = next((p for p in params if p.name == "training"), None)
    default_training = None
    if training is not None and training.default is not inspect.Parameter.empty:
        default_training = training.default
    return {
        "first_arg": names[0] if names else "inputs",
        "training": training is not None or var_kw,
        "mask": "mask" in names or var_kw,
        "default_training": default_training,
    }


class Layer(
    WeightsMixin, LossesMixin, MetricsMixin, ConfigMixin, NodeAccessorsMixin, tf.Module
):
    """Base class of every layer: state (weights) plus computation (`call`).

    Args:
        trainable: whether the layer's weights are updated by training.
        name: the layer's name; defaults to a unique snake_case of the class name.
        dtype: the dtype of weights and computation (default `backend.floatx()`).
        dynamic: True if `call` cannot be traced into a graph.
        **kwargs: `input_shape`, `batch_input_shape`, `batch_size`, `input_dim`
            (used by Sequential to create an Input), `weights` (initial values),
            `activity_regularizer`, `autocast`.

    Raises:
        TypeError: for a keyword argument Keras 2 does not understand.
    """

    # Class flags the Layer core reads instead of importing the classes above it:
    # `Model` sets `_is_model`, `Functional` `_is_graph_network`.
    _is_model = False
    _is_graph_network = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Remember the shape a layer was built for, however `build` is reached (a
        # parent's `build` may call a child's directly, as RNN does with its cell):
        # configs record it as `build_config`, as tf_keras does.
        build = cls.__dict__.get("build")
        if build is not None and not getattr(build, "_records_input_shape", False):

            @functools.wraps(build)
            def build_and_record(self, input_shape):
                if self.__dict__.get("_build_input_shape") is None:
                    self._build_input_shape = input_shape
                return build(self, input_shape)

            build_and_record._records_input_shape = True
            cls.build = build_and_record

    def __new__(cls, *args, **kwargs):
        obj = super().__new__(cls)
        # Remembered for the automatic get_config of simple custom layers.
        object.__setattr__(obj, "_init_args", (args, kwargs))
        return obj

    def __init__(
        self,
        trainable: bool = True,
        name: str | None = None,
        dtype=None,
        dynamic: bool = False,
        **kwargs,
    ):
        for kwarg in kwargs:
            if kwarg not in _ALLOWED_KWARGS:
                raise TypeError(f"Keyword argument not understood: {kwarg!r}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Layer name must be a string. Received: name={name!r}")
        self._name = name or backend.unique_object_name(
            utils.to_snake_case(type(self).__name__)
        )
        self._trainable = bool(trainable)
        if isinstance(dtype, dict):  # a serialized dtype policy
            dtype = dtype.get("config", {}).get("name", None)
        self._dtype = tf.as_dtype(dtype).name if dtype is not None else backend.floatx()
        self._dynamic = dynamic
        self.built = False
        self._input_spec = None
        self._supports_masking = None
        self._trainable_weights = []
        self._non_trainable_weights = []
        self._callable_losses = []
        self._call_losses = []
        self._inbound_nodes = []
        self._outbound_nodes = []
        self._tracked_layer_attrs = []
        self._build_input_shape = None
        self.stateful = False
        self._autocast = kwargs.get("autocast", True)
        self._initial_weights = kwargs.get("weights")
        self._batch_input_shape = _batch_input_shape_from(kwargs)
        self._activity_regularizer = regularizers.get(
            kwargs.get("activity_regularizer")
        )

    # A flag, not `init is Layer.__init__`, so `layer_config` need not import Layer:
    # a custom layer without its own `__init__` has no arguments to record.
    __init__._is_layer_init = True

    # ---------------------------------------------------------------- tracking
    def __setattr__(self, name, value):
        if name in _INTERNAL_ATTRS or name.startswith("__"):
            object.__setattr__(self, name, value)
            return
        if "_tracked_layer_attrs" not in self.__dict__:
            # Plain values may be set before `super().__init__()` (the RNN guide's
            # NestedCell sets its sizes first); layers and variables need tracking.
            if not utils.flatten_trackables(
                value, Layer
            ) and not utils.flatten_trackables(value, tf.Variable):
                super().__setattr__(name, value)
                return
            raise RuntimeError(
                f"It looks like you are subclassing `{type(self).__name__}` and forgot "
                "to call `super().__init__()`. Always start with this line."
            )
        if (
            utils.flatten_trackables(value, Layer)
            and name not in self._tracked_layer_attrs
        ):
            self._tracked_layer_attrs.append(name)
        for variable in utils.flatten_trackables(value, tf.Variable):
            self._track_variable(variable)
        super().__setattr__(name, value)

    def _track_variable(self, variable) -> None:
        bucket = (
            self._trainable_weights
            if variable.trainable
            else self._non_trainable_weights
        )
        if not any(
            variable is v for v in self._trainable_weights + self._non_trainable_weights
        ):
            bucket.append(variable)

    def _sublayers(self) -> list:
        """Direct child layers, in attribute-assignment order."""
        found = []
        for attr in self._tracked_layer_attrs:
            found.extend(utils.flatten_trackables(getattr(self, attr, None), Layer))
        return utils.dedup([x for x in found if x is not self])

    def _flatten_layers(self, recursive: bool = True, include_self: bool = True):
        """Yields this layer (optionally) and its nested layers, depth first, once each."""
        seen = set()
        stack = [self] if include_self else list(reversed(self._sublayers()))
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            yield layer
            if recursive or layer is self:
                stack.extend(reversed(layer._sublayers()))

    # ----------------------------------------------------------------- weights
    def add_weight(
        self,
        name: str | None = None,
        shape=None,
        dtype=None,
        initializer=None,
        regularizer=None,
        trainable: bool | None = None,
        constraint=None,
        use_resource=None,
        synchronization=tf.VariableSynchronization.AUTO,
        aggregation=tf.VariableAggregation.NONE,
        **kwargs,
    ) -> tf.Variable:
        """Creates a weight variable of this layer and tracks it.

        Args:
            name: the weight's name; the variable is named `"<layer>/<name>:0"`.
            shape: the weight's shape (default: scalar).
            dtype: default: the layer's dtype.
            initializer: an initializer, its name, or None (glorot_uniform for
                floats, zeros otherwise).
            regularizer: adds `regularizer(weight)` to `losses`.
            trainable: default True; must not be True for ON_READ variables.
            constraint: a projection the optimizer applies after each update.
            use_resource: ignored (TF2 variables are resource variables).
            synchronization: `tf.VariableSynchronization` for distributed training.
            aggregation: `tf.VariableAggregation` for distributed training.
            **kwargs: `experimental_autocast`, `caching_device` (ignored).

        Returns:
            The `tf.Variable`.

        Raises:
            ValueError: for a trainable ON_READ variable.
        """
        del use_resource, kwargs
        dtype = tf.as_dtype(dtype or self._dtype)
        if synchronization == tf.VariableSynchronization.ON_READ:
            if trainable:
                raise ValueError(
                    "Synchronization value can be set to VariableSynchronization.ON_READ "
                    "only for non-trainable variables. You have specified trainable=True "
                    f"and synchronization=VariableSynchronization.ON_READ for weight {name!r}."
                )
            trainable = False
        elif trainable is None:
            trainable = True
        if initializer is None:
            initializer = "glorot_uniform" if dtype.is_floating else "zeros"
        init = initializers.get(initializer)
        shape = tuple(tf.TensorShape(shape or ()).as_list())
        with tf.init_scope():
            variable = tf.Variable(
                lambda: init(shape, dtype=dtype),
                name=name,
                dtype=dtype,
                trainable=trainable,
                constraint=constraints.get(constraint),
                synchronization=synchronization,
                aggregation=aggregation,
            )
        self._track_variable(variable)
        if name is not None:
            self._track_trackable(variable, name=name, overwrite=True)
        if regularizer is not None:
            self._add_weight_regularizer(name, variable, regularizer)
        return variable

    def _add_weight_regularizer(self, name, variable, regularizer) -> None:
        fn = regularizers.get(regularizer)

        def weight_loss():
            with tf.name_scope(f"{name}/Regularizer"):
                return fn(variable)

        self._callable_losses.append(weight_loss)

    @property
    def trainable(self) -> bool:
        """Whether the weights are trained; setting it applies to nested layers too."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        for layer in self._flatten_layers():
            layer._trainable = bool(value)

    # --------------------------------------------------------------- building
    def build(self, input_shape) -> None:
        """Creates the weights from the input shape; subclasses override it.

        Args:
            input_shape: a `tf.TensorShape` (or a structure of them).
        """
        self._build_input_shape = input_shape
        self.built = True

    def _maybe_build(self, inputs) -> None:
        if self.built:
            return
        shapes = tf.nest.map_structure(lambda x: getattr(x, "shape", None), inputs)
        if (
            isinstance(shapes, list | tuple)
            and len(shapes) == 1
            and not isinstance(inputs, list | tuple)
        ):
            shapes = shapes[0]
        with tf.init_scope():
            self.build(shapes)
        self.built = True
        if self._build_input_shape is None:
            self._build_input_shape = shapes
        if self._initial_weights is not None:
            weights, self._initial_weights = self._initial_weights, None
            self.set_weights(weights)

    def call(self, inputs, *args, **kwargs):
        """The layer's computation; subclasses override it. The base returns `inputs`."""
        return inputs

    # ----------------------------------------------------------------- calling
    def __call__(self, *args, **kwargs):
        if "_inbound_nodes" not in self.__dict__:
            raise RuntimeError(
                f"It looks like you are subclassing `{type(self).__name__}` and forgot "
                "to call `super().__init__()`. Always start with this line."
            )
        spec = _call_spec(type(self).call)
        inputs, args = self._split_inputs(spec, args, kwargs)
        args, kwargs = utils.name_training_and_mask(type(self).call, args, kwargs)
        if keras_tensor.any_keras_tensors((inputs, args, kwargs)):
            return self._symbolic_call(spec, inputs, args, kwargs)
        inputs = self._convert_inputs(inputs)
        assert_input_compatibility(self.input_spec, inputs, self.name)
        kwargs, training = self._call_kwargs(spec, inputs, kwargs)
        ctx = utils.call_context()
        if not ctx.in_call:
            self._clear_losses()
        with ctx.enter(training), tf.name_scope(self._name_scope()):
            self._maybe_build(inputs)
            outputs = utils.autographed_call(self)(inputs, *args, **kwargs)
            self._regularize_activity(outputs)
            self._set_output_masks(inputs, kwargs.get("mask"), outputs)
        return outputs

    def _split_inputs(self, spec, args, kwargs):
        if args:
            return args[0], args[1:]
        for key in (spec["first_arg"], "inputs"):
            if key in kwargs:
                return kwargs.pop(key), ()
        raise TypeError(
            f"Layer {self.name}.__call__() missing 1 required positional argument: "
            f"'{spec['first_arg']}'"
        )

    def _convert_inputs(self, inputs):
        target = tf.as_dtype(self._dtype)

        def convert(x):
            if isinstance(x, np.ndarray | float | int | np.generic):
                x = tf.convert_to_tensor(x)
            if (
                self._autocast
                and isinstance(x, tf.Tensor)
                and x.dtype.is_floating
                and target.is_floating
                and x.dtype != target
            ):
                mask = getattr(x, "_keras_mask", None)
                x = tf.cast(x, target)
                if mask is not None:
                    x._keras_mask = mask
            return x

        return tf.nest.map_structure(convert, inputs)

    def _call_kwargs(self, spec, inputs, kwargs) -> tuple[dict, bool | None]:
        """Fills in `training` and `mask` the way Keras 2 resolves them.

        `training`: the explicit argument, else the enclosing call's, else the
        default in `call`'s signature. A `call` that does not take `training` still
        passes the value on to nested calls: it is returned beside the keyword
        arguments and becomes the call context's (see `__call__`).

        Returns:
            The keyword arguments for `call`, and the resolved `training`.
        """
        kwargs = dict(kwargs)
        training = kwargs.pop("training", None)
        if training is None:
            training = utils.call_context().training
        if training is None:
            training = spec["default_training"]
        if spec["training"] and (
            training is not None or "training" in _explicit_params(type(self).call)
        ):
            kwargs["training"] = training
        if spec["mask"] and kwargs.get("mask") is None:
            masks = tf.nest.map_structure(
                lambda x: getattr(x, "_keras_mask", None), inputs
            )
            if any(m is not None for m in tf.nest.flatten(masks)):
                kwargs["mask"] = masks
        return kwargs, training

    def _call_arg_names(self) -> list:
        """Names of `call`'s parameters (used to write node arguments to configs)."""
        params = list(inspect.signature(type(self).call).parameters)[1:]
        return [p for p in params if p not in ("args", "kwargs")]

    def _name_scope(self) -> str:
        # Absolute scopes ("outer/inner/") so graph tracing never uniquifies names.
        current = tf.get_current_name_scope()
        return f"{current}/{self.name}/" if current else f"{self.name}/"

    def _regularize_activity(self, outputs) -> None:
        if self._activity_regularizer is None:
            return
        with tf.name_scope("ActivityRegularizer"):
            for output in tf.nest.flatten(outputs):
                loss = self._activity_regularizer(output)
                batch = tf.cast(tf.shape(output)[0], loss.dtype)
                self.add_loss(loss / batch)

    def _set_output_masks(self, inputs, previous_mask, outputs) -> None:
        flat = tf.nest.flatten(outputs)
        if all(getattr(x, "_keras_mask", None) is not None for x in flat):
            return  # call set its own masks
        if previous_mask is None:
            # Keras 2 hands the inputs' masks to compute_mask even when call takes none.
            found = tf.nest.map_structure(
                lambda x: getattr(x, "_keras_mask", None), inputs
            )
            if any(m is not None for m in tf.nest.flatten(found)):
                previous_mask = found
        masks = self.compute_mask(inputs, previous_mask)
        flat_masks = tf.nest.flatten(masks) if masks is not None else [None] * len(flat)
        for tensor, mask in zip(flat, flat_masks):
            try:
                tensor._keras_mask = mask
            except AttributeError:
                pass  # e.g. a Python number returned by call

    def _symbolic_call(self, spec, inputs, args, kwargs):
        """Functional construction: infer KerasTensor outputs and record a Node."""
        assert_input_compatibility(self.input_spec, inputs, self.name)
        with tf.name_scope(self._name_scope()):
            self._maybe_build(inputs)
        outputs = infer_outputs(self, spec, inputs, args, kwargs)
        if not spec["training"]:
            # A `call` without `training` never sees it; Keras 2 leaves it out of
            # the node, so configs (and replays) carry only what `call` takes.
            kwargs = {k: v for k, v in kwargs.items() if k != "training"}
        Node(self, call_args=(inputs, *args), call_kwargs=kwargs, outputs=outputs)
        return outputs

    # ----------------------------------------------------------------- shapes
    def compute_output_shape(self, input_shape):
        """Output shape(s) for `input_shape(s)`, by tracing `call` in a scratch graph."""

        def to_kt(shape):
            return keras_tensor.KerasTensor(tf.TensorSpec(shape, self._dtype))

        inputs = utils.map_shapes(to_kt, input_shape)
        with tf.name_scope(self._name_scope()):
            self._maybe_build(inputs)
        outputs = infer_outputs(self, _call_spec(type(self).call), inputs, (), {})
        return tf.nest.map_structure(lambda t: t.shape, outputs)

    def compute_mask(self, inputs, mask=None):
        """The output mask: the input mask when `supports_masking`, else None."""
        return mask if self.supports_masking else None

    @property
    def supports_masking(self) -> bool:
        """Whether the layer passes masks on (default: it overrides `compute_mask`)."""
        if self._supports_masking is None:
            return type(self).compute_mask is not Layer.compute_mask
        return self._supports_masking

    @supports_masking.setter
    def supports_masking(self, value: bool) -> None:
        self._supports_masking = bool(value)

    # ------------------------------------------------------------- attributes
    @property
    def name(self) -> str:
        """The layer's unique name."""
        return self._name

    @property
    def dtype(self) -> str:
        """The dtype of the layer's weights (`"float32"`)."""
        return self._dtype

    compute_dtype = dtype
    variable_dtype = dtype

    @property
    def dynamic(self) -> bool:
        """Whether `call` must run eagerly (cannot be traced)."""
        return self._dynamic

    @property
    def input_spec(self):
        """The `InputSpec`(s) inputs are checked against."""
        return self._input_spec

    @input_spec.setter
    def input_spec(self, value) -> None:
        self._input_spec = value

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} object '{self.name}'>"


@functools.cache
def _explicit_params(call_fn) -> frozenset:
    return frozenset(inspect.signature(call_fn).parameters)


def _batch_input_shape_from(kwargs: dict):
    if "batch_input_shape" in kwargs:
        return tuple(kwargs["batch_input_shape"])
    if "input_shape" in kwargs or "input_dim" in kwargs:
        shape = kwargs.get("input_shape") or (kwargs["input_dim"],)
        return (kwargs.get("batch_size"), *tuple(shape))
    return None
