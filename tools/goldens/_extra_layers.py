"""Layer cases of the `library_extra` goldens (see `library_extra.py`).

Each case runs through `layers_conv._generate_case`, so the files have the
layout `tests/layers/conv_goldens.py` reads: `layers/<id>.npz` with the input,
the fixed weights, the output and the gradients of `sum(y * g)`, and an entry
in `layers.json` with the weight names and shapes and the config.
"""

from pathlib import Path

import tensorflow as tf
import tf_keras as keras

from goldens._common import range_like, write_json, write_npz
from goldens.layers_conv import (
    INFER,
    _fixed_weights,
    _mask_for,
    _run_channels_last_twin,
    _run_mode,
)

CASES = [
    # -- transposed convolutions ------------------------------------------
    (
        "conv1d_transpose",
        "Conv1DTranspose",
        {"filters": 3, "kernel_size": 3},
        (2, 5, 4),
        INFER,
    ),
    (
        "conv1d_transpose_same_strided_output_padding",
        "Conv1DTranspose",
        {
            "filters": 2,
            "kernel_size": 3,
            "strides": 2,
            "padding": "same",
            "output_padding": 1,
        },
        (2, 4, 3),
        INFER,
    ),
    (
        "conv1d_transpose_channels_first_relu",
        "Conv1DTranspose",
        {
            "filters": 2,
            "kernel_size": 2,
            "strides": 3,
            "data_format": "channels_first",
            "activation": "relu",
        },
        (2, 3, 4),
        INFER,
    ),
    (
        "conv3d_transpose_strided",
        "Conv3DTranspose",
        {"filters": 2, "kernel_size": 2, "strides": 2},
        (2, 2, 3, 2, 2),
        INFER,
    ),
    (
        "conv3d_transpose_same_output_padding_nobias",
        "Conv3DTranspose",
        {
            "filters": 3,
            "kernel_size": 3,
            "strides": (2, 1, 2),
            "padding": "same",
            "output_padding": (1, 0, 0),
            "use_bias": False,
        },
        (1, 2, 3, 2, 2),
        INFER,
    ),
    (
        "conv3d_transpose_channels_first_dilation_ignored",
        "Conv3DTranspose",
        {
            "filters": 2,
            "kernel_size": 2,
            "dilation_rate": 2,
            "data_format": "channels_first",
        },
        (1, 2, 3, 2, 3),
        INFER,
    ),
    # -- depthwise and separable 1D ----------------------------------------
    (
        "depthwise_conv1d",
        "DepthwiseConv1D",
        {"kernel_size": 3, "depth_multiplier": 2},
        (2, 6, 3),
        INFER,
    ),
    (
        "depthwise_conv1d_same_strided_cf",
        "DepthwiseConv1D",
        {
            "kernel_size": 2,
            "strides": 2,
            "padding": "same",
            "data_format": "channels_first",
        },
        (2, 3, 5),
        INFER,
    ),
    (
        "depthwise_conv1d_dilated",
        "DepthwiseConv1D",
        {"kernel_size": 2, "dilation_rate": 2, "activation": "tanh"},
        (2, 7, 2),
        INFER,
    ),
    (
        "separable_conv1d",
        "SeparableConv1D",
        {"filters": 4, "kernel_size": 3, "depth_multiplier": 2},
        (2, 6, 3),
        INFER,
    ),
    (
        "separable_conv1d_causal_dilated",
        "SeparableConv1D",
        {"filters": 2, "kernel_size": 2, "padding": "causal", "dilation_rate": 2},
        (2, 6, 3),
        INFER,
    ),
    (
        "separable_conv1d_same_strided_cf",
        "SeparableConv1D",
        {
            "filters": 3,
            "kernel_size": 3,
            "strides": 2,
            "padding": "same",
            "data_format": "channels_first",
        },
        (2, 2, 7),
        INFER,
    ),
    # -- grouped 3D convolution ----------------------------------------------
    (
        "conv3d_groups",
        "Conv3D",
        {"filters": 4, "kernel_size": 2, "groups": 2},
        (2, 3, 3, 3, 4),
        INFER,
    ),
    # -- convolutional LSTMs -------------------------------------------------
    (
        "conv_lstm1d_sequences",
        "ConvLSTM1D",
        {"filters": 2, "kernel_size": 3, "padding": "same", "return_sequences": True},
        (2, 3, 5, 2),
        INFER,
    ),
    (
        "conv_lstm1d_masked_backwards",
        "ConvLSTM1D",
        {
            "filters": 2,
            "kernel_size": 2,
            "go_backwards": True,
            "return_sequences": True,
        },
        (3, 4, 5, 2),
        INFER,
        "mask",
    ),
    (
        "conv_lstm2d",
        "ConvLSTM2D",
        {"filters": 2, "kernel_size": 2},
        (2, 3, 4, 4, 2),
        INFER,
    ),
    (
        "conv_lstm2d_cf_same_sequences",
        "ConvLSTM2D",
        {
            "filters": 3,
            "kernel_size": 3,
            "padding": "same",
            "data_format": "channels_first",
            "return_sequences": True,
        },
        (2, 3, 2, 4, 4),
        INFER,
    ),
    (
        "conv_lstm2d_strided_sigmoid_relu",
        "ConvLSTM2D",
        {
            "filters": 2,
            "kernel_size": 3,
            "strides": 2,
            "activation": "relu",
            "recurrent_activation": "sigmoid",
            "unit_forget_bias": False,
        },
        (2, 2, 5, 5, 1),
        INFER,
    ),
    (
        "conv_lstm2d_dilated_nobias",
        "ConvLSTM2D",
        {"filters": 2, "kernel_size": 2, "dilation_rate": 2, "use_bias": False},
        (1, 3, 5, 5, 2),
        INFER,
    ),
    (
        "conv_lstm3d",
        "ConvLSTM3D",
        {"filters": 2, "kernel_size": 2, "padding": "same", "return_sequences": True},
        (1, 2, 3, 3, 3, 1),
        INFER,
    ),
]


