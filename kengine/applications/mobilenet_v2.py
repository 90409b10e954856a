"""MobileNetV2: inverted residual blocks with linear bottlenecks.

Each block expands the channels with a 1x1 convolution (`block_<i>_expand`),
filters them depthwise, projects them back with a linear 1x1 convolution
(`..._project`) and adds the input when the shapes allow. `alpha` scales the
filters (rounded to multiples of 8 by `make_divisible`). Layer names are Keras
2's, so its ImageNet h5 files load unchanged.

Mirrors Keras 2's `applications/mobilenet_v2.py`.
"""

from kengine import backend, layers
from kengine.applications import _assembly, imagenet_utils
from kengine.applications.mobilenet import square_size, weights_rows
from kengine.engine.training import Model

__all__ = ["MobileNetV2", "preprocess_input", "decode_predictions"]

BASE_WEIGHT_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
)
_SIZES = (96, 128, 160, 192, 224)
_ALPHAS = (0.35, 0.5, 0.75, 1.0, 1.3, 1.4)
# (filters, stride, expansion) of the 17 inverted residual blocks.
_BLOCKS = (
    (16, 1, 1),
    (24, 2, 6),
    (24, 1, 6),
    (32, 2, 6),
    (32, 1, 6),
    (32, 1, 6),
    (64, 2, 6),
    (64, 1, 6),
    (64, 1, 6),
    (64, 1, 6),
    (96, 1, 6),
    (96, 1, 6),
    (96, 1, 6),
    (160, 2, 6),
    (160, 1, 6),
    (160, 1, 6),
    (320, 1, 6),
)


def make_divisible(v: float, divisor: int, min_value: int | None = None) -> int:
    """`v` rounded to a multiple of `divisor`, never more than 10% below `v`."""
    if min_value is None:
        min_value = divisor
    rounded = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * v:
        rounded += divisor
    return rounded


def _default_size(input_shape, input_tensor) -> int:
    """224, or the square side of the input (shape or Keras tensor) among `_SIZES`."""
    if input_shape is None and input_tensor is not None:
        if not backend.is_keras_tensor(input_tensor):
            return 224
        return square_size(backend.int_shape(input_tensor)[1:], _SIZES)
    return square_size(input_shape, _SIZES)


def _check_arguments(input_shape, input_tensor, weights, alpha) -> None:
    if input_shape is not None and input_tensor is not None:
        if not backend.is_keras_tensor(input_tensor):
            raise ValueError(
                "input_tensor is not a TF-Keras tensor; Received "
                f"`input_tensor={input_tensor}`"
            )
        width_axis = 3 if backend.image_data_format() == "channels_first" else 2
        if backend.int_shape(input_tensor)[width_axis] != input_shape[1]:
            raise ValueError(
                f"input_tensor.shape[{width_axis}] must equal input_shape[1]; "
                f"Received `input_tensor.shape={input_tensor.shape}`, "
                f"`input_shape={input_shape}`"
            )
    if weights == "imagenet" and alpha not in _ALPHAS:
        raise ValueError(
            "If imagenet weights are being loaded, alpha must be one of `0.35`, "
            "`0.50`, `0.75`, `1.0`, `1.3` or `1.4` only; Received "
            f"`alpha={alpha}`"
        )


