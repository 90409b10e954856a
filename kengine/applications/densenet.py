"""DenseNet121/169/201: densely connected convolutional networks.

Every `conv_block` concatenates 32 new channels (growth rate) to its input;
`transition_block`s halve the channels and the image size between dense
blocks. The variants differ only in the number of conv blocks per dense block.
Layer names (`conv1/conv`, `conv<s>_block<b>_<i>_conv`, `pool<s>_conv`, `bn`,
...) are Keras 2's, so its ImageNet h5 files load unchanged.

Mirrors Keras 2's `applications/densenet.py`.
"""

from kengine import backend, layers
from kengine.applications import _assembly, imagenet_utils
from kengine.engine.training import Model

__all__ = [
    "DenseNet121",
    "DenseNet169",
    "DenseNet201",
    "preprocess_input",
    "decode_predictions",
]

BASE_WEIGHTS_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/densenet/"
)
# blocks -> (model name, md5 of the file with the top, md5 without it).
_VARIANTS = {
    (6, 12, 24, 16): (
        "densenet121",
        "9d60b8095a5708f2dcce2bca79d332c7",
        "30ee3e1110167f948a6b9946edeeb738",
    ),
    (6, 12, 32, 32): (
        "densenet169",
        "d699b8f76981ab1b30698df4c175e90b",
        "b8c4d4c20dd625c148057b9ff1c1176b",
    ),
    (6, 12, 48, 32): (
        "densenet201",
        "1ceb130c1ea1b78c3bf6114dbdfd8807",
        "c13680b51ded0fb44dff2d8f86ac8bb1",
    ),
}
_EPSILON = 1.001e-5


def _bn(x, name: str):
    return layers.BatchNormalization(
        axis=_assembly.channel_axis(), epsilon=_EPSILON, name=name
    )(x)


def conv_block(x, growth_rate: int, name: str):
    """BN-ReLU-1x1 conv, BN-ReLU-3x3 conv, concatenated to the block's input."""
    y = _bn(x, name + "_0_bn")
    y = layers.Activation("relu", name=name + "_0_relu")(y)
    y = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=name + "_1_conv")(y)
    y = _bn(y, name + "_1_bn")
    y = layers.Activation("relu", name=name + "_1_relu")(y)
    y = layers.Conv2D(
        growth_rate, 3, padding="same", use_bias=False, name=name + "_2_conv"
    )(y)
    return layers.Concatenate(axis=_assembly.channel_axis(), name=name + "_concat")(
        [x, y]
    )


def dense_block(x, blocks: int, name: str):
    """`blocks` conv blocks named `<name>_block<i>`."""
    for i in range(1, blocks + 1):
        x = conv_block(x, 32, name=f"{name}_block{i}")
    return x


def transition_block(x, reduction: float, name: str):
    """BN-ReLU, a 1x1 convolution keeping `reduction` of the channels, 2x2 pooling."""
    x = _bn(x, name + "_bn")
    x = layers.Activation("relu", name=name + "_relu")(x)
    channels = backend.int_shape(x)[_assembly.channel_axis()]
    x = layers.Conv2D(
        int(channels * reduction), 1, use_bias=False, name=name + "_conv"
    )(x)
    return layers.AveragePooling2D(2, strides=2, name=name + "_pool")(x)


def densenet_model(
    blocks,
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
) -> Model:
    """A DenseNet with `blocks[i]` conv blocks in dense block `i`.

    The other arguments are those of `DenseNet121`.
    """
    _assembly.check_weights_argument(weights, include_top, classes)
    img_input = _assembly.image_input(
        input_tensor, input_shape, 224, 32, include_top, weights
    )
    # The two paddings are unnamed in Keras 2 (automatic `zero_padding2d` names).
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1/conv")(x)
    x = _bn(x, "conv1/bn")
    x = layers.Activation("relu", name="conv1/relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for stage, count in enumerate(blocks, start=2):
        x = dense_block(x, count, name=f"conv{stage}")
        if stage < 5:
            x = transition_block(x, 0.5, name=f"pool{stage}")
    x = _bn(x, "bn")
    x = layers.Activation("relu", name="relu")(x)
    if include_top:
        x = _assembly.classifier_top(x, classes, classifier_activation, weights)
    else:
        x = _assembly.pooling_top(x, pooling, names=("avg_pool", "max_pool"))
    variant = _VARIANTS.get(tuple(blocks))
    name = variant[0] if variant else "densenet"
    model = _assembly.make_model(input_tensor, img_input, x, name)
    _assembly.load_weights(model, weights, include_top, *_weights_files(variant))
    return model


def _weights_files(variant) -> tuple:
    if variant is None:
        return (None, None)
    name, top_hash, notop_hash = variant
    top = f"{name}_weights_tf_dim_ordering_tf_kernels.h5"
    notop = f"{name}_weights_tf_dim_ordering_tf_kernels_notop.h5"
    return (
        _assembly.WeightsFile(top, BASE_WEIGHTS_PATH + top, top_hash),
        _assembly.WeightsFile(notop, BASE_WEIGHTS_PATH + notop, notop_hash),
    )


_ARGS_DOC = """
    Inputs are preprocessed by `densenet.preprocess_input` ("torch": scaled to
    [0, 1], then standardised per channel); default size 224x224, smallest 32x32.

    Args:
        include_top: Whether to add pooling (`avg_pool`) and `predictions`.
        weights: `None`, `"imagenet"` or the path of an h5 weights file.
        input_tensor: Optional Keras tensor to use as the image input.
        input_shape: Optional `(height, width, channels)`.
        pooling: Without the top: `None`, `"avg"` or `"max"`.
        classes: Number of classes of the top.
        classifier_activation: Activation of `predictions`.

    Returns:
        The `Model`.
"""


def DenseNet121(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
) -> Model:
    return densenet_model(
        [6, 12, 24, 16],
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
    )


def DenseNet169(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
) -> Model:
    return densenet_model(
        [6, 12, 32, 32],
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
    )


def DenseNet201(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
) -> Model:
    return densenet_model(
        [6, 12, 48, 32],
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
    )


DenseNet121.__doc__ = (
    "Builds DenseNet121, optionally with ImageNet weights.\n" + _ARGS_DOC
)
DenseNet169.__doc__ = (
    "Builds DenseNet169, optionally with ImageNet weights.\n" + _ARGS_DOC
)
DenseNet201.__doc__ = (
    "Builds DenseNet201, optionally with ImageNet weights.\n" + _ARGS_DOC
)


def preprocess_input(x, data_format=None):
    """`imagenet_utils.preprocess_input` in `"torch"` mode."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="torch")


def decode_predictions(preds, top: int = 5) -> list:
    """`imagenet_utils.decode_predictions`: the top ImageNet classes per row."""
    return imagenet_utils.decode_predictions(preds, top=top)
