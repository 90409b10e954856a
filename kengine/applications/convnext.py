"""ConvNeXtTiny/Small/Base/Large/XLarge: a ResNet modernised towards transformers.

Each stage starts with a downsampling `Sequential` (the stem: a 4x4 strided
convolution and LayerNormalization; later: LayerNormalization and a 2x2 strided
convolution), then `ConvNeXtBlock`s: a 7x7 depthwise (grouped) convolution,
LayerNormalization, two Dense layers around GELU, a learned per-channel
`LayerScale`, and a residual add (a `TFOpLambda` on Keras tensors, as in Keras
2). The model normalises its own inputs (`include_preprocessing`), so
`convnext.preprocess_input` is the identity. Layer names are Keras 2's.

Mirrors Keras 2's `applications/convnext.py`.
"""

import numpy as np
import tensorflow as tf

from kengine import backend, initializers, layers
from kengine.applications import _assembly, imagenet_utils
from kengine.engine.sequential import Sequential
from kengine.engine.training import Model

__all__ = [
    "ConvNeXtTiny",
    "ConvNeXtSmall",
    "ConvNeXtBase",
    "ConvNeXtLarge",
    "ConvNeXtXLarge",
    "LayerScale",
    "StochasticDepth",
    "preprocess_input",
    "decode_predictions",
]

BASE_WEIGHTS_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"
)
# model name -> (sha256 of the file with the top, sha256 without it).
WEIGHTS_HASHES = {
    "convnext_tiny": (
        "8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
        "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1",
    ),
    "convnext_small": (
        "ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
        "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab",
    ),
    "convnext_base": (
        "52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
        "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45",
    ),
    "convnext_large": (
        "070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
        "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd",
    ),
    "convnext_xlarge": (
        "c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05",
    ),
}
# size -> (blocks per stage, channels per stage).
MODEL_CONFIGS = {
    "tiny": ([3, 3, 9, 3], [96, 192, 384, 768]),
    "small": ([3, 3, 27, 3], [96, 192, 384, 768]),
    "base": ([3, 3, 27, 3], [128, 256, 512, 1024]),
    "large": ([3, 3, 27, 3], [192, 384, 768, 1536]),
    "xlarge": ([3, 3, 27, 3], [256, 512, 1024, 2048]),
}


class StochasticDepth(layers.Layer):
    """Drops a residual branch for whole samples while training.

    Args:
        drop_path_rate: Probability of dropping the branch of a sample.
        **kwargs: Base `Layer` arguments.
    """

    def __init__(self, drop_path_rate: float, **kwargs):
        super().__init__(**kwargs)
        self.drop_path_rate = drop_path_rate

    def call(self, x, training=None):
        if not training:
            return x
        keep = 1 - self.drop_path_rate
        shape = (tf.shape(x)[0],) + (1,) * (len(x.shape) - 1)
        mask = tf.floor(keep + tf.random.uniform(shape, 0, 1))
        return x / keep * mask

    def get_config(self) -> dict:
        return {**super().get_config(), "drop_path_rate": self.drop_path_rate}


class LayerScale(layers.Layer):
    """Multiplies each channel by a learned factor (`gamma`), initially small.

    Args:
        init_values: Initial value of every factor.
        projection_dim: Number of channels.
        **kwargs: Base `Layer` arguments.
    """

    def __init__(self, init_values: float, projection_dim: int, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, input_shape):
        self.gamma = self.add_weight(
            name="gamma",
            shape=(self.projection_dim,),
            initializer=initializers.Constant(self.init_values),
            trainable=True,
        )

    def call(self, x):
        return x * self.gamma

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(init_values=self.init_values, projection_dim=self.projection_dim)
        return config


def convnext_block(
    x, projection_dim: int, drop_path_rate: float, scale_init, name: str
):
    """One ConvNeXt block on `x`, its layers named `<name>_...`."""
    y = layers.Conv2D(
        filters=projection_dim,
        kernel_size=7,
        padding="same",
        groups=projection_dim,
        name=name + "_depthwise_conv",
    )(x)
    y = layers.LayerNormalization(epsilon=1e-6, name=name + "_layernorm")(y)
    y = layers.Dense(4 * projection_dim, name=name + "_pointwise_conv_1")(y)
    y = layers.Activation("gelu", name=name + "_gelu")(y)
    y = layers.Dense(projection_dim, name=name + "_pointwise_conv_2")(y)
    if scale_init is not None:
        y = LayerScale(scale_init, projection_dim, name=name + "_layer_scale")(y)
    if drop_path_rate:
        y = StochasticDepth(drop_path_rate, name=name + "_stochastic_depth")(y)
    else:
        y = layers.Activation("linear", name=name + "_identity")(y)
    return x + y


