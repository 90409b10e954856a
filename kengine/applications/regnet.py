"""RegNetX/Y (002 to 320): networks from the RegNet design space.

Every variant is four stages of one block type: the X block (1x1, grouped
3x3, 1x1 convolutions around a residual) or the Y block (X plus
squeeze-and-excite). `MODEL_CONFIGS` holds each variant's depths, widths and
group width. The model rescales its inputs itself (`include_preprocessing`),
so `regnet.preprocess_input` is the identity. The residual add and the
squeeze-excite product are Keras-tensor operators (`TFOpLambda` layers), and
the head's layers are numbered by `backend.get_uid("head")`, both as in Keras
2, so layer names and ImageNet h5 files line up.

Mirrors Keras 2's `applications/regnet.py` (its unused Z block is left out).
"""

import tensorflow as tf

from kengine import backend, layers
from kengine.applications import _assembly, imagenet_utils
from kengine.engine.training import Model

BASE_WEIGHTS_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/regnet/"
)
# variant -> (depths, widths, group width, block type, default size).
MODEL_CONFIGS = {
    "x002": ([1, 1, 4, 7], [24, 56, 152, 368], 8, "X", 224),
    "x004": ([1, 2, 7, 12], [32, 64, 160, 384], 16, "X", 224),
    "x006": ([1, 3, 5, 7], [48, 96, 240, 528], 24, "X", 224),
    "x008": ([1, 3, 7, 5], [64, 128, 288, 672], 16, "X", 224),
    "x016": ([2, 4, 10, 2], [72, 168, 408, 912], 24, "X", 224),
    "x032": ([2, 6, 15, 2], [96, 192, 432, 1008], 48, "X", 224),
    "x040": ([2, 5, 14, 2], [80, 240, 560, 1360], 40, "X", 224),
    "x064": ([2, 4, 10, 1], [168, 392, 784, 1624], 56, "X", 224),
    "x080": ([2, 5, 15, 1], [80, 240, 720, 1920], 120, "X", 224),
    "x120": ([2, 5, 11, 1], [224, 448, 896, 2240], 112, "X", 224),
    "x160": ([2, 6, 13, 1], [256, 512, 896, 2048], 128, "X", 224),
    "x320": ([2, 7, 13, 1], [336, 672, 1344, 2520], 168, "X", 224),
    "y002": ([1, 1, 4, 7], [24, 56, 152, 368], 8, "Y", 224),
    "y004": ([1, 3, 6, 6], [48, 104, 208, 440], 8, "Y", 224),
    "y006": ([1, 3, 7, 4], [48, 112, 256, 608], 16, "Y", 224),
    "y008": ([1, 3, 8, 2], [64, 128, 320, 768], 16, "Y", 224),
    "y016": ([2, 6, 17, 2], [48, 120, 336, 888], 24, "Y", 224),
    "y032": ([2, 5, 13, 1], [72, 216, 576, 1512], 24, "Y", 224),
    "y040": ([2, 6, 12, 2], [128, 192, 512, 1088], 64, "Y", 224),
    "y064": ([2, 7, 14, 2], [144, 288, 576, 1296], 72, "Y", 224),
    "y080": ([2, 4, 10, 1], [168, 448, 896, 2016], 56, "Y", 224),
    "y120": ([2, 5, 11, 1], [224, 448, 896, 2240], 112, "Y", 224),
    "y160": ([2, 4, 11, 1], [224, 448, 1232, 3024], 112, "Y", 224),
    "y320": ([2, 5, 12, 1], [232, 696, 1392, 3712], 232, "Y", 224),
}
# variant -> (sha256 of the file with the top, sha256 without it).
WEIGHTS_HASHES = {
    "x002": (
        "49fb46e56cde07fdaf57bffd851461a86548f6a3a4baef234dd37290b826c0b8",
        "5445b66cd50445eb7ecab094c1e78d4d3d29375439d1a7798861c4af15ffff21",
    ),
    "x004": (
        "3523c7f5ac0dbbcc2fd6d83b3570e7540f7449d3301cc22c29547302114e4088",
        "de139bf07a66c9256f2277bf5c1b6dd2d5a3a891a5f8a925a10c8a0a113fd6f3",
    ),
    "x006": (
        "340216ef334a7bae30daac9f414e693c136fac9ab868704bbfcc9ce6a5ec74bb",
        "a43ec97ad62f86b2a96a783bfdc63a5a54de02eef54f26379ea05e1bf90a9505",
    ),
    "x008": (
        "8f145d6a5fae6da62677bb8d26eb92d0b9dfe143ec1ebf68b24a57ae50a2763d",
        "3c7e4b0917359304dc18e644475c5c1f5e88d795542b676439c4a3acd63b7207",
    ),
    "x016": (
        "31c386f4c7bfef4c021a583099aa79c1b3928057ba1b7d182f174674c5ef3510",
        "1b8e3d545d190271204a7b2165936a227d26b79bb7922bac5ee4d303091bf17a",
    ),
    "x032": (
        "6c025df1409e5ea846375bc9dfa240956cca87ef57384d93fef7d6fa90ca8c7f",
        "9cd4522806c0fcca01b37874188b2bd394d7c419956d77472a4e072b01d99041",
    ),
    "x040": (
        "ba128046c588a26dbd3b3a011b26cb7fa3cf8f269c184c132372cb20b6eb54c1",
        "b4ed0ca0b9a98e789e05000e830403a7ade4d8afa01c73491c44610195198afe",
    ),
    "x064": (
        "0f4489c3cd3ad979bd6b0324213998bcb36dc861d178f977997ebfe53c3ba564",
        "3e706fa416a18dfda14c713423eba8041ae2509db3e0a611d5f599b5268a46c4",
    ),
    "x080": (
        "76320e43272719df648db37271a247c22eb6e810fe469c37a5db7e2cb696d162",
        "7b1ce8e29ceefec10a6569640ee329dba7fbc98b5d0f6346aabade058b66cf29",
    ),
    "x120": (
        "5cafc461b78897d5e4f24e68cb406d18e75f31105ef620e7682b611bb355eb3a",
        "36174ddd0299db04a42631d028abcb1cc7afec2b705e42bd28fcd325e5d596bf",
    ),
    "x160": (
        "8093f57a5824b181fb734ea21ae34b1f7ee42c5298e63cf6d587c290973195d2",
        "9d1485050bdf19531ffa1ed7827c75850e0f2972118a996b91aa9264b088fd43",
    ),
    "x320": (
        "91fb3e6f4e9e44b3687e80977f7f4412ee9937c0c704232664fc83e4322ea01e",
        "9db7eacc37b85c98184070e1a172e6104c00846f44bcd4e727da9e50d9692398",
    ),
    "y002": (
        "1e8091c674532b1a61c04f6393a9c570113e0197f22bd1b98cc4c4fe800c6465",
        "f63221f63d625b8e201221499682587bfe29d33f50a4c4f4d53be00f66c0f12c",
    ),
    "y004": (
        "752fdbad21c78911bf1dcb8c513e5a0e14697b068e5d9e73525dbaa416d18d8e",
        "45e6ba8309a17a77e67afc05228454b2e0ee6be0dae65edc0f31f1da10cc066b",
    ),
    "y006": (
        "98942e07b273da500ff9699a1f88aca78dfad4375faabb0bab784bb0dace80a9",
        "b70261cba4e60013c99d130cc098d2fce629ff978a445663b6fa4f8fc099a2be",
    ),
    "y008": (
        "1b099377cc9a4fb183159a6f9b24bc998e5659d25a449f40c90cbffcbcfdcae4",
        "b11f5432a216ee640fe9be6e32939defa8d08b8d136349bf3690715a98752ca1",
    ),
    "y016": (
        "b7ce1f5e223f0941c960602de922bcf846288ce7a4c33b2a4f2e4ac4b480045b",
        "d7404f50205e82d793e219afb9eb2bfeb781b6b2d316a6128c6d7d7dacab7f57",
    ),
    "y032": (
        "6a6a545cf3549973554c9b94f0cd40e25f229fffb1e7f7ac779a59dcbee612bd",
        "eb3ac1c45ec60f4f031c3f5180573422b1cf7bebc26c004637517372f68f8937",
    ),
    "y040": (
        "98d00118b335162bbffe8f1329e54e5c8e75ee09b2a5414f97b0ddfc56e796f6",
        "b5be2a5e5f072ecdd9c0b8a437cd896df0efa1f6a1f77e41caa8719b7dfcb05d",
    ),
    "y064": (
        "65c948c7a18aaecaad2d1bd4fd978987425604ba6669ef55a1faa0069a2804b7",
        "885c4b7ed7ea339daca7dafa1a62cb7d41b1068897ef90a5a3d71b4a2e2db31a",
    ),
    "y080": (
        "7a2c62da2982e369a4984d3c7c3b32d6f8d3748a71cb37a31156c436c37f3e95",
        "3d119577e1e3bf8d153b895e8ea9e4ec150ff2d92abdca711b6e949c3fd7115d",
    ),
    "y120": (
        "a96ab0d27d3ae35a422ee7df0d789069b3e3217a99334e0ce861a96595bc5986",
        "4a6fa387108380b730b71feea2ad80b5224b5ea9dc21dc156c93fe3c6186485c",
    ),
    "y160": (
        "45067240ffbc7ca2591313fee2f80dbdda6d66ec1a7451446f9a6d00d8f7ac6e",
        "ead1e6b568be8f34447ec8941299a9df4368736ba9a8205de5427fa20a1fb316",
    ),
    "y320": (
        "b05e173e4ae635cfa22d06392ee3741284d17dadfee68f2aa6fd8cb2b7561112",
        "cad78f74a586e24c61d38be17f3ae53bb9674380174d2585da1a526b8c20e1fd",
    ),
}
__all__ = [f"RegNet{k.upper()}" for k in MODEL_CONFIGS] + [
    "preprocess_input",
    "decode_predictions",
]


