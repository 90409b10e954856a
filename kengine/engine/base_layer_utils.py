"""Helpers `Layer.__call__` leans on: the call context, naming, weight flattening.

Mirrors parts of Keras 2's `engine/base_layer_utils.py` (`CallContext`,
`call_context`, `to_snake_case`) and of `engine/base_layer.py`
(`_set_training_mode`, `_flatten_layers`).

The call context is a per-thread stack of the layer calls in progress. It answers
two questions for a nested call: *which `training` value applies* when the caller
did not pass one (the outer call's), and *is this the outermost call*, whose
start clears the losses every layer collected on the previous forward pass (so
`layer.losses` holds only the last pass's losses, with no accumulation).
"""

import contextlib
import functools
import inspect
import re
import threading

import numpy as np
import tensorflow as tf
from tensorflow.python.autograph.core import config as autograph_config

__all__ = [
    "set_untracked",
    "map_shapes",
    "shape_to_json",
    "call_context",
    "to_snake_case",
    "flatten_trackables",
    "autographed_call",
    "name_training_and_mask",
]

_STATE = threading.local()


def set_untracked(obj, name: str, value) -> None:
    """Sets `obj.name = value` without the Layer's attribute tracking.

    `Layer.__setattr__` inspects every value it is given: layers inside it become
    sublayers, variables become weights. Bookkeeping a layer keeps about itself
    (its graph's input tensors, the metric trackers `compile` builds, a cached
    function) must not be collected that way, or it would reappear in
    `layer.layers`, `layer.weights` or saved files. This is the one place that
    bypasses tracking, so each use says "not part of the layer's state".

    Args:
        obj: the layer (or any object).
        name: the attribute's name.
        value: its value, stored as is.
    """
    object.__setattr__(obj, name, value)


class CallContext:
    """The state of the layer calls in progress on this thread."""

    def __init__(self):
        self.depth = 0
        self.training = None
        self.symbolic = False

    @contextlib.contextmanager
    def enter(self, training):
        """Enters one layer call with the resolved `training` value."""
        saved = self.training
        self.depth += 1
        if training is not None:
            self.training = training
        try:
            yield
        finally:
            self.depth -= 1
            self.training = saved

    @contextlib.contextmanager
    def enter_symbolic(self, training):
        """Enters a call that only infers shapes in a scratch graph (no real pass)."""
        saved = self.symbolic
        self.symbolic = True
        try:
            with self.enter(training):
                yield
        finally:
            self.symbolic = saved

    @property
    def in_call(self) -> bool:
        """Whether a layer call is in progress (so this one is nested)."""
        return self.depth > 0


def call_context() -> CallContext:
    """Returns this thread's `CallContext`."""
    if not hasattr(_STATE, "ctx"):
        _STATE.ctx = CallContext()
    return _STATE.ctx


def _is_shape(x) -> bool:
    if isinstance(x, tf.TensorShape):
        return True
    return isinstance(x, tuple | list) and all(
        d is None or isinstance(d, int | np.integer) for d in x
    )


def map_shapes(fn, shapes):
    """Applies `fn` to every shape in a structure of shapes (tuples count as shapes)."""
    if _is_shape(shapes):
        return fn(tf.TensorShape(shapes))
    if isinstance(shapes, dict):
        return {k: map_shapes(fn, v) for k, v in shapes.items()}
    return [map_shapes(fn, s) for s in shapes]


def shape_to_json(shape):
    """A (structure of) shape(s) as tuples and lists, the way tf_keras writes them."""
    if isinstance(shape, tf.TensorShape):
        return tuple(shape.as_list()) if shape.rank is not None else None
    if isinstance(shape, dict):
        return {k: shape_to_json(v) for k, v in shape.items()}
    if (
        isinstance(shape, list | tuple)
        and shape
        and not all(d is None or isinstance(d, int) for d in shape)
    ):
        return [shape_to_json(s) for s in shape]
    return tuple(shape) if shape is not None else None


def to_snake_case(name: str) -> str:
    """`Conv2DTranspose` -> `conv2d_transpose`, as Keras 2 derives default names."""
    # `[a-z]+`, not `[a-z0-9]+`: `ConvLSTM2D` -> `conv_lstm2d`, as tf_keras names it.
    intermediate = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    insecure = re.sub("([a-z])([A-Z])", r"\1_\2", intermediate).lower()
    # Private classes (leading underscore) get a "private" prefix, as Keras 2 does.
    return insecure if insecure[0] != "_" else "private" + insecure


def flatten_trackables(value, kind) -> list:
    """Instances of `kind` inside a (nested) list/tuple/dict attribute value, in order."""
    if isinstance(value, kind):
        return [value]
    if isinstance(value, str | bytes) or value is None:
        return []
    if isinstance(value, tf.Variable | tf.Tensor):
        return []
    out = []
    if hasattr(value, "items") and hasattr(value, "keys"):
        for v in value.values():
            out.extend(flatten_trackables(v, kind))
    elif isinstance(value, list | tuple):
        for v in value:
            out.extend(flatten_trackables(v, kind))
    return out


def dedup(items: list) -> list:
    """Removes repeated objects (by identity), keeping first occurrences."""
    seen, out = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


def _treat_kengine_as_a_library() -> None:
    """Tells AutoGraph not to rewrite kengine's own code, as it skips tf_keras.

    `tf.function` rewrites Python control flow of every function it reaches
    unless the function's module is on AutoGraph's do-not-convert list (which
    names `tensorflow`, `keras` and `tf_keras`). Without this, the first trace of
    `train_function` would parse and rewrite the whole engine, for nothing: its
    code is graph-safe. Users' own `call`s are still converted (see
    `autographed_call`). The list lives in a private TF module; it is the only
    place AutoGraph reads it from.
    """
    rule = autograph_config.DoNotConvert("kengine")
    if not any(
        getattr(r, "_prefix", None) == "kengine"
        for r in autograph_config.CONVERSION_RULES
    ):
        autograph_config.CONVERSION_RULES = (rule, *autograph_config.CONVERSION_RULES)


_treat_kengine_as_a_library()


def autographed_call(layer):
    """`layer.call`, converted by AutoGraph when traced (a no-op for kengine's own)."""
    if not tf.inside_function():
        return layer.call
    return tf.__internal__.autograph.tf_convert(
        layer.call, tf.__internal__.autograph.control_status_ctx()
    )


@functools.cache
def _positional_names(call_fn) -> tuple:
    """Names of `call`'s positional-or-keyword parameters after `inputs`."""
    params = list(inspect.signature(call_fn).parameters.values())[2:]  # self, inputs
    names = []
    for p in params:
        if p.kind != inspect.Parameter.POSITIONAL_OR_KEYWORD:
            break
        names.append(p.name)
    return tuple(names)


def name_training_and_mask(call_fn, args: tuple, kwargs: dict):
    """Moves `training`/`mask` given positionally (`model(x, True)`) into kwargs.

    `__call__` resolves both by keyword; a positional value would otherwise reach
    `call` twice. Arguments from the first of them on are passed by name.
    """
    names = _positional_names(call_fn)
    if not args or len(args) > len(names):
        return args, kwargs
    names = names[: len(args)]
    for i, name in enumerate(names):
        if name in ("training", "mask"):
            kwargs = {**kwargs, **dict(zip(names[i:], args[i:]))}
            return args[:i], kwargs
    return args, kwargs
