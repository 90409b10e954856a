"""Tests for kengine/datasets/cifar100.py on a small local archive in
CIFAR-100's format (one `train` and one `test` pickle with fine and coarse
labels)."""

import hashlib
import io
import pickle
import tarfile

import numpy as np
import pytest

from kengine.datasets import cifar100


def _batch_bytes(rows, fine, coarse):
    return pickle.dumps({b"data": rows, b"fine_labels": fine, b"coarse_labels": coarse})


@pytest.fixture
def small_cifar100(tmp_path, monkeypatch):
    rng = np.random.RandomState(3)
    batches = {
        "train": (
            rng.randint(0, 256, (4, 3072)).astype("uint8"),
            [10, 99, 0, 42],
            [1, 19, 0, 7],
        ),
        "test": (rng.randint(0, 256, (2, 3072)).astype("uint8"), [5, 6], [2, 3]),
    }
    archive = tmp_path / "cifar-100-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, batch in batches.items():
            data = _batch_bytes(*batch)
            info = tarfile.TarInfo(f"cifar-100-python/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    monkeypatch.setattr(cifar100, "ORIGIN", archive.as_uri())
    monkeypatch.setattr(
        cifar100, "FILE_HASH", hashlib.sha256(archive.read_bytes()).hexdigest()
    )
    return batches


@pytest.mark.parametrize(
    "label_mode, train, test",
    [("fine", [10, 99, 0, 42], [5, 6]), ("coarse", [1, 19, 0, 7], [2, 3])],
)
def test_load_data_label_modes(small_cifar100, tmp_path, label_mode, train, test):
    (x_train, y_train), (x_test, y_test) = cifar100.load_data(
        label_mode, cache_dir=str(tmp_path)
    )
    assert x_train.shape == (4, 32, 32, 3) and x_test.shape == (2, 32, 32, 3)
    assert y_train.shape == (4, 1) and y_train.ravel().tolist() == train
    assert y_test.ravel().tolist() == test
    rows = small_cifar100["train"][0]
    assert x_train[1, 0, 0].tolist() == [rows[1, 0], rows[1, 1024], rows[1, 2048]]


def test_channels_first(small_cifar100, tmp_path, monkeypatch):
    monkeypatch.setattr(cifar100.backend, "image_data_format", lambda: "channels_first")
    (x_train, _), _ = cifar100.load_data(cache_dir=str(tmp_path))
    np.testing.assert_array_equal(x_train[2].reshape(-1), small_cifar100["train"][0][2])


def test_bad_label_mode():
    with pytest.raises(ValueError, match="Received: label_mode='medium'"):
        cifar100.load_data("medium")


def test_real_origin_and_hash():
    assert cifar100.ORIGIN == "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    assert cifar100.FILE_HASH.startswith("85cd44d02ba64377")
