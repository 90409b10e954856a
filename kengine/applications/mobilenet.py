"""MobileNet (v1): depthwise-separable convolutions scaled by a width multiplier.

Each block is a 3x3 `DepthwiseConv2D` and a 1x1 `Conv2D`, both followed by
BatchNormalization and ReLU6; `alpha` scales every layer's filters and
`depth_multiplier` the depthwise channels. The ImageNet files exist for four
widths and four square resolutions; other resolutions load the 224 weights
(the convolutions do not depend on the image size). Layer names (`conv_dw_<i>`,
`conv_pw_<i>`, `conv_preds`, `reshape_2`, ...) are Keras 2's.

Mirrors Keras 2's `applications/mobilenet.py`.
"""

import logging

from kengine import backend, layers
from kengine.applications import _assembly, imagenet_utils
from kengine.engine.training import Model

__all__ = ["MobileNet", "preprocess_input", "decode_predictions"]

BASE_WEIGHT_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
)
_ALPHA_TEXT = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0", 0.25: "2_5"}
_SIZES = (128, 160, 192, 224)
# (pointwise filters, stride) of the 13 depthwise-separable blocks.
_BLOCKS = (
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
)


def square_size(shape, sizes: tuple) -> int:
    """The side of a square `shape` (channels included) when it is in `sizes`, else 224."""
    if shape is None:
        return 224
    if backend.image_data_format() == "channels_first":
        rows, cols = shape[1], shape[2]
    else:
        rows, cols = shape[0], shape[1]
    return rows if rows == cols and rows in sizes else 224


def weights_rows(input_shape, weights, sizes: tuple) -> int:
    """The resolution whose ImageNet file is loaded (224 for other shapes)."""
    first = 1 if backend.image_data_format() == "channels_first" else 0
    rows, cols = input_shape[first], input_shape[first + 1]
    if weights == "imagenet" and (rows != cols or rows not in sizes):
        logging.warning(
            "`input_shape` is undefined or non-square, or `rows` is not in %s. "
            "Weights for input shape (224, 224) will be loaded as the default.",
            list(sizes),
        )
        return 224
    return rows


def _check_imagenet_arguments(weights, alpha, depth_multiplier) -> None:
    if weights != "imagenet":
        return
    if depth_multiplier != 1:
        raise ValueError(
            "If imagenet weights are being loaded, depth multiplier must be 1.  "
            f"Received depth_multiplier={depth_multiplier}"
        )
    if alpha not in _ALPHA_TEXT:
        raise ValueError(
            "If imagenet weights are being loaded, alpha can be one of`0.25`, "
            f"`0.50`, `0.75` or `1.0` only.  Received alpha={alpha}"
        )


def MobileNet(
    input_shape=None,
    alpha: float = 1.0,
    depth_multiplier: int = 1,
    dropout: float = 1e-3,
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
    **kwargs,
) -> Model:
    """Builds MobileNet, optionally with ImageNet weights.

    Inputs are scaled to [-1, 1] by `mobilenet.preprocess_input`; the default
    size is 224x224 (or the square size given among 128, 160, 192) and the
    smallest 32x32.

    Args:
        input_shape: Optional `(height, width, channels)`.
        alpha: Width multiplier of every layer (ImageNet: 0.25, 0.5, 0.75, 1.0).
        depth_multiplier: Channel multiplier of the depthwise convolutions.
        dropout: Dropout rate before the classifier.
        include_top: Whether to add the classifier (a 1x1 convolution).
        weights: `None`, `"imagenet"` or the path of an h5 weights file.
        input_tensor: Optional Keras tensor to use as the image input.
        pooling: Without the top: `None`, `"avg"` or `"max"`.
        classes: Number of classes of the top.
        classifier_activation: Activation of `predictions`.
        **kwargs: Refused (Keras 2's `layers=` injection is not supported).

    Returns:
        A `Model` named `mobilenet_<alpha>_<rows>`.

    Raises:
        ValueError: for invalid arguments, as Keras 2.
    """
    _assembly.reject_unknown_arguments(kwargs)
    _assembly.check_weights_argument(weights, include_top, classes)
    size = square_size(input_shape, _SIZES)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, size, 32, backend.image_data_format(), include_top, weights
    )
    _check_imagenet_arguments(weights, alpha, depth_multiplier)
    rows = weights_rows(input_shape, weights, _SIZES)
    img_input = _assembly.input_from_shape(input_tensor, input_shape)
    x = _conv_block(img_input, 32, alpha, strides=(2, 2))
    for block_id, (filters, stride) in enumerate(_BLOCKS, start=1):
        x = _depthwise_conv_block(
            x, filters, alpha, depth_multiplier, (stride, stride), block_id
        )
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    else:
        x = _assembly.pooling_top(x, pooling)
    model = _assembly.make_model(
        input_tensor, img_input, x, f"mobilenet_{alpha:0.2f}_{rows}"
    )
    _assembly.load_weights(model, weights, include_top, *_weights_files(alpha, rows))
    return model


def _weights_files(alpha: float, rows: int) -> tuple:
    text = _ALPHA_TEXT.get(alpha, "2_5")
    top = f"mobilenet_{text}_{rows}_tf.h5"
    notop = f"mobilenet_{text}_{rows}_tf_no_top.h5"
    # Keras 2 publishes no hashes for these files.
    return (
        _assembly.WeightsFile(top, BASE_WEIGHT_PATH + top, None),
        _assembly.WeightsFile(notop, BASE_WEIGHT_PATH + notop, None),
    )


def _bn_axis() -> int:
    return 1 if backend.image_data_format() == "channels_first" else -1


def _conv_block(inputs, filters: int, alpha: float, strides=(1, 1)):
    x = layers.Conv2D(
        int(filters * alpha),
        (3, 3),
        padding="same",
        use_bias=False,
        strides=strides,
        name="conv1",
    )(inputs)
    x = layers.BatchNormalization(axis=_bn_axis(), name="conv1_bn")(x)
    return layers.ReLU(6.0, name="conv1_relu")(x)


def _depthwise_conv_block(inputs, filters, alpha, depth_multiplier, strides, block_id):
    x = inputs
    if strides != (1, 1):
        # Pad bottom/right only, so the strided 'valid' convolution matches
        # the reference implementation's alignment.
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
    x = layers.DepthwiseConv2D(
        (3, 3),
        padding="same" if strides == (1, 1) else "valid",
        depth_multiplier=depth_multiplier,
        strides=strides,
        use_bias=False,
        name=f"conv_dw_{block_id}",
    )(x)
    x = layers.BatchNormalization(axis=_bn_axis(), name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(
        int(filters * alpha),
        (1, 1),
        padding="same",
        use_bias=False,
        strides=(1, 1),
        name=f"conv_pw_{block_id}",
    )(x)
    x = layers.BatchNormalization(axis=_bn_axis(), name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


def preprocess_input(x, data_format=None):
    """`imagenet_utils.preprocess_input` in `"tf"` mode (scaled to [-1, 1])."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5) -> list:
    """`imagenet_utils.decode_predictions`: the top ImageNet classes per row."""
    return imagenet_utils.decode_predictions(preds, top=top)
