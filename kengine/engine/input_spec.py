"""`InputSpec`: what a layer accepts, checked on every call before `build` and `call`.

Mirrors Keras 2's `engine/input_spec.py` (`InputSpec`, `assert_input_compatibility`).
A layer sets `self.input_spec` (one spec, or a list with one per input); `__call__`
checks each input's rank, dtype and the sizes of named axes against it, and raises a
`ValueError` naming the layer, what it expected and the full shape it received.

>>> import tensorflow as tf
>>> spec = InputSpec(ndim=4)
>>> assert_input_compatibility(spec, tf.zeros((2, 3, 4)), "conv2d")
Traceback (most recent call last):
...
ValueError: Input 0 of layer "conv2d" is incompatible with the layer: expected ndim=4, found ndim=3. Full shape received: (2, 3, 4). (The batch axis may be missing.)
"""

import tensorflow as tf

__all__ = ["InputSpec", "assert_input_compatibility"]


class InputSpec:
    """Specifies the rank, dtype and shape of every input to a layer.

    Args:
        dtype: expected dtype of the input.
        shape: expected shape tuple (None for any size on an axis).
        ndim: expected rank.
        max_ndim: maximum rank.
        min_ndim: minimum rank.
        axes: dict mapping axis index to its expected size.
        allow_last_axis_squeeze: accept a rank off by one when the extra (or
            missing) last axis has size 1; other ranks still raise.
        name: the input's name, for dict inputs.
        optional: whether the input may be None.
    """

    def __init__(
        self,
        dtype=None,
        shape=None,
        ndim=None,
        max_ndim=None,
        min_ndim=None,
        axes=None,
        allow_last_axis_squeeze=False,
        name=None,
        optional=False,
    ):
        self.dtype = tf.as_dtype(dtype).name if dtype is not None else None
        shape = tf.TensorShape(shape)
        self.shape = tuple(shape.as_list()) if shape.rank is not None else None
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.name = name
        self.optional = optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        if self.axes and (self.ndim is not None or self.max_ndim is not None):
            top = (self.ndim if self.ndim is not None else self.max_ndim) - 1
            if self.axes and max(self.axes) > top:
                raise ValueError(
                    f"Axis {max(self.axes)} is greater than the maximum allowed value: {top}"
                )

    def __repr__(self):
        parts = [
            f"{k}={v}"
            for k, v in (
                ("dtype", self.dtype),
                ("shape", self.shape),
                ("ndim", self.ndim),
                ("max_ndim", self.max_ndim),
                ("min_ndim", self.min_ndim),
                ("axes", self.axes or None),
            )
            if v is not None
        ]
        return f"InputSpec({', '.join(parts)})"

    def get_config(self) -> dict:
        """Returns the spec's constructor arguments."""
        return {
            "dtype": self.dtype,
            "shape": self.shape,
            "ndim": self.ndim,
            "max_ndim": self.max_ndim,
            "min_ndim": self.min_ndim,
            "axes": self.axes,
        }

    @classmethod
    def from_config(cls, config: dict) -> "InputSpec":
        """Creates a spec from `get_config()` output."""
        return cls(**config)


def _shape_str(shape: tf.TensorShape) -> str:
    return str(tuple(shape.as_list())) if shape.rank is not None else "<unknown>"


def _squeezed_dims(spec: InputSpec, dims: list) -> list | None:
    """The dims to compare with `spec.shape` for a rank off by one, or None.

    With `allow_last_axis_squeeze`, Keras 2 lets an input of rank N+1 through when
    its last axis is 1, and one of rank N-1 when the spec's last axis is 1 (the
    Functional model then squeezes or expands that axis). Any other rank is an
    error; Keras 2's own shape comparison is lenient there and lets
    `(2, 3, 4)` reach a model built for `(None, 4)`.
    """
    if not spec.allow_last_axis_squeeze:
        return None
    if len(dims) == spec.ndim + 1 and dims[-1] == 1:
        return dims[:-1]
    if len(dims) == spec.ndim - 1:
        if spec.shape is None:
            return dims  # only the rank is known: Keras 2 accepts it
        if spec.shape[-1] == 1:
            return [*dims, 1]
    return None


