"""Whole models in one HDF5 file (`model.save("m.h5")`), Keras 2's legacy format.

Mirrors Keras 2's `saving/legacy/hdf5_format.py: save_model_to_hdf5,
load_model_from_hdf5`. The file holds:

```
/                    attrs: keras_version, backend, model_config (the model's
                     config in Keras 2's older style, see
                     `legacy_model_config`), training_config (compile
                     arguments and the optimizer config; only if compiled)
/model_weights/      exactly what `save_weights("w.h5")` writes
/optimizer_weights/  attrs: weight_names (`iteration:0`, `Adam/m/dense/kernel:0`,
                     ...), one dataset per optimizer variable at its name
```

Loading rebuilds the model from `model_config` through kengine's registries
(`safe_mode` refuses `Lambda` bytecode; nothing in the file can lift it),
loads `model_weights` by topology, and with `compile=True` compiles it with
`training_config`, builds the optimizer's slots and sets them from
`optimizer_weights`, so training continues as if the model was never saved.
The file is written beside the target and renamed into place.
"""

import json
import logging
import os

import h5py
import numpy as np
import tensorflow as tf

from kengine.saving import hdf5_format, saving_utils
from kengine.saving.atomic_io import atomic_write_path

__all__ = ["legacy_model_config", "load_model_from_hdf5", "save_model_to_hdf5"]

_logger = logging.getLogger("kengine")


def _json_default(obj):
    if isinstance(obj, np.generic | np.ndarray):
        return obj.tolist()
    if hasattr(obj, "as_list"):  # a TensorShape
        return obj.as_list()
    raise TypeError(f"Cannot write {type(obj).__name__} {obj!r} as JSON.")


# Per-layer keys of the newer config style that the h5 `model_config` lacks.
_NEWER_LAYER_KEYS = ("module", "registered_name", "build_config")


def _legacy_layer_entry(entry: dict) -> dict:
    """One entry of a model's `layers` list, in the older style."""
    entry = dict(entry)
    registered = entry.get("registered_name")
    # The older style names a registered custom class by its registered
    # name ("package>Class"), which is how tf_keras finds it on loading.
    if registered and registered != entry.get("class_name"):
        entry["class_name"] = registered
    for key in _NEWER_LAYER_KEYS:
        entry.pop(key, None)
    config = entry.get("config")
    if isinstance(config, dict) and isinstance(config.get("layers"), list):
        entry["config"] = _legacy_model_body(config)
    return entry


def _legacy_model_body(config: dict) -> dict:
    config = dict(config)
    config["layers"] = [
        _legacy_layer_entry(e) if isinstance(e, dict) else e for e in config["layers"]
    ]
    return config


def legacy_model_config(model_config: dict) -> dict:
    """Rewrites a model's `to_json()` dict in the style Keras 2 puts in h5 files.

    Keras 2 writes the h5 `model_config` with its older serializer: the
    entries of every (nested) model's `layers` list carry no `module`,
    `registered_name` or `build_config`, a registered custom layer's
    `class_name` is its registered name (`"package>Class"`), and the top
    level has no `keras_version`/`backend`. Objects inside a layer's config
    (initializers, a wrapper's inner layer) keep the newer style. kengine's
    reader accepts both styles.

    Args:
        model_config: `json.loads(model.to_json())`.

    Returns:
        A new dict in the older style (the argument is not changed).

    Example:

    >>> legacy_model_config({"class_name": "Sequential", "keras_version": "2",
    ...     "config": {"name": "s", "layers": [{"module": "m",
    ...     "class_name": "Scale", "registered_name": "pkg>Scale",
    ...     "config": {}, "build_config": {}}]}})
    {'class_name': 'Sequential', 'config': {'name': 's', 'layers': \
[{'class_name': 'pkg>Scale', 'config': {}}]}}
    """
    config = {
        k: v
        for k, v in model_config.items()
        if k not in ("keras_version", "backend", *_NEWER_LAYER_KEYS)
    }
    body = config.get("config")
    if isinstance(body, dict) and isinstance(body.get("layers"), list):
        config["config"] = _legacy_model_body(body)
    return config


