"""Looking losses up by name: `get`, `serialize`, `deserialize`.

Mirrors the end of Keras 2's `losses.py` (`get`, `serialize`, `deserialize`,
`is_categorical_crossentropy`). Every public class and function of the loss
families is known by its name and aliases (`"mse"`, `"MeanSquaredError"`, ...);
`kengine.utils.serialization` does the lookup, so custom objects, registered
classes and safe mode work as for every other Keras object.

`get` follows Keras 2: a function name gives the function, a class name an
instance with default arguments, a config dict an instance of that config, and a
callable is returned as it is.

>>> get("mse").__name__
'mean_squared_error'
>>> get("MeanSquaredError").get_config()
{'reduction': 'auto', 'name': 'mean_squared_error', 'fn': 'mean_squared_error'}
>>> serialize(get("MeanSquaredError"))["class_name"]
'MeanSquaredError'
"""

import warnings

from kengine.losses import loss, margin, probabilistic, regression
from kengine.losses.loss import Loss
from kengine.utils import object_registry
from kengine.utils.serialization import (
    deserialize_builtin,
    get_builtin,
    serialize_keras_object,
)

__all__ = ["get", "serialize", "deserialize", "is_categorical_crossentropy"]


def _module_objects() -> dict:
    """Every public loss class and function, by its name and aliases."""
    return object_registry.builtin_objects("loss")


object_registry.register_builtins(
    "loss",
    {
        name: getattr(module, name)
        for module in (loss, regression, probabilistic, margin)
        for name in module.__all__
    },
)


def serialize(loss, use_legacy_format: bool = False):
    """Returns a loss's config dict (or a function's name).

    Args:
        loss: a `Loss` (or a loss function, which warns as in Keras 2).
        use_legacy_format: accepted for compatibility; the config is the same.

    Returns:
        `{"module", "class_name", "config", "registered_name"}`, a name, or None.
    """
    del use_legacy_format  # One format: the one tf_keras writes by default.
    if loss is None:
        return None
    if not isinstance(loss, Loss):
        warnings.warn(
            "The `keras.losses.serialize()` API should only be used for objects of "
            f"type `keras.losses.Loss`. Found an instance of type {type(loss)}, "
            "which may lead to improper serialization.",
            stacklevel=2,
        )
    return serialize_keras_object(loss)


def deserialize(name, custom_objects: dict | None = None, use_legacy_format=False):
    """Rebuilds a loss from `serialize`'s output or a name.

    Args:
        name: a config dict or a class/function name.
        custom_objects: user classes and functions by name.
        use_legacy_format: accepted for compatibility.

    Returns:
        A `Loss` instance or a loss function.

    Raises:
        ValueError: for an unknown name (`"Unknown loss function: 'bogus'..."`).
    """
    del use_legacy_format
    # A class named by a bare string is built with its defaults, as in Keras 2.
    return deserialize_builtin(name, "loss", custom_objects, what="loss function")


def get(identifier):
    """Returns a loss from a name, a config dict, or a callable.

    Args:
        identifier: None, a name (`"mse"`, `"MeanSquaredError"`), a config dict,
            a `Loss` or a function `fn(y_true, y_pred)`.

    Returns:
        The loss function or `Loss` instance (None for None).

    Raises:
        ValueError: if the identifier is unknown or of an unusable type.

    >>> get("bogus")
    Traceback (most recent call last):
    ...
    ValueError: Unknown loss function: 'bogus'. Please ensure ...
    """
    return get_builtin(identifier, deserialize, what="loss function", default=None)


def is_categorical_crossentropy(loss_obj) -> bool:
    """Whether `loss_obj` is categorical crossentropy in any of its forms."""
    cce = probabilistic.categorical_crossentropy
    return (
        isinstance(loss_obj, probabilistic.CategoricalCrossentropy)
        or (isinstance(loss_obj, loss.LossFunctionWrapper) and loss_obj.fn == cce)
        or getattr(loss_obj, "__name__", None) == "categorical_crossentropy"
        or loss_obj == "categorical_crossentropy"
    )