def _check_rank(spec: InputSpec, dims: list | None, prefix: str, full: str):
    """Checks ndim/min_ndim/max_ndim; returns the dims to compare with `spec.shape`."""
    rank = None if dims is None else len(dims)
    if spec.ndim is not None and rank is not None and rank != spec.ndim:
        squeezed = _squeezed_dims(spec, dims)
        if squeezed is None:
            hint = " (The batch axis may be missing.)" if rank == spec.ndim - 1 else ""
            if spec.allow_last_axis_squeeze and spec.shape is not None:
                # A model's input: name the shape it was built for, as Keras 2 does.
                raise ValueError(
                    f"{prefix}expected shape={spec.shape}, found shape="
                    f"{_shape_str(tf.TensorShape(dims))}.{hint}"
                )
            raise ValueError(
                f"{prefix}expected ndim={spec.ndim}, found ndim={rank}. {full}.{hint}"
            )
        dims = squeezed
    if spec.max_ndim is not None and rank is not None and rank > spec.max_ndim:
        raise ValueError(
            f"{prefix}expected max_ndim={spec.max_ndim}, found ndim={rank}. {full}"
        )
    if spec.min_ndim is not None and rank is not None and rank < spec.min_ndim:
        raise ValueError(
            f"{prefix}expected min_ndim={spec.min_ndim}, found ndim={rank}. {full}"
        )
    return dims


def _check_one(spec: InputSpec, x, index: int, layer_name: str) -> None:
    shape = tf.TensorShape(getattr(x, "shape", None))
    prefix = f'Input {index} of layer "{layer_name}" is incompatible with the layer: '
    full = f"Full shape received: {_shape_str(shape)}"
    dims = shape.as_list() if shape.rank is not None else None
    compared = _check_rank(spec, dims, prefix, full)
    dtype = getattr(x, "dtype", None)
    if (
        spec.dtype is not None
        and dtype is not None
        and tf.as_dtype(dtype).name != spec.dtype
    ):
        raise ValueError(
            f"{prefix}expected dtype={spec.dtype}, found dtype={tf.as_dtype(dtype).name}"
        )
    if dims is None:
        return
    rank = len(dims)
    for axis, size in spec.axes.items():
        if size is None or not -rank <= axis < rank:
            continue
        if dims[axis] not in (size, None):
            raise ValueError(
                f"{prefix}expected axis {axis} of input shape to have value {size}, "
                f"but received input with shape {_shape_str(shape)}"
            )
    if spec.shape is not None and len(spec.shape) == len(compared):
        for want, got in zip(spec.shape, compared):
            if want is not None and got is not None and want != got:
                raise ValueError(
                    f"{prefix}expected shape={spec.shape}, found shape={_shape_str(shape)}"
                )


def assert_input_compatibility(input_spec, inputs, layer_name: str) -> None:
    """Checks `inputs` against a layer's `input_spec`.

    Args:
        input_spec: an `InputSpec`, a list of them, or None.
        inputs: the (nested) inputs of the call.
        layer_name: the layer's name, for error messages.

    Raises:
        ValueError: naming the layer, the expectation and the received shape.
    """
    if not input_spec:
        return
    specs = tf.nest.flatten(input_spec)
    if isinstance(inputs, dict) and any(s.name for s in specs if s is not None):
        flat = [inputs.get(s.name) for s in specs]
    else:
        flat = tf.nest.flatten(inputs)
    if len(flat) != len(specs):
        raise ValueError(
            f'Layer "{layer_name}" expects {len(specs)} input(s), but it received '
            f"{len(flat)} input tensors. Inputs received: {flat}"
        )
    for index, (spec, x) in enumerate(zip(specs, flat)):
        if spec is not None and x is not None:
            _check_one(spec, x, index, layer_name)
