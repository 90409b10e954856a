"""Whole models as TensorFlow SavedModel directories (`save_format="tf"`).

Mirrors the outside of Keras 2's `saving/legacy/saved_model/save.py` and
`load.py`; the inside is much simpler. Saving writes:

```
saved_model.pb, variables/, fingerprint.pb   tf.saved_model.save of a small module:
                                             `serve` (the model in inference mode),
                                             `keras_variables` (model.weights) and
                                             `keras_resources` (the layers' lookup
                                             tables, which `serve` captures)
kengine_model.json                           {"keras_version", "model_config",
                                             "compile_config"}: what `load_model`
                                             needs to rebuild the Keras model
```

`tf.saved_model.load(path).signatures["serving_default"]` takes the model's
inputs by input-layer name and returns a dict keyed by output-layer name, as
tf_keras's SavedModels do. The directory is written beside the target and
swapped in whole (`atomic_io.atomic_write_directory`).

Loading (`load_model`) rebuilds the model from `kengine_model.json`, or, for a
SavedModel tf_keras wrote, from the root object's config in its
`keras_metadata.pb` (read here with a few lines of protobuf wire decoding, so
nothing of tf_keras is imported), then copies the values of the SavedModel's
variables into it and runs each layer's `finalize_state()` (an adapted
lookup table is rebuilt from its `vocabulary` weight). Compiling uses the
recorded compile config with a fresh optimizer, as tf_keras does for this
format. A SavedModel with neither file (exported by plain TensorFlow) raises
`ValueError`: it can be served with `tf.saved_model.load` but not rebuilt as
a Keras model.
"""

import json
import os

import tensorflow as tf

from kengine.saving import hdf5_format, saving_utils
from kengine.saving.atomic_io import atomic_write_directory

__all__ = ["KENGINE_METADATA", "export_module", "load_model", "save_model"]

KENGINE_METADATA = "kengine_model.json"
TF_KERAS_METADATA = "keras_metadata.pb"


def _input_specs(model) -> list:
    inputs = getattr(model, "inputs", None)
    if not inputs:
        raise ValueError(
            f"Model {model.name!r} has no known inputs, so no serving signature "
            "can be traced. Build it from `Input`s, or call it on data once "
            "before saving it as a SavedModel."
        )
    names = list(getattr(model, "input_names", None) or [])
    if len(names) != len(inputs):
        names = [f"input_{i + 1}" for i in range(len(inputs))]
    return [tf.TensorSpec(t.shape, t.dtype, name=n) for t, n in zip(inputs, names)]


def _layer_resources(model) -> list:
    """The resources (lookup tables) that layers hold outside their weights.

    A serving function that captures one must find it tracked by the saved
    object, or `tf.saved_model.save` refuses to export it.
    """
    return [
        value
        for layer in model._flatten_layers()
        for value in vars(layer).values()
        if isinstance(value, tf.saved_model.experimental.TrackableResource)
    ]


def export_module(model) -> tf.Module:
    """A `tf.Module` serving `model`: `serve` and `keras_variables`.

    Args:
        model: A kengine model with known inputs.

    Returns:
        The module to pass to `tf.saved_model.save` (its `serve` is the
        `serving_default` signature).
    """
    specs = _input_specs(model)
    output_names = list(model.output_names)

    @tf.function(input_signature=specs)
    def serve(*args):
        outputs = model(args[0] if len(args) == 1 else list(args), training=False)
        return dict(zip(output_names, tf.nest.flatten(outputs)))

    module = tf.Module(name=f"{model.name}_serving")
    module.keras_variables = list(model.weights)
    module.keras_resources = _layer_resources(model)
    module.serve = serve
    return module


def save_model(model, dirpath, options=None) -> None:
    """Writes `model` as a SavedModel directory (beside the target, swapped in).

    Args:
        model: A kengine model with known inputs.
        dirpath: The directory to write.
        options: A `tf.saved_model.SaveOptions`.
    """
    module = export_module(model)
    metadata = {
        "keras_version": saving_utils.KERAS_VERSION,
        "model_config": json.loads(model.to_json()),
        "compile_config": saving_utils.compile_config_of(model),
    }
    with atomic_write_directory(dirpath) as temp_path:
        tf.saved_model.save(
            module,
            temp_path,
            signatures={"serving_default": module.serve},
            options=options,
        )
        with open(os.path.join(temp_path, KENGINE_METADATA), "w") as f:
            json.dump(metadata, f)


