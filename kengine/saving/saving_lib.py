"""The Keras v3 formats: `.keras` archives and `.weights.h5` files.

Mirrors Keras 2's `saving/saving_lib.py` (`save_model`, `load_model`,
`save_weights_only`, `load_weights_only`, `_save_state`, `_load_state`). A
`.keras` file is an uncompressed zip of three members:

```
metadata.json     {"keras_version": "2.21.0", "date_saved": "..."}
config.json       serialize_keras_object(model) + build_config + compile_config
model.weights.h5  the weights, in the layout below
```

The weights layout (also what `save_weights("x.weights.h5")` writes) follows
objects, not layer names, so two programs that build the same architecture
agree on it whatever names their layers were given:

```
vars/                          the model's own variables (usually none)
layers/dense/vars/0, 1         `model.layers`, each named after its class in
layers/dense_1/vars/0, 1       snake case, numbered by position among layers
layers/lstm/cell/vars/0..2     of that class; sub-layers under the attribute
                               that holds them (cell, forward_layer, ...)
layers/functional/layers/...   a nested model holds its own `layers`
optimizer/vars/0..n            `optimizer.variables()` in order
metrics/mean/vars/0, 1         `model.metrics` (written, not read back)
```

Each object's `vars/<i>` are its own trainable then non-trainable variables.
Files written by tf_keras 2.21 and Keras 3 follow the same layout, so both
load here. Loading reads and checks every value before it assigns the first:
a file that does not fit raises `ValueError` naming the path in the file and
leaves the model as it was. Writes go through `atomic_io` (a kill leaves the
previous file).
"""

import datetime
import io
import json
import logging
import os
import zipfile

import h5py
import numpy as np
import tensorflow as tf

from kengine.saving import hdf5_format, keras3_compat, saving_utils
from kengine.saving.atomic_io import atomic_write_path
from kengine.utils.serialization import serialize_keras_object

__all__ = [
    "load_model",
    "load_state_from_group",
    "load_weights_only",
    "save_model",
    "save_state_to_group",
    "save_weights_only",
]

CONFIG_FILENAME = "config.json"
METADATA_FILENAME = "metadata.json"
VARS_FILENAME = "model.weights.h5"
# Attributes through which a layer holds sub-layers, in the order `dir()`
# lists them (tf_keras walks `dir()`; the order only affects creation order).
_CHILD_ATTRS = ("backward_layer", "cell", "forward_layer", "layer")
_logger = logging.getLogger("kengine")


def _is_layer(obj) -> bool:
    return hasattr(obj, "trainable_weights") and hasattr(obj, "non_trainable_weights")


def _children(obj) -> list[tuple[str, object]]:
    """`(group name, layer or list of layers)` for each sub-object of `obj`."""
    kids = []
    for attr in _CHILD_ATTRS:
        child = getattr(obj, attr, None)
        if child is not obj and _is_layer(child):
            kids.append((attr, child))
    for attr in ("cells", "layers"):  # StackedRNNCells, models
        members = getattr(obj, attr, None)
        if isinstance(members, list | tuple) and all(map(_is_layer, members)):
            kids.append((attr, list(members)))
    return kids


def _flat(children) -> list:
    return [c for _, kid in children for c in (kid if isinstance(kid, list) else [kid])]


def _own_variables(obj, children) -> list:
    """`obj`'s variables that none of its sub-objects holds, trainable first."""
    nested = {id(w) for child in _flat(children) for w in child.weights}
    variables = list(obj.trainable_weights) + list(obj.non_trainable_weights)
    return [v for v in variables if id(v) not in nested]


def _named(children):
    """Yields `(name, object)`, list members named as Keras names them."""
    for name, kid in children:
        if isinstance(kid, list):
            for member_name, member in zip(hdf5_format.keras3_names(kid), kid):
                yield f"{name}/{member_name}", member
        else:
            yield name, kid


def _write_vars(group, variables) -> None:
    vars_group = group.create_group("vars")
    for i, variable in enumerate(variables):
        vars_group.create_dataset(str(i), data=np.asarray(variable.numpy()))


