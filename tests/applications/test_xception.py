"""Xception: structure vs tf_keras, preprocessing (`kengine/applications/xception.py`)."""

import numpy as np
import pytest

from kengine.applications import imagenet_utils, xception
from tests.applications._structure import assert_structure, build, keys_of


@pytest.mark.parametrize("key", keys_of("xception", full=True))
def test_structure_equals_tf_keras(key):
    assert_structure(key, build(key))


def test_preprocess_input_is_tf_mode():
    x = np.random.default_rng(0).uniform(0, 255, (2, 4, 4, 3)).astype("float32")
    expected = imagenet_utils.preprocess_input(x.copy(), mode="tf")
    np.testing.assert_array_equal(xception.preprocess_input(x.copy()), expected)


def test_smallest_input_size_is_71():
    with pytest.raises(ValueError, match="at least 71x71"):
        xception.Xception(weights=None, include_top=False, input_shape=(70, 71, 3))