def _bn(x, name: str):
    return layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name)(x)


def _conv(filters, kernel, name, **kwargs):
    return layers.Conv2D(
        filters,
        kernel,
        use_bias=False,
        kernel_initializer="he_normal",
        name=name,
        **kwargs,
    )


def squeeze_and_excite(inputs, filters_in: int, se_filters: int, name: str):
    """Channel attention: pooled features through two 1x1 convolutions, times the input."""
    x = layers.GlobalAveragePooling2D(
        name=name + "_squeeze_and_excite_gap", keepdims=True
    )(inputs)
    x = layers.Conv2D(
        se_filters,
        (1, 1),
        activation="relu",
        kernel_initializer="he_normal",
        name=name + "_squeeze_and_excite_squeeze",
    )(x)
    x = layers.Conv2D(
        filters_in,
        (1, 1),
        activation="sigmoid",
        kernel_initializer="he_normal",
        name=name + "_squeeze_and_excite_excite",
    )(x)
    return tf.math.multiply(x, inputs)


def regnet_block(
    inputs, filters_in, filters_out, group_width, stride=1, se_ratio=None, name=""
):
    """An X block (`se_ratio=None`) or a Y block (with squeeze-and-excite).

    Raises:
        ValueError: when `stride` is 1 and the filter counts differ.
    """
    if filters_in != filters_out and stride == 1:
        raise ValueError(
            f"Input filters({filters_in}) and output filters({filters_out}) are not "
            f"equal for stride {stride}. Input and output filters must be equal for "
            f"stride={stride}."
        )
    if stride != 1:
        skip = _conv(filters_out, (1, 1), name + "_skip_1x1", strides=stride)(inputs)
        skip = _bn(skip, name + "_skip_bn")
    else:
        skip = inputs
    x = _conv(filters_out, (1, 1), name + "_conv_1x1_1")(inputs)
    x = layers.ReLU(name=name + "_conv_1x1_1_relu")(_bn(x, name + "_conv_1x1_1_bn"))
    x = _conv(
        filters_out,
        (3, 3),
        name + "_conv_3x3",
        strides=stride,
        groups=filters_out // group_width,
        padding="same",
    )(x)
    x = layers.ReLU(name=name + "_conv_3x3_relu")(_bn(x, name + "_conv_3x3_bn"))
    if se_ratio is not None:
        x = squeeze_and_excite(x, filters_out, int(filters_in * se_ratio), name)
    x = _conv(filters_out, (1, 1), name + "_conv_1x1_2")(x)
    x = _bn(x, name + "_conv_1x1_2_bn")
    return layers.ReLU(name=name + "_exit_relu")(x + skip)


