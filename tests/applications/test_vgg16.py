"""VGG16 (13 convolutions): structure vs tf_keras, preprocessing (`kengine/applications/vgg16.py`)."""

import numpy as np
import pytest

from kengine.applications import imagenet_utils, vgg16
from tests.applications._structure import assert_structure, build, keys_of


@pytest.mark.parametrize("key", keys_of("vgg16", full=True))
def test_structure_equals_tf_keras(key):
    assert_structure(key, build(key))


def test_preprocess_input_is_caffe_mode():
    x = np.random.default_rng(0).uniform(0, 255, (2, 4, 4, 3)).astype("float32")
    expected = imagenet_utils.preprocess_input(x.copy(), mode="caffe")
    np.testing.assert_array_equal(vgg16.preprocess_input(x.copy()), expected)
