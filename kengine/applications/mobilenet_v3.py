"""MobileNetV3Small/Large: inverted residuals with hard-swish and squeeze-excite.

Both sizes share `mobilenet_v3_model`; a table of blocks (`_SMALL`, `_LARGE`)
gives each block's expansion, filters, kernel, stride, whether it has a
squeeze-and-excite unit and which activation it uses. The `minimalistic`
variants drop squeeze-excite and hard-swish and use 3x3 kernels. The model
rescales its inputs itself (`include_preprocessing`), so
`mobilenet_v3.preprocess_input` is the identity. `hard_sigmoid` is written as
`ReLU6(x + 3) / 6` on Keras tensors, which adds the same `TFOpLambda` layers
(`tf.__operators__.add`, `tf.math.multiply`) Keras 2's graph has. Layer names
(`expanded_conv_<i>/depthwise`, `Conv_1/BatchNorm`, ...) are Keras 2's.

Mirrors Keras 2's `applications/mobilenet_v3.py`.
"""

import logging

from kengine import backend, layers
from kengine.applications import _assembly, imagenet_utils
from kengine.applications.mobilenet_v2 import make_divisible
from kengine.engine.training import Model

__all__ = [
    "MobileNetV3Small",
    "MobileNetV3Large",
    "preprocess_input",
    "decode_predictions",
]

BASE_WEIGHT_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"
)
WEIGHTS_HASHES = {
    "large_224_0.75_float": (
        "765b44a33ad4005b3ac83185abf1d0eb",
        "40af19a13ebea4e2ee0c676887f69a2e",
    ),
    "large_224_1.0_float": (
        "59e551e166be033d707958cf9e29a6a7",
        "07fb09a5933dd0c8eaafa16978110389",
    ),
    "large_minimalistic_224_1.0_float": (
        "675e7b876c45c57e9e63e6d90a36599c",
        "ec5221f64a2f6d1ef965a614bdae7973",
    ),
    "small_224_0.75_float": (
        "cb65d4e5be93758266aa0a7f2c6708b7",
        "ebdb5cc8e0b497cd13a7c275d475c819",
    ),
    "small_224_1.0_float": (
        "8768d4c2e7dee89b9d02b2d03d65d862",
        "d3e8ec802a04aa4fc771ee12a9a9b836",
    ),
    "small_minimalistic_224_1.0_float": (
        "99cd97fb2fcdad2bf028eb838de69e37",
        "cde8136e733e811080d9fcd8a252f7e4",
    ),
}

# (expansion, filters, kernel ("k": the variant's 3 or 5), stride,
#  squeeze-excite, activation ("relu", or "act": the variant's activation)).
_SMALL = (
    (1, 16, 3, 2, True, "relu"),
    (72.0 / 16, 24, 3, 2, False, "relu"),
    (88.0 / 24, 24, 3, 1, False, "relu"),
    (4, 40, "k", 2, True, "act"),
    (6, 40, "k", 1, True, "act"),
    (6, 40, "k", 1, True, "act"),
    (3, 48, "k", 1, True, "act"),
    (3, 48, "k", 1, True, "act"),
    (6, 96, "k", 2, True, "act"),
    (6, 96, "k", 1, True, "act"),
    (6, 96, "k", 1, True, "act"),
)
_LARGE = (
    (1, 16, 3, 1, False, "relu"),
    (4, 24, 3, 2, False, "relu"),
    (3, 24, 3, 1, False, "relu"),
    (3, 40, "k", 2, True, "relu"),
    (3, 40, "k", 1, True, "relu"),
    (3, 40, "k", 1, True, "relu"),
    (6, 80, 3, 2, False, "act"),
    (2.5, 80, 3, 1, False, "act"),
    (2.3, 80, 3, 1, False, "act"),
    (2.3, 80, 3, 1, False, "act"),
    (6, 112, 3, 1, True, "act"),
    (6, 112, 3, 1, True, "act"),
    (6, 160, "k", 2, True, "act"),
    (6, 160, "k", 1, True, "act"),
    (6, 160, "k", 1, True, "act"),
)


def relu(x):
    """An unnamed `ReLU` layer applied to `x`."""
    return layers.ReLU()(x)


def hard_sigmoid(x):
    """`ReLU6(x + 3) / 6`, on Keras tensors."""
    return layers.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)


def hard_swish(x):
    """`x * hard_sigmoid(x)`."""
    return layers.Multiply()([x, hard_sigmoid(x)])


def _axis() -> int:
    return 1 if backend.image_data_format() == "channels_first" else -1


def _bn(x, name: str):
    return layers.BatchNormalization(
        axis=_axis(), epsilon=1e-3, momentum=0.999, name=name
    )(x)


