"""InceptionResNetV2: structure vs tf_keras, preprocessing (`kengine/applications/inception_resnet_v2.py`)."""

import numpy as np
import pytest

from kengine.applications import imagenet_utils, inception_resnet_v2
from tests.applications._structure import assert_structure, build, keys_of


@pytest.mark.parametrize("key", keys_of("inception_resnet_v2", full=True))
def test_structure_equals_tf_keras(key):
    assert_structure(key, build(key))


def test_preprocess_input_is_tf_mode():
    x = np.random.default_rng(0).uniform(0, 255, (2, 4, 4, 3)).astype("float32")
    expected = imagenet_utils.preprocess_input(x.copy(), mode="tf")
    np.testing.assert_array_equal(
        inception_resnet_v2.preprocess_input(x.copy()), expected
    )


def test_smallest_input_size_is_75():
    with pytest.raises(ValueError, match="at least 75x75"):
        inception_resnet_v2.InceptionResNetV2(
            weights=None, include_top=False, input_shape=(74, 75, 3)
        )
