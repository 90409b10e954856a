"""VGG16: five blocks of 3x3 convolutions and max pooling, then three dense layers.

`vgg_model` builds any VGG depth from the number of convolutions per block, so
`vgg19.py` reuses it. Layer names (`block<b>_conv<i>`, `block<b>_pool`, `fc1`,
`fc2`, `predictions`) are Keras 2's, so its ImageNet h5 files load unchanged.

Mirrors Keras 2's `applications/vgg16.py`.
"""

from kengine import layers
from kengine.applications import _assembly, imagenet_utils
from kengine.engine.training import Model

__all__ = ["VGG16", "preprocess_input", "decode_predictions"]

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
WEIGHTS = _assembly.WeightsFile(
    "vgg16_weights_tf_dim_ordering_tf_kernels.h5",
    _BASE + "vgg16_weights_tf_dim_ordering_tf_kernels.h5",
    "64373286793e3c8b2b4e3219cbf3544b",
)
WEIGHTS_NO_TOP = _assembly.WeightsFile(
    "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
    _BASE + "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
    "6d6bbae143d832006294945121d1f1fc",
)
_FILTERS = (64, 128, 256, 512, 512)


def vgg_model(
    convs_per_block: tuple,
    name: str,
    files: tuple,
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
) -> Model:
    """A VGG network with `convs_per_block[b]` convolutions in block `b + 1`.

    `files` is the pair (top, notop) of ImageNet `WeightsFile`s; the other
    arguments are those of `VGG16`.
    """
    _assembly.check_weights_argument(weights, include_top, classes)
    img_input = _assembly.image_input(
        input_tensor, input_shape, 224, 32, include_top, weights
    )
    x = img_input
    for block, (filters, convs) in enumerate(zip(_FILTERS, convs_per_block), start=1):
        for i in range(1, convs + 1):
            x = layers.Conv2D(
                filters,
                (3, 3),
                activation="relu",
                padding="same",
                name=f"block{block}_conv{i}",
            )(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        x = _assembly.classifier_top(
            x, classes, classifier_activation, weights, pool=False
        )
    else:
        x = _assembly.pooling_top(x, pooling)
    model = _assembly.make_model(input_tensor, img_input, x, name)
    _assembly.load_weights(model, weights, include_top, *files)
    return model


def VGG16(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
) -> Model:
    """Builds VGG16 (13 convolutions), optionally with ImageNet weights.

    Inputs are BGR images zero-centred by `vgg16.preprocess_input`; the
    default size is 224x224 and the smallest 32x32.

    Args:
        include_top: Whether to add the three dense layers (`fc1`, `fc2`,
            `predictions`).
        weights: `None` (random), `"imagenet"` (downloaded once into
            `~/.keras/models/`) or the path of an h5 weights file.
        input_tensor: Optional Keras tensor to use as the image input.
        input_shape: Optional `(height, width, channels)`; only without the
            top, or equal to `(224, 224, 3)`.
        pooling: Without the top: `None` (4D output), `"avg"` or `"max"`.
        classes: Number of classes of the top (1000 with ImageNet weights).
        classifier_activation: Activation of `predictions` (`None` or
            `"softmax"` with pretrained weights).

    Returns:
        A `Model` named `vgg16`.

    Raises:
        ValueError: for invalid `weights`, `classes`, `input_shape` or
            `classifier_activation`.
    """
    return vgg_model(
        (2, 2, 3, 3, 3),
        "vgg16",
        (WEIGHTS, WEIGHTS_NO_TOP),
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
    )


def preprocess_input(x, data_format=None):
    """`imagenet_utils.preprocess_input` in `"caffe"` mode (RGB to BGR, minus means)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top: int = 5) -> list:
    """`imagenet_utils.decode_predictions`: the top ImageNet classes per row."""
    return imagenet_utils.decode_predictions(preds, top=top)