def _se_block(inputs, filters: int, se_ratio: float, prefix: str):
    x = layers.GlobalAveragePooling2D(
        keepdims=True, name=prefix + "squeeze_excite/AvgPool"
    )(inputs)
    x = layers.Conv2D(
        make_divisible(filters * se_ratio, 8),
        kernel_size=1,
        padding="same",
        name=prefix + "squeeze_excite/Conv",
    )(x)
    x = layers.ReLU(name=prefix + "squeeze_excite/Relu")(x)
    x = layers.Conv2D(
        filters, kernel_size=1, padding="same", name=prefix + "squeeze_excite/Conv_1"
    )(x)
    x = hard_sigmoid(x)
    return layers.Multiply(name=prefix + "squeeze_excite/Mul")([inputs, x])


def _inverted_res_block(
    x, expansion, filters, kernel_size, stride, se_ratio, activation, block_id
):
    shortcut = x
    prefix = "expanded_conv/"
    infilters = backend.int_shape(x)[_axis()]
    if block_id:
        prefix = f"expanded_conv_{block_id}/"
        x = layers.Conv2D(
            make_divisible(infilters * expansion, 8),
            kernel_size=1,
            padding="same",
            use_bias=False,
            name=prefix + "expand",
        )(x)
        x = _bn(x, prefix + "expand/BatchNorm")
        x = activation(x)
    if stride == 2:
        pad = imagenet_utils.correct_pad(x, kernel_size)
        x = layers.ZeroPadding2D(padding=pad, name=prefix + "depthwise/pad")(x)
    x = layers.DepthwiseConv2D(
        kernel_size,
        strides=stride,
        padding="same" if stride == 1 else "valid",
        use_bias=False,
        name=prefix + "depthwise",
    )(x)
    x = _bn(x, prefix + "depthwise/BatchNorm")
    x = activation(x)
    if se_ratio:
        x = _se_block(x, make_divisible(infilters * expansion, 8), se_ratio, prefix)
    x = layers.Conv2D(
        filters, kernel_size=1, padding="same", use_bias=False, name=prefix + "project"
    )(x)
    x = _bn(x, prefix + "project/BatchNorm")
    if stride == 1 and infilters == filters:
        x = layers.Add(name=prefix + "Add")([shortcut, x])
    return x


def _stack(x, table, alpha, kernel, activation, se_ratio):
    for block_id, (expansion, filters, size, stride, se, act) in enumerate(table):
        x = _inverted_res_block(
            x,
            expansion,
            make_divisible(filters * alpha, 8),
            kernel if size == "k" else size,
            stride,
            se_ratio if se else None,
            activation if act == "act" else relu,
            block_id,
        )
    return x


def _input_shape(input_shape, input_tensor, weights, alpha, minimalistic) -> tuple:
    """The input shape (from the tensor when only it is given), with Keras 2's checks."""
    channels_first = backend.image_data_format() == "channels_first"
    if input_shape is not None and input_tensor is not None:
        if not backend.is_keras_tensor(input_tensor):
            raise ValueError(
                f"input_tensor specified: {input_tensor} is not a keras tensor"
            )
        width = backend.int_shape(input_tensor)[3 if channels_first else 2]
        if width != input_shape[1]:
            raise ValueError(
                "input_shape[1] must equal the width of input_tensor.  Received "
                f"input_shape={input_shape}, "
                f"backend.int_shape(input_tensor)={backend.int_shape(input_tensor)}"
            )
    if input_shape is None and input_tensor is not None:
        if backend.is_keras_tensor(input_tensor):
            shape = backend.int_shape(input_tensor)
            rows, cols = (
                (shape[2], shape[3]) if channels_first else (shape[1], shape[2])
            )
            # Keras 2 swaps rows and cols here; kept for identical shapes.
            input_shape = (3, cols, rows) if channels_first else (cols, rows, 3)
    if input_shape is None:
        input_shape = (3, None, None) if channels_first else (None, None, 3)
    rows, cols = input_shape[1:3] if channels_first else input_shape[0:2]
    if rows and cols and (rows < 32 or cols < 32):
        raise ValueError(
            f"Input size must be at least 32x32; Received `input_shape={input_shape}`"
        )
    if weights == "imagenet":
        if (not minimalistic and alpha not in [0.75, 1.0]) or (
            minimalistic and alpha != 1.0
        ):
            raise ValueError(
                "If imagenet weights are being loaded, alpha can be one of `0.75`, "
                "`1.0` for non minimalistic or `1.0` for minimalistic only."
            )
        if rows != cols or rows != 224:
            logging.warning(
                "`input_shape` is undefined or non-square, or `rows` is not 224. "
                "Weights for input shape (224, 224) will be loaded as the default."
            )
    return input_shape


def _top(
    x, last_point_ch, activation, classes, dropout_rate, classifier_activation, weights
):
    x = layers.GlobalAveragePooling2D(keepdims=True)(x)
    x = layers.Conv2D(
        last_point_ch, kernel_size=1, padding="same", use_bias=True, name="Conv_2"
    )(x)
    x = activation(x)
    if dropout_rate > 0:
        x = layers.Dropout(dropout_rate)(x)
    x = layers.Conv2D(classes, kernel_size=1, padding="same", name="Logits")(x)
    x = layers.Flatten()(x)
    imagenet_utils.validate_activation(classifier_activation, weights)
    return layers.Activation(activation=classifier_activation, name="Predictions")(x)


