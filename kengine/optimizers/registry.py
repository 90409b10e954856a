"""Looking optimizers up by name: `get`, `serialize`, `deserialize`.

Mirrors the functions of Keras 2's `optimizers/__init__.py` (`get`, `serialize`,
`deserialize`). Built-in names are matched case-insensitively ("adam", "Adam",
"ADAM"); everything else goes through `kengine.utils.serialization`, so custom
optimizers are found only when registered or passed as `custom_objects`.

As in tf_keras, a non-empty config without `is_legacy_optimizer` (written by a
Keras 2.x `OptimizerV2`, e.g. in an h5 file's `training_config`) rebuilds the
`optimizers.legacy` class of that name; the 2.11+ optimizers write
`is_legacy_optimizer: False`. kengine also resolves "lion" and "adafactor",
which tf_keras finds only through their `module` entry.

>>> type(get("rmsprop")).__name__
'RMSprop'
>>> serialize(get("sgd"))["config"]["learning_rate"]
0.009999999776482582
"""

import functools

from kengine.optimizers import legacy
from kengine.optimizers.adadelta import Adadelta
from kengine.optimizers.adafactor import Adafactor
from kengine.optimizers.adagrad import Adagrad
from kengine.optimizers.adam import Adam
from kengine.optimizers.adamax import Adamax
from kengine.optimizers.adamw import AdamW
from kengine.optimizers.ftrl import Ftrl
from kengine.optimizers.lion import Lion
from kengine.optimizers.nadam import Nadam
from kengine.optimizers.optimizer import Optimizer
from kengine.optimizers.rmsprop import RMSprop
from kengine.optimizers.sgd import SGD
from kengine.utils import serialization
from kengine.utils.object_registry import builtin_objects, register_builtins

__all__ = ["get", "serialize", "deserialize"]

_BUILT_INS = {
    "adadelta": Adadelta,
    "adagrad": Adagrad,
    "adam": Adam,
    "adamax": Adamax,
    "adamw": AdamW,
    "adafactor": Adafactor,
    "ftrl": Ftrl,
    "lion": Lion,
    "nadam": Nadam,
    "rmsprop": RMSprop,
    "sgd": SGD,
    # Names tf_keras 2.9-2.10 wrote for the then-experimental optimizers.
    "experimentaladadelta": Adadelta,
    "experimentaladagrad": Adagrad,
    "experimentaladam": Adam,
    "experimentalsgd": SGD,
}

# What a config from a Keras 2.x optimizer (no `is_legacy_optimizer`) names.
_LEGACY_BUILT_INS = {
    **_BUILT_INS,
    "adadelta": legacy.Adadelta,
    "adagrad": legacy.Adagrad,
    "adam": legacy.Adam,
    "adamax": legacy.Adamax,
    "ftrl": legacy.Ftrl,
    "nadam": legacy.Nadam,
    "rmsprop": legacy.RMSprop,
    "sgd": legacy.SGD,
}

register_builtins("optimizer", _BUILT_INS)
register_builtins("legacy optimizer", _LEGACY_BUILT_INS)


def serialize(optimizer, use_legacy_format: bool = False) -> dict:
    """Returns the JSON-compatible config of an optimizer.

    Args:
        optimizer: the optimizer.
        use_legacy_format: write the pre-2.13 `{class_name, config}` form.

    Returns:
        A dict with `module`, `class_name`, `config`, `registered_name` (only
        `class_name` and `config` in the legacy form); None for None.
    """
    if optimizer is None:
        return None
    config = serialization.serialize_keras_object(optimizer)
    if use_legacy_format:
        return {"class_name": config["class_name"], "config": config["config"]}
    return config


def deserialize(
    config: dict,
    custom_objects: dict | None = None,
    use_legacy_format: bool = False,
    **kwargs,
) -> Optimizer:
    """Rebuilds an optimizer from `serialize`'s output (either form).

    Args:
        config: a dict with `class_name` and `config`.
        custom_objects: user optimizer classes by name.
        use_legacy_format: accepted for tf_keras compatibility; both forms are
            read either way.
        **kwargs: `use_legacy_optimizer`: build the `optimizers.legacy` class;
            a non-empty config decides by its `is_legacy_optimizer` entry
            (missing means legacy), as in tf_keras.

    Returns:
        The optimizer.

    Raises:
        ValueError: if the class name is unknown.
        TypeError: on other keyword arguments.
    """
    del use_legacy_format  # The reader understands both layouts.
    use_legacy_optimizer = kwargs.pop("use_legacy_optimizer", False)
    if kwargs:
        raise TypeError(f"Invalid keyword arguments: {kwargs}")
    config = dict(config)
    if config.get("config"):
        use_legacy_optimizer = config["config"].get("is_legacy_optimizer", True)
    kind = "legacy optimizer" if use_legacy_optimizer else "optimizer"
    if str(config.get("class_name", "")).lower() in builtin_objects(kind):
        config["class_name"] = config["class_name"].lower()
    return serialization.deserialize_builtin(
        config, kind, custom_objects, what="optimizer", instantiate=False
    )


def get(identifier, **kwargs):
    """Returns an optimizer for a name, a config dict, or an optimizer instance.

    Args:
        identifier: an `Optimizer` or `legacy.Optimizer` (returned as is), a
            name such as "adam", or a dict from `serialize`.
        **kwargs: `use_legacy_optimizer=True` resolves names to the
            `optimizers.legacy` classes.

    Returns:
        An optimizer instance (a new one with default arguments for a name).

    Raises:
        ValueError: if the identifier is a name or dict nothing is known by, or
            of another type.
    """
    return serialization.get_builtin(
        identifier,
        functools.partial(deserialize, **kwargs),
        what="optimizer",
        names_are_classes=True,
        accepts=lambda obj: isinstance(obj, Optimizer | legacy.Optimizer),
        hint="Expected an optimizer instance, a name such as 'adam', or a config dict.",
    )
