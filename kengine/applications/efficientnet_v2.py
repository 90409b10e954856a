"""EfficientNetV2B0-B3/S/M/L: fused and plain MBConv blocks, scaled per variant.

The early stages use `fused_mbconv_block` (one regular convolution instead of
expand + depthwise), the later ones `mbconv_block` with squeeze-and-excite.
Each variant has its own stage table (`DEFAULT_BLOCKS_ARGS`); the B variants
also scale it by width and depth coefficients. The model rescales its inputs
itself (`include_preprocessing`), so `efficientnet_v2.preprocess_input` is the
identity. Layer names (`block1a_project_conv`, `block4b_se_excite`, ...) are
Keras 2's.

Mirrors Keras 2's `applications/efficientnet_v2.py`.
"""

import copy
import math

from kengine import backend, initializers, layers
from kengine.applications import _assembly, imagenet_utils
from kengine.applications.efficientnet import (
    CONV_KERNEL_INITIALIZER,
    DENSE_KERNEL_INITIALIZER,
)
from kengine.engine.training import Model

__all__ = [
    "EfficientNetV2B0",
    "EfficientNetV2B1",
    "EfficientNetV2B2",
    "EfficientNetV2B3",
    "EfficientNetV2S",
    "EfficientNetV2M",
    "EfficientNetV2L",
    "preprocess_input",
    "decode_predictions",
]

BASE_WEIGHTS_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/"
)
# last two letters of the model name -> (md5 with the top, md5 without it).
WEIGHTS_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "-s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "-m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "-l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}
_KEYS = (
    "kernel_size",
    "num_repeat",
    "input_filters",
    "output_filters",
    "expand_ratio",
    "se_ratio",
    "strides",
    "conv_type",
)
# Rows follow `_KEYS`; conv_type 1 is fused, 0 plain MBConv.
_B_STAGES = [
    (3, 1, 32, 16, 1, 0, 1, 1),
    (3, 2, 16, 32, 4, 0, 2, 1),
    (3, 2, 32, 48, 4, 0, 2, 1),
    (3, 3, 48, 96, 4, 0.25, 2, 0),
    (3, 5, 96, 112, 6, 0.25, 1, 0),
    (3, 8, 112, 192, 6, 0.25, 2, 0),
]
_STAGES = {
    "efficientnetv2-s": [
        (3, 2, 24, 24, 1, 0.0, 1, 1),
        (3, 4, 24, 48, 4, 0.0, 2, 1),
        (3, 4, 48, 64, 4, 0, 2, 1),
        (3, 6, 64, 128, 4, 0.25, 2, 0),
        (3, 9, 128, 160, 6, 0.25, 1, 0),
        (3, 15, 160, 256, 6, 0.25, 2, 0),
    ],
    "efficientnetv2-m": [
        (3, 3, 24, 24, 1, 0, 1, 1),
        (3, 5, 24, 48, 4, 0, 2, 1),
        (3, 5, 48, 80, 4, 0, 2, 1),
        (3, 7, 80, 160, 4, 0.25, 2, 0),
        (3, 14, 160, 176, 6, 0.25, 1, 0),
        (3, 18, 176, 304, 6, 0.25, 2, 0),
        (3, 5, 304, 512, 6, 0.25, 1, 0),
    ],
    "efficientnetv2-l": [
        (3, 4, 32, 32, 1, 0, 1, 1),
        (3, 7, 32, 64, 4, 0, 2, 1),
        (3, 7, 64, 96, 4, 0, 2, 1),
        (3, 10, 96, 192, 4, 0.25, 2, 0),
        (3, 19, 192, 224, 6, 0.25, 1, 0),
        (3, 25, 224, 384, 6, 0.25, 2, 0),
        (3, 7, 384, 640, 6, 0.25, 1, 0),
    ],
    **{f"efficientnetv2-b{i}": _B_STAGES for i in range(4)},
}
DEFAULT_BLOCKS_ARGS = {
    name: [dict(zip(_KEYS, row)) for row in rows] for name, rows in _STAGES.items()
}


