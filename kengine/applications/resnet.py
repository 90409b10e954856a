"""ResNet50/101/152 (v1) and the shared ResNet trunk that ResNetV2 reuses.

`resnet_model` builds the stem (7x7 convolution, max pooling), the family's
stacks (`stack_fn`) and the top. Version 1 stacks use `bottleneck_block`
(convolution, then BatchNormalization, then ReLU, with the residual added
before the last ReLU); version 2 (`resnet_v2.py`) uses `preact_block`, which
normalises before each convolution. Layer names (`conv<s>_block<b>_<i>_conv`,
`..._bn`, `..._relu`, `..._add`, `..._out`) are Keras 2's, so its ImageNet h5
files load unchanged.

Mirrors Keras 2's `applications/resnet.py` (`ResNet`, `block1`, `stack1`,
`block2`, `stack2`, `ResNet50`, `ResNet101`, `ResNet152`).
"""

from collections.abc import Callable

from kengine import layers
from kengine.applications import _assembly, imagenet_utils
from kengine.engine.training import Model

__all__ = [
    "ResNet50",
    "ResNet101",
    "ResNet152",
    "preprocess_input",
    "decode_predictions",
]

BASE_WEIGHTS_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
)
# model name -> (md5 of the file with the top, md5 of the file without it).
WEIGHTS_HASHES = {
    "resnet50": (
        "2cb95161c43110f7111970584f804107",
        "4d473c1dd8becc155b73f8504c6f6626",
    ),
    "resnet101": (
        "f1aeb4b969a6efcfb50fad2f0c20cfc5",
        "88cf7a10940856eca736dc7b7e228a21",
    ),
    "resnet152": (
        "100835be76be38e30d865e96f2aaae62",
        "ee4c566cf9a93f14d82f913c2dc6dd0c",
    ),
    "resnet50v2": (
        "3ef43a0b657b3be2300d5770ece849e0",
        "fac2f116257151a9d068a22e544a4917",
    ),
    "resnet101v2": (
        "6343647c601c52e1368623803854d971",
        "c0ed64b8031c3730f411d2eb4eea35b5",
    ),
    "resnet152v2": (
        "a49b44d1979771252814e80f8ec446f9",
        "ed17cf2e0169df9d443503ef94b23b33",
    ),
}
_EPSILON = 1.001e-5


def weights_files(model_name: str) -> tuple:
    """The (top, notop) ImageNet `WeightsFile`s of a ResNet by its model name."""
    top_hash, notop_hash = WEIGHTS_HASHES[model_name]
    top = f"{model_name}_weights_tf_dim_ordering_tf_kernels.h5"
    notop = f"{model_name}_weights_tf_dim_ordering_tf_kernels_notop.h5"
    return (
        _assembly.WeightsFile(top, BASE_WEIGHTS_PATH + top, top_hash),
        _assembly.WeightsFile(notop, BASE_WEIGHTS_PATH + notop, notop_hash),
    )


def _bn(x, name: str):
    return layers.BatchNormalization(
        axis=_assembly.channel_axis(), epsilon=_EPSILON, name=name
    )(x)


def resnet_model(
    stack_fn: Callable,
    preact: bool,
    use_bias: bool,
    model_name: str,
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
) -> Model:
    """A ResNet: stem, `stack_fn(x)`, then the top and ImageNet weights.

    Args:
        stack_fn: Builds the residual stacks from the stem's output.
        preact: Version 2 (pre-activation): the stem has no BatchNormalization
            and the trunk ends with `post_bn`/`post_relu`.
        use_bias: Whether the stem convolution has a bias.
        model_name: The model's name, which also names its weight files.
        include_top, weights, input_tensor, input_shape, pooling, classes,
            classifier_activation: as in `ResNet50`.

    Returns:
        The `Model`.
    """
    _assembly.check_weights_argument(weights, include_top, classes)
    img_input = _assembly.image_input(
        input_tensor, input_shape, 224, 32, include_top, weights
    )
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    if not preact:
        x = _bn(x, "conv1_bn")
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stack_fn(x)
    if preact:
        x = _bn(x, "post_bn")
        x = layers.Activation("relu", name="post_relu")(x)
    if include_top:
        x = _assembly.classifier_top(x, classes, classifier_activation, weights)
    else:
        x = _assembly.pooling_top(x, pooling, names=("avg_pool", "max_pool"))
    model = _assembly.make_model(input_tensor, img_input, x, model_name)
    files = weights_files(model_name) if model_name in WEIGHTS_HASHES else (None, None)
    _assembly.load_weights(model, weights, include_top, *files)
    return model


