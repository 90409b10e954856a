"""What a whole-model file records besides weights: compile arguments, metadata.

Mirrors Keras 2's `saving/legacy/saving_utils.py` (`model_metadata`,
`compile_args_from_training_config`) and the `compile_config` half of
`engine/training.py: get_compile_config / compile_from_config`. Both file
formats store the same thing in two spellings:

- HDF5 (`training_config` attribute): `optimizer_config`, `loss`, `metrics`,
  `weighted_metrics`, `loss_weights`;
- `.keras` (`compile_config` in `config.json`): `optimizer`, `loss`,
  `metrics`, `weighted_metrics`, `loss_weights` and the run options.

Losses and metrics given by name stay names; objects are written as
`{"class_name", "config"}` dicts and rebuilt through kengine's registries
(never by importing a module a file names). tf_keras writes its optimizers
as `Custom>Adam`; that spelling is read as kengine's built-in of the same name.
"""

import json

from kengine import layers, optimizers
from kengine import losses as losses_mod
from kengine import metrics as metrics_mod
from kengine.utils.serialization import SafeModeScope, serialize_keras_object

__all__ = [
    "KERAS_VERSION",
    "compile_args_from_config",
    "compile_config_of",
    "is_compiled",
    "model_from_config",
    "training_config_of",
]

# The Keras release whose formats kengine writes (readers check the major).
KERAS_VERSION = "2.21.0"
_RUN_OPTIONS = ("run_eagerly", "steps_per_execution", "jit_compile")


def is_compiled(model) -> bool:
    """Whether `model.compile` ran (so there is something to record)."""
    return bool(getattr(model, "_is_compiled", False)) and hasattr(
        model, "compiled_loss"
    )


def _serialize_nested(value):
    """Names stay names, objects become configs, containers keep their shape."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return {k: _serialize_nested(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_serialize_nested(v) for v in value]
    return serialize_keras_object(value)


def compile_config_of(model) -> dict | None:
    """The `compile_config` of `config.json` (None for an uncompiled model).

    Args:
        model: A kengine model.

    Returns:
        The arguments `compile` was given, serialized.
    """
    if not is_compiled(model):
        return None
    metrics = model.compiled_metrics
    config = {
        "optimizer": optimizers.serialize(model.optimizer),
        "loss": _serialize_nested(model.loss or None),
        "metrics": _serialize_nested(getattr(metrics, "_user_metrics", None)),
        "loss_weights": _serialize_nested(
            getattr(model.compiled_loss, "_user_loss_weights", None)
        ),
        "weighted_metrics": _serialize_nested(
            getattr(metrics, "_user_weighted_metrics", None)
        ),
    }
    for option in _RUN_OPTIONS:
        config[option] = getattr(model, f"_{option}", None)
    if not isinstance(config["steps_per_execution"], int | type(None)):
        config["steps_per_execution"] = None  # a variable, not a setting
    return config


def _legacy(value):
    """The Keras 2 legacy spelling: configs without `module`/`registered_name`."""
    if isinstance(value, dict):
        return {
            k: _legacy(v)
            for k, v in value.items()
            if k not in ("module", "registered_name")
        }
    if isinstance(value, list):
        return [_legacy(v) for v in value]
    return value


def training_config_of(model) -> dict | None:
    """The HDF5 `training_config` attribute (None for an uncompiled model).

    Written in Keras 2's legacy spelling, as tf_keras writes it: built-in
    optimizers under the `Custom>` package, no `module` keys.
    """
    config = compile_config_of(model)
    if config is None:
        return None
    optimizer = _legacy(config["optimizer"])
    registered = config["optimizer"].get("registered_name")
    if not registered or registered == optimizer["class_name"]:
        optimizer["class_name"] = f"Custom>{optimizer['class_name']}"
    return {
        "loss": _legacy(config["loss"]),
        "metrics": _legacy(config["metrics"]),
        "weighted_metrics": _legacy(config["weighted_metrics"]),
        "loss_weights": config["loss_weights"],
        "optimizer_config": optimizer,
    }


def _optimizer_from_config(config, custom_objects: dict | None):
    if isinstance(config, str):
        return optimizers.get(config)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"The saved optimizer config is malformed: {config!r}"[:300])
    config = dict(config)
    name = str(config["class_name"])
    if name.startswith("Custom>") and name not in (custom_objects or {}):
        # tf_keras registers its built-in optimizers under the "Custom" package.
        config["class_name"] = name.split(">", 1)[1]
    config.pop("module", None)
    config.pop("registered_name", None)
    return optimizers.deserialize(config, custom_objects=custom_objects)


def _deserialize_nested(value, deserialize, custom_objects):
    """Rebuilds `{"class_name", ...}` dicts inside `value`; names stay names."""
    if isinstance(value, dict) and "class_name" in value:
        return deserialize(value, custom_objects=custom_objects)
    if isinstance(value, dict):
        return {
            k: _deserialize_nested(v, deserialize, custom_objects)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_deserialize_nested(v, deserialize, custom_objects) for v in value]
    return value


def compile_args_from_config(config, custom_objects: dict | None = None) -> dict:
    """`compile()` arguments from a `training_config` or a `compile_config`.

    Args:
        config: The dict (or its JSON text) one of the formats recorded.
        custom_objects: User classes and functions by name.

    Returns:
        Keyword arguments for `model.compile`.

    Raises:
        ValueError: for a malformed config or an unknown optimizer, loss or
            metric name.
    """
    if isinstance(config, bytes | str):
        try:
            config = json.loads(config)
        except json.JSONDecodeError as err:
            raise ValueError(f"The saved training config is not JSON: {err}") from err
    if not isinstance(config, dict):
        raise ValueError(f"The saved training config is not a dict: {config!r}"[:300])
    optimizer = config.get("optimizer_config", config.get("optimizer"))
    args = {
        "optimizer": _optimizer_from_config(optimizer, custom_objects),
        "loss": _deserialize_nested(
            config.get("loss"), losses_mod.deserialize, custom_objects
        ),
        "metrics": _deserialize_nested(
            config.get("metrics"), metrics_mod.deserialize, custom_objects
        ),
        "weighted_metrics": _deserialize_nested(
            config.get("weighted_metrics"), metrics_mod.deserialize, custom_objects
        ),
        "loss_weights": config.get("loss_weights"),
    }
    for option in _RUN_OPTIONS:
        if config.get(option) is not None:
            args[option] = config[option]
    return args


def model_from_config(
    config: dict, custom_objects: dict | None = None, safe_mode: bool = True
):
    """Rebuilds a model from its `{"class_name", "config"}` dict, safely.

    Resolves names through kengine's registries, `custom_objects` and
    `register_keras_serializable` only; `safe_mode` (never the file) decides
    whether `Lambda` bytecode may be loaded.

    Args:
        config: The model's config as a file recorded it.
        custom_objects: User classes and functions by name.
        safe_mode: Refuse Python bytecode unless False.

    Returns:
        The model.

    Raises:
        ValueError: for a malformed config, an unknown name, or bytecode
            in safe mode.
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "The saved model config must be a dict with 'class_name' and "
            f"'config'. Received: {config!r}"[:300]
        )
    with SafeModeScope(safe_mode):
        return layers.deserialize(
            config, custom_objects=custom_objects, safe_mode=safe_mode
        )