def _write_model(f, model, include_optimizer: bool) -> None:
    f.attrs["keras_version"] = saving_utils.KERAS_VERSION.encode("utf8")
    f.attrs["backend"] = b"tensorflow"
    model_config = legacy_model_config(json.loads(model.to_json()))
    f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
    hdf5_format.save_weights_to_hdf5_group(f.create_group("model_weights"), model)
    training_config = saving_utils.training_config_of(model)
    if training_config is None:
        return
    f.attrs["training_config"] = json.dumps(
        training_config, default=_json_default
    ).encode("utf8")
    if include_optimizer and model.optimizer is not None:
        hdf5_format.save_optimizer_weights_to_hdf5_group(f, model.optimizer)


def save_model_to_hdf5(model, filepath, include_optimizer: bool = True) -> None:
    """Writes `model` (config, weights, compile state) to one HDF5 file.

    Args:
        model: A built kengine model.
        filepath: The `.h5` / `.hdf5` path.
        include_optimizer: Also store the optimizer's variables.
    """
    with atomic_write_path(filepath) as temp_path:
        with hdf5_format.open_weights_file(temp_path, "w") as f:
            _write_model(f, model, include_optimizer)


def _attr_text(f, name: str, filepath: str) -> str:
    if name not in f.attrs:
        raise ValueError(
            f"{filepath!r} holds no model: the HDF5 file has no {name!r} "
            f"attribute (a weights-only file? use `load_weights`). Attributes: "
            f"{sorted(f.attrs)}"
        )
    value = f.attrs[name]
    return value.decode("utf8") if isinstance(value, bytes) else str(value)


def _read_config(f, filepath: str) -> dict:
    try:
        return json.loads(_attr_text(f, "model_config", filepath))
    except (json.JSONDecodeError, RecursionError) as err:
        raise ValueError(f"{filepath!r}: model_config is not JSON: {err}") from err


def _restore_optimizer(model, f, filepath: str) -> None:
    """Builds the optimizer's slots and sets them from `optimizer_weights`."""
    values = hdf5_format.load_optimizer_weights_from_hdf5_group(f)
    optimizer = model.optimizer
    # The scope `apply_gradients` builds in: slots get the names tf_keras writes.
    with tf.name_scope(optimizer.name), tf.init_scope():
        optimizer.build(model.trainable_variables)
    variables = list(optimizer.variables())
    if len(values) != len(variables):
        _logger.warning(
            f"{filepath!r}: the optimizer state ({len(values)} variables) does "
            f"not fit the optimizer ({len(variables)} variables); training "
            "starts from a fresh optimizer state."
        )
        return
    hdf5_format.assign(
        hdf5_format.matched_pairs("the optimizer", variables, values, f, False)
    )


def load_model_from_hdf5(
    filepath,
    custom_objects: dict | None = None,
    compile: bool = True,
    safe_mode: bool = True,
):
    """Loads a model written by `save_model_to_hdf5` (kengine's or tf_keras's).

    Args:
        filepath: The HDF5 file (or an open `h5py.File`).
        custom_objects: User classes and functions by name.
        compile: Compile with the recorded `training_config` and restore the
            optimizer state.
        safe_mode: Refuse `Lambda` bytecode unless False.

    Returns:
        The kengine model.

    Raises:
        ValueError: for a file without `model_config`, an unknown or unsafe
            name in it, or weights that do not fit.
        OSError: for a file HDF5 cannot open (empty, truncated, not HDF5).
    """
    if isinstance(filepath, h5py.File):
        return _load(filepath, filepath.filename, custom_objects, compile, safe_mode)
    filepath = os.fspath(filepath)
    if os.path.isdir(filepath):
        raise OSError(f"{filepath!r} is a directory, not an HDF5 model file.")
    with hdf5_format.open_weights_file(filepath, "r") as f:
        return _load(f, filepath, custom_objects, compile, safe_mode)


def _load(f, filepath: str, custom_objects, compile: bool, safe_mode: bool):
    config = _read_config(f, filepath)
    model = saving_utils.model_from_config(config, custom_objects, safe_mode)
    if "model_weights" not in f:
        raise ValueError(f"{filepath!r} has a model_config but no model_weights.")
    hdf5_format.load_weights_from_hdf5_group(f["model_weights"], model)
    if not compile or "training_config" not in f.attrs:
        if compile:
            _logger.warning(f"{filepath!r} holds no training config: not compiled.")
        return model
    training_config = _attr_text(f, "training_config", filepath)
    model.compile(
        **saving_utils.compile_args_from_config(training_config, custom_objects)
    )
    if "optimizer_weights" in f:
        _restore_optimizer(model, f, filepath)
    return model
