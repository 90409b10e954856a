"""The Keras 2 HDF5 weight layout: writing it, reading it, and reading Keras 3's.

Mirrors Keras 2's `saving/legacy/hdf5_format.py` (`save_weights_to_hdf5_group`,
`load_weights_from_hdf5_group`, `load_weights_from_hdf5_group_by_name`,
`save_attributes_to_hdf5_group`, `load_attributes_from_hdf5_group`,
`_legacy_weights`). A Keras 2 weight file (or the `model_weights` group of a
full-model `.h5`) looks like this:

```
/                       attrs: layer_names = [b"dense", b"dropout", b"dense_1"],
                               backend = b"tensorflow", keras_version = b"2.21.0"
/dense                  attrs: weight_names = [b"dense/kernel:0", b"dense/bias:0"]
/dense/dense/kernel:0   dataset (the weight's full name is its path)
/dense/dense/bias:0     dataset
/dropout                attrs: weight_names = []
/top_level_model_weights attrs: weight_names = [] (weights owned by the model itself)
```

Each layer's weights are stored trainable first, then non-trainable (Keras 2's
"legacy" order, which differs from `layer.weights` for layers like
`BatchNormalization`). Name lists longer than HDF5's 64 KiB attribute limit
are split into `layer_names0`, `layer_names1`, ...

Loading is topological by default: the i-th layer of the file that has weights
goes into the i-th layer of the model that has weights, whatever the names
(so weightless layers may be added or removed), with a `ValueError` naming
both layers, the weight and the file on a count, shape or dtype mismatch.
`by_name=True` matches layers by name instead and can skip mismatches. Every
loader reads, checks and converts all values before it assigns the first, so
a file that does not fit (a string-typed kernel, a wrong shape in the last
layer) leaves the model unchanged. Keras 3's `.weights.h5` files (groups
`layers/<name>/vars/<i>`) are read by `load_weights_from_keras3_group`.
"""

import collections
import dataclasses
import logging
import re

import h5py
import numpy as np

__all__ = [
    "HDF5_OBJECT_HEADER_LIMIT",
    "LoadReport",
    "legacy_weights",
    "save_attributes_to_hdf5_group",
    "load_attributes_from_hdf5_group",
    "save_subset_weights_to_hdf5_group",
    "load_subset_weights_from_hdf5_group",
    "save_weights_to_hdf5_group",
    "load_weights_from_hdf5_group",
    "load_weights_from_hdf5_group_by_name",
    "load_weights_from_keras3_group",
    "save_optimizer_weights_to_hdf5_group",
    "load_optimizer_weights_from_hdf5_group",
    "is_hdf5_filepath",
    "open_weights_file",
    "top_level_weights",
    "assign",
    "finalize_layers",
    "matched_pairs",
    "member",
]

# HDF5 keeps attributes in the object header, which holds at most 64 KiB.
HDF5_OBJECT_HEADER_LIMIT = 64512
# The Keras 2 release whose layout these files follow; Keras 2 readers apply
# their legacy conversions only to files from Keras 1, so this must be 2.x.
KERAS_VERSION = "2.21.0"
_logger = logging.getLogger("kengine")


