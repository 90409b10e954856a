"""Weight regularizers: callables that turn a weight tensor into a penalty scalar.

Mirrors Keras 2's `regularizers.py` (`Regularizer`, `L1`, `L2`, `L1L2`,
`OrthogonalRegularizer`, the `l1`/`l2`/`l1_l2` shortcuts, `get`, `serialize`,
`deserialize`). A layer given `kernel_regularizer=` calls it on the weight and adds
the result to `layer.losses`, which `fit` adds to the loss.

Factors are stored as `floatx` NumPy scalars (so `get_config()` shows
`0.009999999776482582` for 0.01, exactly as Keras 2 writes it), and `L2` uses
`2 * l2 * tf.nn.l2_loss(x)`, which equals `l2 * sum(x ** 2)`.

>>> import tensorflow as tf
>>> float(L1L2(l1=0.5, l2=0.25)(tf.constant([1.0, -2.0])))
2.75
>>> serialize(get("l2"))["config"]
{'l2': 0.009999999776482582}
"""

import math

import tensorflow as tf

from kengine import backend
from kengine.utils import object_registry, serialization

__all__ = [
    "Regularizer",
    "L1",
    "L2",
    "L1L2",
    "OrthogonalRegularizer",
    "l1",
    "l2",
    "l1_l2",
    "orthogonal_regularizer",
    "serialize",
    "deserialize",
    "get",
]


def _check_penalty_number(x) -> None:
    if not isinstance(x, float | int):
        raise ValueError(
            f"Value {x} is not a valid regularization penalty number, "
            "expected an int or float value."
        )
    if math.isinf(x) or math.isnan(x):
        raise ValueError(
            f"Value {x} is not a valid regularization penalty number, "
            "an infinite number or NaN are not valid values."
        )


class Regularizer:
    """Base class: subclasses implement `__call__(x)` and `get_config()`."""

    def __call__(self, x):
        """Returns the penalty for weight `x` (0 for the base class)."""
        return 0.0

    def get_config(self) -> dict:
        """Returns the constructor arguments as a JSON-compatible dict."""
        raise NotImplementedError(f"{self} does not implement get_config()")

    @classmethod
    def from_config(cls, config: dict):
        """Rebuilds the regularizer from `get_config()` output."""
        return cls(**config)


class L1L2(Regularizer):
    """`l1 * sum(|x|) + l2 * sum(x ** 2)`.

    Args:
        l1: L1 factor (None means 0).
        l2: L2 factor (None means 0).

    Raises:
        ValueError: if a factor is not a finite number.
    """

    def __init__(self, l1=0.0, l2=0.0):
        l1 = 0.0 if l1 is None else l1
        l2 = 0.0 if l2 is None else l2
        _check_penalty_number(l1)
        _check_penalty_number(l2)
        self.l1 = backend.cast_to_floatx(l1)
        self.l2 = backend.cast_to_floatx(l2)

    def __call__(self, x):
        penalty = tf.constant(0.0, dtype=x.dtype)
        if self.l1:
            penalty += self.l1 * tf.reduce_sum(tf.abs(x))
        if self.l2:
            penalty += 2.0 * self.l2 * tf.nn.l2_loss(x)
        return penalty

    def get_config(self) -> dict:
        return {"l1": float(self.l1), "l2": float(self.l2)}


def _factor_with_legacy_name(value, kwargs: dict):
    """Reads the factor, accepting Keras 1's `l=` spelling."""
    value = kwargs.pop("l", value)
    if kwargs:
        raise TypeError(f"Argument(s) not recognized: {kwargs}")
    value = 0.01 if value is None else value
    _check_penalty_number(value)
    return backend.cast_to_floatx(value)


class L1(Regularizer):
    """`l1 * sum(|x|)`.

    Args:
        l1: the factor (default 0.01).
    """

    def __init__(self, l1=0.01, **kwargs):
        self.l1 = _factor_with_legacy_name(l1, kwargs)

    def __call__(self, x):
        return self.l1 * tf.reduce_sum(tf.abs(x))

    def get_config(self) -> dict:
        return {"l1": float(self.l1)}


