"""InceptionResNetV2: inception branches added to a scaled residual.

The stem and the reduction blocks (`mixed_5b`, `mixed_6a`, `mixed_7a`) are
InceptionV3-like; between them, `inception_resnet_block`s of three types
(`block35`, `block17`, `block8`) concatenate their branches, project them back
to the input width and add them scaled (`CustomScaleLayer`). Unnamed layers
take automatic names, so they are created in Keras 2's order to keep its names,
and with them the ImageNet h5 files, lined up.

Mirrors Keras 2's `applications/inception_resnet_v2.py`.
"""

from kengine import backend, layers
from kengine.applications import _assembly, imagenet_utils
from kengine.engine.training import Model
from kengine.utils import register_keras_serializable

__all__ = ["InceptionResNetV2", "preprocess_input", "decode_predictions"]

BASE_WEIGHT_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/inception_resnet_v2/"
)
_STEM = "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels"
WEIGHTS = _assembly.WeightsFile(
    _STEM + ".h5", BASE_WEIGHT_URL + _STEM + ".h5", "e693bd0210a403b3192acc6073ad2e96"
)
WEIGHTS_NO_TOP = _assembly.WeightsFile(
    _STEM + "_notop.h5",
    BASE_WEIGHT_URL + _STEM + "_notop.h5",
    "d19885ff4a710c122648d3b5c3b684e4",
)
# block type -> branches, each a chain of (filters, kernel) convolutions.
_BRANCHES = {
    "block35": ([(32, 1)], [(32, 1), (32, 3)], [(32, 1), (48, 3), (64, 3)]),
    "block17": ([(192, 1)], [(128, 1), (160, [1, 7]), (192, [7, 1])]),
    "block8": ([(192, 1)], [(192, 1), (224, [1, 3]), (256, [3, 1])]),
}


@register_keras_serializable()
class CustomScaleLayer(layers.Layer):
    """Adds its second input, times `scale`, to its first: `x + residual * scale`.

    Args:
        scale: The residual's multiplier.
        **kwargs: Base `Layer` arguments.
    """

    def __init__(self, scale: float, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale}

    def call(self, inputs):
        return inputs[0] + inputs[1] * self.scale


def _axis() -> int:
    return 1 if backend.image_data_format() == "channels_first" else 3


def conv2d_bn(
    x,
    filters,
    kernel_size,
    strides=1,
    padding="same",
    activation="relu",
    use_bias=False,
    name=None,
):
    """Convolution, then BatchNormalization (no scale; only without bias) and activation."""
    x = layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        use_bias=use_bias,
        name=name,
    )(x)
    if not use_bias:
        bn_name = None if name is None else name + "_bn"
        x = layers.BatchNormalization(axis=_axis(), scale=False, name=bn_name)(x)
    if activation is not None:
        ac_name = None if name is None else name + "_ac"
        x = layers.Activation(activation, name=ac_name)(x)
    return x


def _chain(x, specs):
    for filters, kernel, *rest in specs:
        strides, padding = rest[0] if rest else (1, "same")
        x = conv2d_bn(x, filters, kernel, strides=strides, padding=padding)
    return x


def inception_resnet_block(
    x, scale: float, block_type: str, block_idx: int, activation="relu"
):
    """One residual inception block of type `block35`, `block17` or `block8`.

    Raises:
        ValueError: for another `block_type`.
    """
    if block_type not in _BRANCHES:
        raise ValueError(
            'Unknown Inception-ResNet block type. Expects "block35", "block17" or '
            f'"block8", but got: {block_type}'
        )
    branches = [_chain(x, specs) for specs in _BRANCHES[block_type]]
    block_name = f"{block_type}_{block_idx}"
    mixed = layers.Concatenate(axis=_axis(), name=block_name + "_mixed")(branches)
    up = conv2d_bn(
        mixed,
        backend.int_shape(x)[_axis()],
        1,
        activation=None,
        use_bias=True,
        name=block_name + "_conv",
    )
    x = CustomScaleLayer(scale)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=block_name + "_ac")(x)
    return x


