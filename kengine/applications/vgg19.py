"""VGG19: VGG16 with four convolutions in blocks 3 to 5.

Built by `vgg16.vgg_model`; layer names and weight files are Keras 2's.

Mirrors Keras 2's `applications/vgg19.py`.
"""

from kengine.applications import _assembly
from kengine.applications.vgg16 import decode_predictions, preprocess_input, vgg_model
from kengine.engine.training import Model

__all__ = ["VGG19", "preprocess_input", "decode_predictions"]

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/"
WEIGHTS = _assembly.WeightsFile(
    "vgg19_weights_tf_dim_ordering_tf_kernels.h5",
    _BASE + "vgg19_weights_tf_dim_ordering_tf_kernels.h5",
    "cbe5617147190e668d6c5d5026f83318",
)
WEIGHTS_NO_TOP = _assembly.WeightsFile(
    "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
    _BASE + "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
    "253f8cb515780f3b799900260a226db6",
)


def VGG19(
    include_top: bool = True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes: int = 1000,
    classifier_activation="softmax",
) -> Model:
    """Builds VGG19 (16 convolutions), optionally with ImageNet weights.

    Arguments, preprocessing (`"caffe"`) and sizes are those of `VGG16`.

    Returns:
        A `Model` named `vgg19`.
    """
    return vgg_model(
        (2, 2, 4, 4, 4),
        "vgg19",
        (WEIGHTS, WEIGHTS_NO_TOP),
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
    )