def round_filters(filters, width_coefficient, min_depth, depth_divisor) -> int:
    """`filters * width_coefficient` rounded to a multiple of `depth_divisor`."""
    filters *= width_coefficient
    minimum = min_depth or depth_divisor
    return int(
        max(minimum, int(filters + depth_divisor / 2) // depth_divisor * depth_divisor)
    )


def round_repeats(repeats, depth_coefficient) -> int:
    """The number of blocks of a stage for `depth_coefficient`."""
    return int(math.ceil(depth_coefficient * repeats))


def _conv(filters, kernel_size, name, **kwargs):
    return layers.Conv2D(
        filters,
        kernel_size,
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        padding="same",
        name=name,
        **kwargs,
    )


def _bn_act(x, momentum, activation, bn_name, act_name=None):
    x = layers.BatchNormalization(
        axis=_assembly.channel_axis(), momentum=momentum, name=bn_name
    )(x)
    return x if act_name is None else layers.Activation(activation, name=act_name)(x)


def _squeeze_excite(x, filters, input_filters, se_ratio, activation, name):
    filters_se = max(1, int(input_filters * se_ratio))
    se = layers.GlobalAveragePooling2D(name=name + "se_squeeze")(x)
    shape = (filters, 1, 1) if _assembly.channel_axis() == 1 else (1, 1, filters)
    se = layers.Reshape(shape, name=name + "se_reshape")(se)
    se = _conv(filters_se, 1, name + "se_reduce", activation=activation)(se)
    se = _conv(filters, 1, name + "se_expand", activation="sigmoid")(se)
    return layers.multiply([x, se], name=name + "se_excite")


def _residual(x, inputs, strides, input_filters, output_filters, rate, name):
    if strides == 1 and input_filters == output_filters:
        if rate:
            # Keras 2 passes the block's survival probability as the drop
            # rate; kept so the same models train the same way.
            x = layers.Dropout(rate, noise_shape=(None, 1, 1, 1), name=name + "drop")(x)
        x = layers.add([x, inputs], name=name + "add")
    return x


def mbconv_block(
    inputs,
    input_filters,
    output_filters,
    expand_ratio=1,
    kernel_size=3,
    strides=1,
    se_ratio=0.0,
    bn_momentum=0.9,
    activation="swish",
    survival_probability=0.8,
    name="",
):
    """Expand (1x1), depthwise, squeeze-excite, project (1x1), residual."""
    filters = input_filters * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = _conv(filters, 1, name + "expand_conv", strides=1, use_bias=False)(x)
        x = _bn_act(
            x, bn_momentum, activation, name + "expand_bn", name + "expand_activation"
        )
    x = layers.DepthwiseConv2D(
        kernel_size=kernel_size,
        strides=strides,
        depthwise_initializer=CONV_KERNEL_INITIALIZER,
        padding="same",
        use_bias=False,
        name=name + "dwconv2",
    )(x)
    x = _bn_act(x, bn_momentum, activation, name + "bn", name + "activation")
    if 0 < se_ratio <= 1:
        x = _squeeze_excite(x, filters, input_filters, se_ratio, activation, name)
    x = _conv(output_filters, 1, name + "project_conv", strides=1, use_bias=False)(x)
    x = _bn_act(x, bn_momentum, activation, name + "project_bn")
    return _residual(
        x, inputs, strides, input_filters, output_filters, survival_probability, name
    )


def fused_mbconv_block(
    inputs,
    input_filters,
    output_filters,
    expand_ratio=1,
    kernel_size=3,
    strides=1,
    se_ratio=0.0,
    bn_momentum=0.9,
    activation="swish",
    survival_probability=0.8,
    name="",
):
    """A regular convolution in place of expand + depthwise, then project."""
    filters = input_filters * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = _conv(
            filters, kernel_size, name + "expand_conv", strides=strides, use_bias=False
        )(x)
        x = _bn_act(
            x, bn_momentum, activation, name + "expand_bn", name + "expand_activation"
        )
    if 0 < se_ratio <= 1:
        x = _squeeze_excite(x, filters, input_filters, se_ratio, activation, name)
    fused = expand_ratio == 1  # Without expansion the projection is the fused conv.
    x = _conv(
        output_filters,
        kernel_size if fused else 1,
        name + "project_conv",
        strides=strides if fused else 1,
        use_bias=False,
    )(x)
    x = _bn_act(
        x,
        bn_momentum,
        activation,
        name + "project_bn",
        name + "project_activation" if fused else None,
    )
    return _residual(
        x, inputs, strides, input_filters, output_filters, survival_probability, name
    )


def _preprocessing(x, model_name, input_shape):
    axis = _assembly.channel_axis()
    if model_name.split("-")[-1].startswith("b") and input_shape[axis - 1] == 3:
        x = layers.Rescaling(scale=1.0 / 255)(x)
        return layers.Normalization(
            mean=[0.485, 0.456, 0.406],
            variance=[0.229**2, 0.224**2, 0.225**2],
            axis=axis,
        )(x)
    return layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)


def _stages(
    x, blocks_args, width, depth, min_depth, divisor, momentum, activation, rate
):
    def rounded(filters):
        return round_filters(filters, width, min_depth, divisor)

    stages = copy.deepcopy(blocks_args)
    total = float(sum(args["num_repeat"] for args in stages))
    index = 0
    for i, args in enumerate(stages):
        args["input_filters"] = rounded(args["input_filters"])
        args["output_filters"] = rounded(args["output_filters"])
        block = fused_mbconv_block if args.pop("conv_type") else mbconv_block
        for j in range(round_repeats(args.pop("num_repeat"), depth)):
            if j > 0:
                args["strides"] = 1
                args["input_filters"] = args["output_filters"]
            x = block(
                x,
                activation=activation,
                bn_momentum=momentum,
                survival_probability=rate * index / total,
                name=f"block{i + 1}{chr(j + 97)}_",
                **args,
            )
            index += 1
    return x


