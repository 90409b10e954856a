"""NASNetMobile/Large: structure vs tf_keras (`kengine/applications/nasnet.py`)."""

import numpy as np
import pytest

from kengine import backend
from kengine.applications import imagenet_utils, nasnet
from tests.applications._structure import BIG, assert_structure, build, keys_of


@pytest.mark.parametrize("key", keys_of("nasnet", full=True))
def test_structure_equals_tf_keras(key):
    assert_structure(key, build(key))


@BIG
@pytest.mark.parametrize("key", keys_of("nasnet", full=False))
def test_large_variant_structure_equals_tf_keras(key):
    assert_structure(key, build(key))


def test_argument_errors():
    with pytest.raises(ValueError, match="must be static"):
        nasnet.NASNetMobile(input_shape=(None, None, 3), include_top=False)
    with pytest.raises(ValueError, match="multiple of 24"):
        nasnet.nasnet_model((32, 32, 3), penultimate_filters=100, weights=None)


def test_builds_channels_last_and_restores_a_channels_first_setting():
    backend.set_image_data_format("channels_first")
    try:
        model = nasnet.nasnet_model(
            (32, 32, 3),
            penultimate_filters=96,
            num_blocks=1,
            stem_block_filters=8,
            include_top=False,
            weights=None,
        )
        assert backend.image_data_format() == "channels_first"
    finally:
        backend.set_image_data_format("channels_last")
    assert model.input_shape == (None, 32, 32, 3)
    assert model.output_shape == (None, 1, 1, 96)  # 6 branches x 16 filters.


def test_preprocess_input_is_tf_mode():
    x = np.random.default_rng(0).uniform(0, 255, (2, 4, 4, 3)).astype("float32")
    expected = imagenet_utils.preprocess_input(x.copy(), mode="tf")
    np.testing.assert_array_equal(nasnet.preprocess_input(x.copy()), expected)
