"""EfficientNetB0-B7: structure vs tf_keras, preprocessing (`kengine/applications/efficientnet.py`)."""

import numpy as np
import pytest

from kengine.applications import efficientnet
from tests.applications._structure import BIG, assert_structure, build, keys_of


@pytest.mark.parametrize("key", keys_of("efficientnet", full=True))
def test_structure_equals_tf_keras(key):
    assert_structure(key, build(key))


@BIG
@pytest.mark.parametrize("key", keys_of("efficientnet", full=False))
def test_large_variant_structure_equals_tf_keras(key):
    assert_structure(key, build(key))


def test_preprocess_input_is_the_identity():
    x = np.arange(12.0).reshape(1, 2, 2, 3)
    assert efficientnet.preprocess_input(x) is x