def _generate_case(case, out_dir: Path) -> dict:
    """`layers_conv._generate_case`, but built with `build()`: tf_keras's CPU
    kernels cannot run some channels_first layers at all, so even the first call
    goes to the channels_last twin."""
    case_id, class_name, kwargs, input_shape, modes, *extra = case
    keras.backend.clear_session()
    layer = getattr(keras.layers, class_name)(**kwargs)
    x = range_like(input_shape, 1.0)
    mask = _mask_for(input_shape) if "mask" in extra else None
    layer.build(input_shape)
    weights = _fixed_weights(layer)
    arrays = {"x": x, **{f"w{i}": w for i, w in enumerate(weights)}}
    if mask is not None:
        arrays["mask"] = mask
    for mode in modes:
        layer.set_weights(weights)
        try:
            _run_mode(layer, x, mask, mode == "training", arrays, mode)
        except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError):
            _run_channels_last_twin(class_name, kwargs, x, weights, arrays, mode)
    write_npz(out_dir, f"{case_id}.npz", **arrays)
    return {
        "class_name": class_name,
        "kwargs": kwargs,
        "input_shape": list(input_shape),
        "modes": list(modes),
        "mask": mask is not None,
        "weight_names": [w.name for w in layer.weights],
        "weight_shapes": [list(w.shape) for w in layer.weights],
        "num_trainable_weights": len(layer.trainable_weights),
        "config": layer.get_config(),
    }


def generate(out_dir: Path) -> None:
    """Writes `layers.json` and `layers/<id>.npz` into `out_dir`."""
    layer_dir = out_dir / "layers"
    layer_dir.mkdir(exist_ok=True)
    meta = {case[0]: _generate_case(case, layer_dir) for case in CASES}
    write_json(out_dir, "layers.json", meta)