def _stage(x, block_type, depth, group_width, filters_in, filters_out, name):
    se_ratio = 0.25 if block_type == "Y" else None
    block = f"{name}_{block_type}Block"
    x = regnet_block(x, filters_in, filters_out, group_width, 2, se_ratio, f"{block}_0")
    for i in range(1, depth):
        x = regnet_block(
            x, filters_out, filters_out, group_width, 1, se_ratio, f"{block}_{i}"
        )
    return x


def regnet_model(
    depths,
    widths,
    group_width,
    block_type,
    default_size,
    model_name="regnet",
    include_preprocessing=True,
    include_top=True,
    weights="imagenet",
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
) -> Model:
    """A RegNet of four stages; arguments as in `RegNetX002`.

    Raises:
        NotImplementedError: for a `block_type` other than `"X"` and `"Y"`.
    """
    if block_type not in ("X", "Y"):
        raise NotImplementedError(
            f"Block type `{block_type}` not recognized. block_type must be one of "
            "(`X`, `Y`)."
        )
    _assembly.check_weights_argument(weights, include_top, classes)
    img_input = _assembly.image_input(
        input_tensor, input_shape, default_size, 32, include_top, weights
    )
    inputs = (
        img_input
        if input_tensor is None
        else _assembly.get_source_inputs(input_tensor)[0]
    )
    x = inputs  # Keras 2 starts from the source input, not `input_tensor`.
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 255.0, name=model_name + "_prestem_rescaling")(
            x
        )
    x = _conv(32, (3, 3), model_name + "_stem_conv", strides=2, padding="same")(x)
    x = layers.ReLU(name=model_name + "_stem_relu")(_bn(x, model_name + "_stem_bn"))
    filters_in = 32
    for stage in range(4):
        name = f"{model_name}_Stage_{stage}"
        x = _stage(
            x, block_type, depths[stage], group_width, filters_in, widths[stage], name
        )
        filters_in = widths[stage]
    if include_top:
        head = str(backend.get_uid("head"))
        x = layers.GlobalAveragePooling2D(name=head + "_head_gap")(x)
        # Keras 2 names the Dense without an underscore and gives it no
        # activation: these models output logits whatever
        # `classifier_activation` says (it is only validated).
        x = layers.Dense(classes, name=head + "head_dense")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
    else:
        x = _assembly.pooling_top(x, pooling)
    model = Model(inputs=inputs, outputs=x, name=model_name)
    _assembly.load_weights(model, weights, include_top, *_weights_files(model_name))
    return model


