"""The everyday part of `K`: float type, epsilon, name counters, `clear_session`, math.

Mirrors the public corner of Keras 2's `backend.py` (`floatx`, `set_floatx`,
`epsilon`, `set_epsilon`, `image_data_format`, `get_uid`, `unique_object_name`,
`clear_session`, `mean`, `sum`, ...). Keras 2 keeps one name counter per graph; in
TF2 there is one eager context, so kengine keeps one process-wide counter per
prefix, which `clear_session()` resets. The math helpers are thin wrappers over
`tf.*` with Keras 2's argument names (`axis`, `keepdims`) so user code written as
`K.mean(K.square(y_pred - y_true), axis=-1)` runs unchanged.

>>> from kengine import backend as K
>>> K.clear_session()
>>> K.unique_object_name("dense"), K.unique_object_name("dense")
('dense', 'dense_1')
"""

import collections

import numpy as np
import tensorflow as tf

from kengine.engine.keras_tensor import KerasTensor

__all__ = [
    "floatx",
    "set_floatx",
    "epsilon",
    "set_epsilon",
    "image_data_format",
    "set_image_data_format",
    "get_uid",
    "reset_uids",
    "unique_object_name",
    "clear_session",
    "backend",
    "is_keras_tensor",
    "cast_to_floatx",
    "mean",
    "sum",
    "square",
    "sqrt",
    "abs",
    "maximum",
    "minimum",
    "cast",
    "equal",
    "not_equal",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "argmax",
    "argmin",
    "max",
    "min",
    "prod",
    "std",
    "var",
    "log",
    "exp",
    "pow",
    "clip",
    "round",
    "sign",
    "zeros",
    "ones",
    "zeros_like",
    "ones_like",
    "constant",
    "variable",
    "get_value",
    "set_value",
    "batch_get_value",
    "batch_set_value",
    "shape",
    "int_shape",
    "ndim",
    "dtype",
    "reshape",
    "flatten",
    "concatenate",
    "stack",
    "expand_dims",
    "squeeze",
    "transpose",
    "dot",
    "batch_dot",
    "sigmoid",
    "softmax",
    "relu",
    "tanh",
    "softplus",
    "all",
    "any",
    "eval",
    "switch",
]

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_UIDS: collections.defaultdict = collections.defaultdict(int)


def floatx() -> str:
    """Returns the default float type, as a string (`"float32"`)."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Sets the default float type.

    Raises:
        ValueError: if `value` is not one of float16, bfloat16, float32, float64.
    """
    global _FLOATX
    allowed = {"float16", "bfloat16", "float32", "float64"}
    if value not in allowed:
        raise ValueError(
            f"Unknown floatx type: {value!r}. Expected one of {sorted(allowed)}."
        )
    _FLOATX = str(value)


def epsilon() -> float:
    """Returns the fuzz factor used in numeric expressions (`1e-7`)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Sets the fuzz factor used in numeric expressions."""
    global _EPSILON
    _EPSILON = float(value)


