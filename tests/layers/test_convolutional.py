"""Tests of `kengine.layers.convolutional`: Conv1D, Conv2D, Conv3D against tf_keras."""

import numpy as np
import pytest
import tensorflow as tf

from kengine import layers
from tests.layers import conv_goldens as goldens
from tests.layers import extra_goldens

CLASSES = {"Conv1D": layers.Conv1D, "Conv2D": layers.Conv2D, "Conv3D": layers.Conv3D}


@pytest.mark.parametrize("case_id", goldens.case_ids(*CLASSES))
def test_matches_tf_keras_outputs_gradients_weights_and_config(case_id):
    cls = CLASSES[goldens.CASES[case_id]["class_name"]]
    goldens.check_golden_case(case_id, cls)


@pytest.mark.parametrize("case_id", goldens.first_case_per_class(*CLASSES))
def test_conformance_matrix(case_id):
    goldens.run_conformance(case_id, CLASSES[goldens.CASES[case_id]["class_name"]])


def test_long_names_are_the_same_classes():
    assert layers.Convolution1D is layers.Conv1D
    assert layers.Convolution2D is layers.Conv2D
    assert layers.Convolution3D is layers.Conv3D


def test_causal_output_never_sees_the_future():
    layer = layers.Conv1D(1, 3, padding="causal", kernel_initializer="ones")
    x = np.zeros((1, 6, 1), np.float32)
    x[0, 4, 0] = 1.0
    y = layer(x).numpy()[0, :, 0]
    np.testing.assert_array_equal(y, [0, 0, 0, 0, 1, 1])


def test_extra_batch_axes_are_folded():
    layer = layers.Conv2D(2, 3, kernel_initializer="ones")
    x = tf.ones((2, 3, 5, 5, 1))
    y = layer(x)
    assert y.shape == (2, 3, 3, 3, 2)
    np.testing.assert_allclose(y.numpy(), 9.0)


def test_functional_shape_and_compute_output_shape():
    from kengine import Input

    layer = layers.Conv2D(4, 3, strides=2, padding="same", data_format="channels_first")
    out = layer(Input((3, 9, 7)))
    assert out.shape.as_list() == [None, 4, 5, 4]
    assert layer.compute_output_shape((None, 3, 9, 7)).as_list() == [None, 4, 5, 4]


def test_default_data_format_follows_backend():
    assert layers.Conv2D(1, 1).data_format == "channels_last"
    assert layers.Conv1D(1, 1, data_format=None).data_format == "channels_last"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"filters": 0, "kernel_size": 3}, r"Received: filters=0"),
        ({"filters": -2, "kernel_size": 3}, r"Received: filters=-2"),
        ({"filters": 2, "kernel_size": 0}, r"Received: kernel_size=0"),
        (
            {"filters": 2, "kernel_size": (3, 3, 3)},
            r"Received: kernel_size=\(3, 3, 3\)",
        ),
        ({"filters": 2, "kernel_size": 3, "strides": 0}, r"Received: strides=0"),
        (
            {"filters": 2, "kernel_size": 3, "padding": "bogus"},
            r"Received: padding='bogus'",
        ),
        ({"filters": 2, "kernel_size": 3, "padding": "causal"}, r"padding='causal'"),
        (
            {"filters": 2, "kernel_size": 3, "data_format": "nhwc"},
            r"data_format='nhwc'",
        ),
        ({"filters": 3, "kernel_size": 3, "groups": 2}, r"groups=2, filters=3"),
        (
            {"filters": 2, "kernel_size": 3, "strides": 2, "dilation_rate": 2},
            r"strides=\(2, 2\) and dilation_rate=\(2, 2\)",
        ),
    ],
)
def test_invalid_arguments_raise_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layers.Conv2D(**kwargs)


def test_wrong_input_rank_names_layer_expected_and_received():
    layer = layers.Conv2D(2, 3)
    with pytest.raises(
        ValueError, match=r'"conv2d".*expected min_ndim=4, found ndim=3'
    ):
        layer(tf.zeros((2, 5, 5)))


def test_wrong_channel_count_after_build():
    layer = layers.Conv1D(2, 3)
    layer(tf.zeros((1, 5, 4)))
    with pytest.raises(
        ValueError, match=r'"conv1d".*axis -1.*value 4.*shape \(1, 5, 3\)'
    ):
        layer(tf.zeros((1, 5, 3)))


def test_input_smaller_than_kernel_raises_at_build():
    with pytest.raises(
        ValueError, match=r"output is <= 0 due to downsampling in conv2d"
    ):
        layers.Conv2D(1, 5)(tf.zeros((1, 3, 3, 1)))


def test_channels_must_divide_by_groups():
    with pytest.raises(ValueError, match=r"groups=2, but the input has 3 channels"):
        layers.Conv2D(4, 1, groups=2)(tf.zeros((1, 3, 3, 3)))


def test_conv3d_with_groups_matches_tf_keras():
    # Golden in testdata/library_extra: grouped 3D kernels, outputs, gradients.
    extra_goldens.check_golden_case("conv3d_groups", layers.Conv3D)


def test_conv3d_groups_equal_separate_convolutions():
    grouped = layers.Conv3D(4, 2, groups=2, use_bias=False)
    halves = [layers.Conv3D(2, 2, use_bias=False) for _ in range(2)]
    x = tf.random.normal((1, 3, 3, 3, 4))
    grouped(x)
    (kernel,) = grouped.get_weights()
    for i, half in enumerate(halves):
        half(x[..., 2 * i : 2 * i + 2])
        half.set_weights([kernel[..., 2 * i : 2 * i + 2]])
    expected = tf.concat(
        [h(x[..., 2 * i : 2 * i + 2]) for i, h in enumerate(halves)], -1
    )
    np.testing.assert_allclose(grouped(x), expected, rtol=1e-5, atol=1e-6)
