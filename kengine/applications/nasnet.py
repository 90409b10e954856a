"""NASNetMobile and NASNetLarge: cells found by neural architecture search.

The network stacks "normal" cells (same size) and "reduction" cells (stride
2). Each cell combines the current input `ip` and the previous cell's input
`p` (first brought to the same size and width by `_adjust_block`) through
separable-convolution and pooling branches, and returns `(output, ip)`. Many
layers are unnamed in Keras 2 (automatic `activation_<n>`, `zero_padding2d_<n>`,
...), so every cell creates its layers in exactly Keras 2's order to keep the
names, and with them the ImageNet h5 files, lined up. NASNet exists for
`channels_last` only.

Mirrors Keras 2's `applications/nasnet.py`.
"""

import logging

from kengine import backend, layers
from kengine.applications import _assembly, imagenet_utils
from kengine.engine.training import Model

__all__ = ["NASNetMobile", "NASNetLarge", "preprocess_input", "decode_predictions"]

BASE_WEIGHTS_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/"
)
# default size -> (top file, notop file).
WEIGHTS = {
    224: (
        _assembly.WeightsFile(
            "nasnet_mobile.h5",
            BASE_WEIGHTS_PATH + "NASNet-mobile.h5",
            "020fb642bf7360b370c678b08e0adf61",
        ),
        _assembly.WeightsFile(
            "nasnet_mobile_no_top.h5",
            BASE_WEIGHTS_PATH + "NASNet-mobile-no-top.h5",
            "1ed92395b5b598bdda52abe5c0dbfd63",
        ),
    ),
    331: (
        _assembly.WeightsFile(
            "nasnet_large.h5",
            BASE_WEIGHTS_PATH + "NASNet-large.h5",
            "11577c9a518f0070763c2b964a382f17",
        ),
        _assembly.WeightsFile(
            "nasnet_large_no_top.h5",
            BASE_WEIGHTS_PATH + "NASNet-large-no-top.h5",
            "d81d89dc07e6e56530c4e77faddd61b5",
        ),
    ),
}
_AXIS = -1  # NASNet is built channels_last only.


def _bn(x, name=None):
    return layers.BatchNormalization(
        axis=_AXIS, momentum=0.9997, epsilon=1e-3, name=name
    )(x)


def _conv1x1(x, filters, name, strides=(1, 1)):
    return layers.Conv2D(
        filters,
        (1, 1),
        strides=strides,
        padding="same",
        use_bias=False,
        name=name,
        kernel_initializer="he_normal",
    )(x)


def _separable_conv_block(
    ip, filters, kernel_size=(3, 3), strides=(1, 1), block_id=None
):
    """ReLU, separable conv (maybe strided), BN, ReLU, separable conv, BN."""
    x = layers.Activation("relu")(ip)
    padding = "same"
    if strides == (2, 2):
        pad = imagenet_utils.correct_pad(x, kernel_size)
        x = layers.ZeroPadding2D(padding=pad, name=f"separable_conv_1_pad_{block_id}")(
            x
        )
        padding = "valid"
    x = layers.SeparableConv2D(
        filters,
        kernel_size,
        strides=strides,
        name=f"separable_conv_1_{block_id}",
        padding=padding,
        use_bias=False,
        kernel_initializer="he_normal",
    )(x)
    x = _bn(x, f"separable_conv_1_bn_{block_id}")
    x = layers.Activation("relu")(x)
    x = layers.SeparableConv2D(
        filters,
        kernel_size,
        name=f"separable_conv_2_{block_id}",
        padding="same",
        use_bias=False,
        kernel_initializer="he_normal",
    )(x)
    return _bn(x, f"separable_conv_2_bn_{block_id}")