def image_data_format() -> str:
    """Returns the default image data format, `"channels_last"`."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format: str) -> None:
    """Sets the default image data format.

    Raises:
        ValueError: if `data_format` is not channels_first or channels_last.
    """
    global _IMAGE_DATA_FORMAT
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError(
            "Expected data_format to be 'channels_first' or 'channels_last'. "
            f"Received: data_format={data_format!r}"
        )
    _IMAGE_DATA_FORMAT = str(data_format)


def get_uid(prefix: str = "") -> int:
    """Returns 1, 2, 3, ... on successive calls with the same prefix."""
    _UIDS[prefix] += 1
    return _UIDS[prefix]


def reset_uids() -> None:
    """Forgets every name counter."""
    _UIDS.clear()


def unique_object_name(name: str, zero_based: bool = True) -> str:
    """Returns `name`, then `name_1`, `name_2`, ... (Keras 2's layer naming)."""
    count = get_uid(name)
    if zero_based:
        count -= 1
    return name if count == 0 else f"{name}_{count}"


def clear_session() -> None:
    """Resets name counters and frees what Keras state holds on to.

    Layer names restart at `dense`, `dense_1`, ... after this call, as in Keras 2.
    """
    reset_uids()


def is_keras_tensor(x) -> bool:
    """Returns whether `x` is a symbolic `KerasTensor` made by functional construction."""
    return isinstance(x, KerasTensor)


def cast_to_floatx(x):
    """Casts a NumPy array or Python number to `floatx()`."""
    return np.asarray(x, dtype=_FLOATX)


def mean(x, axis=None, keepdims=False):
    """Mean of a tensor along `axis` (booleans are averaged as floats)."""
    x = tf.convert_to_tensor(x)
    if x.dtype.is_bool:
        x = tf.cast(x, floatx())
    return tf.reduce_mean(x, axis=axis, keepdims=keepdims)


def sum(x, axis=None, keepdims=False):  # noqa: A001 - Keras 2 name
    """Sum of a tensor along `axis`."""
    return tf.reduce_sum(x, axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001 - Keras 2 name
    """Maximum of a tensor along `axis`."""
    return tf.reduce_max(x, axis=axis, keepdims=keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001 - Keras 2 name
    """Minimum of a tensor along `axis`."""
    return tf.reduce_min(x, axis=axis, keepdims=keepdims)


def prod(x, axis=None, keepdims=False):
    """Product of a tensor along `axis`."""
    return tf.reduce_prod(x, axis=axis, keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    """Variance of a tensor along `axis`."""
    return tf.math.reduce_variance(x, axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    """Standard deviation of a tensor along `axis`."""
    return tf.math.reduce_std(x, axis=axis, keepdims=keepdims)


def all(x, axis=None, keepdims=False):  # noqa: A001 - Keras 2 name
    """Logical AND along `axis`."""
    return tf.reduce_all(tf.cast(x, tf.bool), axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001 - Keras 2 name
    """Logical OR along `axis`."""
    return tf.reduce_any(tf.cast(x, tf.bool), axis=axis, keepdims=keepdims)


def argmax(x, axis=-1):
    """Index of the maximum along `axis` (default: last)."""
    return tf.argmax(x, axis)


def argmin(x, axis=-1):
    """Index of the minimum along `axis` (default: last)."""
    return tf.argmin(x, axis)


def clip(x, min_value, max_value):
    """Clips values to `[min_value, max_value]`; `max_value=None` means no upper bound."""
    if max_value is not None and max_value < min_value:
        max_value = min_value
    if max_value is None:
        max_value = np.inf
    return tf.clip_by_value(x, min_value, max_value)


def pow(x, a):  # noqa: A001 - Keras 2 name
    """Element-wise `x ** a`."""
    return tf.pow(x, a)


def dot(x, y):
    """Matrix product of `x` and `y` (rank >= 2), as Keras 2's `K.dot`."""
    if x.shape.rank is not None and x.shape.rank > 2:
        return tf.tensordot(x, y, axes=[[x.shape.rank - 1], [0]])
    return tf.matmul(x, y)


def batch_dot(x, y, axes=None):
    """Batch-wise dot product of rank-2 or rank-3 tensors (Keras 2 `K.batch_dot`).

    Rank 2: sums `x * y` over the feature axis, keeping it as size 1. Rank 3:
    contracts `axes[0]` of `x` with `axes[1]` of `y` (default `(2, 1)`).
    """
    if isinstance(axes, int):
        axes = (axes, axes)
    if x.shape.rank == 2 and y.shape.rank == 2:
        return tf.reduce_sum(x * y, axis=axes[0] if axes else 1, keepdims=True)
    axes = axes or (2, 1)
    return tf.matmul(x, y, transpose_a=axes[0] == 1, transpose_b=axes[1] == 2)


def int_shape(x):
    """Static shape of a tensor or variable as a tuple of ints/None."""
    return tuple(x.shape.as_list()) if hasattr(x.shape, "as_list") else tuple(x.shape)


def ndim(x) -> int:
    """Rank of a tensor."""
    return x.shape.rank


def dtype(x) -> str:
    """Dtype name of a tensor (`"float32"`)."""
    return x.dtype.name


def variable(value, dtype=None, name=None, constraint=None):
    """Creates a `tf.Variable` of `floatx()` (or `dtype`) holding `value`."""
    return tf.Variable(value, dtype=dtype or floatx(), name=name, constraint=constraint)


def constant(value, dtype=None, shape=None, name=None):
    """Creates a constant tensor of `floatx()` (or `dtype`)."""
    return tf.constant(value, dtype=dtype or floatx(), shape=shape, name=name)


def get_value(x):
    """NumPy value of a variable or tensor."""
    return x.numpy()


def batch_get_value(tensors):
    """NumPy values of a list of variables or tensors."""
    return [get_value(t) for t in tensors]


def set_value(x, value):
    """Assigns a NumPy value to a variable."""
    x.assign(np.asarray(value, dtype=x.dtype.as_numpy_dtype))


def batch_set_value(tuples):
    """Assigns `(variable, value)` pairs."""
    for x, value in tuples:
        set_value(x, value)


def eval(x):  # noqa: A001 - Keras 2 name
    """NumPy value of a tensor (eager only)."""
    return get_value(tf.convert_to_tensor(x))


def switch(condition, then_expression, else_expression):
    """Picks `then_expression` or `else_expression` by `condition` (Keras 2 `K.switch`).

    A scalar condition chooses with `tf.cond`, and either expression may be a
    zero-argument callable; a tensor condition chooses element-wise, a condition
    of rank > 1 gaining trailing axes up to the expressions' rank (as Keras 2).

    Raises:
        ValueError: if the condition has a higher rank than the expressions.
    """
    condition = tf.cast(condition, tf.bool)
    if condition.shape.rank == 0:
        return tf.cond(
            condition,
            then_expression if callable(then_expression) else lambda: then_expression,
            else_expression if callable(else_expression) else lambda: else_expression,
        )
    if callable(then_expression):
        then_expression = then_expression()
    if callable(else_expression):
        else_expression = else_expression()
    then_expression = tf.convert_to_tensor(then_expression)
    extra = then_expression.shape.rank - condition.shape.rank
    if extra < 0:
        raise ValueError(
            "Rank of `condition` should be less than or equal to rank of "
            f"`then_expression` and `else_expression`. ndim(condition)="
            f"{condition.shape.rank}, ndim(then_expression)={then_expression.shape.rank}"
        )
    if condition.shape.rank > 1 and extra:
        condition = tf.reshape(
            condition, tf.concat([tf.shape(condition), [1] * extra], 0)
        )
    return tf.where(condition, then_expression, else_expression)


def flatten(x):
    """Flattens a tensor to rank 1."""
    return tf.reshape(x, [-1])


def concatenate(tensors, axis=-1):
    """Concatenates tensors along `axis`."""
    return tf.concat(tensors, axis)


def cast(x, dtype):
    """Casts a tensor to `dtype`."""
    return tf.cast(x, dtype)


def softmax(x, axis=-1):
    """Softmax along `axis`."""
    return tf.nn.softmax(x, axis=axis)


# One-liners with the same name as the tf function they call (their arguments
# keep TensorFlow's names where Keras 2's agree).
square = tf.square
sqrt = tf.sqrt
abs = tf.abs  # noqa: A001 - Keras 2 name
maximum = tf.maximum
minimum = tf.minimum
equal = tf.equal
not_equal = tf.not_equal
greater = tf.greater
greater_equal = tf.greater_equal
less = tf.less
less_equal = tf.less_equal
log = tf.math.log
exp = tf.exp
round = tf.round  # noqa: A001 - Keras 2 name
sign = tf.sign
sigmoid = tf.sigmoid
tanh = tf.tanh


def backend() -> str:
    """The name of the backend: always `"tensorflow"`."""
    return "tensorflow"


def zeros_like(x, dtype=None, name=None):
    """Zeros with the shape of `x`."""
    return tf.zeros_like(x, dtype=dtype, name=name)


def ones_like(x, dtype=None, name=None):
    """Ones with the shape of `x`."""
    return tf.ones_like(x, dtype=dtype, name=name)


def shape(x):
    """The dynamic shape of `x` as an int32 tensor."""
    return tf.shape(x)


def reshape(x, shape):  # noqa: A002 - Keras 2 argument name
    """`x` reshaped to `shape`."""
    return tf.reshape(x, shape)


def stack(x, axis=0):
    """Stacks the tensors of the list `x` along a new `axis`."""
    return tf.stack(x, axis=axis)


def expand_dims(x, axis=-1):
    """`x` with a new axis of size 1 at `axis` (default: last)."""
    return tf.expand_dims(x, axis)


def squeeze(x, axis):
    """`x` without the size-1 axis `axis`."""
    return tf.squeeze(x, [axis])


def transpose(x):
    """`x` with its axes reversed."""
    return tf.transpose(x)


def softplus(x):
    """`log(exp(x) + 1)`."""
    return tf.nn.softplus(x)


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit with Keras 2's options (leak, cap, threshold).

    `f(x) = max_value` for `x >= max_value`, `x` for `threshold <= x < max_value`,
    and `alpha * (x - threshold)` below the threshold. `activations.relu` calls
    this, as in Keras 2.
    """
    x = tf.convert_to_tensor(x)
    if alpha != 0.0 and max_value is None and threshold == 0:
        return tf.nn.leaky_relu(x, alpha=alpha)
    negative_part = None
    if alpha != 0.0:
        negative_part = tf.nn.relu(-x + threshold) if threshold != 0 else tf.nn.relu(-x)
    if threshold != 0:
        x = x * tf.cast(tf.greater(x, threshold), x.dtype)
    else:
        x = tf.nn.relu(x)
    if max_value is not None:
        x = tf.clip_by_value(x, tf.cast(0, x.dtype), tf.cast(max_value, x.dtype))
    if negative_part is not None:
        x -= tf.cast(alpha, x.dtype) * negative_part
    return x


def zeros(shape, dtype=None, name=None):
    """A tensor of zeros of `floatx()` (or `dtype`)."""
    return tf.zeros(shape, dtype=dtype or floatx(), name=name)


def ones(shape, dtype=None, name=None):
    """A tensor of ones of `floatx()` (or `dtype`)."""
    return tf.ones(shape, dtype=dtype or floatx(), name=name)
