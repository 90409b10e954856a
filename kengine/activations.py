"""Activation functions and the name <-> function lookup layers use.

Mirrors Keras 2's `activations.py` (`relu`, `softmax`, ..., `get`, `serialize`,
`deserialize`) and the activation corner of `backend.py` (`relu` with
`alpha`/`max_value`/`threshold`, `elu` with `alpha`, `softmax` over several axes).
Each activation is a plain function of a tensor built from `tf.*` ops.

Layers store an activation as a function and write it to their config as its
name (`"relu"`), so `get("relu")`, `get(None)` (-> `linear`) and `serialize(relu)`
round-trip. A user function is written as Keras 2 writes it,
`{"module": "builtins", "class_name": "function", "config": <name>, ...}`, and is
found again through `custom_objects` or `register_keras_serializable`.

`sigmoid` and `softmax` remember their input on the output as `_keras_logits`, as
Keras 2 does, so a crossentropy loss given probabilities can go back to the
logits and use the numerically stable formula.

>>> import tensorflow as tf
>>> relu(tf.constant([-2.0, 1.0, 8.0]), max_value=6.0).numpy()
array([0., 1., 6.], dtype=float32)
>>> get(None) is linear, serialize(get("relu"))
(True, 'relu')
"""

from collections.abc import Callable

import tensorflow as tf

from kengine import backend
from kengine.utils import object_registry, serialization

__all__ = [
    "softmax",
    "elu",
    "selu",
    "softplus",
    "softsign",
    "swish",
    "silu",
    "relu",
    "gelu",
    "tanh",
    "sigmoid",
    "exponential",
    "hard_sigmoid",
    "linear",
    "mish",
    "relu6",
    "leaky_relu",
    "log_softmax",
    "serialize",
    "deserialize",
    "get",
]


def softmax(x, axis=-1):
    """Softmax: exponentials normalised to sum to 1 along `axis`.

    Args:
        x: input tensor of rank >= 2.
        axis: an int or a tuple of ints, the axes to normalise over.

    Returns:
        A tensor like `x`, carrying the logits `x` as `_keras_logits`.

    Raises:
        ValueError: if `x` is 1D (there is no batch axis to keep apart).
    """
    x = tf.convert_to_tensor(x)
    if x.shape.rank is not None and x.shape.rank <= 1:
        raise ValueError(
            f"Cannot apply softmax to a tensor that is 1D. Received input: {x}"
        )
    if isinstance(axis, int):
        output = tf.nn.softmax(x, axis=axis)
    else:
        # tf.nn.softmax takes one axis only; normalise over a tuple by hand.
        shifted = tf.exp(x - tf.reduce_max(x, axis=axis, keepdims=True))
        output = shifted / tf.reduce_sum(shifted, axis=axis, keepdims=True)
    # Losses read this back to use the stable from_logits formula.
    output._keras_logits = x
    return output


def elu(x, alpha=1.0):
    """Exponential linear unit: `x` if `x > 0`, else `alpha * (exp(x) - 1)`."""
    result = tf.nn.elu(x)
    if alpha == 1:
        return result
    return tf.where(x > 0, result, alpha * result)


def selu(x):
    """Scaled exponential linear unit (`tf.nn.selu`)."""
    return tf.nn.selu(x)


def softplus(x):
    """`log(exp(x) + 1)`."""
    return tf.math.softplus(x)


def softsign(x):
    """`x / (abs(x) + 1)`."""
    return tf.math.softsign(x)


def swish(x):
    """Swish (SiLU): `x * sigmoid(x)`."""
    return tf.nn.silu(x)


