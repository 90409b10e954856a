"""DenseNet121/169/201: structure vs tf_keras, preprocessing (`kengine/applications/densenet.py`)."""

import numpy as np
import pytest

from kengine.applications import densenet, imagenet_utils
from tests.applications._structure import BIG, assert_structure, build, keys_of


@pytest.mark.parametrize("key", keys_of("densenet", full=True))
def test_structure_equals_tf_keras(key):
    assert_structure(key, build(key))


@BIG
@pytest.mark.parametrize("key", keys_of("densenet", full=False))
def test_large_variant_structure_equals_tf_keras(key):
    assert_structure(key, build(key))


def test_preprocess_input_is_torch_mode():
    x = np.random.default_rng(0).uniform(0, 255, (2, 4, 4, 3)).astype("float32")
    expected = imagenet_utils.preprocess_input(x.copy(), mode="torch")
    np.testing.assert_array_equal(densenet.preprocess_input(x.copy()), expected)