def _prestem(x, name: str):
    mean = [0.485 * 255, 0.456 * 255, 0.406 * 255]
    variance = [(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2]
    return layers.Normalization(
        mean=mean, variance=variance, name=name + "_prestem_normalization"
    )(x)


def _downsampling(projection_dims, name: str) -> list:
    stem = Sequential(
        [
            layers.Conv2D(
                projection_dims[0], kernel_size=4, strides=4, name=name + "_stem_conv"
            ),
            layers.LayerNormalization(epsilon=1e-6, name=name + "_stem_layernorm"),
        ],
        name=name + "_stem",
    )
    blocks = [stem]
    for i in range(3):
        blocks.append(
            Sequential(
                [
                    layers.LayerNormalization(
                        epsilon=1e-6, name=f"{name}_downsampling_layernorm_{i}"
                    ),
                    layers.Conv2D(
                        projection_dims[i + 1],
                        kernel_size=2,
                        strides=2,
                        name=f"{name}_downsampling_conv_{i}",
                    ),
                ],
                name=f"{name}_downsampling_block_{i}",
            )
        )
    return blocks


def _head(x, classes, classifier_activation, name: str):
    x = layers.GlobalAveragePooling2D(name=name + "_head_gap")(x)
    x = layers.LayerNormalization(epsilon=1e-6, name=name + "_head_layernorm")(x)
    return layers.Dense(
        classes, activation=classifier_activation, name=name + "_head_dense"
    )(x)


def convnext_model(
    depths,
    projection_dims,
    drop_path_rate=0.0,
    layer_scale_init_value=1e-6,
    default_size=224,
    model_name="convnext",
    include_preprocessing=True,
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
) -> Model:
    """A ConvNeXt with `depths[i]` blocks of `projection_dims[i]` channels in stage `i`.

    The other arguments are those of `ConvNeXtTiny`.
    """
    _assembly.check_weights_argument(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size, 32, backend.image_data_format(), include_top, weights
    )
    img_input = _assembly.input_from_shape(input_tensor, input_shape)
    inputs = (
        img_input
        if input_tensor is None
        else _assembly.get_source_inputs(input_tensor)[0]
    )
    # Keras 2 starts from the source input, not from `input_tensor` itself.
    x = inputs
    channels = input_shape[-1 if backend.image_data_format() == "channels_last" else 0]
    if include_preprocessing and channels == 3:
        x = _prestem(x, model_name)
    rates = [float(r) for r in np.linspace(0.0, drop_path_rate, sum(depths))]
    index = 0
    for stage, downsample in enumerate(_downsampling(projection_dims, model_name)):
        x = downsample(x)
        for j in range(depths[stage]):
            block_name = f"{model_name}_stage_{stage}_block_{j}"
            x = convnext_block(
                x,
                projection_dims[stage],
                rates[index],
                layer_scale_init_value,
                block_name,
            )
            index += 1
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = _head(x, classes, classifier_activation, model_name)
    else:
        x = _assembly.pooling_top(x, pooling)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
    model = Model(inputs=inputs, outputs=x, name=model_name)
    _assembly.load_weights(model, weights, include_top, *_weights_files(model_name))
    return model


def _weights_files(model_name: str) -> tuple:
    if model_name not in WEIGHTS_HASHES:
        return (None, None)
    top, notop = model_name + ".h5", model_name + "_notop.h5"
    hashes = WEIGHTS_HASHES[model_name]
    return (
        _assembly.WeightsFile(top, BASE_WEIGHTS_PATH + top, hashes[0]),
        _assembly.WeightsFile(notop, BASE_WEIGHTS_PATH + notop, hashes[1]),
    )


_ARGS_DOC = """
    The model normalises its inputs itself (`include_preprocessing=True`): feed
    images with values in [0, 255]. Default size 224x224, smallest 32x32.

    Args:
        model_name: The model's name (also the weight files' name).
        include_top: Whether to add the head (`<name>_head_dense`).
        include_preprocessing: Whether to normalise 3-channel inputs first.
        weights: `None`, `"imagenet"` or the path of an h5 weights file.
        input_tensor: Optional Keras tensor to use as the image input.
        input_shape: Optional `(height, width, channels)`.
        pooling: Without the top: `None`, `"avg"` or `"max"`.
        classes: Number of classes of the top.
        classifier_activation: Activation of the head.

    Returns:
        The `Model`.
"""


def _constructor(size: str):
    depths, dims = MODEL_CONFIGS[size]

    def constructor(
        model_name: str = f"convnext_{size}",
        include_top: bool = True,
        include_preprocessing: bool = True,
        weights="imagenet",
        input_tensor=None,
        input_shape=None,
        pooling=None,
        classes: int = 1000,
        classifier_activation="softmax",
    ) -> Model:
        return convnext_model(
            depths,
            dims,
            model_name=model_name,
            include_top=include_top,
            include_preprocessing=include_preprocessing,
            weights=weights,
            input_tensor=input_tensor,
            input_shape=input_shape,
            pooling=pooling,
            classes=classes,
            classifier_activation=classifier_activation,
        )

    name = "ConvNeXt" + {"xlarge": "XLarge"}.get(size, size.capitalize())
    constructor.__name__ = constructor.__qualname__ = name
    constructor.__doc__ = (
        f"Builds {name}, optionally with ImageNet weights.\n" + _ARGS_DOC
    )
    return constructor


ConvNeXtTiny = _constructor("tiny")
ConvNeXtSmall = _constructor("small")
ConvNeXtBase = _constructor("base")
ConvNeXtLarge = _constructor("large")
ConvNeXtXLarge = _constructor("xlarge")


def preprocess_input(x, data_format=None):
    """The identity: ConvNeXt models normalise their inputs themselves.

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