def _weights_files(model_name: str) -> tuple:
    key = model_name[-4:]
    if key not in WEIGHTS_HASHES:
        return (None, None)
    top, notop = model_name + ".h5", model_name + "_notop.h5"
    return (
        _assembly.WeightsFile(top, BASE_WEIGHTS_PATH + top, WEIGHTS_HASHES[key][0]),
        _assembly.WeightsFile(notop, BASE_WEIGHTS_PATH + notop, WEIGHTS_HASHES[key][1]),
    )


_ARGS_DOC = """
    The model rescales its inputs itself (`include_preprocessing=True`): feed
    images with values in [0, 255]. The smallest size is 32x32.

    Args:
        model_name: The model's name (also the weight files' name).
        include_top: Whether to add the head (pooling and a Dense of logits).
        include_preprocessing: Whether to rescale inputs to [0, 1] first.
        weights: `None`, `"imagenet"` or the path of an h5 weights file.
        input_tensor: Optional Keras tensor to use as the image input.
        input_shape: Optional `(height, width, channels)`.
        pooling: Without the top: `None`, `"avg"` or `"max"`.
        classes: Number of classes of the top.
        classifier_activation: Validated only (see `regnet_model`).

    Returns:
        The `Model`.
"""


def _constructor(key: str):
    depths, widths, group_width, block_type, size = MODEL_CONFIGS[key]

    def constructor(
        model_name: str = f"regnet{key}",
        include_top: bool = True,
        include_preprocessing: bool = True,
        weights="imagenet",
        input_tensor=None,
        input_shape=None,
        pooling=None,
        classes: int = 1000,
        classifier_activation="softmax",
    ) -> Model:
        return regnet_model(
            depths,
            widths,
            group_width,
            block_type,
            size,
            model_name=model_name,
            include_preprocessing=include_preprocessing,
            include_top=include_top,
            weights=weights,
            input_tensor=input_tensor,
            input_shape=input_shape,
            pooling=pooling,
            classes=classes,
            classifier_activation=classifier_activation,
        )

    name = f"RegNet{key.upper()}"
    constructor.__name__ = constructor.__qualname__ = name
    constructor.__doc__ = (
        f"Builds {name}, optionally with ImageNet weights.\n" + _ARGS_DOC
    )
    return constructor


RegNetX002 = _constructor("x002")
RegNetX004 = _constructor("x004")
RegNetX006 = _constructor("x006")
RegNetX008 = _constructor("x008")
RegNetX016 = _constructor("x016")
RegNetX032 = _constructor("x032")
RegNetX040 = _constructor("x040")
RegNetX064 = _constructor("x064")
RegNetX080 = _constructor("x080")
RegNetX120 = _constructor("x120")
RegNetX160 = _constructor("x160")
RegNetX320 = _constructor("x320")
RegNetY002 = _constructor("y002")
RegNetY004 = _constructor("y004")
RegNetY006 = _constructor("y006")
RegNetY008 = _constructor("y008")
RegNetY016 = _constructor("y016")
RegNetY032 = _constructor("y032")
RegNetY040 = _constructor("y040")
RegNetY064 = _constructor("y064")
RegNetY080 = _constructor("y080")
RegNetY120 = _constructor("y120")
RegNetY160 = _constructor("y160")
RegNetY320 = _constructor("y320")


def preprocess_input(x, data_format=None):
    """The identity: RegNet models rescale their inputs themselves.

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