def _reduce(x, branch_specs, name: str):
    branches = [_chain(x, specs) for specs in branch_specs]
    branches.append(layers.MaxPooling2D(3, strides=2, padding="valid")(x))
    return layers.Concatenate(axis=_axis(), name=name)(branches)


def _trunk(img_input):
    down = (2, "valid")
    x = _chain(img_input, [(32, 3, down), (32, 3, (1, "valid")), (64, 3)])
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = _chain(x, [(80, 1, (1, "valid")), (192, 3, (1, "valid"))])
    x = layers.MaxPooling2D(3, strides=2)(x)
    branches = [
        _chain(x, [(96, 1)]),
        _chain(x, [(48, 1), (64, 5)]),
        _chain(x, [(64, 1), (96, 3), (96, 3)]),
    ]
    pool = layers.AveragePooling2D(3, strides=1, padding="same")(x)
    branches.append(conv2d_bn(pool, 64, 1))
    x = layers.Concatenate(axis=_axis(), name="mixed_5b")(branches)
    for i in range(1, 11):
        x = inception_resnet_block(x, scale=0.17, block_type="block35", block_idx=i)
    x = _reduce(x, ([(384, 3, down)], [(256, 1), (256, 3), (384, 3, down)]), "mixed_6a")
    for i in range(1, 21):
        x = inception_resnet_block(x, scale=0.1, block_type="block17", block_idx=i)
    x = _reduce(
        x,
        (
            [(256, 1), (384, 3, down)],
            [(256, 1), (288, 3, down)],
            [(256, 1), (288, 3), (320, 3, down)],
        ),
        "mixed_7a",
    )
    for i in range(1, 10):
        x = inception_resnet_block(x, scale=0.2, block_type="block8", block_idx=i)
    x = inception_resnet_block(
        x, scale=1.0, activation=None, block_type="block8", block_idx=10
    )
    return conv2d_bn(x, 1536, 1, name="conv_7b")


def InceptionResNetV2(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
    **kwargs,
) -> Model:
    """Builds InceptionResNetV2, optionally with ImageNet weights.

    Inputs are scaled to [-1, 1] by `inception_resnet_v2.preprocess_input`;
    the default size is 299x299 and the smallest 75x75.

    Args:
        include_top: Whether to add pooling (`avg_pool`) and `predictions`.
        weights: `None`, `"imagenet"` or the path of an h5 weights file.
        input_tensor: Optional Keras tensor to use as the image input.
        input_shape: Optional `(height, width, channels)`.
        pooling: Without the top: `None`, `"avg"` or `"max"`.
        classes: Number of classes of the top.
        classifier_activation: Activation of `predictions`.
        **kwargs: Refused (Keras 2's `layers=` injection is not supported).

    Returns:
        A `Model` named `inception_resnet_v2`.
    """
    _assembly.reject_unknown_arguments(kwargs)
    _assembly.check_weights_argument(weights, include_top, classes)
    img_input = _assembly.image_input(
        input_tensor, input_shape, 299, 75, include_top, weights
    )
    x = _trunk(img_input)
    if include_top:
        x = _assembly.classifier_top(x, classes, classifier_activation, weights)
    else:
        x = _assembly.pooling_top(x, pooling)
    model = _assembly.make_model(input_tensor, img_input, x, "inception_resnet_v2")
    _assembly.load_weights(model, weights, include_top, WEIGHTS, WEIGHTS_NO_TOP)
    return model


def preprocess_input(x, data_format=None):
    """`imagenet_utils.preprocess_input` in `"tf"` mode (scaled to [-1, 1])."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5) -> list:
    """`imagenet_utils.decode_predictions`: the top ImageNet classes per row."""
    return imagenet_utils.decode_predictions(preds, top=top)
