"""MobileNetV2: structure vs tf_keras, preprocessing (`kengine/applications/mobilenet_v2.py`)."""

import numpy as np
import pytest

from kengine.applications import imagenet_utils, mobilenet_v2
from tests.applications._structure import assert_structure, build, keys_of

V2_FILE = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5"


@pytest.mark.parametrize("key", keys_of("mobilenet_v2", full=True))
def test_structure_equals_tf_keras(key):
    assert_structure(key, build(key))


def test_preprocess_input_is_tf_mode():
    x = np.random.default_rng(0).uniform(0, 255, (2, 4, 4, 3)).astype("float32")
    expected = imagenet_utils.preprocess_input(x.copy(), mode="tf")
    np.testing.assert_array_equal(mobilenet_v2.preprocess_input(x.copy()), expected)


def test_imagenet_file_name_follows_alpha_and_size(offline_cache):
    with pytest.raises(Exception, match="URL fetch failure") as info:
        mobilenet_v2.MobileNetV2(
            weights="imagenet", input_shape=(96, 96, 3), alpha=0.35, include_top=False
        )
    assert str(offline_cache / V2_FILE) in str(info.value)


def test_make_divisible():
    assert [mobilenet_v2.make_divisible(v, 8) for v in (11.2, 16, 33.6, 4)] == [
        16,
        16,
        32,
        8,
    ]
