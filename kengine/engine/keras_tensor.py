"""KerasTensor: the symbolic tensor that functional model construction passes around.

Mirrors Keras 2's `engine/keras_tensor.py` (`KerasTensor`, `keras_tensor_to_placeholder`,
`keras_tensor_from_tensor`).

A `KerasTensor` holds only a `tf.TypeSpec` (shape, dtype, sparse/ragged structure), a
name and, once a layer produced it, `_keras_history = KerasHistory(layer, node_index,
tensor_index)`. It never holds data. To learn what a layer returns, `base_layer` turns
input KerasTensors into placeholders in a scratch `FuncGraph` (`to_placeholder`),
runs `call` there, and turns the graph outputs back into KerasTensors
(`from_tensor`): shapes are inferred by TensorFlow itself, never by running on data.

TensorFlow ops applied to KerasTensors (`tf.concat([a, b], -1)`, `a * 2`, `a[:, :1]`)
cannot run, because a KerasTensor does not convert to a tensor. TensorFlow then asks
its global op dispatchers; `layers/tf_op_layer.py` registers one when it is
imported (with `kengine`), which wraps the op in a `TFOpLambda` layer and calls it
on the KerasTensors, so the op becomes a node of the graph like any layer call.
The dispatcher lives with the layer it creates, so this module needs nothing
above layer 0.

>>> import kengine
>>> x = kengine.Input((3,), name="x")
>>> y = tf.concat([x, x * 2.0], axis=-1)
>>> y.shape, type(y._keras_history.layer).__name__
(TensorShape([None, 6]), 'TFOpLambda')
"""

import tensorflow as tf

__all__ = ["KerasTensor", "to_placeholder", "from_tensor", "is_keras_tensor"]


class KerasTensor:
    """A symbolic stand-in for a tensor during functional model construction.

    Args:
        type_spec: the `tf.TypeSpec` of the tensor it stands for.
        name: a name for display (the Input name, or the producing op).
    """

    def __init__(self, type_spec: tf.TypeSpec, name: str | None = None):
        if not isinstance(type_spec, tf.TypeSpec):
            raise TypeError(f"KerasTensor needs a tf.TypeSpec. Received: {type_spec!r}")
        self._type_spec = type_spec
        self._name = name

    @property
    def type_spec(self) -> tf.TypeSpec:
        """The `tf.TypeSpec` of the tensor this stands for."""
        return self._type_spec

    @property
    def shape(self) -> tf.TensorShape:
        """The static shape, batch dimension usually None."""
        return self._type_spec.shape

    @property
    def dtype(self) -> tf.DType:
        """The dtype of the tensor this stands for."""
        return self._type_spec.dtype

    @property
    def name(self) -> str | None:
        """The display name."""
        return self._name

    @property
    def node(self):
        """The `Node` that produced this tensor."""
        history = getattr(self, "_keras_history", None)
        return history.layer._inbound_nodes[history.node_index] if history else None

    def get_shape(self) -> tf.TensorShape:
        """Same as `shape`, for code written against `tf.Tensor`."""
        return self.shape

    def set_shape(self, shape) -> None:
        """Refines the static shape, as `tf.Tensor.set_shape` does."""
        merged = self.shape.merge_with(shape)
        self._type_spec = (
            type(self._type_spec)(merged, self.dtype, self._type_spec.name)
            if isinstance(self._type_spec, tf.TensorSpec)
            else self._type_spec
        )
        if not isinstance(self._type_spec, tf.TensorSpec):
            raise ValueError("set_shape is only supported on dense KerasTensors.")

    @property
    def ndim(self) -> int | None:
        """The rank."""
        return self.shape.rank

    def ref(self):
        """A hashable reference, as `tf.Tensor.ref()` (KerasTensors hash by identity)."""
        return _Ref(self)

    def _origin(self) -> str:
        history = getattr(self, "_keras_history", None)
        return f" (created by layer '{history.layer.name}')" if history else ""

    def __repr__(self):
        if isinstance(self._type_spec, tf.TensorSpec):
            shape = tuple(self.shape.as_list()) if self.shape.rank is not None else None
            return (
                f"<KerasTensor: shape={shape} dtype={self.dtype.name}{self._origin()}>"
            )
        return f"<KerasTensor: type_spec={self._type_spec}{self._origin()}>"

    def __str__(self):
        origin = self._origin().strip()[1:-1]
        desc = f', description="{origin}"' if origin else ""
        return f"KerasTensor(type_spec={self._type_spec}, name='{self._name}'{desc})"

    def __len__(self):
        raise TypeError(
            "Keras symbolic inputs/outputs do not implement `__len__`: they stand for "
            "tensors whose batch size is not known while the model is being built."
        )

    def __bool__(self):
        raise TypeError(
            "A KerasTensor cannot be used as a Python bool: it holds no value during "
            "functional model construction. Wrap the logic in a layer's `call`."
        )

    def __iter__(self):
        raise TypeError(f"Cannot iterate over a KerasTensor of shape {self.shape}.")

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            f"You are passing {self!r}, an intermediate Keras symbolic input/output, to "
            "a function that needs a real value (NumPy or a TF API that does not "
            "dispatch). Wrap the call in a custom layer or a `Lambda` layer."
        )

    __hash__ = object.__hash__