def efficientnet_v2_model(
    width_coefficient,
    depth_coefficient,
    default_size,
    dropout_rate=0.2,
    drop_connect_rate=0.2,
    depth_divisor=8,
    min_depth=8,
    bn_momentum=0.9,
    activation="swish",
    blocks_args="default",
    model_name="efficientnetv2",
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    include_preprocessing=True,
) -> Model:
    """An EfficientNetV2; arguments as Keras 2's `EfficientNetV2` builder."""
    if blocks_args == "default":
        blocks_args = DEFAULT_BLOCKS_ARGS[model_name]
    _assembly.check_weights_argument(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size, 32, backend.image_data_format(), include_top, weights
    )
    img_input = _assembly.input_from_shape(input_tensor, input_shape)
    x = img_input
    if include_preprocessing:
        x = _preprocessing(x, model_name, input_shape)
    stem = round_filters(
        blocks_args[0]["input_filters"], width_coefficient, min_depth, depth_divisor
    )
    x = _conv(stem, 3, "stem_conv", strides=2, use_bias=False)(x)
    x = _bn_act(x, bn_momentum, activation, "stem_bn", "stem_activation")
    x = _stages(
        x,
        blocks_args,
        width_coefficient,
        depth_coefficient,
        min_depth,
        depth_divisor,
        bn_momentum,
        activation,
        drop_connect_rate,
    )
    top = round_filters(1280, width_coefficient, min_depth, depth_divisor)
    x = _conv(top, 1, "top_conv", strides=1, use_bias=False)(x)
    x = _bn_act(x, bn_momentum, activation, "top_bn", "top_activation")
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(
            classes,
            activation=classifier_activation,
            kernel_initializer=DENSE_KERNEL_INITIALIZER,
            bias_initializer=initializers.Constant(0),
            name="predictions",
        )(x)
    else:
        x = _assembly.pooling_top(x, pooling, names=("avg_pool", "max_pool"))
    model = _assembly.make_model(input_tensor, img_input, x, model_name)
    _assembly.load_weights(model, weights, include_top, *_weights_files(model_name))
    return model


def _weights_files(model_name: str) -> tuple:
    if model_name[-2:] not in WEIGHTS_HASHES:
        return (None, None)
    top_hash, notop_hash = WEIGHTS_HASHES[model_name[-2:]]
    top, notop = model_name + ".h5", model_name + "_notop.h5"
    return (
        _assembly.WeightsFile(top, BASE_WEIGHTS_PATH + top, top_hash),
        _assembly.WeightsFile(notop, BASE_WEIGHTS_PATH + notop, notop_hash),
    )


# suffix -> (width, depth, default size).
_VARIANTS = {
    "b0": (1.0, 1.0, 224),
    "b1": (1.0, 1.1, 240),
    "b2": (1.1, 1.2, 260),
    "b3": (1.2, 1.4, 300),
    "s": (1.0, 1.0, 384),
    "m": (1.0, 1.0, 480),
    "l": (1.0, 1.0, 480),
}

_ARGS_DOC = """
    The model rescales its inputs itself (`include_preprocessing=True`): feed
    images with values in [0, 255]. The smallest size is 32x32.

    Args:
        include_top: Whether to add pooling, dropout and `predictions`.
        weights: `None`, `"imagenet"` or the path of an h5 weights file.
        input_tensor: Optional Keras tensor to use as the image input.
        input_shape: Optional `(height, width, channels)`.
        pooling: Without the top: `None`, `"avg"` or `"max"`.
        classes: Number of classes of the top.
        classifier_activation: Activation of `predictions`.
        include_preprocessing: Whether to rescale (and normalise) inputs first.

    Returns:
        The `Model`.
"""


def _constructor(suffix: str):
    width, depth, size = _VARIANTS[suffix]

    def constructor(
        include_top: bool = True,
        weights="imagenet",
        input_tensor=None,
        input_shape=None,
        pooling=None,
        classes: int = 1000,
        classifier_activation="softmax",
        include_preprocessing: bool = True,
    ) -> Model:
        return efficientnet_v2_model(
            width_coefficient=width,
            depth_coefficient=depth,
            default_size=size,
            model_name=f"efficientnetv2-{suffix}",
            include_top=include_top,
            weights=weights,
            input_tensor=input_tensor,
            input_shape=input_shape,
            pooling=pooling,
            classes=classes,
            classifier_activation=classifier_activation,
            include_preprocessing=include_preprocessing,
        )

    name = f"EfficientNetV2{suffix.upper()}"
    constructor.__name__ = constructor.__qualname__ = name
    constructor.__doc__ = f"Builds {name} (default size {size}x{size}).\n" + _ARGS_DOC
    return constructor


EfficientNetV2B0 = _constructor("b0")
EfficientNetV2B1 = _constructor("b1")
EfficientNetV2B2 = _constructor("b2")
EfficientNetV2B3 = _constructor("b3")
EfficientNetV2S = _constructor("s")
EfficientNetV2M = _constructor("m")
EfficientNetV2L = _constructor("l")


def preprocess_input(x, data_format=None):
    """The identity: EfficientNetV2 models rescale their inputs themselves.

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
