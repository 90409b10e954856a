"""Xception: depthwise-separable convolutions with residual connections.

An entry flow of strided blocks (`block2` to `block4`), a middle flow of eight
identical blocks (`block5` to `block12`), and an exit flow (`block13`,
`block14`). The residual projections are unnamed in Keras 2 (automatic
`conv2d_<n>` and `batch_normalization_<n>`), so they are created here in Keras
2's order to keep the names, and the ImageNet h5 files, lined up.

Mirrors Keras 2's `applications/xception.py`.
"""

from kengine import backend, layers
from kengine.applications import _assembly, imagenet_utils
from kengine.engine.training import Model

__all__ = ["Xception", "preprocess_input", "decode_predictions"]

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/xception/"
WEIGHTS = _assembly.WeightsFile(
    "xception_weights_tf_dim_ordering_tf_kernels.h5",
    _BASE + "xception_weights_tf_dim_ordering_tf_kernels.h5",
    "0a58e3b7378bc2990ea3b43d5981f1f6",
)
WEIGHTS_NO_TOP = _assembly.WeightsFile(
    "xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
    _BASE + "xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
    "b0042744bf5b25fce3cb969f33bebb97",
)


def _axis() -> int:
    return 1 if backend.image_data_format() == "channels_first" else -1


def _sep_bn(x, filters: int, name: str):
    x = layers.SeparableConv2D(
        filters, (3, 3), padding="same", use_bias=False, name=name
    )(x)
    return layers.BatchNormalization(axis=_axis(), name=name + "_bn")(x)


def _strided_block(x, filters: tuple, block: str, first_relu: bool = True):
    """Two separable convolutions and a strided max pooling, plus a 1x1 projection."""
    residual = layers.Conv2D(
        filters[1], (1, 1), strides=(2, 2), padding="same", use_bias=False
    )(x)
    residual = layers.BatchNormalization(axis=_axis())(residual)
    if first_relu:  # The first entry block follows a ReLU already.
        x = layers.Activation("relu", name=f"{block}_sepconv1_act")(x)
    x = _sep_bn(x, filters[0], f"{block}_sepconv1")
    x = layers.Activation("relu", name=f"{block}_sepconv2_act")(x)
    x = _sep_bn(x, filters[1], f"{block}_sepconv2")
    x = layers.MaxPooling2D(
        (3, 3), strides=(2, 2), padding="same", name=f"{block}_pool"
    )(x)
    return layers.add([x, residual])


def _middle_block(x, block: str):
    residual = x
    for i in (1, 2, 3):
        x = layers.Activation("relu", name=f"{block}_sepconv{i}_act")(x)
        x = _sep_bn(x, 728, f"{block}_sepconv{i}")
    return layers.add([x, residual])


def _trunk(img_input):
    axis = _axis()
    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name="block1_conv1")(
        img_input
    )
    x = layers.BatchNormalization(axis=axis, name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = layers.BatchNormalization(axis=axis, name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)
    x = _strided_block(x, (128, 128), "block2", first_relu=False)
    x = _strided_block(x, (256, 256), "block3")
    x = _strided_block(x, (728, 728), "block4")
    for i in range(5, 13):
        x = _middle_block(x, f"block{i}")
    x = _strided_block(x, (728, 1024), "block13")
    x = _sep_bn(x, 1536, "block14_sepconv1")
    x = layers.Activation("relu", name="block14_sepconv1_act")(x)
    x = _sep_bn(x, 2048, "block14_sepconv2")
    return layers.Activation("relu", name="block14_sepconv2_act")(x)


def Xception(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
) -> Model:
    """Builds Xception, optionally with ImageNet weights.

    Inputs are scaled to [-1, 1] by `xception.preprocess_input`; the default
    size is 299x299 and the smallest 71x71.

    Args:
        include_top: Whether to add pooling (`avg_pool`) and `predictions`.
        weights: `None`, `"imagenet"` or the path of an h5 weights file.
        input_tensor: Optional Keras tensor to use as the image input.
        input_shape: Optional `(height, width, channels)`.
        pooling: Without the top: `None`, `"avg"` or `"max"`.
        classes: Number of classes of the top.
        classifier_activation: Activation of `predictions`.

    Returns:
        A `Model` named `xception`.
    """
    _assembly.check_weights_argument(weights, include_top, classes)
    img_input = _assembly.image_input(
        input_tensor, input_shape, 299, 71, include_top, weights
    )
    x = _trunk(img_input)
    if include_top:
        x = _assembly.classifier_top(x, classes, classifier_activation, weights)
    else:
        x = _assembly.pooling_top(x, pooling)
    model = _assembly.make_model(input_tensor, img_input, x, "xception")
    _assembly.load_weights(model, weights, include_top, WEIGHTS, WEIGHTS_NO_TOP)
    return model


def preprocess_input(x, data_format=None):
    """`imagenet_utils.preprocess_input` in `"tf"` mode (scaled to [-1, 1])."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5) -> list:
    """`imagenet_utils.decode_predictions`: the top ImageNet classes per row."""
    return imagenet_utils.decode_predictions(preds, top=top)
