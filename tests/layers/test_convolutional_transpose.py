"""Tests of `kengine.layers.convolutional_transpose`: Conv2DTranspose vs tf_keras."""

import numpy as np
import pytest
import tensorflow as tf

from kengine import layers
from tests.layers import conv_goldens as goldens
from tests.layers import extra_goldens


@pytest.mark.parametrize("case_id", goldens.case_ids("Conv2DTranspose"))
def test_matches_tf_keras_outputs_gradients_weights_and_config(case_id):
    goldens.check_golden_case(case_id, layers.Conv2DTranspose)


def test_conformance_matrix():
    goldens.run_conformance("conv2d_transpose_strided", layers.Conv2DTranspose)


def test_long_name_is_the_same_class():
    assert layers.Convolution2DTranspose is layers.Conv2DTranspose


def test_is_the_gradient_of_the_forward_convolution():
    # <conv(x), y> == <x, conv_transpose(y)> for the same kernel.
    kernel = np.random.RandomState(0).randn(3, 3, 2, 4).astype(np.float32)
    conv = layers.Conv2D(4, 3, strides=2, use_bias=False)
    deconv = layers.Conv2DTranspose(2, 3, strides=2, use_bias=False)
    x = tf.random.normal((1, 7, 7, 2))
    y = tf.random.normal((1, 3, 3, 4))
    conv(x), deconv(y)
    conv.set_weights([kernel])
    deconv.set_weights([kernel])
    lhs = tf.reduce_sum(conv(x) * y)
    rhs = tf.reduce_sum(x * deconv(y))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-4)


def test_unknown_spatial_size_in_tf_function():
    layer = layers.Conv2DTranspose(2, 3, strides=2, padding="same")
    fn = tf.function(
        layer, input_signature=[tf.TensorSpec((None, None, None, 3), tf.float32)]
    )
    assert fn(tf.zeros((2, 4, 5, 3))).shape == (2, 8, 10, 2)
    assert layer.compute_output_shape((None, 4, None, 3)).as_list() == [
        None,
        8,
        None,
        2,
    ]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"filters": 0, "kernel_size": 3}, r"Received: filters=0"),
        (
            {"filters": 2, "kernel_size": 3, "strides": 2, "output_padding": 2},
            r"Strides must be greater than output padding.*output_padding=\(2, 2\)",
        ),
        (
            {"filters": 2, "kernel_size": 3, "output_padding": -1},
            r"Received: output_padding=-1",
        ),
        (
            {"filters": 2, "kernel_size": 3, "dilation_rate": (1, 2)},
            r"Received: dilation_rate=\(1, 2\)",
        ),
        (
            {"filters": 2, "kernel_size": 3, "padding": "full"},
            r"Received: padding='full'",
        ),
    ],
)
def test_invalid_arguments_raise_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layers.Conv2DTranspose(**kwargs)


def test_wrong_input_rank():
    with pytest.raises(
        ValueError, match=r'"conv2d_transpose".*expected ndim=4, found ndim=3'
    ):
        layers.Conv2DTranspose(2, 3)(tf.zeros((1, 4, 4)))


# -- Conv1DTranspose and Conv3DTranspose (goldens in testdata/library_extra) ----

CLASSES_ND = {
    "Conv1DTranspose": layers.Conv1DTranspose,
    "Conv3DTranspose": layers.Conv3DTranspose,
}


@pytest.mark.parametrize("case_id", extra_goldens.case_ids(*CLASSES_ND))
def test_1d_and_3d_match_tf_keras(case_id):
    cls = CLASSES_ND[extra_goldens.CASES[case_id]["class_name"]]
    extra_goldens.check_golden_case(case_id, cls)


@pytest.mark.parametrize("case_id", ["conv1d_transpose", "conv3d_transpose_strided"])
def test_1d_and_3d_conformance_matrix(case_id):
    cls = CLASSES_ND[extra_goldens.CASES[case_id]["class_name"]]
    extra_goldens.run_conformance(case_id, cls)


@pytest.mark.parametrize("rank", [1, 3])
def test_long_names_are_the_same_classes(rank):
    assert getattr(layers, f"Convolution{rank}DTranspose") is getattr(
        layers, f"Conv{rank}DTranspose"
    )


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_dilated_1d_equals_the_2d_layer_on_one_row(padding):
    # tf_keras cannot run this on a CPU (no dilations in the CPU kernel); the 2D
    # layer's dilated path is golden-tested above.
    kernel = np.random.RandomState(2).randn(3, 2, 4).astype(np.float32)
    one_d = layers.Conv1DTranspose(2, 3, padding=padding, dilation_rate=2)
    two_d = layers.Conv2DTranspose(2, (1, 3), padding=padding, dilation_rate=2)
    x = tf.random.normal((2, 5, 4))
    one_d(x), two_d(x[:, None])
    one_d.set_weights([kernel, np.arange(2.0, dtype=np.float32)])
    two_d.set_weights([kernel[None], np.arange(2.0, dtype=np.float32)])
    np.testing.assert_allclose(one_d(x), two_d(x[:, None])[:, 0], rtol=1e-5, atol=1e-5)
    expected = [None, *one_d(x).shape[1:]]
    assert one_d.compute_output_shape((None, 5, 4)).as_list() == expected


def test_3d_transpose_is_the_gradient_of_conv3d():
    kernel = np.random.RandomState(3).randn(2, 2, 2, 2, 3).astype(np.float32)
    conv = layers.Conv3D(3, 2, strides=2, use_bias=False)
    deconv = layers.Conv3DTranspose(2, 2, strides=2, use_bias=False)
    x = tf.random.normal((1, 4, 4, 4, 2))
    y = tf.random.normal((1, 2, 2, 2, 3))
    conv(x), deconv(y)
    conv.set_weights([kernel])
    deconv.set_weights([kernel])
    lhs = tf.reduce_sum(conv(x) * y)
    rhs = tf.reduce_sum(x * deconv(y))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-4)


@pytest.mark.parametrize(
    "cls, kwargs, match",
    [
        (
            layers.Conv1DTranspose,
            {"padding": "causal"},
            r"Causal padding.*padding='causal'",
        ),
        (
            layers.Conv1DTranspose,
            {"strides": 2, "output_padding": 2},
            "Strides must be greater",
        ),
        (
            layers.Conv3DTranspose,
            {"strides": 2, "output_padding": (1, 2, 1)},
            "Strides must be greater",
        ),
    ],
)
def test_nd_invalid_arguments(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(2, 3, **kwargs)
