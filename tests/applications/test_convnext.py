"""ConvNeXt: structure vs tf_keras, its layers (`kengine/applications/convnext.py`)."""

import numpy as np
import pytest
import tensorflow as tf

from kengine.applications import convnext
from tests.applications._structure import assert_structure, build, keys_of


@pytest.mark.parametrize("key", keys_of("convnext", full=True))
def test_structure_equals_tf_keras(key):
    assert_structure(key, build(key))


def test_layer_scale_multiplies_each_channel():
    layer = convnext.LayerScale(0.5, 3)
    out = layer(tf.ones((1, 2, 3)))
    np.testing.assert_array_equal(out.numpy(), np.full((1, 2, 3), 0.5, "float32"))
    assert layer.get_config()["projection_dim"] == 3


def test_stochastic_depth_is_the_identity_at_inference_and_keeps_the_mean():
    layer = convnext.StochasticDepth(0.5)
    x = tf.ones((2000, 1))
    assert layer(x) is x
    out = layer(x, training=True).numpy()
    assert set(np.unique(out)) <= {0.0, 2.0}
    assert abs(out.mean() - 1.0) < 0.1


def test_preprocess_input_is_the_identity():
    x = np.arange(12.0).reshape(1, 2, 2, 3)
    assert convnext.preprocess_input(x) is x
