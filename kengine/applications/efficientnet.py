"""EfficientNetB0-B7: mobile inverted bottlenecks with squeeze-and-excitation.

`efficientnet_model` scales one base network (`DEFAULT_BLOCKS_ARGS`) by a width
coefficient (filters, `round_filters`) and a depth coefficient (block repeats,
`round_repeats`). The model normalises its own inputs (`Rescaling` to [0, 1],
then a `Normalization` layer whose ImageNet statistics come with the weights),
so `efficientnet.preprocess_input` returns its input unchanged. Layer names
(`block1a_dwconv`, `block2b_se_excite`, `top_conv`, ...) are Keras 2's.

Mirrors Keras 2's `applications/efficientnet.py`.
"""

import copy
import math

import tensorflow as tf

from kengine import layers
from kengine.applications import _assembly, imagenet_utils
from kengine.engine.training import Model

__all__ = [f"EfficientNetB{i}" for i in range(8)] + [
    "preprocess_input",
    "decode_predictions",
]

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/keras-applications/"
# variant -> (md5 of the file with the top, md5 without it).
WEIGHTS_HASHES = {
    "b0": ("902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"),
    "b1": ("1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"),
    "b2": ("b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "b3": ("ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"),
    "b4": ("18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba"),
    "b5": ("ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f"),
    "b6": ("165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743"),
    "b7": ("8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a"),
}


def _stage(kernel, repeats, filters_in, filters_out, expand, strides) -> dict:
    return {
        "kernel_size": kernel,
        "repeats": repeats,
        "filters_in": filters_in,
        "filters_out": filters_out,
        "expand_ratio": expand,
        "id_skip": True,
        "strides": strides,
        "se_ratio": 0.25,
    }


DEFAULT_BLOCKS_ARGS = [
    _stage(3, 1, 32, 16, 1, 1),
    _stage(3, 2, 16, 24, 6, 2),
    _stage(5, 2, 24, 40, 6, 2),
    _stage(3, 3, 40, 80, 6, 2),
    _stage(5, 3, 80, 112, 6, 1),
    _stage(5, 4, 112, 192, 6, 2),
    _stage(3, 1, 192, 320, 6, 1),
]
CONV_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"},
}
DENSE_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 1.0 / 3.0, "mode": "fan_out", "distribution": "uniform"},
}
IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225]


