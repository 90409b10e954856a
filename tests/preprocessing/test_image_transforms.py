"""Tests for kengine/preprocessing/image_transforms.py against tf_keras goldens."""

import sys

import numpy as np
import pytest

from kengine.preprocessing import image_transforms as transforms
from tests.goldens import load_npz

ARRAYS = load_npz("data_utils", "image_generator.npz")
X = ARRAYS["x"]
CHANNELS_FIRST = X.transpose(2, 0, 1)

RANDOM_CASES = {
    "rotation": lambda: transforms.random_rotation(CHANNELS_FIRST, 40),
    "shift": lambda: transforms.random_shift(
        CHANNELS_FIRST, 0.2, 0.3, fill_mode="wrap"
    ),
    "shear": lambda: transforms.random_shear(
        CHANNELS_FIRST, 30, fill_mode="constant", cval=2.0
    ),
    "zoom": lambda: transforms.random_zoom(CHANNELS_FIRST, (0.7, 1.2)),
    "channel_shift": lambda: transforms.random_channel_shift(CHANNELS_FIRST, 0.4),
    "brightness": lambda: transforms.random_brightness(X * 50 + 100, (0.5, 1.0)),
}


@pytest.mark.parametrize("name", RANDOM_CASES)
def test_random_functions_match_tf_keras(name):
    np.random.seed(21)
    np.testing.assert_array_equal(RANDOM_CASES[name](), ARRAYS[f"random_{name}"])


def test_no_transform_returns_the_input():
    assert (
        transforms.apply_affine_transform(X, row_axis=0, col_axis=1, channel_axis=2)
        is X
    )


def test_a_quarter_turn_rotates_the_grid():
    x = np.arange(9, dtype="float32").reshape(3, 3, 1)
    out = transforms.apply_affine_transform(
        x, theta=90, row_axis=0, col_axis=1, channel_axis=2, order=0
    )
    assert out[..., 0].tolist() == np.rot90(x[..., 0], k=1).tolist()


def test_channel_shift_is_clipped_to_the_image_range():
    x = np.array([[[0.0, 4.0]]])
    assert transforms.apply_channel_shift(x, 3.0, channel_axis=2).tolist() == [
        [[3.0, 4.0]]
    ]
    assert transforms.apply_channel_shift(x, -9.0, channel_axis=2).tolist() == [
        [[0.0, 0.0]]
    ]


def test_flip_axis():
    x = np.arange(6).reshape(2, 3, 1)
    assert transforms.flip_axis(x, 1)[..., 0].tolist() == [[2, 1, 0], [5, 4, 3]]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"row_axis": 0, "col_axis": 0, "channel_axis": 2}, r"row_axis=0, col_axis=0"),
        (
            {"row_axis": 0, "col_axis": 2, "channel_axis": 1},
            r"Received: channel_axis=1",
        ),
        ({"row_axis": 1, "col_axis": 2, "channel_axis": 3}, r"channel_axis=3"),
    ],
)
def test_affine_axis_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        transforms.apply_affine_transform(X, theta=10, **kwargs)


def test_affine_needs_rank_3_and_zoom_needs_two_values():
    with pytest.raises(ValueError, match=r"rank 3 .*Received: shape=\(6, 5\)"):
        transforms.apply_affine_transform(
            X[..., 0], theta=1, channel_axis=2, row_axis=0, col_axis=1
        )
    with pytest.raises(ValueError, match=r"Received: zoom_range=\(0.5,\)"):
        transforms.random_zoom(X, (0.5,))
    with pytest.raises(ValueError, match=r"Received: brightness_range=\[1\]"):
        transforms.random_brightness(X, [1])


def test_missing_optional_packages_are_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy", None)
    with pytest.raises(ImportError, match="require SciPy.*pip install scipy"):
        transforms.apply_affine_transform(X, theta=5)
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match="require Pillow.*pip install pillow"):
        transforms.apply_brightness_shift(X, 1.2)
