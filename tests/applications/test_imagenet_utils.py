"""`preprocess_input`, `decode_predictions` and the input-shape checks vs tf_keras."""

import hashlib
import shutil

import numpy as np
import pytest
import tensorflow as tf

from kengine import layers
from kengine.applications import imagenet_utils, resnet
from tests.goldens import load_json, load_npz, path

PRE = load_npz("applications", "preprocess.npz")
FORMATS = {
    "last4": "channels_last",
    "first4": "channels_first",
    "last3": "channels_last",
    "first3": "channels_first",
}


def _input(key: str) -> np.ndarray:
    source = "last4" if key.startswith("last") else "first4"
    return PRE[source].copy() if key.endswith("4") else PRE[source][0].copy()


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
@pytest.mark.parametrize("key", list(FORMATS))
def test_preprocess_numpy_equals_tf_keras(mode, key):
    out = imagenet_utils.preprocess_input(_input(key), FORMATS[key], mode)
    np.testing.assert_allclose(out, PRE[f"{mode}_{key}"], rtol=1e-6, atol=1e-5)
    assert out.dtype == PRE[f"{mode}_{key}"].dtype


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
@pytest.mark.parametrize("key", ["last4", "first4", "last3"])
def test_preprocess_tensor_equals_tf_keras(mode, key):
    out = imagenet_utils.preprocess_input(tf.constant(_input(key)), FORMATS[key], mode)
    np.testing.assert_allclose(
        out.numpy(), PRE[f"{mode}_{key}_tensor"], rtol=1e-6, atol=1e-5
    )


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
def test_preprocess_single_channels_first_tensor_matches_the_numpy_path(mode):
    # Deliberate difference: for one (channels, rows, cols) tensor, tf_keras's
    # `bias_add` takes axis 1 for the channels and shifts rows instead; kengine
    # shifts channels, as tf_keras's own NumPy path does.
    out = imagenet_utils.preprocess_input(
        tf.constant(_input("first3")), "channels_first", mode
    )
    np.testing.assert_allclose(out.numpy(), PRE[f"{mode}_first3"], rtol=1e-6, atol=1e-5)
    if mode != "tf":
        assert not np.allclose(PRE[f"{mode}_first3_tensor"], PRE[f"{mode}_first3"])


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
def test_preprocess_integer_images_become_float32(mode):
    out = imagenet_utils.preprocess_input(PRE["uint8"].copy(), "channels_last", mode)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, PRE[f"{mode}_uint8"], rtol=1e-6, atol=1e-5)


def test_preprocess_on_a_keras_tensor_builds_layers():
    x = layers.Input((4, 4, 3))
    y = imagenet_utils.preprocess_input(x, mode="caffe")
    assert y.shape.as_list() == [None, 4, 4, 3]


def test_preprocess_rejects_unknown_mode_and_format():
    with pytest.raises(ValueError, match="Received: mode=lab"):
        imagenet_utils.preprocess_input(np.zeros((1, 2, 2, 3)), mode="lab")
    with pytest.raises(ValueError, match="Received: data_format=nhwc"):
        imagenet_utils.preprocess_input(np.zeros((1, 2, 2, 3)), data_format="nhwc")


@pytest.fixture
def cached_class_index(offline_cache, monkeypatch):
    """The local class index in the cache, under the hash the code expects."""
    source = path("applications", "class_index.json")
    shutil.copy(source, offline_cache / imagenet_utils.CLASS_INDEX_FILE)
    digest = hashlib.md5(source.read_bytes()).hexdigest()
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_HASH", digest)
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)


def _as_lists(decoded) -> list:
    return [[[a, b, float(s)] for a, b, s in row] for row in decoded]


def test_decode_predictions_from_the_cache_equals_tf_keras(cached_class_index):
    golden = load_json("applications", "decode.json")
    preds = np.sin(np.arange(2000) * 0.7 + 0.3).reshape(2, 1000).astype("float32")
    assert _as_lists(imagenet_utils.decode_predictions(preds)) == golden["top5"]
    assert _as_lists(resnet.decode_predictions(preds, top=3)) == golden["top3"]


def test_decode_predictions_offline_without_the_file_says_where_to_put_it(
    offline_cache, monkeypatch
):
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
    expected = str(offline_cache / "imagenet_class_index.json")
    with pytest.raises(Exception, match="URL fetch failure") as info:
        imagenet_utils.decode_predictions(np.zeros((1, 1000)))
    assert expected in str(info.value)
    assert imagenet_utils.CLASS_INDEX_PATH in str(info.value)


def test_decode_predictions_rejects_other_shapes():
    with pytest.raises(ValueError, match=r"Found array with shape: \(2, 10\)"):
        imagenet_utils.decode_predictions(np.zeros((2, 10)))


@pytest.mark.parametrize(
    "args, expected",
    [
        ((None, 224, 32, "channels_last", True, "imagenet"), (224, 224, 3)),
        ((None, 224, 32, "channels_first", True, None), (3, 224, 224)),
        ((None, 224, 32, "channels_last", False, None), (None, None, 3)),
        ((None, 299, 75, "channels_first", False, "imagenet"), (3, None, None)),
        (((64, 48, 3), 224, 32, "channels_last", False, "imagenet"), (64, 48, 3)),
        (((32, 32, 1), 224, 32, "channels_last", True, None), (32, 32, 1)),
    ],
)
def test_obtain_input_shape(args, expected):
    assert imagenet_utils.obtain_input_shape(*args) == expected


@pytest.mark.parametrize(
    "args, message",
    [
        (((100, 100, 3), 224, 32, "channels_last", True, "imagenet"), "should be"),
        (((31, 64, 3), 224, 32, "channels_last", False, None), "at least 32x32"),
        (((3, 64, 20), 224, 32, "channels_first", False, None), "at least 32x32"),
        (((64, 64, 1), 224, 32, "channels_last", False, "imagenet"), "3 channels"),
        (((64, 64), 224, 32, "channels_last", False, None), "tuple of three"),
        (((None, None, 3), 224, 32, "channels_last", True, None), "static"),
    ],
)
def test_obtain_input_shape_errors(args, message):
    with pytest.raises(ValueError, match=message):
        imagenet_utils.obtain_input_shape(*args)


def test_obtain_input_shape_warns_on_unusual_channel_counts():
    with pytest.warns(UserWarning, match="with 5 input channels"):
        shape = imagenet_utils.obtain_input_shape(
            (64, 64, 5), 224, 32, "channels_last", False, None
        )
    assert shape == (64, 64, 5)


@pytest.mark.parametrize(
    "shape, kernel, expected",
    [
        ((None, 32, 32, 3), 3, ((0, 1), (0, 1))),
        ((None, 33, 32, 3), 3, ((1, 1), (0, 1))),
        ((None, 32, 31, 3), (5, 3), ((1, 2), (1, 1))),
        ((None, None, None, 3), 3, ((0, 1), (0, 1))),
    ],
)
def test_correct_pad(shape, kernel, expected):
    assert (
        imagenet_utils.correct_pad(layers.Input(batch_shape=shape), kernel) == expected
    )


def test_validate_activation():
    imagenet_utils.validate_activation("relu", None)
    imagenet_utils.validate_activation("softmax", "imagenet")
    imagenet_utils.validate_activation(None, "imagenet")
    with pytest.raises(ValueError, match="Only `None` and `softmax`"):
        imagenet_utils.validate_activation("sigmoid", "imagenet")