# Keras 2 resolves "silu" to the same function, which serializes as "swish".
silu = swish


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit with Keras 2's optional leak, cap and threshold.

    `f(x) = max_value` for `x >= max_value`, `x` for `threshold <= x < max_value`,
    and `alpha * (x - threshold)` below the threshold.

    Args:
        x: input tensor.
        alpha: slope below the threshold.
        max_value: saturation value, or None for no cap.
        threshold: where the function switches from the leak to identity.

    Returns:
        A tensor like `x`.
    """
    return backend.relu(x, alpha=alpha, max_value=max_value, threshold=threshold)


def gelu(x, approximate=False):
    """Gaussian error linear unit; `approximate=True` uses the tanh formula."""
    return tf.nn.gelu(x, approximate)


def tanh(x):
    """Hyperbolic tangent."""
    return tf.tanh(x)


def sigmoid(x):
    """`1 / (1 + exp(-x))`, carrying the logits `x` as `_keras_logits`."""
    x = tf.convert_to_tensor(x)
    output = tf.sigmoid(x)
    # Losses read this back to use the stable from_logits formula.
    output._keras_logits = x
    return output


def exponential(x):
    """`exp(x)`."""
    return tf.exp(x)


def hard_sigmoid(x):
    """Piecewise-linear sigmoid: `clip(0.2 * x + 0.5, 0, 1)` (Keras 2's slope)."""
    x = tf.convert_to_tensor(x)
    x = x * tf.cast(0.2, x.dtype) + tf.cast(0.5, x.dtype)
    return tf.clip_by_value(x, tf.cast(0.0, x.dtype), tf.cast(1.0, x.dtype))


def linear(x):
    """The identity: returns `x` unchanged (the activation of `activation=None`)."""
    return x


def mish(x):
    """`x * tanh(softplus(x))`."""
    return x * tf.math.tanh(tf.math.softplus(x))


def relu6(x):
    """`min(max(x, 0), 6)`."""
    return tf.nn.relu6(x)


def leaky_relu(x, alpha=0.2):
    """`x` if `x > 0`, else `alpha * x` (TF's default slope, as Keras 2 exposes it)."""
    return tf.nn.leaky_relu(x, alpha=alpha)


def log_softmax(x, axis=-1):
    """`log(softmax(x))`, computed stably."""
    return tf.nn.log_softmax(x, axis=axis)


def _module_objects() -> dict:
    """Activations by name (and activation layers by class name, as Keras 2 allows).

    The functions register below; `layers/serialization.py` registers the
    activation layers (`ReLU`, `Softmax`, ...) under the same kind.
    """
    return object_registry.builtin_objects("activation")


def serialize(activation: Callable, use_legacy_format: bool = False):
    """Returns the config of an activation: its name for kengine's functions.

    Args:
        activation: a function or an activation layer.

    Returns:
        `"relu"` for built-in activations; for a user function, the Keras 2
        dict `{"module": "builtins", "class_name": "function", "config": name,
        "registered_name": "function"}`; for a layer, its serialized config.

    Raises:
        ValueError: for a Python `lambda`, which has no name to be found by.
    """
    name = getattr(activation, "__name__", None)
    # Any function named like a built-in (`tf.nn.relu` too) is written by that
    # name, as Keras 2 does, and reads back as kengine's own.
    if name in _module_objects() and not hasattr(activation, "get_config"):
        return name
    if callable(activation) and not hasattr(activation, "get_config"):
        if name is None or name == "<lambda>":
            raise ValueError(
                f"Cannot serialize the activation {activation!r}: a lambda has no "
                "name. Define it with `def` and register it with "
                "`keras.saving.register_keras_serializable()`."
            )
        return {
            "module": "builtins",
            "class_name": "function",
            "config": serialization.get_registered_name(activation),
            "registered_name": "function",
        }
    return serialization.serialize_keras_object(activation)


def deserialize(
    name, custom_objects: dict | None = None, use_legacy_format: bool = False
) -> Callable:
    """Returns the activation named by `name` (a string or a serialized dict).

    Args:
        name: `"relu"`, a registered name, or a dict written by `serialize`.
        custom_objects: user activations by name.

    Returns:
        The activation function (or activation layer).

    Raises:
        ValueError: if the name is unknown.
    """
    if isinstance(name, dict) and name.get("class_name") == "function":
        name = name.get("config")
    # A bare class name ("ReLU") means a default activation layer.
    return serialization.deserialize_builtin(
        name, "activation", custom_objects, what="activation function"
    )


def get(identifier) -> Callable:
    """Resolves what layers accept as `activation=` to a callable.

    Args:
        identifier: None (-> `linear`), a name, a serialized dict or a callable.

    Returns:
        A callable activation.

    Raises:
        TypeError: if `identifier` is none of these.
    """
    return serialization.get_builtin(
        identifier,
        deserialize,
        what="activation function",
        default=linear,
        error=TypeError,
    )


object_registry.register_builtins(
    "activation",
    {n: globals()[n] for n in __all__ if n not in ("serialize", "deserialize", "get")},
)
