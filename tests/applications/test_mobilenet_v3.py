"""MobileNetV3Small/Large: structure vs tf_keras, preprocessing (`kengine/applications/mobilenet_v3.py`)."""

import numpy as np
import pytest

import kengine
from kengine import layers
from kengine.applications import mobilenet_v3
from tests.applications._structure import assert_structure, build, keys_of


@pytest.mark.parametrize("key", keys_of("mobilenet_v3", full=True))
def test_structure_equals_tf_keras(key):
    assert_structure(key, build(key))


def test_preprocess_input_is_the_identity():
    x = np.arange(12.0).reshape(1, 2, 2, 3)
    assert mobilenet_v3.preprocess_input(x) is x


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"alpha": 0.5}, "alpha can be one of"),
        ({"alpha": 0.75, "minimalistic": True}, "alpha can be one of"),
        ({"input_shape": (16, 64, 3), "weights": None}, "at least 32x32"),
    ],
)
def test_argument_errors(kwargs, message):
    kwargs = {"weights": "imagenet", **kwargs}
    with pytest.raises(ValueError, match=message):
        mobilenet_v3.MobileNetV3Small(include_top=False, **kwargs)


def test_hard_swish_values():
    x = layers.Input((4,))
    model = kengine.Model(x, mobilenet_v3.hard_swish(x))
    out = model(np.array([[-4.0, -1.0, 1.0, 4.0]], "float32")).numpy()
    np.testing.assert_allclose(out, [[0.0, -1.0 / 3.0, 2.0 / 3.0, 4.0]], rtol=1e-6)
