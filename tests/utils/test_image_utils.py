"""Tests for kengine/utils/image_utils.py against tf_keras goldens.

`load_img` reads a PNG of the golden image tree (rebuilt byte for byte) with
every resize filter; `array_to_img`/`img_to_array` and `smart_resize` are
compared on fixed arrays.
"""

import io
import sys

import numpy as np
import pytest
import tensorflow as tf

import kengine.utils
from kengine.utils import image_utils
from tests.goldens import load_json, load_npz
from tests.utils._trees import AREA, write_tree

META = load_json(AREA, "image_utils.json")
ARRAYS = load_npz(AREA, "image_utils.npz")
# The input tools/goldens/data_utils.py resized (range_like, re-derived).
_n = np.arange(7 * 5 * 3, dtype=np.float64)
IMAGE = (np.sin(_n * 0.7 + 0.3 + 1.0) * 100.0).reshape(7, 5, 3).astype(
    "float32"
) + 100.0


@pytest.fixture(scope="module")
def png(tmp_path_factory):
    return write_tree("image", tmp_path_factory.mktemp("trees")) / "dog" / "d1.png"


@pytest.mark.parametrize("size", [(4, 4), (3, 6), (7, 2)])
@pytest.mark.parametrize("method", ["bilinear", "nearest"])
def test_smart_resize_matches_tf_keras(size, method):
    out = image_utils.smart_resize(IMAGE, size, interpolation=method)
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, ARRAYS[f"smart_{size[0]}x{size[1]}_{method}"])


def test_smart_resize_batch_and_tensor():
    batch = np.stack([IMAGE, IMAGE * 0.5])
    np.testing.assert_array_equal(
        image_utils.smart_resize(batch, (4, 4)), ARRAYS["smart_batch"]
    )
    out = image_utils.smart_resize(tf.constant(IMAGE), (4, 4))
    assert isinstance(out, tf.Tensor) and out.shape == (4, 4, 3)


@pytest.mark.parametrize(
    "x, size, message",
    [
        (np.zeros((4, 4)), (2, 2), r"Received: shape=\(4, 4\)"),
        (np.zeros((4, 4, 3)), (2,), r"Received: size=\(2,\)"),
    ],
)
def test_smart_resize_errors(x, size, message):
    with pytest.raises(ValueError, match=message):
        image_utils.smart_resize(x, size)


@pytest.mark.parametrize("index", range(len(META["load_img"])))
def test_load_img_matches_tf_keras(png, index):
    case = META["load_img"][index]
    kwargs = dict(case["kwargs"])
    if "target_size" in kwargs:
        kwargs["target_size"] = tuple(kwargs["target_size"])
    img = image_utils.load_img(png, **kwargs)
    assert img.mode == case["mode"] and list(img.size) == case["size"]
    np.testing.assert_array_equal(
        image_utils.img_to_array(img), ARRAYS[f"load_{index}"]
    )
    np.testing.assert_array_equal(
        image_utils.img_to_array(img, data_format="channels_first"),
        ARRAYS[f"load_{index}_cf"],
    )


def test_load_img_from_bytes_and_str(png):
    from_bytes = image_utils.load_img(io.BytesIO(png.read_bytes()))
    from_str = image_utils.load_img(str(png))
    np.testing.assert_array_equal(np.asarray(from_bytes), np.asarray(from_str))
    with pytest.warns(UserWarning, match="grayscale is deprecated"):
        assert image_utils.load_img(png, grayscale=True).mode == "L"
    with pytest.raises(TypeError, match="path-like or io.BytesIO"):
        image_utils.load_img(42)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"color_mode": "cmyk"}, ValueError, r"Received: color_mode='cmyk'"),
        (
            {"target_size": (2, 2), "interpolation": "area"},
            ValueError,
            "interpolation='area'",
        ),
    ],
)
def test_load_img_errors(png, kwargs, error, message):
    with pytest.raises(error, match=message):
        image_utils.load_img(png, **kwargs)


@pytest.mark.parametrize("index", range(len(META["array_to_img"])))
def test_array_to_img_matches_tf_keras(index):
    case = META["array_to_img"][index]
    img = image_utils.array_to_img(ARRAYS[f"to_img_{index}_in"], **case["kwargs"])
    assert img.mode == case["mode"]
    np.testing.assert_array_equal(np.asarray(img), ARRAYS[f"to_img_{index}"])


def test_save_img_round_trip(tmp_path):
    x = np.arange(4 * 3 * 3).reshape(4, 3, 3).astype("float32") * 7
    path = tmp_path / "x.png"
    image_utils.save_img(path, x, scale=False)
    np.testing.assert_array_equal(
        image_utils.img_to_array(image_utils.load_img(path)), x
    )
    with pytest.warns(UserWarning, match="JPG format does not support RGBA"):
        image_utils.save_img(tmp_path / "x.jpg", np.ones((2, 2, 4)), file_format="jpeg")


@pytest.mark.parametrize(
    "fn, args, message",
    [
        (image_utils.array_to_img, (np.zeros((2, 2)),), r"Received: shape=\(2, 2\)"),
        (image_utils.array_to_img, (np.zeros((2, 2, 2)),), r"Received: 2 channels"),
        (image_utils.img_to_array, (np.zeros((2,)),), r"Received: shape=\(2,\)"),
        (image_utils.img_to_array, (np.zeros((2, 2)), "nchw"), "data_format='nchw'"),
    ],
)
def test_array_conversion_errors(fn, args, message):
    with pytest.raises(ValueError, match=message):
        fn(*args)


def test_without_pillow_the_error_names_the_package(monkeypatch, png):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(
        ImportError, match=r"`load_img` requires Pillow .*pip install pillow"
    ):
        image_utils.load_img(png)
    with pytest.raises(ImportError, match=r"`array_to_img` requires Pillow"):
        image_utils.array_to_img(np.zeros((2, 2, 3)))


def test_exported_from_utils():
    for name in ("array_to_img", "img_to_array", "load_img", "save_img"):
        assert getattr(kengine.utils, name) is getattr(image_utils, name)