# ------------------------------------------------- tf_keras's keras_metadata.pb


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ValueError("truncated or malformed varint")
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos, shift = pos + 1, shift + 7
        if not byte & 0x80:
            return value, pos


def _fields(data: bytes):
    """Yields `(field number, value)` of a protobuf message (bytes or int)."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            size, pos = _varint(data, pos)
            value, pos = data[pos : pos + size], pos + size
            if pos > len(data):
                raise ValueError("truncated length-delimited field")
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            value, pos = data[pos : pos + size], pos + size
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield number, value


def _tuples(obj: dict):
    """tf_keras writes tuples as `{"class_name": "__tuple__", "items": [...]}`."""
    if obj.get("class_name") == "__tuple__" and isinstance(obj.get("items"), list):
        return tuple(obj["items"])
    return obj


def _tf_keras_root_metadata(path: str) -> dict:
    """The root object's metadata JSON in tf_keras's `keras_metadata.pb`.

    `SavedMetadata.nodes` (field 1) are `SavedObject`s whose field 3 is the
    node path and field 5 the metadata JSON.
    """
    with open(path, "rb") as f:
        data = f.read()
    try:
        for number, node in _fields(data):
            if number != 1:
                continue
            fields = dict(_fields(node))
            if fields.get(3) == b"root":
                return json.loads(fields.get(5, b"{}"), object_hook=_tuples)
    except (ValueError, UnicodeDecodeError) as err:
        raise ValueError(
            f"{path!r} is not a readable keras_metadata.pb: {err}"
        ) from err
    raise ValueError(f"{path!r} holds no metadata for the root object.")


def _recorded_metadata(dirpath: str) -> dict:
    """`{"model_config", "compile_config"}` of a SavedModel, or a clear error."""
    own = os.path.join(dirpath, KENGINE_METADATA)
    if os.path.isfile(own):
        with open(own, encoding="utf-8") as f:
            try:
                return json.load(f)
            except json.JSONDecodeError as err:
                raise ValueError(f"{own!r} is not JSON: {err}") from err
    theirs = os.path.join(dirpath, TF_KERAS_METADATA)
    if os.path.isfile(theirs):
        root = _tf_keras_root_metadata(theirs)
        config = {"class_name": root.get("class_name"), "config": root.get("config")}
        return {"model_config": config, "compile_config": root.get("training_config")}
    raise ValueError(
        f"The SavedModel at {dirpath!r} records no Keras model config (neither "
        f"{KENGINE_METADATA} nor {TF_KERAS_METADATA}), so it cannot be rebuilt "
        "as a Keras model. Serve it with `tf.saved_model.load(path)` instead."
    )


def load_model(
    dirpath,
    custom_objects: dict | None = None,
    compile: bool = True,
    safe_mode: bool = True,
    options=None,
):
    """Rebuilds the Keras model a SavedModel directory records.

    Args:
        dirpath: The SavedModel directory (kengine's or tf_keras's).
        custom_objects: User classes and functions by name.
        compile: Compile with the recorded compile config (fresh optimizer).
        safe_mode: Refuse `Lambda` bytecode unless False.
        options: A `tf.saved_model.LoadOptions`.

    Returns:
        The kengine model, holding the SavedModel's variable values.

    Raises:
        ValueError: for a SavedModel without a Keras config, a config naming
            an unknown or unsafe object, or variables that do not fit.
        OSError: when `dirpath` is not a SavedModel directory.
    """
    dirpath = os.fspath(dirpath)
    if not os.path.isfile(os.path.join(dirpath, "saved_model.pb")):
        raise OSError(f"{dirpath!r} is not a SavedModel directory (no saved_model.pb).")
    metadata = _recorded_metadata(dirpath)
    model = saving_utils.model_from_config(
        metadata.get("model_config"), custom_objects, safe_mode
    )
    loaded = tf.saved_model.load(dirpath, options=options)
    variables = getattr(loaded, "keras_variables", None)
    if variables is None:
        variables = loaded.variables
    values = [v.numpy() for v in variables]
    pairs = hdf5_format.matched_pairs(
        "the SavedModel's variables", list(model.weights), values, dirpath, False
    )
    hdf5_format.assign(pairs)
    hdf5_format.finalize_layers(model)
    compile_config = metadata.get("compile_config")
    if compile and compile_config:
        model.compile(
            **saving_utils.compile_args_from_config(compile_config, custom_objects)
        )
    return model
