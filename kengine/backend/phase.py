"""The learning phase, and the TF1 graph-mode names of `K.*` that TF2 retired.

Mirrors Keras 2's `backend.py` (`learning_phase`, `set_learning_phase`,
`learning_phase_scope`, `in_train_phase`, `in_test_phase`, `placeholder`,
`function`, `gradients`, `get_session`, `manual_variable_initialization`,
`name_scope`) as they behave in TF2:

- the learning phase is a process-wide value, 0 until `set_learning_phase`
  (deprecated, it warns) or `learning_phase_scope` sets it; `in_train_phase(x,
  alt, training)` picks `x` or `alt` by `training`, else by that value. Layers
  take `training=` in their `call` instead, and kengine's layers do not read
  the global phase.
- the graph-mode entry points (`placeholder`, `function`, `gradients`,
  `get_session`) raise a `RuntimeError` that says what to write instead:
  TF2 code builds models from `Input` and runs them eagerly or in `tf.function`.

>>> in_train_phase(lambda: "train", lambda: "test", training=True)
'train'
>>> learning_phase()
0
"""

import contextlib
import warnings

import tensorflow as tf

from kengine.backend.common import switch

__all__ = [
    "learning_phase",
    "set_learning_phase",
    "learning_phase_scope",
    "in_train_phase",
    "in_test_phase",
    "placeholder",
    "function",
    "gradients",
    "get_session",
    "manual_variable_initialization",
    "name_scope",
]

_DEPRECATED = (
    "is deprecated and will be removed after 2020-10-11. To update it, simply "
    "pass a True/False value to the `training` argument of the `__call__` method "
    "of your layer or model."
)


class _Phase:
    """The process-wide learning phase (None: never set, which reads as 0)."""

    value = None
    manual_variable_initialization = False


def learning_phase():
    """The learning phase: 0 (test) unless set to 1 (train) or 0 explicitly."""
    return 0 if _Phase.value is None else _Phase.value


def _check_phase(value) -> None:
    if value not in (0, 1):
        raise ValueError(
            f"Expected learning phase to be 0 or 1. Received: value={value!r}"
        )


def set_learning_phase(value) -> None:
    """Sets the learning phase to 0 or 1 (deprecated; warns as Keras 2 does).

    Raises:
        ValueError: if `value` is neither 0 nor 1.
    """
    warnings.warn("`keras.backend.set_learning_phase` " + _DEPRECATED, stacklevel=2)
    _check_phase(value)
    _Phase.value = value


@contextlib.contextmanager
def learning_phase_scope(value):
    """Sets the learning phase inside a `with` block (deprecated; warns).

    Raises:
        ValueError: if `value` is neither 0 nor 1.
    """
    warnings.warn("`keras.backend.learning_phase_scope` " + _DEPRECATED, stacklevel=3)
    _check_phase(value)
    previous, _Phase.value = _Phase.value, value
    try:
        yield
    finally:
        _Phase.value = previous


def in_train_phase(x, alt, training=None):
    """`x` in the training phase, `alt` otherwise (callables are called).

    Args:
        x: what to return when training (a value or a zero-argument callable).
        alt: what to return otherwise.
        training: a Python bool/int or a scalar boolean tensor; None reads
            `learning_phase()` (kengine does not read a layer's call context
            here: pass the `training` argument your `call` received).

    Returns:
        `x` or `alt`; for a tensor `training`, a tensor choosing between them.
    """
    if training is None:
        training = learning_phase()
    if not tf.is_tensor(training):
        if training == 1 or training is True:
            return x() if callable(x) else x
        if training == 0 or training is False:
            return alt() if callable(alt) else alt
    return switch(training, x, alt)


def in_test_phase(x, alt, training=None):
    """`x` in the test phase, `alt` when training (see `in_train_phase`)."""
    return in_train_phase(alt, x, training=training)


def _graph_mode_only(name: str, instead: str) -> RuntimeError:
    return RuntimeError(
        f"`K.{name}` belongs to TensorFlow 1 graph mode, which kengine does not "
        f"have (TF2 runs eagerly or in `tf.function`). {instead}"
    )


def placeholder(
    shape=None, ndim=None, dtype=None, sparse=False, name=None, ragged=False
):
    """Not available in TF2 code: raises, pointing to `Input`.

    Raises:
        RuntimeError: always.
    """
    raise _graph_mode_only(
        "placeholder",
        "Create a symbolic input with `kengine.Input(shape=..., dtype=...)`. "
        f"Received: shape={shape}, ndim={ndim}, dtype={dtype}, sparse={sparse}, "
        f"name={name}, ragged={ragged}",
    )


def function(inputs, outputs, updates=None, name=None, **kwargs):
    """Not available in TF2 code: raises, pointing to `Model` and `tf.function`.

    Raises:
        RuntimeError: always.
    """
    raise _graph_mode_only(
        "function",
        "Build `kengine.Model(inputs, outputs)` and call it, or wrap a Python "
        "function in `tf.function`.",
    )


def gradients(loss, variables):
    """Not available in TF2 code: raises, pointing to `tf.GradientTape`.

    Raises:
        RuntimeError: always.
    """
    raise _graph_mode_only(
        "gradients",
        "Record the loss under `with tf.GradientTape() as tape:` and call "
        "`tape.gradient(loss, variables)`.",
    )


def get_session(op_input_list=()):
    """Not available in TF2 code: there is no session to return.

    Raises:
        RuntimeError: always.
    """
    raise _graph_mode_only(
        "get_session",
        "Tensors have values eagerly (`tensor.numpy()`); read a variable with "
        "`K.get_value(v)` and set it with `K.set_value(v, value)`.",
    )


def manual_variable_initialization(value) -> None:
    """Records the flag; TF2 variables are initialized when created, so it has no effect."""
    _Phase.manual_variable_initialization = bool(value)


def name_scope(name):
    """A `tf.name_scope` context manager."""
    return tf.name_scope(name)
