"""`layers.serialize` / `deserialize` / `get`: layers to configs and back by class name.

Mirrors Keras 2's `layers/serialization.py`. The known classes are every `Layer`
subclass exported by `kengine.layers`, plus the model classes (`Functional`,
`Sequential`, `Model`), so a tf_keras model JSON naming `Dense` or `Functional`
rebuilds here. The table is built from those classes only: a name such as
`__builtins__`, `serialization` or `deserialize` (other attributes of the
`kengine.layers` module) is unknown, not resolved. Every layer-by-name lookup
(wrappers, RNN cells, Functional and Sequential configs) goes through
`builtin_layers()`. Unknown names raise the `ValueError` of
`saving.serialization.deserialize_keras_object`; nothing is imported by name.
"""

from kengine.saving import serialization

__all__ = ["serialize", "deserialize", "get_builtin_layer", "builtin_layers"]


def builtin_layers() -> dict:
    """kengine's layer and model classes by class name (Layer subclasses only)."""
    import kengine.layers as layers_module
    from kengine.engine.base_layer import Layer
    from kengine.engine.functional import AddLoss, AddMetric, Functional
    from kengine.engine.sequential import Sequential
    from kengine.engine.training import Model

    found = {
        name: obj
        for name, obj in vars(layers_module).items()
        if isinstance(obj, type) and issubclass(obj, Layer)
    }
    found.update(
        {
            "Functional": Functional,
            "Sequential": Sequential,
            "Model": Model,
            "AddLoss": AddLoss,
            "AddMetric": AddMetric,
        }
    )
    return found


def get_builtin_layer(class_name: str):
    """The kengine layer class of that name, or None."""
    return builtin_layers().get(class_name)


def serialize(layer, use_legacy_format: bool = False) -> dict:
    """A layer's `{module, class_name, config, registered_name}` dict."""
    return serialization.serialize_keras_object(layer)


def deserialize(
    config,
    custom_objects: dict | None = None,
    use_legacy_format: bool = False,
    *,
    safe_mode: bool = True,
):
    """Creates a layer from `serialize()` output (or tf_keras's).

    Args:
        config: the layer's `{class_name, config, ...}` dict.
        custom_objects: user classes and functions by name.
        use_legacy_format: accepted for tf_keras's signature; both formats load.
        safe_mode: refuse `Lambda` bytecode (see `saving.serialization`);
            nested calls pass on the mode of the load they belong to.

    Returns:
        The layer.

    Raises:
        ValueError: for an unknown class name or a malformed config.
    """
    return serialization.deserialize_keras_object(
        config,
        custom_objects=custom_objects,
        safe_mode=safe_mode,
        module_objects=builtin_layers(),
        printable_module_name="layer",
    )
