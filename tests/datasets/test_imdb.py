"""Tests for kengine/datasets/imdb.py on a small local file in IMDB's format,
against what tf_keras's `load_data` returned for the same file."""

import hashlib
import json

import numpy as np
import pytest

from kengine.datasets import imdb
from tests.datasets._fake_files import GOLDEN, as_lists, serve


@pytest.fixture
def fake(monkeypatch, tmp_path):
    return serve(imdb, monkeypatch, tmp_path, "imdb")


@pytest.mark.parametrize(
    "case", GOLDEN["outputs"]["imdb"], ids=lambda c: str(c["kwargs"])
)
def test_load_data_matches_tf_keras(fake, tmp_path, case):
    (x_train, y_train), (x_test, y_test) = imdb.load_data(
        cache_dir=str(tmp_path / "cache"), **case["kwargs"]
    )
    assert x_train.dtype == object and x_train.ndim == 1
    assert as_lists(x_train) == case["x_train"]
    assert y_train.tolist() == case["y_train"]
    assert as_lists(x_test) == case["x_test"]
    assert y_test.tolist() == case["y_test"]


def test_download_is_cached_and_hash_checked(fake, tmp_path):
    cache = tmp_path / "cache"
    first = imdb.load_data(cache_dir=str(cache))
    assert (cache / "datasets" / "imdb.npz").exists()
    fake.unlink()  # the verified cached copy is enough now
    again = imdb.load_data(cache_dir=str(cache))
    assert as_lists(again[0][0]) == as_lists(first[0][0])


def test_reviews_without_offset_or_start_char(fake, tmp_path):
    # tf_keras 2.21 fails on these arguments (it adds two NumPy object arrays).
    raw = GOLDEN["raw"]["imdb"]
    (x_train, y_train), _ = imdb.load_data(
        cache_dir=str(tmp_path), index_from=0, start_char=None, num_words=100
    )
    order = np.arange(len(raw["x_train"]))
    np.random.RandomState(113).shuffle(order)
    assert as_lists(x_train) == [raw["x_train"][i] for i in order]
    assert y_train.tolist() == [raw["y_train"][i] for i in order]


def test_maxlen_that_keeps_nothing(fake, tmp_path):
    with pytest.raises(ValueError, match=r"increase it. Received: maxlen=1"):
        imdb.load_data(cache_dir=str(tmp_path), maxlen=1)


def test_keyword_arguments(fake, tmp_path):
    with pytest.warns(UserWarning, match="renamed `num_words`"):
        (x_train, _), _ = imdb.load_data(cache_dir=str(tmp_path), nb_words=5)
    assert max(max(x) for x in x_train) < 5
    with pytest.raises(TypeError, match="Unrecognized keyword arguments"):
        imdb.load_data(cache_dir=str(tmp_path), words=5)


def test_get_word_index(monkeypatch, tmp_path):
    index = {"the": 1, "movie": 2}
    source = tmp_path / "word_index.json"
    source.write_text(json.dumps(index))
    monkeypatch.setattr(imdb, "WORD_INDEX_ORIGIN", source.as_uri())
    monkeypatch.setattr(
        imdb, "WORD_INDEX_HASH", hashlib.md5(source.read_bytes()).hexdigest()
    )
    monkeypatch.setenv("HOME", str(tmp_path))  # the default cache is ~/.keras
    assert imdb.get_word_index() == index
    assert (tmp_path / ".keras" / "datasets" / "imdb_word_index.json").exists()


def test_real_origin_and_hashes_are_tf_keras_s():
    assert (
        imdb.ORIGIN
        == "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz"
    )
    assert imdb.FILE_HASH.startswith("69664113be75683a")
    assert imdb.WORD_INDEX_HASH == "bfafd718b763782e994055a2d397834f"


def test_offline_error_names_the_url_and_cache_path(monkeypatch, tmp_path):
    monkeypatch.setattr(imdb, "ORIGIN", (tmp_path / "nowhere" / "imdb.npz").as_uri())
    with pytest.raises(Exception, match="URL fetch failure") as info:
        imdb.load_data(cache_dir=str(tmp_path / "cache"))
    message = str(info.value)
    assert imdb.ORIGIN in message
    assert str(tmp_path / "cache" / "datasets" / "imdb.npz") in message
