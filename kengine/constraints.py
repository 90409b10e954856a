"""Weight constraints: callables applied to a weight after each optimizer update.

Mirrors Keras 2's `constraints.py` (`Constraint`, `MaxNorm`, `NonNeg`, `UnitNorm`,
`MinMaxNorm`, `RadialConstraint`, their snake_case aliases, `get`, `serialize`,
`deserialize`). A layer given `kernel_constraint=` hands it to `add_weight`; the
optimizer assigns `constraint(variable)` back after applying the gradient.

Norms are taken along `axis` (0 by default: for a Dense kernel `(input_dim,
units)` that is the incoming weight vector of each unit), with `epsilon()` added
to the denominator as Keras 2 does.

>>> import tensorflow as tf
>>> MaxNorm(max_value=1.0)(tf.constant([[3.0], [4.0]])).numpy().round(3)
array([[0.6],
       [0.8]], dtype=float32)
"""

import tensorflow as tf

from kengine import backend
from kengine.utils import object_registry, serialization

__all__ = [
    "Constraint",
    "MaxNorm",
    "NonNeg",
    "UnitNorm",
    "MinMaxNorm",
    "RadialConstraint",
    "max_norm",
    "non_neg",
    "unit_norm",
    "min_max_norm",
    "radial_constraint",
    "maxnorm",
    "nonneg",
    "unitnorm",
    "serialize",
    "deserialize",
    "get",
]


def _norms(w, axis):
    return tf.sqrt(tf.reduce_sum(tf.square(w), axis=axis, keepdims=True))


class Constraint:
    """Base class: `__call__(w)` returns the projected weight (identity here)."""

    def __call__(self, w):
        """Returns `w` projected onto the constraint set."""
        return w

    def get_config(self) -> dict:
        """Returns the constructor arguments as a JSON-compatible dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict):
        """Rebuilds the constraint from `get_config()` output."""
        return cls(**config)


class MaxNorm(Constraint):
    """Rescales weight vectors whose norm along `axis` exceeds `max_value`.

    Args:
        max_value: the largest allowed norm.
        axis: axis (or axes) along which norms are computed.
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = tf.clip_by_value(norms, 0, self.max_value)
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to 0."""

    def __call__(self, w):
        return w * tf.cast(tf.greater_equal(w, 0.0), backend.floatx())


class UnitNorm(Constraint):
    """Rescales weight vectors along `axis` to unit norm.

    Args:
        axis: axis (or axes) along which norms are computed.
    """

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return w / (backend.epsilon() + _norms(w, self.axis))

    def get_config(self) -> dict:
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves weight-vector norms into `[min_value, max_value]` at speed `rate`.

    Args:
        min_value: the smallest allowed norm.
        max_value: the largest allowed norm.
        rate: 1.0 clips the norm outright; smaller values move it part way.
        axis: axis (or axes) along which norms are computed.
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        clipped = tf.clip_by_value(norms, self.min_value, self.max_value)
        desired = self.rate * clipped + (1 - self.rate) * norms
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self) -> dict:
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


def _radial_source_index(size: int) -> list[list[int]]:
    """For each cell of a `size x size` kernel, the diagonal cell it copies.

    Keras 2 grows the kernel outwards from its middle one ring at a time: the
    middle (one cell, or 2x2 for an even size) copies diagonal cell
    `size // 2 - 1`, and ring `d` copies diagonal cell `size // 2 + d - 1` (odd
    size) or `size // 2 + d` (even size).
    """
    start = size // 2
    low, high = (start - 1, start) if size % 2 == 0 else (start, start)

    def ring(p: int) -> int:
        return max(low - p, p - high, 0)

    def source(d: int) -> int:
        if d == 0:
            return max(start - 1, 0)
        return start + d - (1 if size % 2 else 0)

    return [[source(max(ring(p), ring(q))) for q in range(size)] for p in range(size)]


class RadialConstraint(Constraint):
    """Makes each 2D slice of a `(k, k, channels, filters)` kernel radially symmetric.

    Raises:
        ValueError: if the weight is not rank 4.
    """

    def __call__(self, w):
        shape = w.shape
        if shape.rank is None or shape.rank != 4:
            raise ValueError(
                "The weight tensor must have rank 4. "
                f"Received weight tensor with shape: {shape}"
            )
        size = int(shape[0])
        diagonal = tf.stack([w[i, i] for i in range(size)])  # (size, channels, filters)
        return tf.gather(diagonal, tf.constant(_radial_source_index(size)))


# Keras 2 exports every class under its snake_case name, and Keras 1's spellings.
max_norm = maxnorm = MaxNorm
non_neg = nonneg = NonNeg
unit_norm = unitnorm = UnitNorm
min_max_norm = MinMaxNorm
radial_constraint = RadialConstraint


def _module_objects() -> dict:
    return object_registry.builtin_objects("constraint")


def serialize(constraint: Constraint | None, use_legacy_format: bool = False):
    """Returns the Keras 2 config dict of a constraint (None for None)."""
    return serialization.serialize_keras_object(constraint)


def deserialize(
    config, custom_objects: dict | None = None, use_legacy_format: bool = False
) -> Constraint:
    """Rebuilds a constraint from a config dict or a name.

    Raises:
        ValueError: if the class name is unknown.
    """
    return serialization.deserialize_builtin(
        config, "constraint", custom_objects, what="constraint"
    )


def get(identifier):
    """Resolves what layers accept as `kernel_constraint=` to a constraint.

    Args:
        identifier: None, a name (`"max_norm"`), a config dict or a callable.

    Returns:
        A constraint (or None for None).

    Raises:
        ValueError: if `identifier` cannot be interpreted or the name is unknown.
    """
    return serialization.get_builtin(
        identifier,
        deserialize,
        what="constraint function",
        default=None,
        names_are_classes=True,
    )


object_registry.register_builtins(
    "constraint", {n: globals()[n] for n in __all__ if isinstance(globals()[n], type)}
)