def bottleneck_block(x, filters: int, stride: int = 1, conv_shortcut=True, name=""):
    """A v1 residual block: 1x1, 3x3, 1x1 (x4 filters) convolutions plus the shortcut."""
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=name + "_0_conv")(
            x
        )
        shortcut = _bn(shortcut, name + "_0_bn")
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=name + "_1_conv")(x)
    x = _bn(x, name + "_1_bn")
    x = layers.Activation("relu", name=name + "_1_relu")(x)
    x = layers.Conv2D(filters, 3, padding="SAME", name=name + "_2_conv")(x)
    x = _bn(x, name + "_2_bn")
    x = layers.Activation("relu", name=name + "_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=name + "_3_conv")(x)
    x = _bn(x, name + "_3_bn")
    x = layers.Add(name=name + "_add")([shortcut, x])
    return layers.Activation("relu", name=name + "_out")(x)


def stack_v1(x, filters: int, blocks: int, stride1: int = 2, name=""):
    """`blocks` v1 blocks; the first projects the shortcut and strides by `stride1`."""
    x = bottleneck_block(x, filters, stride=stride1, name=name + "_block1")
    for i in range(2, blocks + 1):
        x = bottleneck_block(x, filters, conv_shortcut=False, name=f"{name}_block{i}")
    return x


def preact_block(x, filters: int, stride: int = 1, conv_shortcut=False, name=""):
    """A v2 residual block: BatchNormalization and ReLU before each convolution."""
    preact = _bn(x, name + "_preact_bn")
    preact = layers.Activation("relu", name=name + "_preact_relu")(preact)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=name + "_0_conv")(
            preact
        )
    elif stride > 1:
        # Unnamed in Keras 2, so it takes the automatic `max_pooling2d[_n]` names.
        shortcut = layers.MaxPooling2D(1, strides=stride)(x)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=name + "_1_conv")(
        preact
    )
    x = _bn(x, name + "_1_bn")
    x = layers.Activation("relu", name=name + "_1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=name + "_2_pad")(x)
    x = layers.Conv2D(
        filters, 3, strides=stride, use_bias=False, name=name + "_2_conv"
    )(x)
    x = _bn(x, name + "_2_bn")
    x = layers.Activation("relu", name=name + "_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=name + "_3_conv")(x)
    return layers.Add(name=name + "_out")([shortcut, x])


def stack_v2(x, filters: int, blocks: int, stride1: int = 2, name=""):
    """`blocks` v2 blocks; the first projects the shortcut, the last strides."""
    x = preact_block(x, filters, conv_shortcut=True, name=name + "_block1")
    for i in range(2, blocks):
        x = preact_block(x, filters, name=f"{name}_block{i}")
    return preact_block(x, filters, stride=stride1, name=f"{name}_block{blocks}")


def _v1_stacks(depths: tuple) -> Callable:
    def stack_fn(x):
        x = stack_v1(x, 64, depths[0], stride1=1, name="conv2")
        x = stack_v1(x, 128, depths[1], name="conv3")
        x = stack_v1(x, 256, depths[2], name="conv4")
        return stack_v1(x, 512, depths[3], name="conv5")

    return stack_fn


_ARGS_DOC = """
    Inputs are preprocessed by `resnet.preprocess_input` ("caffe": BGR, minus
    the ImageNet means); the default size is 224x224 and the smallest 32x32.

    Args:
        include_top: Whether to add global average pooling (`avg_pool`) and the
            `predictions` layer.
        weights: `None` (random), `"imagenet"` (downloaded once into
            `~/.keras/models/`) or the path of an h5 weights file.
        input_tensor: Optional Keras tensor to use as the image input.
        input_shape: Optional `(height, width, channels)`; only without the
            top, or equal to `(224, 224, 3)`.
        pooling: Without the top: `None` (4D output), `"avg"` or `"max"`.
        classes: Number of classes of the top (1000 with ImageNet weights).
        classifier_activation: Activation of `predictions` (`None` or
            `"softmax"` with pretrained weights).
        **kwargs: Refused (Keras 2's `layers=` injection is not supported).

    Returns:
        The `Model`.

    Raises:
        ValueError: for invalid `weights`, `classes`, `input_shape` or
            `classifier_activation`.
"""


def ResNet50(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
    **kwargs,
) -> Model:
    _assembly.reject_unknown_arguments(kwargs)
    return resnet_model(
        _v1_stacks((3, 4, 6, 3)),
        False,
        True,
        "resnet50",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
    )


def ResNet101(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
    **kwargs,
) -> Model:
    _assembly.reject_unknown_arguments(kwargs)
    return resnet_model(
        _v1_stacks((3, 4, 23, 3)),
        False,
        True,
        "resnet101",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
    )


def ResNet152(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
    **kwargs,
) -> Model:
    _assembly.reject_unknown_arguments(kwargs)
    return resnet_model(
        _v1_stacks((3, 8, 36, 3)),
        False,
        True,
        "resnet152",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
    )


ResNet50.__doc__ = (
    "Builds ResNet50 (v1), optionally with ImageNet weights.\n" + _ARGS_DOC
)
ResNet101.__doc__ = (
    "Builds ResNet101 (v1), optionally with ImageNet weights.\n" + _ARGS_DOC
)
ResNet152.__doc__ = (
    "Builds ResNet152 (v1), optionally with ImageNet weights.\n" + _ARGS_DOC
)


def preprocess_input(x, data_format=None):
    """`imagenet_utils.preprocess_input` in `"caffe"` mode (RGB to BGR, minus means)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top: int = 5) -> list:
    """`imagenet_utils.decode_predictions`: the top ImageNet classes per row."""
    return imagenet_utils.decode_predictions(preds, top=top)
