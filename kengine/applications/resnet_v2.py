"""ResNet50V2/101V2/152V2: pre-activation residual networks.

Built by `resnet.resnet_model` with `resnet.stack_v2`; inputs are scaled to
[-1, 1] ("tf" mode). Layer names and weight files are Keras 2's.

Mirrors Keras 2's `applications/resnet_v2.py`.
"""

from collections.abc import Callable

from kengine.applications import imagenet_utils, resnet
from kengine.engine.training import Model

__all__ = [
    "ResNet50V2",
    "ResNet101V2",
    "ResNet152V2",
    "preprocess_input",
    "decode_predictions",
]


def _v2_stacks(depths: tuple) -> Callable:
    def stack_fn(x):
        x = resnet.stack_v2(x, 64, depths[0], name="conv2")
        x = resnet.stack_v2(x, 128, depths[1], name="conv3")
        x = resnet.stack_v2(x, 256, depths[2], name="conv4")
        return resnet.stack_v2(x, 512, depths[3], stride1=1, name="conv5")

    return stack_fn


def _build(depths, name, *args) -> Model:
    return resnet.resnet_model(_v2_stacks(depths), True, True, name, *args)


def ResNet50V2(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
) -> Model:
    return _build(
        (3, 4, 6, 3),
        "resnet50v2",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
    )


def ResNet101V2(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
) -> Model:
    return _build(
        (3, 4, 23, 3),
        "resnet101v2",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
    )


def ResNet152V2(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
) -> Model:
    return _build(
        (3, 8, 36, 3),
        "resnet152v2",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
    )


_DOC = resnet._ARGS_DOC.replace(
    '`resnet.preprocess_input` ("caffe": BGR, minus\n    the ImageNet means)',
    '`resnet_v2.preprocess_input` ("tf": scaled to\n    [-1, 1])',
).replace(
    "        **kwargs: Refused (Keras 2's `layers=` injection is not supported).\n", ""
)
ResNet50V2.__doc__ = "Builds ResNet50V2, optionally with ImageNet weights.\n" + _DOC
ResNet101V2.__doc__ = "Builds ResNet101V2, optionally with ImageNet weights.\n" + _DOC
ResNet152V2.__doc__ = "Builds ResNet152V2, optionally with ImageNet weights.\n" + _DOC


def preprocess_input(x, data_format=None):
    """`imagenet_utils.preprocess_input` in `"tf"` mode (scaled to [-1, 1])."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5) -> list:
    """`imagenet_utils.decode_predictions`: the top ImageNet classes per row."""
    return imagenet_utils.decode_predictions(preds, top=top)
