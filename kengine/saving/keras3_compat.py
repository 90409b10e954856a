"""Reads Keras 3's `config.json` by rewriting it into the Keras 2 spelling.

No Keras 2 file mirrors this (tf_keras cannot read Keras 3 archives); it is
what lets `saving_lib.load_model` open a `.keras` file Keras 3 wrote. The
differences handled, all of them in spelling, none in meaning:

- dtypes are `DTypePolicy` objects (`{"class_name": "DTypePolicy", "config":
  {"name": "float32"}}`): they become the policy's name;
- `InputLayer` says `batch_shape` where Keras 2 says `batch_input_shape`;
- a functional node lists its call as `{"args": [...], "kwargs": {...}}` with
  `__keras_tensor__` placeholders; Keras 2 lists the inbound tensors as
  `[layer name, node index, tensor index, kwargs]`;
- a single-input model's `input_layers` is one `[name, 0, 0]`, not a list;
- arguments Keras 2 never had (`quantization_config`, `optional`, an
  initializer's `input_axes`, an optimizer's `loss_scale_factor`, ...) are
  dropped when they hold their neutral value and refused otherwise.

The rewrite only renames and restructures data; it never resolves a name, so
the result goes through the same safe deserialization as any other config.
"""

__all__ = ["is_keras3", "to_keras2_compile_config", "to_keras2_config"]

# Keras 3 arguments that Keras 2 lacks, with the values that mean "not used".
_NEUTRAL = {
    "quantization_config": (None,),
    "optional": (False,),
    "input_axes": (None,),
    "output_axes": (None,),
    "lora_rank": (None,),
    "lora_alpha": (None,),
    "loss_scale_factor": (None,),
    "gradient_accumulation_steps": (None,),
    "synchronized": (False,),
}


def is_keras3(metadata: dict) -> bool:
    """Whether a `.keras` archive's `metadata.json` says Keras 3 wrote it."""
    return str(metadata.get("keras_version", "")).startswith("3.")


def _drop_new_arguments(config: dict, where: str) -> dict:
    out = {}
    for key, value in config.items():
        if key in _NEUTRAL:
            if value not in _NEUTRAL[key]:
                raise ValueError(
                    f"{where}: the Keras 3 argument {key}={value!r} has no "
                    "Keras 2 equivalent, so kengine cannot rebuild it."
                )
            continue
        out[key] = value
    return out


def _tensor_ref(value, kwargs: dict) -> list | None:
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        history = value.get("config", {}).get("keras_history")
        if isinstance(history, list) and len(history) == 3:
            return [*history, kwargs]
    return None


def _node(node, where: str) -> list:
    """A Keras 3 node `{"args", "kwargs"}` as a Keras 2 list of inbound refs."""
    if not isinstance(node, dict):
        return node  # already in the Keras 2 spelling
    kwargs = _convert(node.get("kwargs") or {})
    args = node.get("args") or []
    first = args[0] if args else None
    members = first if isinstance(first, list) else [first]
    refs = [_tensor_ref(member, kwargs) for member in members]
    if not refs or any(ref is None for ref in refs) or len(args) > 1:
        raise ValueError(
            f"{where}: a Keras 3 node calls the layer with arguments kengine "
            f"cannot express in Keras 2's config: {node!r}"[:400]
        )
    return refs


def _layer_entry(entry: dict) -> dict:
    entry = dict(entry)
    where = f"layer {entry.get('name') or entry.get('class_name')!r}"
    if "inbound_nodes" in entry:
        entry["inbound_nodes"] = [_node(n, where) for n in entry["inbound_nodes"]]
    return entry


def _convert(value):
    """Recursively rewrites one config value (see the module docstring)."""
    if isinstance(value, list):
        return [_convert(v) for v in value]
    if not isinstance(value, dict):
        return value
    if value.get("class_name") == "DTypePolicy":
        return value.get("config", {}).get("name", "float32")
    if "class_name" in value and isinstance(value.get("config"), dict):
        value = _layer_entry(value) if "inbound_nodes" in value else dict(value)
        value.pop("shared_object_id", None)
        inner = _drop_new_arguments(value["config"], repr(value["class_name"]))
        if value["class_name"] == "InputLayer" and "batch_shape" in inner:
            inner["batch_input_shape"] = inner.pop("batch_shape")
        for key in ("input_layers", "output_layers"):
            refs = inner.get(key)
            if isinstance(refs, list) and refs and isinstance(refs[0], str):
                inner[key] = [refs]  # one tensor, written without its list
        value["config"] = {k: _convert(v) for k, v in inner.items()}
        return {
            k: (v if k == "config" else _convert(v))
            for k, v in value.items()
            if k != "shared_object_id"
        }
    return {k: _convert(v) for k, v in value.items() if k != "shared_object_id"}


def to_keras2_config(config: dict) -> dict:
    """A Keras 3 `config.json` dict rewritten for kengine's deserializers.

    Args:
        config: The parsed `config.json` of a Keras 3 archive.

    Returns:
        The same model in the Keras 2 spelling.

    Raises:
        ValueError: for a Keras 3 construct with no Keras 2 equivalent.
    """
    return _convert(config)


def to_keras2_compile_config(config: dict) -> dict:
    """A Keras 3 `compile_config` rewritten for `compile_args_from_config`."""
    config = _convert(config)
    optimizer = config.get("optimizer")
    if isinstance(optimizer, dict) and isinstance(optimizer.get("config"), dict):
        inner = dict(optimizer["config"])
        inner["name"] = optimizer["class_name"]  # Keras 3 lower-cases the name
        # Without this flag a Keras 2 reader picks the legacy optimizer class.
        inner.setdefault("is_legacy_optimizer", False)
        config["optimizer"] = {**optimizer, "config": inner}
    return config
