"""The steps every application model shares: arguments, input, top, weights.

A family module only describes its own body (convolution blocks and their
names). Before the body, `check_weights_argument` and `image_input` validate
the arguments and make the input tensor; after it, `classifier_top` or
`pooling_top` finish the graph, `make_model` wraps it, and `load_weights`
fetches the ImageNet file through `utils.get_file` (cached in
`~/.keras/models/`, so a cached file is used without the network) or loads the
user's h5 path.

Mirrors the repeated head and tail of every Keras 2 `applications/*.py`
constructor, and `utils/layer_utils.py: get_source_inputs`.
"""

from typing import NamedTuple

import tensorflow as tf

from kengine import backend, layers
from kengine.applications import imagenet_utils
from kengine.engine.training import Model
from kengine.utils.data_utils import get_file

WEIGHTS_HELP = (
    "The `weights` argument should be either `None` (random initialization), "
    "`imagenet` (pre-training on ImageNet), or the path to the weights file to be "
    "loaded.  Received: weights={weights}"
)


class WeightsFile(NamedTuple):
    """One downloadable weights file: its cache name, URL and hash."""

    name: str
    origin: str
    file_hash: str | None


def check_weights_argument(weights, include_top: bool, classes: int) -> None:
    """Refuses an unknown `weights` value and ImageNet tops with other classes.

    Raises:
        ValueError: when `weights` is neither `None`, `"imagenet"` nor an
            existing path, or ImageNet top weights meet `classes != 1000`.
    """
    if not (weights in {"imagenet", None} or tf.io.gfile.exists(weights)):
        raise ValueError(WEIGHTS_HELP.format(weights=weights))
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(
            'If using `weights` as `"imagenet"` with `include_top` as true, '
            f"`classes` should be 1000.  Received `classes={classes}`"
        )


def reject_unknown_arguments(kwargs: dict) -> None:
    """Refuses the extra keyword arguments a constructor's `**kwargs` caught.

    Keras 2 gives some constructors `**kwargs` to accept `layers=` (a layer
    module to build with); kengine always builds with its own layers, so that
    argument is refused too.

    Raises:
        ValueError: when `kwargs` is not empty.
    """
    if kwargs:
        raise ValueError(f"Unknown argument(s): {kwargs}")


def channel_axis() -> int:
    """The BatchNormalization / Concatenate axis for the current data format."""
    return 3 if backend.image_data_format() == "channels_last" else 1


def image_input(
    input_tensor, input_shape, default_size: int, min_size: int, include_top, weights
):
    """The model's image input: a new `Input`, or the user's tensor.

    Args:
        input_tensor: `None`, a Keras tensor, or a plain tensor to wrap.
        input_shape: The user's `input_shape` (checked against the family's
            `default_size` and `min_size`).
        default_size: The family's default image size.
        min_size: The family's smallest image size.
        include_top: Whether the classifier is attached.
        weights: `None`, `"imagenet"` or a path.

    Returns:
        The Keras tensor the body starts from.
    """
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=default_size,
        min_size=min_size,
        data_format=backend.image_data_format(),
        require_flatten=include_top,
        weights=weights,
    )
    return input_from_shape(input_tensor, input_shape)


def input_from_shape(input_tensor, input_shape):
    """A new `Input` of `input_shape`, the user's Keras tensor, or its wrapper."""
    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if not backend.is_keras_tensor(input_tensor):
        return layers.Input(tensor=input_tensor, shape=input_shape)
    return input_tensor


def classifier_top(x, classes: int, classifier_activation, weights, pool: bool = True):
    """Global average pooling (named `avg_pool`) and the `predictions` layer."""
    if pool:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    imagenet_utils.validate_activation(classifier_activation, weights)
    return layers.Dense(classes, activation=classifier_activation, name="predictions")(
        x
    )


def pooling_top(x, pooling, names: tuple = (None, None)):
    """The optional global pooling of a headless model (`pooling="avg"/"max"`).

    Args:
        x: The last feature map.
        pooling: `None`, `"avg"` or `"max"`.
        names: Names of the average and max pooling layers (`None`: automatic,
            as the families that leave them unnamed in Keras 2).
    """
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=names[0])(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=names[1])(x)
    return x


def get_source_inputs(tensor) -> list:
    """The `Input` tensors a Keras tensor was computed from, in first-seen order."""
    node = tensor._keras_history.layer._inbound_nodes[tensor._keras_history.node_index]
    if node.is_input:
        return [tensor]
    found = []
    for parent in node.keras_inputs:
        for source in get_source_inputs(parent):
            if all(source is not seen for seen in found):
                found.append(source)
    return found


def make_model(input_tensor, img_input, outputs, name: str) -> Model:
    """The functional model from the image input (or the user's sources) to `outputs`."""
    inputs = get_source_inputs(input_tensor) if input_tensor is not None else img_input
    return Model(inputs, outputs, name=name)


def load_weights(
    model: Model,
    weights,
    include_top: bool,
    top: WeightsFile | None,
    notop: WeightsFile | None,
) -> None:
    """Loads ImageNet weights (through the cache) or the user's file into `model`.

    Args:
        model: The freshly built application model.
        weights: `None`, `"imagenet"` or a path to an h5 file.
        include_top: Whether the model has its classifier.
        top: The ImageNet file of the model with its classifier.
        notop: The ImageNet file of the headless model.

    Raises:
        Exception: when the file is not cached and cannot be downloaded; the
            message names the URL and the cache path to copy it to.
    """
    if weights == "imagenet":
        file = top if include_top else notop
        if file is None:
            return  # Keras 2 silently skips families without published files.
        path = get_file(
            file.name, file.origin, cache_subdir="models", file_hash=file.file_hash
        )
        model.load_weights(path)
    elif weights is not None:
        model.load_weights(weights)
