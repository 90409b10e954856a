"""ResNet50V2/101V2/152V2: structure vs tf_keras, preprocessing (`kengine/applications/resnet_v2.py`)."""

import numpy as np
import pytest

from kengine.applications import imagenet_utils, resnet_v2
from tests.applications._structure import BIG, assert_structure, build, keys_of


@pytest.mark.parametrize("key", keys_of("resnet_v2", full=True))
def test_structure_equals_tf_keras(key):
    assert_structure(key, build(key))


@BIG
@pytest.mark.parametrize("key", keys_of("resnet_v2", full=False))
def test_large_variant_structure_equals_tf_keras(key):
    assert_structure(key, build(key))


def test_preprocess_input_is_tf_mode():
    x = np.random.default_rng(0).uniform(0, 255, (2, 4, 4, 3)).astype("float32")
    expected = imagenet_utils.preprocess_input(x.copy(), mode="tf")
    np.testing.assert_array_equal(resnet_v2.preprocess_input(x.copy()), expected)