def round_filters(filters: float, width: float, divisor: int = 8) -> int:
    """`filters * width` rounded to a multiple of `divisor`, at most 10% lower."""
    filters *= width
    rounded = max(divisor, int(filters + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * filters:
        rounded += divisor
    return int(rounded)


def round_repeats(repeats: int, depth: float) -> int:
    """The number of blocks of a stage for depth coefficient `depth`."""
    return int(math.ceil(depth * repeats))


def _normalized_input(img_input, weights):
    axis = _assembly.channel_axis()
    x = layers.Rescaling(1.0 / 255.0)(img_input)
    x = layers.Normalization(axis=axis)(x)
    if weights == "imagenet":
        # The published Normalization variance is the standard deviation
        # (a known quirk of these files); this multiply fixes it up, as Keras 2
        # does, with a TFOpLambda layer in the graph.
        shape = [1, 3, 1, 1] if axis == 1 else [1, 1, 1, 3]
        scale = [1.0 / math.sqrt(s) for s in IMAGENET_STDDEV_RGB]
        x = tf.math.multiply(x, tf.reshape(scale, shape))
    return x


def efficientnet_model(
    width_coefficient: float,
    depth_coefficient: float,
    default_size: int,
    dropout_rate: float = 0.2,
    drop_connect_rate: float = 0.2,
    depth_divisor: int = 8,
    activation="swish",
    blocks_args="default",
    model_name: str = "efficientnet",
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
) -> Model:
    """An EfficientNet scaled by `width_coefficient` and `depth_coefficient`.

    Args:
        width_coefficient: Multiplier of every layer's filters.
        depth_coefficient: Multiplier of every stage's number of blocks.
        default_size: Default image size.
        dropout_rate: Dropout before the classifier.
        drop_connect_rate: Largest per-block residual drop rate (grows
            linearly with the block index).
        depth_divisor: Filters are rounded to multiples of it.
        activation: Activation of the convolutions.
        blocks_args: `"default"` or a list of stage dicts.
        model_name: The model's name (its last two letters pick the weights).
        include_top, weights, input_tensor, input_shape, pooling, classes,
            classifier_activation: as in `EfficientNetB0`.

    Returns:
        The `Model`.
    """
    if blocks_args == "default":
        blocks_args = DEFAULT_BLOCKS_ARGS
    _assembly.check_weights_argument(weights, include_top, classes)
    img_input = _assembly.image_input(
        input_tensor, input_shape, default_size, 32, include_top, weights
    )
    axis = _assembly.channel_axis()
    x = _normalized_input(img_input, weights)
    pad = imagenet_utils.correct_pad(x, 3)
    x = layers.ZeroPadding2D(padding=pad, name="stem_conv_pad")(x)
    x = layers.Conv2D(
        round_filters(32, width_coefficient, depth_divisor),
        3,
        strides=2,
        padding="valid",
        use_bias=False,
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        name="stem_conv",
    )(x)
    x = layers.BatchNormalization(axis=axis, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)
    stages = copy.deepcopy(blocks_args)
    total = float(sum(round_repeats(s["repeats"], depth_coefficient) for s in stages))
    index = 0
    for i, args in enumerate(stages):
        args["filters_in"] = round_filters(
            args["filters_in"], width_coefficient, depth_divisor
        )
        args["filters_out"] = round_filters(
            args["filters_out"], width_coefficient, depth_divisor
        )
        for j in range(round_repeats(args.pop("repeats"), depth_coefficient)):
            if j > 0:
                args["strides"] = 1
                args["filters_in"] = args["filters_out"]
            drop = drop_connect_rate * index / total
            x = block(x, activation, drop, name=f"block{i + 1}{chr(j + 97)}_", **args)
            index += 1
    x = layers.Conv2D(
        round_filters(1280, width_coefficient, depth_divisor),
        1,
        padding="same",
        use_bias=False,
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        name="top_conv",
    )(x)
    x = layers.BatchNormalization(axis=axis, name="top_bn")(x)
    x = layers.Activation(activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(
            classes,
            activation=classifier_activation,
            kernel_initializer=DENSE_KERNEL_INITIALIZER,
            name="predictions",
        )(x)
    else:
        x = _assembly.pooling_top(x, pooling, names=("avg_pool", "max_pool"))
    model = _assembly.make_model(input_tensor, img_input, x, model_name)
    _assembly.load_weights(model, weights, include_top, *_weights_files(model_name))
    return model


def _weights_files(model_name: str) -> tuple:
    top_hash, notop_hash = WEIGHTS_HASHES[model_name[-2:]]
    top, notop = model_name + ".h5", model_name + "_notop.h5"
    return (
        _assembly.WeightsFile(top, BASE_WEIGHTS_PATH + top, top_hash),
        _assembly.WeightsFile(notop, BASE_WEIGHTS_PATH + notop, notop_hash),
    )


def _conv(filters, kernel, name, **kwargs):
    return layers.Conv2D(
        filters,
        kernel,
        padding="same",
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        name=name,
        **kwargs,
    )


def _squeeze_excite(x, filters: int, filters_in: int, se_ratio, activation, name):
    filters_se = max(1, int(filters_in * se_ratio))
    se = layers.GlobalAveragePooling2D(name=name + "se_squeeze")(x)
    shape = (filters, 1, 1) if _assembly.channel_axis() == 1 else (1, 1, filters)
    se = layers.Reshape(shape, name=name + "se_reshape")(se)
    se = _conv(filters_se, 1, name + "se_reduce", activation=activation)(se)
    se = _conv(filters, 1, name + "se_expand", activation="sigmoid")(se)
    return layers.multiply([x, se], name=name + "se_excite")


def block(
    inputs,
    activation="swish",
    drop_rate=0.0,
    name="",
    filters_in=32,
    filters_out=16,
    kernel_size=3,
    strides=1,
    expand_ratio=1,
    se_ratio=0.0,
    id_skip=True,
):
    """One mobile inverted bottleneck: expand, depthwise, squeeze-excite, project."""
    axis = _assembly.channel_axis()
    filters = filters_in * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = _conv(filters, 1, name + "expand_conv", use_bias=False)(x)
        x = layers.BatchNormalization(axis=axis, name=name + "expand_bn")(x)
        x = layers.Activation(activation, name=name + "expand_activation")(x)
    padding = "same"
    if strides == 2:
        pad = imagenet_utils.correct_pad(x, kernel_size)
        x = layers.ZeroPadding2D(padding=pad, name=name + "dwconv_pad")(x)
        padding = "valid"
    x = layers.DepthwiseConv2D(
        kernel_size,
        strides=strides,
        padding=padding,
        use_bias=False,
        depthwise_initializer=CONV_KERNEL_INITIALIZER,
        name=name + "dwconv",
    )(x)
    x = layers.BatchNormalization(axis=axis, name=name + "bn")(x)
    x = layers.Activation(activation, name=name + "activation")(x)
    if 0 < se_ratio <= 1:
        x = _squeeze_excite(x, filters, filters_in, se_ratio, activation, name)
    x = _conv(filters_out, 1, name + "project_conv", use_bias=False)(x)
    x = layers.BatchNormalization(axis=axis, name=name + "project_bn")(x)
    if id_skip and strides == 1 and filters_in == filters_out:
        if drop_rate > 0:
            # Drops the whole residual branch per sample (stochastic depth).
            x = layers.Dropout(
                drop_rate, noise_shape=(None, 1, 1, 1), name=name + "drop"
            )(x)
        x = layers.add([x, inputs], name=name + "add")
    return x


# variant -> (width, depth, default size, dropout).
_VARIANTS = {
    "b0": (1.0, 1.0, 224, 0.2),
    "b1": (1.0, 1.1, 240, 0.2),
    "b2": (1.1, 1.2, 260, 0.3),
    "b3": (1.2, 1.4, 300, 0.3),
    "b4": (1.4, 1.8, 380, 0.4),
    "b5": (1.6, 2.2, 456, 0.4),
    "b6": (1.8, 2.6, 528, 0.5),
    "b7": (2.0, 3.1, 600, 0.5),
}

_ARGS_DOC = """
    The model rescales and normalises its inputs itself: feed images with
    values in [0, 255] (`efficientnet.preprocess_input` is the identity).

    Args:
        include_top: Whether to add pooling, dropout and `predictions`.
        weights: `None`, `"imagenet"` or the path of an h5 weights file.
        input_tensor: Optional Keras tensor to use as the image input.
        input_shape: Optional `(height, width, channels)` (at least 32x32).
        pooling: Without the top: `None`, `"avg"` or `"max"`.
        classes: Number of classes of the top.
        classifier_activation: Activation of `predictions`.
        **kwargs: Passed to `efficientnet_model` (`drop_connect_rate`,
            `activation`, `blocks_args`, ...).

    Returns:
        The `Model`.
"""


def _constructor(variant: str):
    width, depth, size, dropout = _VARIANTS[variant]

    def constructor(
        include_top: bool = True,
        weights="imagenet",
        input_tensor=None,
        input_shape=None,
        pooling=None,
        classes: int = 1000,
        classifier_activation="softmax",
        **kwargs,
    ) -> Model:
        return efficientnet_model(
            width,
            depth,
            size,
            dropout,
            model_name=f"efficientnet{variant}",
            include_top=include_top,
            weights=weights,
            input_tensor=input_tensor,
            input_shape=input_shape,
            pooling=pooling,
            classes=classes,
            classifier_activation=classifier_activation,
            **kwargs,
        )

    name = f"EfficientNet{variant.upper()}"
    constructor.__name__ = constructor.__qualname__ = name
    constructor.__doc__ = f"Builds {name} (default size {size}x{size}).\n" + _ARGS_DOC
    return constructor


EfficientNetB0 = _constructor("b0")
EfficientNetB1 = _constructor("b1")
EfficientNetB2 = _constructor("b2")
EfficientNetB3 = _constructor("b3")
EfficientNetB4 = _constructor("b4")
EfficientNetB5 = _constructor("b5")
EfficientNetB6 = _constructor("b6")
EfficientNetB7 = _constructor("b7")


def preprocess_input(x, data_format=None):
    """The identity: EfficientNet models normalise their inputs themselves.

    Args:
        x: A batch of images with values in [0, 255].
        data_format: Unused; kept for the common signature.

    Returns:
        `x`, unchanged.
    """
    return x


def decode_predictions(preds, top: int = 5) -> list:
    """`imagenet_utils.decode_predictions`: the top ImageNet classes per row."""
    return imagenet_utils.decode_predictions(preds, top=top)