class L2(Regularizer):
    """`l2 * sum(x ** 2)`.

    Args:
        l2: the factor (default 0.01).
    """

    def __init__(self, l2=0.01, **kwargs):
        self.l2 = _factor_with_legacy_name(l2, kwargs)

    def __call__(self, x):
        return 2.0 * self.l2 * tf.nn.l2_loss(x)

    def get_config(self) -> dict:
        return {"l2": float(self.l2)}


class OrthogonalRegularizer(Regularizer):
    """Penalises non-orthogonal rows (or columns) of a 2D weight.

    The penalty is `factor * 0.5 * mean over pairs |<u_i, u_j>|` of the
    L2-normalised rows (or columns) `u`.

    Args:
        factor: the factor (default 0.01).
        mode: `"rows"` or `"columns"`.

    Raises:
        ValueError: for another mode, or when called on a non-2D tensor.
    """

    def __init__(self, factor=0.01, mode="rows"):
        _check_penalty_number(factor)
        self.factor = backend.cast_to_floatx(factor)
        if mode not in {"rows", "columns"}:
            raise ValueError(
                "Invalid value for argument `mode`. Expected one of "
                f'{{"rows", "columns"}}. Received: mode={mode}'
            )
        self.mode = mode

    def __call__(self, inputs):
        if inputs.shape.rank != 2:
            raise ValueError(
                "Inputs to OrthogonalRegularizer must have rank 2. Received: "
                f"inputs.shape == {inputs.shape}"
            )
        axis = 1 if self.mode == "rows" else 0
        units = tf.math.l2_normalize(inputs, axis=axis)
        if self.mode == "columns":
            units = tf.transpose(units)
        product = tf.matmul(units, units, transpose_b=True)
        size = units.shape[0]
        off_diagonal = product * (1.0 - tf.eye(size, dtype=inputs.dtype))
        num_pairs = size * (size - 1.0) / 2.0
        return self.factor * 0.5 * tf.reduce_sum(tf.abs(off_diagonal)) / num_pairs

    def get_config(self) -> dict:
        return {"factor": float(self.factor), "mode": self.mode}


def l1_l2(l1=0.01, l2=0.01) -> L1L2:
    """Returns `L1L2(l1, l2)` with Keras 2's defaults of 0.01 for both."""
    return L1L2(l1=l1, l2=l2)


# Keras 2 exports the classes under lower-case names too.
l1 = L1
l2 = L2
orthogonal_regularizer = OrthogonalRegularizer


def _module_objects() -> dict:
    return object_registry.builtin_objects("regularizer")


def serialize(regularizer: Regularizer | None, use_legacy_format: bool = False):
    """Returns the Keras 2 config dict of a regularizer (None for None)."""
    return serialization.serialize_keras_object(regularizer)


def deserialize(
    config, custom_objects: dict | None = None, use_legacy_format: bool = False
) -> Regularizer:
    """Rebuilds a regularizer from a config dict or a name (`"l2"`, `"l1_l2"`).

    Raises:
        ValueError: if the name is unknown.
    """
    if config == "l1_l2":
        # A function, not a class, in Keras 2: the name means its defaults.
        return L1L2(l1=0.01, l2=0.01)
    return serialization.deserialize_builtin(
        config, "regularizer", custom_objects, what="regularizer"
    )


def get(identifier):
    """Resolves what layers accept as `kernel_regularizer=` to a regularizer.

    Args:
        identifier: None, a name, a config dict or a callable.

    Returns:
        A regularizer (or None for None).

    Raises:
        ValueError: if `identifier` cannot be interpreted or the name is unknown.
    """
    return serialization.get_builtin(
        identifier, deserialize, what="regularizer", default=None
    )


object_registry.register_builtins(
    "regularizer",
    {
        "Regularizer": Regularizer,
        "L1": L1,
        "L2": L2,
        "L1L2": L1L2,
        "OrthogonalRegularizer": OrthogonalRegularizer,
        "l1": L1,
        "l2": L2,
        "orthogonal_regularizer": OrthogonalRegularizer,
    },
)
