"""EfficientNetV2: structure vs tf_keras (`kengine/applications/efficientnet_v2.py`)."""

import numpy as np
import pytest

from kengine.applications import efficientnet_v2
from tests.applications._structure import BIG, assert_structure, build, keys_of


@pytest.mark.parametrize("key", keys_of("efficientnet_v2", full=True))
def test_structure_equals_tf_keras(key):
    assert_structure(key, build(key))


@BIG
@pytest.mark.parametrize("key", keys_of("efficientnet_v2", full=False))
def test_large_variant_structure_equals_tf_keras(key):
    assert_structure(key, build(key))


def test_round_filters():
    assert efficientnet_v2.round_filters(32, 1.1, 8, 8) == 32
    assert efficientnet_v2.round_filters(1280, 1.2, 8, 8) == 1536


def test_preprocess_input_is_the_identity():
    x = np.arange(12.0).reshape(1, 2, 2, 3)
    assert efficientnet_v2.preprocess_input(x) is x