def _save_state(obj, group, visited: set) -> None:
    visited.add(id(obj))
    children = _children(obj)
    _write_vars(group, _own_variables(obj, children))
    for name, child in _named(children):
        if id(child) not in visited:  # a shared layer is written once
            _save_state(child, group.require_group(name), visited)


def _optimizer_variables(optimizer) -> list:
    variables = getattr(optimizer, "variables", None) or []
    return list(variables() if callable(variables) else variables)


def save_state_to_group(model, group, include_optimizer: bool = True) -> None:
    """Writes `model`'s weights (and optimizer, metrics) in the v3 layout.

    Args:
        model: A built kengine model (or layer).
        group: An open, empty HDF5 file or group.
        include_optimizer: Also write `optimizer/vars` when there is one.
    """
    _save_state(model, group, set())
    optimizer = getattr(model, "optimizer", None)
    if include_optimizer and optimizer is not None:
        _write_vars(group.create_group("optimizer"), _optimizer_variables(optimizer))
    metrics = list(getattr(model, "metrics", None) or [])
    if metrics:
        metrics_group = group.create_group("metrics")
        for name, metric in zip(hdf5_format.keras3_names(metrics), metrics):
            _write_vars(metrics_group.create_group(name), metric.variables)


def _read_vars(group) -> list[np.ndarray]:
    if "vars" not in group:
        return []
    variables = group["vars"]
    return [
        np.asarray(hdf5_format.member(variables, str(i), "variable"))
        for i in range(len(variables))
    ]


def _load_state(obj, group, pairs: list, visited: set) -> None:
    visited.add(id(obj))
    children = _children(obj)
    where = f"layer {obj.name}"
    pairs += hdf5_format.matched_pairs(
        where, _own_variables(obj, children), _read_vars(group), group, False
    )
    for name, child in _named(children):
        if id(child) in visited:
            continue
        if name not in group:
            if child.weights:
                raise ValueError(
                    f"The weights file {group.file.filename!r} has no group "
                    f"{group.name.rstrip('/')}/{name} for layer {child.name!r}, "
                    f"which has {len(child.weights)} weight(s). Groups in "
                    f"{group.name!r}: {sorted(group)}"
                )
            continue
        _load_state(child, group[name], pairs, visited)


def _optimizer_pairs(model, group) -> list:
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or "optimizer" not in group:
        return []
    values = _read_vars(group["optimizer"])
    variables = _optimizer_variables(optimizer)
    if len(values) > len(variables) and hasattr(optimizer, "build"):
        # Slots exist once built; `apply_gradients` builds in this scope.
        with tf.name_scope(optimizer.name), tf.init_scope():
            optimizer.build(model.trainable_variables)
        variables = _optimizer_variables(optimizer)
    if len(values) != len(variables):
        _logger.warning(
            f"Skipping the optimizer state of {group.file.filename!r}: it holds "
            f"{len(values)} variable(s), the model's optimizer has "
            f"{len(variables)} (a different optimizer or an unbuilt one)."
        )
        return []
    return hdf5_format.matched_pairs("the optimizer", variables, values, group, True)


def load_state_from_group(model, group, load_optimizer: bool = True) -> None:
    """Loads a v3-layout group into `model`, all-or-nothing.

    Args:
        model: A built kengine model of the architecture that wrote the file.
        group: The open HDF5 file or group (`layers/`, `vars/`, ...).
        load_optimizer: Also restore `optimizer/vars` into a compiled model.

    Raises:
        ValueError: for a missing group, or a variable of another count,
            shape or dtype; nothing is assigned then.
    """
    pairs: list = []
    _load_state(model, group, pairs, set())
    if load_optimizer:
        pairs += _optimizer_pairs(model, group)
    hdf5_format.assign(pairs)
    hdf5_format.finalize_layers(model)


def save_weights_only(model, filepath) -> None:
    """`save_weights` to a `.weights.h5` path: the v3 layout, written atomically."""
    with atomic_write_path(filepath) as temp_path:
        with hdf5_format.open_weights_file(temp_path, "w") as f:
            save_state_to_group(model, f)


def load_weights_only(model, filepath) -> None:
    """Loads a `.weights.h5` file (tf_keras's or Keras 3's) into `model`."""
    with hdf5_format.open_weights_file(filepath, "r") as f:
        load_state_from_group(model, f)