def legacy_weights(layer) -> list:
    """A layer's weights in file order: trainable first, then non-trainable."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def top_level_weights(model) -> list:
    """Weights the model owns directly (not through one of `model.layers`)."""
    in_layers = {id(w) for layer in model.layers for w in layer.weights}
    return [w for w in legacy_weights(model) if id(w) not in in_layers]


def _layers_with_weights(model) -> list:
    return [layer for layer in model.layers if legacy_weights(layer)]


def save_attributes_to_hdf5_group(group, name: str, data: list) -> None:
    """Stores a list of byte strings as attribute `name`, chunked if too big.

    Raises:
        RuntimeError: if a single item is larger than the header limit.
    """
    too_big = [x for x in data if len(x) > HDF5_OBJECT_HEADER_LIMIT]
    if too_big:
        raise RuntimeError(
            "The following attributes cannot be saved to HDF5 file because they "
            f"are larger than {HDF5_OBJECT_HEADER_LIMIT} bytes: {too_big}"
        )
    array = np.asarray(data)
    num_chunks = 1
    chunks = np.array_split(array, num_chunks)
    while any(chunk.nbytes > HDF5_OBJECT_HEADER_LIMIT for chunk in chunks):
        num_chunks += 1
        chunks = np.array_split(array, num_chunks)
    if num_chunks == 1:
        group.attrs[name] = data
    else:
        for i, chunk in enumerate(chunks):
            group.attrs[f"{name}{i}"] = chunk


def load_attributes_from_hdf5_group(group, name: str) -> list[str]:
    """Reads attribute `name` (or its chunks `name0`, `name1`, ...) as strings."""

    def decode(values):
        return [v.decode("utf8") if hasattr(v, "decode") else v for v in values]

    if name in group.attrs:
        return decode(group.attrs[name])
    data, chunk = [], 0
    while f"{name}{chunk}" in group.attrs:
        data.extend(decode(group.attrs[f"{name}{chunk}"]))
        chunk += 1
    return data


def save_subset_weights_to_hdf5_group(group, weights: list, owner: str = "") -> None:
    """Writes `weight_names` and one dataset per weight, named by `w.name`.

    Raises:
        ValueError: if two weights share a name (HDF5 paths must be unique).
    """
    names = [w.name for w in weights]
    duplicates = sorted(
        n for n, count in collections.Counter(names).items() if count > 1
    )
    if duplicates:
        raise ValueError(
            f"Cannot save the weights of {owner or group.name!r} to HDF5: weight "
            f"names must be unique, but {duplicates} appear more than once. "
            "Give each weight its own `name` in `add_weight` (print "
            "`[w.name for w in model.weights]` to find them)."
        )
    encoded = [name.encode("utf8") for name in names]
    save_attributes_to_hdf5_group(group, "weight_names", encoded)
    for name, value in zip(encoded, [w.numpy() for w in weights]):
        # String weights (an adapted vocabulary) are variable-length strings.
        dtype = h5py.string_dtype() if value.dtype == object else value.dtype
        dataset = group.create_dataset(name, value.shape, dtype=dtype)
        if value.shape:
            dataset[:] = value
        else:
            dataset[()] = value


def _file_name(group) -> str:
    """The file a group belongs to (or the source name given instead of one)."""
    return group if isinstance(group, str) else group.file.filename


def member(group, name: str, what: str):
    """`group[name]`, or a `ValueError` naming the missing member and the file."""
    if name not in group:
        raise ValueError(
            f"The weights file {_file_name(group)!r} lists {what} {name!r} in "
            f"{group.name!r}, but holds no such entry. Entries: {sorted(group)}"
        )
    return group[name]


def load_subset_weights_from_hdf5_group(group) -> list[np.ndarray]:
    """Reads the datasets listed in the group's `weight_names`, in order.

    Raises:
        ValueError: if a listed dataset is missing.
    """
    names = load_attributes_from_hdf5_group(group, "weight_names")
    return [np.asarray(member(group, name, "weight")) for name in names]


def save_weights_to_hdf5_group(f, model) -> None:
    """Writes the weights of `model` to an open HDF5 group in Keras 2 layout."""
    save_attributes_to_hdf5_group(
        f, "layer_names", [layer.name.encode("utf8") for layer in model.layers]
    )
    f.attrs["backend"] = b"tensorflow"
    f.attrs["keras_version"] = KERAS_VERSION.encode("utf8")
    # Groups are created in name order so no group name is created after a
    # longer name it is a prefix of (Keras 2 does the same).
    for layer in sorted(model.layers, key=lambda layer: layer.name):
        group = f.create_group(layer.name)
        save_subset_weights_to_hdf5_group(group, legacy_weights(layer), layer.name)
    group = f.create_group("top_level_model_weights")
    save_subset_weights_to_hdf5_group(group, top_level_weights(model), model.name)


def assign(pairs: list) -> None:
    """Assigns values already checked and converted by `matched_pairs`."""
    for variable, value in pairs:
        variable.assign(value)


def finalize_layers(model) -> None:
    """Runs `finalize_state()` of every layer of `model`, nested ones included.

    Keras 2's loaders do this after assigning weights: a preprocessing layer
    derives state from its weights and keeps it outside them (the lookup
    table of an adapted vocabulary, Discretization's bin boundaries), and
    that state must follow the loaded values.
    """
    flatten = getattr(model, "_flatten_layers", None)
    for layer in flatten() if callable(flatten) else [model]:
        finalize = getattr(layer, "finalize_state", None)
        if callable(finalize):
            finalize()


def _mismatch(variable, value, where: str, group) -> tuple[str, str] | None:
    """`(kind, detail)` of why `value` cannot go into `variable`, or None."""
    expected = tuple(variable.shape)
    # An unknown dimension (a vocabulary's length) takes any saved size.
    if not variable.shape.is_compatible_with(value.shape):
        return "Shape", (
            f"{where} for weight {variable.name}. Weight expects shape {expected}. "
            f"Received saved weight with shape {tuple(value.shape)} in "
            f"{_file_name(group)!r}"
        )
    # Booleans and numbers convert to any variable dtype, as Keras 2 assigns
    # them; strings, objects or compound types would fail mid-assignment.
    # String variables (an adapted vocabulary) take strings only.
    strings = variable.dtype.name == "string"
    if value.dtype.kind not in ("OSU" if strings else "biuf"):
        return "Dtype", (
            f"{where} for weight {variable.name}. Weight expects "
            f"{'strings' if strings else 'numbers'} convertible to "
            f"{variable.dtype.name}. Received saved weight of dtype "
            f"{value.dtype} (shape {tuple(value.shape)}) in {_file_name(group)!r}"
        )
    return None


def _saved_layer_names(f) -> list[str]:
    """The file's layers that hold weights, in file order."""
    return [
        name
        for name in load_attributes_from_hdf5_group(f, "layer_names")
        if load_attributes_from_hdf5_group(member(f, name, "layer"), "weight_names")
    ]


def load_weights_from_hdf5_group(f, model) -> None:
    """Loads weights by topological order (layers with weights, in order).

    Every value is checked and converted before the first assignment, so on
    an error the model keeps its weights.

    Raises:
        ValueError: on a different number of layers with weights, of weights
            in a layer, or of a weight's shape, or a value that is not
            numeric; the message names the layers, the weight and the file.
    """
    layers = _layers_with_weights(model)
    saved_names = _saved_layer_names(f)
    if len(saved_names) != len(layers):
        raise ValueError(
            "Layer count mismatch when loading weights from file. Model expected "
            f"{len(layers)} layers, found {len(saved_names)} saved layers. "
            f"Model layers with weights: {[layer.name for layer in layers]}; "
            f"saved layers with weights: {saved_names}; file: {_file_name(f)!r}"
        )
    pairs = []
    for k, (name, layer) in enumerate(zip(saved_names, layers)):
        where = (
            f"layer #{k} (named {layer.name} in the current model, {name} in the "
            "save file)"
        )
        values = load_subset_weights_from_hdf5_group(f[name])
        pairs += matched_pairs(where, legacy_weights(layer), values, f, False)
    if "top_level_model_weights" in f:
        values = load_subset_weights_from_hdf5_group(f["top_level_model_weights"])
        where = "model top-level weights"
        pairs += matched_pairs(where, top_level_weights(model), values, f, False)
    # Every check passed before the first assignment: no half-loaded model.
    assign(pairs)
    finalize_layers(model)


def matched_pairs(
    where: str, variables, values, group, skip_mismatch: bool, skipped=None
):
    """Checked `(variable, converted value)` pairs; misfits raise or are skipped.

    Args:
        where: The layer, as the messages name it.
        variables: The model's weights, in file order.
        values: The saved arrays.
        group: The HDF5 group read (for the file name in messages).
        skip_mismatch: Log a warning and skip misfits instead of raising.
        skipped: A list that receives `(where, weight name, reason)` for each
            skipped weight.

    Returns:
        The pairs to assign.

    Raises:
        ValueError: on a count, shape or dtype misfit unless `skip_mismatch`.
    """
    if len(values) != len(variables):
        message = (
            f"{where}: mismatch in number of weights. Expects {len(variables)} "
            f"weight(s). Received {len(values)} saved weight(s) in "
            f"{_file_name(group)!r}"
        )
        if not skip_mismatch:
            raise ValueError(f"Weight count mismatch for {message}")
        _logger.warning(f"Skipping loading of weights for {message}")
        if skipped is not None:
            skipped += [(where, v.name, "count") for v in variables]
        return []
    pairs = []
    for variable, value in zip(variables, values):
        problem = _mismatch(variable, value, where, group)
        if problem is None:
            pairs.append((variable, np.asarray(value, variable.dtype.as_numpy_dtype)))
        elif skip_mismatch:
            _logger.warning(f"Skipping loading weights due to mismatch in {problem[1]}")
            if skipped is not None:
                skipped.append((where, variable.name, problem[1]))
        else:
            raise ValueError(f"{problem[0]} mismatch in {problem[1]}")
    return pairs


@dataclasses.dataclass
class LoadReport:
    """What `load_weights(by_name=True)` did with an HDF5 file.

    Attributes:
        loaded: `(layer name, weight name)` of every weight assigned.
        skipped: `(layer, weight name, reason)` of every weight left as it
            was because the file's value did not fit (`skip_mismatch=True`).
        missing: Model layers with weights that the file has no group for.
        unexpected: File layers (with weights) the model has no layer for.
    """

    loaded: list = dataclasses.field(default_factory=list)
    skipped: list = dataclasses.field(default_factory=list)
    missing: list = dataclasses.field(default_factory=list)
    unexpected: list = dataclasses.field(default_factory=list)


def load_weights_from_hdf5_group_by_name(
    f, model, skip_mismatch: bool = False
) -> LoadReport:
    """Loads weights into the layers whose names match the file's layer groups.

    Layers with no group of their name are left as they are. Every value is
    checked and converted before the first assignment.

    Returns:
        A `LoadReport` of what was loaded, skipped (and why), missing and
        unexpected; it is also logged.

    Raises:
        ValueError: on a count, shape or dtype mismatch unless `skip_mismatch`
            (nothing is assigned then).
    """
    by_name: dict[str, list] = {}
    for layer in model.layers:
        by_name.setdefault(layer.name, []).append(layer)
    report, pairs = LoadReport(), []
    saved = load_attributes_from_hdf5_group(f, "layer_names")
    for k, name in enumerate(saved):
        values = load_subset_weights_from_hdf5_group(member(f, name, "layer"))
        if values and name not in by_name:
            report.unexpected.append(name)
        for layer in by_name.get(name, []):
            where = f"layer #{k} (named {layer.name})"
            variables = legacy_weights(layer)
            found = matched_pairs(
                where, variables, values, f, skip_mismatch, report.skipped
            )
            report.loaded += [(layer.name, v.name) for v, _ in found]
            pairs += found
    report.missing = [
        layer.name for layer in _layers_with_weights(model) if layer.name not in saved
    ]
    if "top_level_model_weights" in f:
        values = load_subset_weights_from_hdf5_group(f["top_level_model_weights"])
        pairs += matched_pairs(
            "model top-level weights",
            top_level_weights(model),
            values,
            f,
            skip_mismatch,
            report.skipped,
        )
    assign(pairs)
    finalize_layers(model)
    _logger.info(
        f"Loaded {len(report.loaded)} weight(s) by name from {_file_name(f)!r}; "
        f"skipped {report.skipped}; model layers missing from the file: "
        f"{report.missing}; file layers not in the model: {report.unexpected}."
    )
    return report


def _snake_case(name: str) -> str:
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def keras3_names(layers: list) -> list[str]:
    """The group names Keras 3 gives `layers`: class names, numbered by position.

    Keras 3 does not use `layer.name` (auto-generated, so not reproducible):
    the first `Dense` of a container is `dense`, the second `dense_1`, ...

    >>> class Dense: pass
    >>> class Dropout: pass
    >>> keras3_names([Dense(), Dropout(), Dense()])
    ['dense', 'dropout', 'dense_1']
    """
    used: dict[str, int] = {}
    names = []
    for layer in layers:
        base = _snake_case(type(layer).__name__)
        if base in used:
            used[base] += 1
            names.append(f"{base}_{used[base]}")
        else:
            used[base] = 0
            names.append(base)
    return names


def _collect_keras3_values(group) -> list[np.ndarray]:
    """An object's own `vars/0, vars/1, ...`, then its children's, depth first."""
    values = []
    if "vars" in group:
        variables = group["vars"]
        values = [np.asarray(variables[str(i)]) for i in range(len(variables))]
    for key in sorted(group):
        if key != "vars" and isinstance(group[key], h5py.Group):
            values += _collect_keras3_values(group[key])
    return values


def _keras3_pairs(group, layers: list) -> list:
    pairs = []
    for layer, name in zip(layers, keras3_names(layers)):
        if not legacy_weights(layer):
            continue
        if name not in group:
            raise ValueError(
                f"Layer {layer.name!r} has weights but the Keras 3 weights file "
                f"{_file_name(group)!r} has no group {name!r} for it. Groups in "
                f"{group.name!r}: {sorted(group)}"
            )
        nested = getattr(layer, "layers", None)
        if nested and "layers" in group[name]:  # a model used as a layer
            pairs += _keras3_pairs(group[name]["layers"], nested)
            continue
        values = _collect_keras3_values(group[name])
        pairs += matched_pairs(
            f"layer {layer.name}", legacy_weights(layer), values, group, False
        )
    return pairs


def load_weights_from_keras3_group(f, model) -> None:
    """Loads a Keras 3 `.weights.h5` file (`layers/<name>/vars/<i>` groups).

    Layers are matched by position the way Keras 3 names them (see
    `keras3_names`); a nested model's layers are matched inside its group.
    Keras 3 stores a layer's trainable variables before its non-trainable
    ones, the order of the Keras 2 layout.

    Raises:
        ValueError: when a layer's group is missing or holds a different
            number, shape or dtype of weights (before any assignment).
    """
    assign(_keras3_pairs(f["layers"], model.layers))
    finalize_layers(model)


def save_optimizer_weights_to_hdf5_group(group, optimizer) -> None:
    """Writes an `optimizer_weights` group holding the optimizer's variables."""
    variables = getattr(optimizer, "variables", None) or []
    if callable(variables):  # Keras 2's optimizers expose a method
        variables = variables()
    if variables:
        weights_group = group.create_group("optimizer_weights")
        save_subset_weights_to_hdf5_group(weights_group, variables, "optimizer")


def load_optimizer_weights_from_hdf5_group(group) -> list[np.ndarray]:
    """Reads the `optimizer_weights` group written by the function above."""
    return load_subset_weights_from_hdf5_group(group["optimizer_weights"])


def is_hdf5_filepath(filepath: str) -> bool:
    """Whether Keras 2 treats `filepath` as HDF5 (`.h5`, `.hdf5`, `.keras`)."""
    return str(filepath).endswith((".h5", ".hdf5", ".keras"))


def open_weights_file(filepath: str, mode: str = "r") -> h5py.File:
    """Opens an HDF5 file, turning h5py's error into a clear `OSError`."""
    try:
        return h5py.File(filepath, mode)
    except OSError as e:
        raise OSError(f"Unable to open the HDF5 weights file {filepath!r}: {e}") from e
