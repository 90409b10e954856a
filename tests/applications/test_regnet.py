"""RegNetX/Y: structure vs tf_keras, block checks (`kengine/applications/regnet.py`)."""

import numpy as np
import pytest

from kengine import layers
from kengine.applications import regnet
from tests.applications._structure import assert_structure, build, keys_of


@pytest.mark.parametrize("key", keys_of("regnet", full=True))
def test_structure_equals_tf_keras(key):
    assert_structure(key, build(key))


def test_every_variant_has_a_constructor_and_weight_hashes():
    assert len(regnet.MODEL_CONFIGS) == 24
    for key in regnet.MODEL_CONFIGS:
        assert callable(getattr(regnet, f"RegNet{key.upper()}"))
        assert len(regnet.WEIGHTS_HASHES[key]) == 2


def test_block_refuses_a_width_change_without_stride():
    with pytest.raises(
        ValueError, match=r"Input filters\(8\) and output filters\(16\)"
    ):
        regnet.regnet_block(layers.Input((8, 8, 8)), 8, 16, 8, stride=1, name="b")


def test_unknown_block_type():
    with pytest.raises(NotImplementedError, match="Block type `Z`"):
        regnet.regnet_model([1] * 4, [8] * 4, 8, "Z", 224, weights=None)


def test_preprocess_input_is_the_identity():
    x = np.arange(12.0).reshape(1, 2, 2, 3)
    assert regnet.preprocess_input(x) is x
