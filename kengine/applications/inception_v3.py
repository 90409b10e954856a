"""InceptionV3: factorised inception modules (`mixed0` to `mixed10`).

Every convolution is `conv2d_bn` (convolution without bias, BatchNormalization
without scale, ReLU). Keras 2 leaves these layers unnamed, so their names are
the automatic `conv2d_<n>` / `batch_normalization_<n>` / `activation_<n>`: the
layers are created here in exactly Keras 2's order so the names, and with them
the ImageNet h5 files, line up. Branches are written as chains of
`(filters, rows, cols[, strides, padding])` specs.

Mirrors Keras 2's `applications/inception_v3.py`.
"""

from kengine import backend, layers
from kengine.applications import _assembly, imagenet_utils
from kengine.engine.training import Model

__all__ = ["InceptionV3", "preprocess_input", "decode_predictions"]

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
WEIGHTS = _assembly.WeightsFile(
    "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
    _BASE + "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
    "9a0d58056eeedaa3f26cb7ebd46da564",
)
WEIGHTS_NO_TOP = _assembly.WeightsFile(
    "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
    _BASE + "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
    "bcbd6486424b2319ff4ef7d526e38f63",
)
_REDUCE = ((2, 2), "valid")  # strides and padding of the grid-reducing convolutions.


def conv2d_bn(x, filters, num_row, num_col, padding="same", strides=(1, 1), name=None):
    """Convolution (no bias), BatchNormalization (no scale) and ReLU.

    With a `name`, the layers are `<name>_conv`, `<name>_bn` and `<name>`;
    without one they take automatic names.
    """
    conv_name = None if name is None else name + "_conv"
    bn_name = None if name is None else name + "_bn"
    axis = 1 if backend.image_data_format() == "channels_first" else 3
    x = layers.Conv2D(
        filters,
        (num_row, num_col),
        strides=strides,
        padding=padding,
        use_bias=False,
        name=conv_name,
    )(x)
    x = layers.BatchNormalization(axis=axis, scale=False, name=bn_name)(x)
    return layers.Activation("relu", name=name)(x)


def _chain(x, specs):
    for spec in specs:
        filters, rows, cols, *rest = spec
        strides, padding = rest[0] if rest else ((1, 1), "same")
        x = conv2d_bn(x, filters, rows, cols, padding=padding, strides=strides)
    return x


def _pool_branch(x, filters: int):
    x = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    return conv2d_bn(x, filters, 1, 1)


def _concat(branches, name=None):
    return layers.concatenate(branches, axis=_assembly.channel_axis(), name=name)


def _block_a(x, pool_filters: int, name: str):
    return _concat(
        [
            _chain(x, [(64, 1, 1)]),
            _chain(x, [(48, 1, 1), (64, 5, 5)]),
            _chain(x, [(64, 1, 1), (96, 3, 3), (96, 3, 3)]),
            _pool_branch(x, pool_filters),
        ],
        name,
    )


def _block_c(x, c: int, name: str):
    return _concat(
        [
            _chain(x, [(192, 1, 1)]),
            _chain(x, [(c, 1, 1), (c, 1, 7), (192, 7, 1)]),
            _chain(x, [(c, 1, 1), (c, 7, 1), (c, 1, 7), (c, 7, 1), (192, 1, 7)]),
            _pool_branch(x, 192),
        ],
        name,
    )


def _reduction(x, first, second, name: str):
    first = _chain(x, first)
    second = _chain(x, second)
    pool = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    return _concat([first, second, pool], name)


def _block_e(x, i: int):
    branch1x1 = _chain(x, [(320, 1, 1)])
    branch3x3 = _chain(x, [(384, 1, 1)])
    branch3x3 = _concat(
        [_chain(branch3x3, [(384, 1, 3)]), _chain(branch3x3, [(384, 3, 1)])],
        f"mixed9_{i}",
    )
    double = _chain(x, [(448, 1, 1), (384, 3, 3)])
    double = _concat([_chain(double, [(384, 1, 3)]), _chain(double, [(384, 3, 1)])])
    return _concat(
        [branch1x1, branch3x3, double, _pool_branch(x, 192)], f"mixed{9 + i}"
    )


def _trunk(img_input):
    x = _chain(
        img_input, [(32, 3, 3, _REDUCE), (32, 3, 3, ((1, 1), "valid")), (64, 3, 3)]
    )
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = _chain(x, [(80, 1, 1, ((1, 1), "valid")), (192, 3, 3, ((1, 1), "valid"))])
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = _block_a(x, 32, "mixed0")
    x = _block_a(x, 64, "mixed1")
    x = _block_a(x, 64, "mixed2")
    x = _reduction(
        x,
        [(384, 3, 3, _REDUCE)],
        [(64, 1, 1), (96, 3, 3), (96, 3, 3, _REDUCE)],
        "mixed3",
    )
    for i, c in enumerate((128, 160, 160, 192)):
        x = _block_c(x, c, f"mixed{4 + i}")
    x = _reduction(
        x,
        [(192, 1, 1), (320, 3, 3, _REDUCE)],
        [(192, 1, 1), (192, 1, 7), (192, 7, 1), (192, 3, 3, _REDUCE)],
        "mixed8",
    )
    for i in range(2):
        x = _block_e(x, i)
    return x


def InceptionV3(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
) -> Model:
    """Builds InceptionV3, optionally with ImageNet weights.

    Inputs are scaled to [-1, 1] by `inception_v3.preprocess_input`; the
    default size is 299x299 and the smallest 75x75.

    Args:
        include_top: Whether to add pooling (`avg_pool`) and `predictions`.
        weights: `None`, `"imagenet"` or the path of an h5 weights file.
        input_tensor: Optional Keras tensor to use as the image input.
        input_shape: Optional `(height, width, channels)`.
        pooling: Without the top: `None`, `"avg"` or `"max"`.
        classes: Number of classes of the top.
        classifier_activation: Activation of `predictions`.

    Returns:
        A `Model` named `inception_v3`.
    """
    _assembly.check_weights_argument(weights, include_top, classes)
    img_input = _assembly.image_input(
        input_tensor, input_shape, 299, 75, include_top, weights
    )
    x = _trunk(img_input)
    if include_top:
        x = _assembly.classifier_top(x, classes, classifier_activation, weights)
    else:
        x = _assembly.pooling_top(x, pooling)
    model = _assembly.make_model(input_tensor, img_input, x, "inception_v3")
    _assembly.load_weights(model, weights, include_top, WEIGHTS, WEIGHTS_NO_TOP)
    return model


def preprocess_input(x, data_format=None):
    """`imagenet_utils.preprocess_input` in `"tf"` mode (scaled to [-1, 1])."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5) -> list:
    """`imagenet_utils.decode_predictions`: the top ImageNet classes per row."""
    return imagenet_utils.decode_predictions(preds, top=top)