class _Ref:
    """Hashable wrapper returned by `KerasTensor.ref()`."""

    def __init__(self, tensor):
        self._tensor = tensor

    def deref(self):
        return self._tensor

    def __hash__(self):
        return id(self._tensor)

    def __eq__(self, other):
        return isinstance(other, _Ref) and other._tensor is self._tensor


def _overload_operators() -> None:
    # Metaprogramming: borrow tf.Tensor's operator methods. Each calls a
    # dispatch-enabled TF op, which fails to convert the KerasTensor and falls
    # through to the op dispatcher that layers/tf_op_layer.py registers.
    for op in tf.Tensor.OVERLOADABLE_OPERATORS:
        if op in ("__eq__", "__ne__"):
            continue  # identity comparison keeps KerasTensors usable in dicts/lists
        method = getattr(tf.Tensor, op, None)
        if method is not None:
            setattr(KerasTensor, op, method)


_overload_operators()


def _refuse_conversion(value, dtype=None, name=None, as_ref=False):
    raise TypeError(
        f"You are passing {value!r}, an intermediate Keras symbolic input/output, to a "
        "TF API that does not allow registering custom dispatchers, such as "
        "`tf.cond` or `tf.while_loop`. Wrap the call in a custom layer or a `Lambda`."
    )


tf.register_tensor_conversion_function(KerasTensor, _refuse_conversion)


def is_keras_tensor(x) -> bool:
    """Whether `x` is a `KerasTensor`."""
    return isinstance(x, KerasTensor)


def any_keras_tensors(structure) -> bool:
    """Whether a nested structure holds at least one `KerasTensor`."""
    return any(isinstance(x, KerasTensor) for x in tf.nest.flatten(structure))


def _placeholder(spec: tf.TensorSpec):
    return tf.raw_ops.Placeholder(dtype=spec.dtype, shape=spec.shape)


def to_placeholder(x):
    """Replaces a KerasTensor by a graph placeholder of the same spec (others pass)."""
    if not isinstance(x, KerasTensor):
        return x
    spec = x.type_spec
    components = tf.nest.flatten(spec, expand_composites=True)
    return tf.nest.pack_sequence_as(
        spec, [_placeholder(c) for c in components], expand_composites=True
    )


def from_tensor(t, name: str | None = None):
    """Wraps a graph tensor's spec as a KerasTensor; non-tensors pass through."""
    if isinstance(t, KerasTensor):
        return t
    if isinstance(t, tf.Tensor):
        spec = tf.TensorSpec(t.shape, t.dtype)
    elif isinstance(t, tf.__internal__.CompositeTensor):
        spec = tf.type_spec_from_value(t)
    else:
        return t
    return KerasTensor(spec, name=name or getattr(t, "name", None))