def _halve_previous(p, filters, block_id):
    """Brings `p` down to the current size: two offset 1x1 strided paths, concatenated."""
    p = layers.Activation("relu", name=f"adjust_relu_1_{block_id}")(p)
    p1 = layers.AveragePooling2D(
        (1, 1), strides=(2, 2), padding="valid", name=f"adjust_avg_pool_1_{block_id}"
    )(p)
    p1 = _conv1x1(p1, filters // 2, f"adjust_conv_1_{block_id}")
    # Shift by one pixel so the second path samples the other grid positions.
    p2 = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(p)
    p2 = layers.Cropping2D(cropping=((1, 0), (1, 0)))(p2)
    p2 = layers.AveragePooling2D(
        (1, 1), strides=(2, 2), padding="valid", name=f"adjust_avg_pool_2_{block_id}"
    )(p2)
    p2 = _conv1x1(p2, filters // 2, f"adjust_conv_2_{block_id}")
    p = layers.concatenate([p1, p2], axis=_AXIS)
    return _bn(p, f"adjust_bn_{block_id}")


def _adjust_block(p, ip, filters, block_id=None):
    """The previous cell's input `p`, matched to `ip`'s size and to `filters`."""
    if p is None:
        return ip
    if backend.int_shape(p)[-2] != backend.int_shape(ip)[-2]:
        return _halve_previous(p, filters, block_id)
    if backend.int_shape(p)[_AXIS] != filters:
        p = layers.Activation("relu")(p)
        p = _conv1x1(p, filters, f"adjust_conv_projection_{block_id}")
        return _bn(p, f"adjust_bn_{block_id}")
    return p


def _cell_input(ip, filters, kind, block_id):
    h = layers.Activation("relu")(ip)
    h = _conv1x1(h, filters, f"{kind}_conv_1_{block_id}")
    return _bn(h, f"{kind}_bn_1_{block_id}")


def _avg3(x, name, strides=(1, 1), padding="same"):
    return layers.AveragePooling2D((3, 3), strides=strides, padding=padding, name=name)(
        x
    )


def _normal_a_cell(ip, p, filters, block_id=None):
    """A same-size cell: five branch pairs concatenated with `p`."""
    p = _adjust_block(p, ip, filters, block_id)
    h = _cell_input(ip, filters, "normal", block_id)
    x1_1 = _separable_conv_block(
        h, filters, (5, 5), block_id=f"normal_left1_{block_id}"
    )
    x1_2 = _separable_conv_block(p, filters, block_id=f"normal_right1_{block_id}")
    x1 = layers.add([x1_1, x1_2], name=f"normal_add_1_{block_id}")
    x2_1 = _separable_conv_block(
        p, filters, (5, 5), block_id=f"normal_left2_{block_id}"
    )
    x2_2 = _separable_conv_block(
        p, filters, (3, 3), block_id=f"normal_right2_{block_id}"
    )
    x2 = layers.add([x2_1, x2_2], name=f"normal_add_2_{block_id}")
    x3 = _avg3(h, f"normal_left3_{block_id}")
    x3 = layers.add([x3, p], name=f"normal_add_3_{block_id}")
    x4_1 = _avg3(p, f"normal_left4_{block_id}")
    x4_2 = _avg3(p, f"normal_right4_{block_id}")
    x4 = layers.add([x4_1, x4_2], name=f"normal_add_4_{block_id}")
    x5 = _separable_conv_block(h, filters, block_id=f"normal_left5_{block_id}")
    x5 = layers.add([x5, h], name=f"normal_add_5_{block_id}")
    x = layers.concatenate(
        [p, x1, x2, x3, x4, x5], axis=_AXIS, name=f"normal_concat_{block_id}"
    )
    return x, ip


def _reduction_a_cell(ip, p, filters, block_id=None):
    """A stride-2 cell: four branch pairs concatenated."""
    p = _adjust_block(p, ip, filters, block_id)
    h = _cell_input(ip, filters, "reduction", block_id)
    pad = imagenet_utils.correct_pad(h, 3)
    h3 = layers.ZeroPadding2D(padding=pad, name=f"reduction_pad_1_{block_id}")(h)
    down = {"strides": (2, 2)}
    x1_1 = _separable_conv_block(
        h, filters, (5, 5), **down, block_id=f"reduction_left1_{block_id}"
    )
    x1_2 = _separable_conv_block(
        p, filters, (7, 7), **down, block_id=f"reduction_right1_{block_id}"
    )
    x1 = layers.add([x1_1, x1_2], name=f"reduction_add_1_{block_id}")
    x2_1 = layers.MaxPooling2D(
        (3, 3), strides=(2, 2), padding="valid", name=f"reduction_left2_{block_id}"
    )(h3)
    x2_2 = _separable_conv_block(
        p, filters, (7, 7), **down, block_id=f"reduction_right2_{block_id}"
    )
    x2 = layers.add([x2_1, x2_2], name=f"reduction_add_2_{block_id}")
    x3_1 = _avg3(h3, f"reduction_left3_{block_id}", strides=(2, 2), padding="valid")
    x3_2 = _separable_conv_block(
        p, filters, (5, 5), **down, block_id=f"reduction_right3_{block_id}"
    )
    x3 = layers.add([x3_1, x3_2], name=f"reduction_add3_{block_id}")
    x4 = _avg3(x1, f"reduction_left4_{block_id}")
    x4 = layers.add([x2, x4])
    x5_1 = _separable_conv_block(
        x1, filters, (3, 3), block_id=f"reduction_left4_{block_id}"
    )
    x5_2 = layers.MaxPooling2D(
        (3, 3), strides=(2, 2), padding="valid", name=f"reduction_right5_{block_id}"
    )(h3)
    x5 = layers.add([x5_1, x5_2], name=f"reduction_add4_{block_id}")
    x = layers.concatenate(
        [x2, x3, x4, x5], axis=_AXIS, name=f"reduction_concat_{block_id}"
    )
    return x, ip


def _cells(x, filters, num_blocks, filter_multiplier, skip_reduction):
    p = None
    x, p = _reduction_a_cell(x, p, filters // filter_multiplier**2, block_id="stem_1")
    x, p = _reduction_a_cell(x, p, filters // filter_multiplier, block_id="stem_2")
    for stage in range(3):
        width = filters * filter_multiplier**stage
        first = stage * num_blocks  # Keras 2's block ids: 0..n-1, n+1..2n, 2n+1..3n.
        if stage:
            x, p0 = _reduction_a_cell(x, p, width, block_id=f"reduce_{first}")
            p = p if skip_reduction else p0
            first += 1
        for i in range(num_blocks):
            x, p = _normal_a_cell(x, p, width, block_id=str(first + i))
    return x


def _check_arguments(input_shape, weights, penultimate_filters, filter_multiplier):
    if isinstance(input_shape, tuple) and None in input_shape and weights == "imagenet":
        raise ValueError(
            "When specifying the input shape of a NASNet and loading `ImageNet` "
            "weights, the input_shape argument must be static (no None entries). "
            f"Got: `input_shape={input_shape}`."
        )
    if penultimate_filters % (24 * filter_multiplier**2) != 0:
        raise ValueError(
            "For NASNet-A models, the `penultimate_filters` must be a multiple of "
            f"24 * (`filter_multiplier` ** 2). Current value: {penultimate_filters}"
        )


def nasnet_model(
    input_shape=None,
    penultimate_filters=4032,
    num_blocks=6,
    stem_block_filters=96,
    skip_reduction=True,
    filter_multiplier=2,
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    pooling=None,
    classes=1000,
    default_size=None,
    classifier_activation="softmax",
) -> Model:
    """A NASNet-A network; arguments as Keras 2's `NASNet` builder.

    Raises:
        ValueError: for invalid arguments, or ImageNet weights with a
            `default_size` other than 224 (mobile) or 331 (large).
    """
    _assembly.check_weights_argument(weights, include_top, classes)
    _check_arguments(input_shape, weights, penultimate_filters, filter_multiplier)
    default_size = default_size or 331
    old_format = backend.image_data_format()
    if old_format != "channels_last":
        logging.warning(
            "The NASNet family of models is only available for the input data format "
            '"channels_last"; the model returned expects channels_last inputs.'
        )
        backend.set_image_data_format("channels_last")
    try:
        img_input = _assembly.image_input(
            input_tensor, input_shape, default_size, 32, include_top, weights
        )
        x = layers.Conv2D(
            stem_block_filters,
            (3, 3),
            strides=(2, 2),
            padding="valid",
            use_bias=False,
            name="stem_conv1",
            kernel_initializer="he_normal",
        )(img_input)
        x = _bn(x, "stem_bn1")
        filters = penultimate_filters // 24
        x = _cells(x, filters, num_blocks, filter_multiplier, skip_reduction)
        x = layers.Activation("relu")(x)
        if include_top:
            x = layers.GlobalAveragePooling2D()(x)
            x = _assembly.classifier_top(
                x, classes, classifier_activation, weights, pool=False
            )
        else:
            x = _assembly.pooling_top(x, pooling)
        model = _assembly.make_model(input_tensor, img_input, x, "NASNet")
        if weights == "imagenet" and default_size not in WEIGHTS:
            raise ValueError(
                "ImageNet weights can only be loaded with NASNetLarge or NASNetMobile"
            )
        _assembly.load_weights(
            model, weights, include_top, *WEIGHTS.get(default_size, (None, None))
        )
    finally:
        backend.set_image_data_format(old_format)
    return model


def NASNetMobile(
    input_shape=None,
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
) -> Model:
    """Builds NASNetMobile (default size 224x224), optionally with ImageNet weights.

    Inputs are scaled to [-1, 1] by `nasnet.preprocess_input`; the smallest
    size is 32x32.

    Args:
        input_shape: Optional `(height, width, channels)`.
        include_top: Whether to add pooling and `predictions`.
        weights: `None`, `"imagenet"` or the path of an h5 weights file.
        input_tensor: Optional Keras tensor to use as the image input.
        pooling: Without the top: `None`, `"avg"` or `"max"`.
        classes: Number of classes of the top.
        classifier_activation: Activation of `predictions`.

    Returns:
        A `Model` named `NASNet`.
    """
    return nasnet_model(
        input_shape,
        penultimate_filters=1056,
        num_blocks=4,
        stem_block_filters=32,
        skip_reduction=False,
        filter_multiplier=2,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        pooling=pooling,
        classes=classes,
        default_size=224,
        classifier_activation=classifier_activation,
    )


def NASNetLarge(
    input_shape=None,
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
) -> Model:
    """Builds NASNetLarge (default size 331x331); arguments as `NASNetMobile`.

    Returns:
        A `Model` named `NASNet`.
    """
    return nasnet_model(
        input_shape,
        penultimate_filters=4032,
        num_blocks=6,
        stem_block_filters=96,
        skip_reduction=True,
        filter_multiplier=2,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        pooling=pooling,
        classes=classes,
        default_size=331,
        classifier_activation=classifier_activation,
    )


def preprocess_input(x, data_format=None):
    """`imagenet_utils.preprocess_input` in `"tf"` mode (scaled to [-1, 1])."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5) -> list:
    """`imagenet_utils.decode_predictions`: the top ImageNet classes per row."""
    return imagenet_utils.decode_predictions(preds, top=top)