def MobileNetV2(
    input_shape=None,
    alpha: float = 1.0,
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
    **kwargs,
) -> Model:
    """Builds MobileNetV2, optionally with ImageNet weights.

    Inputs are scaled to [-1, 1] by `mobilenet_v2.preprocess_input`; the
    default size is 224x224 (or the square size given among 96 to 192), the
    smallest 32x32.

    Args:
        input_shape: Optional `(height, width, channels)`.
        alpha: Width multiplier (ImageNet: 0.35, 0.5, 0.75, 1.0, 1.3, 1.4).
        include_top: Whether to add pooling and the `predictions` layer.
        weights: `None`, `"imagenet"` or the path of an h5 weights file.
        input_tensor: Optional Keras tensor to use as the image input.
        pooling: Without the top: `None`, `"avg"` or `"max"`.
        classes: Number of classes of the top.
        classifier_activation: Activation of `predictions`.
        **kwargs: Refused (Keras 2's `layers=` injection is not supported).

    Returns:
        A `Model` named `mobilenetv2_<alpha>_<rows>`.

    Raises:
        ValueError: for invalid arguments, as Keras 2.
    """
    _assembly.reject_unknown_arguments(kwargs)
    _assembly.check_weights_argument(weights, include_top, classes)
    _check_arguments(input_shape, input_tensor, weights, alpha)
    size = _default_size(input_shape, input_tensor)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, size, 32, backend.image_data_format(), include_top, weights
    )
    rows = weights_rows(input_shape, weights, _SIZES)
    img_input = _assembly.input_from_shape(input_tensor, input_shape)
    axis = _bn_axis()
    x = layers.Conv2D(
        make_divisible(32 * alpha, 8),
        kernel_size=3,
        strides=(2, 2),
        padding="same",
        use_bias=False,
        name="Conv1",
    )(img_input)
    x = layers.BatchNormalization(
        axis=axis, epsilon=1e-3, momentum=0.999, name="bn_Conv1"
    )(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    for block_id, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = _inverted_res_block(x, expansion, stride, alpha, filters, block_id)
    # Wider models widen the last layer too; narrower ones keep 1280.
    last = make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last, kernel_size=1, use_bias=False, name="Conv_1")(x)
    x = layers.BatchNormalization(
        axis=axis, epsilon=1e-3, momentum=0.999, name="Conv_1_bn"
    )(x)
    x = layers.ReLU(6.0, name="out_relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        x = _assembly.classifier_top(
            x, classes, classifier_activation, weights, pool=False
        )
    else:
        x = _assembly.pooling_top(x, pooling)
    model = _assembly.make_model(
        input_tensor, img_input, x, f"mobilenetv2_{alpha:0.2f}_{rows}"
    )
    _assembly.load_weights(model, weights, include_top, *_weights_files(alpha, rows))
    return model


def _weights_files(alpha: float, rows: int) -> tuple:
    stem = f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}"
    # Keras 2 publishes no hashes for these files.
    return (
        _assembly.WeightsFile(stem + ".h5", BASE_WEIGHT_PATH + stem + ".h5", None),
        _assembly.WeightsFile(
            stem + "_no_top.h5", BASE_WEIGHT_PATH + stem + "_no_top.h5", None
        ),
    )


def _bn_axis() -> int:
    return 1 if backend.image_data_format() == "channels_first" else -1


def _bn(x, name: str):
    return layers.BatchNormalization(
        axis=_bn_axis(), epsilon=1e-3, momentum=0.999, name=name
    )(x)


def _inverted_res_block(inputs, expansion, stride, alpha, filters, block_id):
    in_channels = backend.int_shape(inputs)[_bn_axis()]
    pointwise_filters = make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_"
    if block_id:
        x = layers.Conv2D(
            expansion * in_channels,
            kernel_size=1,
            padding="same",
            use_bias=False,
            activation=None,
            name=prefix + "expand",
        )(x)
        x = _bn(x, prefix + "expand_BN")
        x = layers.ReLU(6.0, name=prefix + "expand_relu")(x)
    else:
        prefix = "expanded_conv_"  # The first block has no expansion.
    if stride == 2:
        pad = imagenet_utils.correct_pad(x, 3)
        x = layers.ZeroPadding2D(padding=pad, name=prefix + "pad")(x)
    x = layers.DepthwiseConv2D(
        kernel_size=3,
        strides=stride,
        activation=None,
        use_bias=False,
        padding="same" if stride == 1 else "valid",
        name=prefix + "depthwise",
    )(x)
    x = _bn(x, prefix + "depthwise_BN")
    x = layers.ReLU(6.0, name=prefix + "depthwise_relu")(x)
    x = layers.Conv2D(
        pointwise_filters,
        kernel_size=1,
        padding="same",
        use_bias=False,
        activation=None,
        name=prefix + "project",
    )(x)
    x = _bn(x, prefix + "project_BN")
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=prefix + "add")([inputs, x])
    return x


def preprocess_input(x, data_format=None):
    """`imagenet_utils.preprocess_input` in `"tf"` mode (scaled to [-1, 1])."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5) -> list:
    """`imagenet_utils.decode_predictions`: the top ImageNet classes per row."""
    return imagenet_utils.decode_predictions(preds, top=top)
