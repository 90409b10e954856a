"""Tests of `kengine.layers.convolutional_depthwise`: depthwise and separable."""

import numpy as np
import pytest
import tensorflow as tf

from kengine import layers
from tests.layers import conv_goldens as goldens
from tests.layers import extra_goldens

CLASSES = {
    "DepthwiseConv2D": layers.DepthwiseConv2D,
    "SeparableConv2D": layers.SeparableConv2D,
}


@pytest.mark.parametrize("case_id", goldens.case_ids(*CLASSES))
def test_matches_tf_keras_outputs_gradients_weights_and_config(case_id):
    cls = CLASSES[goldens.CASES[case_id]["class_name"]]
    goldens.check_golden_case(case_id, cls)


@pytest.mark.parametrize("case_id", goldens.first_case_per_class(*CLASSES))
def test_conformance_matrix(case_id):
    goldens.run_conformance(case_id, CLASSES[goldens.CASES[case_id]["class_name"]])


def test_long_name_is_the_same_class():
    assert layers.SeparableConvolution2D is layers.SeparableConv2D


def test_depthwise_keeps_channels_apart():
    layer = layers.DepthwiseConv2D(1, depthwise_initializer="ones", use_bias=False)
    x = tf.reshape(tf.range(8.0), (1, 2, 2, 2))
    np.testing.assert_array_equal(layer(x).numpy(), x.numpy())


def test_separable_equals_depthwise_then_pointwise():
    sep = layers.SeparableConv2D(3, 2, depth_multiplier=2, use_bias=False)
    depthwise = layers.DepthwiseConv2D(2, depth_multiplier=2, use_bias=False)
    pointwise = layers.Conv2D(3, 1, use_bias=False)
    x = tf.random.normal((2, 4, 4, 2))
    sep(x), pointwise(depthwise(x))
    dw, pw = sep.get_weights()
    depthwise.set_weights([dw])
    pointwise.set_weights([pw])
    np.testing.assert_allclose(sep(x), pointwise(depthwise(x)), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "cls, kwargs, match",
    [
        (layers.DepthwiseConv2D, {"kernel_size": 0}, r"Received: kernel_size=0"),
        (
            layers.DepthwiseConv2D,
            {"kernel_size": 2, "depth_multiplier": 0},
            r"Received: depth_multiplier=0",
        ),
        (
            layers.SeparableConv2D,
            {"filters": 0, "kernel_size": 2},
            r"Received: filters=0",
        ),
        (
            layers.SeparableConv2D,
            {"filters": 2, "kernel_size": 2, "padding": "bogus"},
            r"Received: padding='bogus'",
        ),
    ],
)
def test_invalid_arguments_raise_value_error(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(**kwargs)


@pytest.mark.parametrize(
    "cls, args", [(layers.DepthwiseConv2D, (2,)), (layers.SeparableConv2D, (2, 2))]
)
def test_wrong_input_rank(cls, args):
    with pytest.raises(ValueError, match=r"ndim.*found ndim=3|rank 4"):
        cls(*args)(tf.zeros((1, 4, 4)))


# -- DepthwiseConv1D and SeparableConv1D (goldens in testdata/library_extra) ----

CLASSES_1D = {
    "DepthwiseConv1D": layers.DepthwiseConv1D,
    "SeparableConv1D": layers.SeparableConv1D,
}


@pytest.mark.parametrize("case_id", extra_goldens.case_ids(*CLASSES_1D))
def test_1d_layers_match_tf_keras(case_id):
    cls = CLASSES_1D[extra_goldens.CASES[case_id]["class_name"]]
    extra_goldens.check_golden_case(case_id, cls)


def test_1d_conformance_matrix():
    extra_goldens.run_conformance("separable_conv1d", layers.SeparableConv1D)


def test_separable_1d_long_name_is_the_same_class():
    assert layers.SeparableConvolution1D is layers.SeparableConv1D


def test_depthwise_1d_equals_the_2d_layer_on_one_row():
    kernel = np.random.RandomState(1).randn(3, 2, 2).astype(np.float32)
    one_d = layers.DepthwiseConv1D(3, depth_multiplier=2, use_bias=False)
    two_d = layers.DepthwiseConv2D((1, 3), depth_multiplier=2, use_bias=False)
    x = tf.random.normal((2, 6, 2))
    one_d(x), two_d(x[:, None])
    one_d.set_weights([kernel])
    two_d.set_weights([kernel[None]])
    np.testing.assert_allclose(one_d(x), two_d(x[:, None])[:, 0], rtol=1e-5, atol=1e-6)


def test_depthwise_1d_refuses_causal_padding():
    with pytest.raises(ValueError, match=r"Causal padding.*DepthwiseConv1D"):
        layers.DepthwiseConv1D(2, padding="causal")


@pytest.mark.parametrize("cls", [layers.DepthwiseConv1D, layers.SeparableConv1D])
def test_1d_layers_want_rank_3_inputs(cls):
    kwargs = (
        {"kernel_size": 2}
        if cls is layers.DepthwiseConv1D
        else {"filters": 2, "kernel_size": 2}
    )
    with pytest.raises(ValueError, match="expected ndim=3|should have rank 3"):
        cls(**kwargs)(tf.zeros((1, 4, 4, 2)))