def mobilenet_v3_model(
    table,
    last_point_ch: int,
    input_shape=None,
    alpha=1.0,
    model_type="large",
    minimalistic=False,
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    classes=1000,
    pooling=None,
    dropout_rate=0.2,
    classifier_activation="softmax",
    include_preprocessing=True,
) -> Model:
    """A MobileNetV3 from its block `table`; arguments as in `MobileNetV3Small`."""
    _assembly.check_weights_argument(weights, include_top, classes)
    input_shape = _input_shape(input_shape, input_tensor, weights, alpha, minimalistic)
    img_input = _assembly.input_from_shape(input_tensor, input_shape)
    kernel, activation, se_ratio = (
        (3, relu, None) if minimalistic else (5, hard_swish, 0.25)
    )
    x = img_input
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = layers.Conv2D(
        16, kernel_size=3, strides=(2, 2), padding="same", use_bias=False, name="Conv"
    )(x)
    x = activation(_bn(x, "Conv/BatchNorm"))
    x = _stack(x, table, alpha, kernel, activation, se_ratio)
    last_conv_ch = make_divisible(backend.int_shape(x)[_axis()] * 6, 8)
    if alpha > 1.0:
        last_point_ch = make_divisible(last_point_ch * alpha, 8)
    x = layers.Conv2D(
        last_conv_ch, kernel_size=1, padding="same", use_bias=False, name="Conv_1"
    )(x)
    x = activation(_bn(x, "Conv_1/BatchNorm"))
    if include_top:
        x = _top(
            x,
            last_point_ch,
            activation,
            classes,
            dropout_rate,
            classifier_activation,
            weights,
        )
    else:
        x = _assembly.pooling_top(x, pooling, names=("avg_pool", "max_pool"))
    model = _assembly.make_model(input_tensor, img_input, x, "MobilenetV3" + model_type)
    files = _weights_files(model_type, minimalistic, alpha)
    _assembly.load_weights(model, weights, include_top, *files)
    return model


def _weights_files(model_type: str, minimalistic: bool, alpha: float) -> tuple:
    key = f"{model_type}{'_minimalistic' if minimalistic else ''}_224_{alpha}_float"
    if key not in WEIGHTS_HASHES:
        return (None, None)
    top = f"weights_mobilenet_v3_{key}.h5"
    notop = f"weights_mobilenet_v3_{key}_no_top_v2.h5"
    return (
        _assembly.WeightsFile(top, BASE_WEIGHT_PATH + top, WEIGHTS_HASHES[key][0]),
        _assembly.WeightsFile(notop, BASE_WEIGHT_PATH + notop, WEIGHTS_HASHES[key][1]),
    )


_ARGS_DOC = """
    The model rescales its inputs itself (`include_preprocessing=True`): feed
    images with values in [0, 255]. The smallest size is 32x32.

    Args:
        input_shape: Optional `(height, width, channels)`.
        alpha: Width multiplier (ImageNet: 0.75 or 1.0; 1.0 when minimalistic).
        minimalistic: No squeeze-excite, no hard-swish, 3x3 kernels only.
        include_top: Whether to add the classifier (`Conv_2`, `Logits`).
        weights: `None`, `"imagenet"` or the path of an h5 weights file.
        input_tensor: Optional Keras tensor to use as the image input.
        classes: Number of classes of the top.
        pooling: Without the top: `None`, `"avg"` or `"max"`.
        dropout_rate: Dropout before the logits.
        classifier_activation: Activation of `Predictions`.
        include_preprocessing: Whether to rescale inputs to [-1, 1] first.

    Returns:
        The `Model`.
"""


def MobileNetV3Small(
    input_shape=None,
    alpha: float = 1.0,
    minimalistic: bool = False,
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    classes: int = 1000,
    pooling=None,
    dropout_rate: float = 0.2,
    classifier_activation="softmax",
    include_preprocessing: bool = True,
) -> Model:
    return mobilenet_v3_model(
        _SMALL,
        1024,
        input_shape,
        alpha,
        "small",
        minimalistic,
        include_top,
        weights,
        input_tensor,
        classes,
        pooling,
        dropout_rate,
        classifier_activation,
        include_preprocessing,
    )


def MobileNetV3Large(
    input_shape=None,
    alpha: float = 1.0,
    minimalistic: bool = False,
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    classes: int = 1000,
    pooling=None,
    dropout_rate: float = 0.2,
    classifier_activation="softmax",
    include_preprocessing: bool = True,
) -> Model:
    return mobilenet_v3_model(
        _LARGE,
        1280,
        input_shape,
        alpha,
        "large",
        minimalistic,
        include_top,
        weights,
        input_tensor,
        classes,
        pooling,
        dropout_rate,
        classifier_activation,
        include_preprocessing,
    )


MobileNetV3Small.__doc__ = "Builds MobileNetV3Small.\n" + _ARGS_DOC
MobileNetV3Large.__doc__ = "Builds MobileNetV3Large.\n" + _ARGS_DOC


def preprocess_input(x, data_format=None):
    """The identity: MobileNetV3 models rescale their inputs themselves.

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
