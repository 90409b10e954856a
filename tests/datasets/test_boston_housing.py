"""Tests for kengine/datasets/boston_housing.py on a small local file in the
real file's format, against what tf_keras's `load_data` returned for it."""

import numpy as np
import pytest

from kengine.datasets import boston_housing
from tests.datasets._fake_files import GOLDEN, serve


@pytest.fixture
def fake(monkeypatch, tmp_path):
    return serve(
        boston_housing, monkeypatch, tmp_path, "boston_housing", float_keys=("x", "y")
    )


@pytest.mark.parametrize(
    "case", GOLDEN["outputs"]["boston_housing"], ids=lambda c: str(c["kwargs"])
)
def test_load_data_matches_tf_keras(fake, tmp_path, case):
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(
        cache_dir=str(tmp_path / "cache"), **case["kwargs"]
    )
    np.testing.assert_array_equal(x_train, case["x_train"])
    np.testing.assert_array_equal(y_train, case["y_train"])
    np.testing.assert_array_equal(x_test, case["x_test"])
    np.testing.assert_array_equal(y_test, case["y_test"])
    assert x_train.shape[1] == 13


@pytest.mark.parametrize("test_split", [-0.1, 1.0])
def test_bad_test_split(test_split):
    with pytest.raises(ValueError, match=f"Received: test_split={test_split}"):
        boston_housing.load_data(test_split=test_split)


def test_real_origin_and_hash_are_tf_keras_s():
    assert boston_housing.ORIGIN.endswith("tf-keras-datasets/boston_housing.npz")
    assert boston_housing.FILE_HASH.startswith("f553886a1f8d5643")
