"""`layers.serialize` / `deserialize` / `get`: layers to configs and back by class name.

Mirrors Keras 2's `layers/serialization.py`, which imports every layer module to
build its table of known classes; so does this one. The known classes are every
`Layer` subclass the layer families export (aliases included), registered here
in `utils.object_registry` under kind `"layer"`, plus the model classes
(`Functional`, `Sequential`, `Model`, `AddLoss`, `AddMetric`), which register
themselves where they are defined: Keras 2 imports them here, but they sit in
the training layer above the layer library. So a tf_keras model JSON naming
`Dense` or `Functional` rebuilds here. The table holds those classes only: a
name such as `__builtins__`, `serialization` or `deserialize` is unknown, not
resolved. Every layer-by-name lookup (wrappers, RNN cells, Functional and
Sequential configs) reads the same table (`builtin_objects("layer")`). Unknown
names raise the `ValueError` of `utils.serialization.deserialize_keras_object`;
nothing is imported by name.
"""

from kengine.engine.base_layer import Layer
from kengine.engine.input_layer import InputLayer
from kengine.layers import (
    activation,
    alpha_dropout,
    conv_lstm,
    convolutional,
    convolutional_depthwise,
    convolutional_transpose,
    core,
    einsum_dense,
    embeddings,
    group_normalization,
    lambda_layer,
    merging,
    normalization,
    pooling,
    preprocessing,
    recurrent,
    regularization,
    reshaping,
    spectral_normalization,
    tf_op_layer,
    unit_normalization,
    wrappers,
)
from kengine.layers.attention import AdditiveAttention, Attention, MultiHeadAttention
from kengine.utils import object_registry, serialization

__all__ = ["serialize", "deserialize", "get_builtin_layer", "builtin_layers"]


_FAMILIES = (
    activation,
    alpha_dropout,
    conv_lstm,
    convolutional,
    convolutional_depthwise,
    convolutional_transpose,
    core,
    einsum_dense,
    embeddings,
    group_normalization,
    lambda_layer,
    merging,
    normalization,
    pooling,
    preprocessing,
    recurrent,
    regularization,
    reshaping,
    spectral_normalization,
    tf_op_layer,
    unit_normalization,
    wrappers,
)


def _register_builtin_layers() -> None:
    """Registers every Layer class the families export, under each exported name."""
    # The attention package also exports its base class, which Keras 2 does not.
    for cls in (Layer, InputLayer, AdditiveAttention, Attention, MultiHeadAttention):
        object_registry.register_builtin("layer", cls)
    for family in _FAMILIES:
        for name in family.__all__:
            obj = getattr(family, name)
            if isinstance(obj, type) and issubclass(obj, Layer):
                object_registry.register_builtin("layer", obj, name)
    # `activations.get("ReLU")` gives a ReLU layer, as in Keras 2.
    for name in activation.__all__:
        object_registry.register_builtin("activation", getattr(activation, name), name)


_register_builtin_layers()


def builtin_layers() -> dict:
    """kengine's layer and model classes by class name (Layer subclasses only)."""
    return object_registry.builtin_objects("layer")


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
        safe_mode: refuse `Lambda` bytecode (see `utils.serialization`);
            nested calls pass on the mode of the load they belong to.

    Returns:
        The layer.

    Raises:
        ValueError: for an unknown class name or a malformed config.
    """
    return serialization.deserialize_builtin(
        config,
        "layer",
        custom_objects,
        what="layer",
        instantiate=False,
        safe_mode=safe_mode,
    )