def _model_config(model) -> dict:
    config = serialize_keras_object(model)
    compile_config = saving_utils.compile_config_of(model)
    if compile_config is not None:
        config["compile_config"] = compile_config
    return config


def _h5_bytes(model, include_optimizer: bool) -> bytes:
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        save_state_to_group(model, f, include_optimizer)
    return buffer.getvalue()


def save_model(model, filepath, include_optimizer: bool = True) -> None:
    """Writes `model` as a `.keras` archive (beside the target, then renamed).

    Args:
        model: A built kengine model.
        filepath: The `.keras` path.
        include_optimizer: Also store the optimizer's variables.
    """
    metadata = {
        "keras_version": saving_utils.KERAS_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
    }
    config = json.dumps(_model_config(model))
    weights = _h5_bytes(model, include_optimizer)
    with atomic_write_path(filepath) as temp_path:
        with zipfile.ZipFile(temp_path, "w") as archive:
            archive.writestr(METADATA_FILENAME, json.dumps(metadata))
            archive.writestr(CONFIG_FILENAME, config)
            archive.writestr(VARS_FILENAME, weights)


def _read_archive(filepath: str) -> tuple[dict, bytes | None]:
    """`(config, weights bytes)` of a `.keras` file, or a clear error."""
    if os.path.isdir(filepath):
        raise ValueError(f"{filepath!r} is a directory, not a `.keras` zip file.")
    try:
        with zipfile.ZipFile(filepath, "r") as archive:
            names = archive.namelist()
            if CONFIG_FILENAME not in names:
                raise ValueError(
                    f"{filepath!r} is not a Keras v3 archive: it has no "
                    f"{CONFIG_FILENAME} (members: {names[:10]})."
                )
            raw = archive.read(CONFIG_FILENAME)
            meta = (
                archive.read(METADATA_FILENAME) if METADATA_FILENAME in names else b"{}"
            )
            weights = archive.read(VARS_FILENAME) if VARS_FILENAME in names else None
    except (zipfile.BadZipFile, EOFError) as err:
        raise ValueError(f"{filepath!r} is not a readable zip archive: {err}") from err
    config = _json_dict(filepath, CONFIG_FILENAME, raw)
    if keras3_compat.is_keras3(_json_dict(filepath, METADATA_FILENAME, meta)):
        compile_config = config.pop("compile_config", None)
        config = keras3_compat.to_keras2_config(config)
        if compile_config:
            config["compile_config"] = keras3_compat.to_keras2_compile_config(
                compile_config
            )
    return config, weights


def _json_dict(filepath: str, member: str, raw: bytes) -> dict:
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise ValueError(f"{filepath!r}: {member} is not JSON: {err}") from err
    if not isinstance(value, dict):
        raise ValueError(f"{filepath!r}: {member} does not hold a JSON object.")
    return value


def load_model(
    filepath,
    custom_objects: dict | None = None,
    compile: bool = True,
    safe_mode: bool = True,
):
    """Loads a `.keras` archive written by kengine, tf_keras or Keras 3.

    Args:
        filepath: The `.keras` file.
        custom_objects: User classes and functions by name.
        compile: Compile the model as it was saved (and restore the
            optimizer's variables).
        safe_mode: Refuse `Lambda` bytecode; only this argument can lift it.

    Returns:
        The kengine model.

    Raises:
        ValueError: for a file that is not a v3 archive, a config naming an
            unknown or unsafe object, or weights that do not fit.
    """
    filepath = os.fspath(filepath)
    config, weights = _read_archive(filepath)
    config = dict(config)
    compile_config = config.pop("compile_config", None)
    model = saving_utils.model_from_config(config, custom_objects, safe_mode)
    if compile and compile_config:
        model.compile(
            **saving_utils.compile_args_from_config(compile_config, custom_objects)
        )
    if weights is not None:
        try:
            with h5py.File(io.BytesIO(weights), "r") as f:
                load_state_from_group(model, f, load_optimizer=compile)
        except (OSError, ValueError) as err:
            # The h5 member has no file name of its own: name the archive.
            raise ValueError(f"{filepath!r}, member {VARS_FILENAME}: {err}") from err
    return model
