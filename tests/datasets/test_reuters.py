"""Tests for kengine/datasets/reuters.py on a small local file in Reuters'
format, against what tf_keras's `load_data` returned for the same file."""

import hashlib
import json

import numpy as np
import pytest

from kengine.datasets import reuters
from tests.datasets._fake_files import GOLDEN, as_lists, serve


@pytest.fixture
def fake(monkeypatch, tmp_path):
    return serve(reuters, monkeypatch, tmp_path, "reuters")


@pytest.mark.parametrize(
    "case", GOLDEN["outputs"]["reuters"], ids=lambda c: str(c["kwargs"])
)
def test_load_data_matches_tf_keras(fake, tmp_path, case):
    (x_train, y_train), (x_test, y_test) = reuters.load_data(
        cache_dir=str(tmp_path / "cache"), **case["kwargs"]
    )
    assert as_lists(x_train) == case["x_train"]
    assert y_train.tolist() == case["y_train"]
    assert as_lists(x_test) == case["x_test"]
    assert y_test.tolist() == case["y_test"]


def test_oov_char_none_drops_rare_words(fake, tmp_path):
    (x_train, _), (x_test, _) = reuters.load_data(
        cache_dir=str(tmp_path), num_words=10, oov_char=None, test_split=0.0
    )
    assert len(x_test) == 0
    raw = GOLDEN["raw"]["reuters"]["x"]
    order = np.arange(len(raw))
    np.random.RandomState(113).shuffle(order)
    expected = [[w for w in [1] + [v + 3 for v in raw[i]] if w < 10] for i in order]
    assert as_lists(x_train) == expected


def test_get_label_names_matches_tf_keras():
    assert list(reuters.get_label_names()) == GOLDEN["reuters_label_names"]
    assert len(reuters.get_label_names()) == 46


def test_get_word_index(monkeypatch, tmp_path):
    source = tmp_path / "reuters_word_index.json"
    source.write_text(json.dumps({"oil": 1}))
    monkeypatch.setattr(reuters, "WORD_INDEX_ORIGIN", source.as_uri())
    monkeypatch.setattr(
        reuters, "WORD_INDEX_HASH", hashlib.md5(source.read_bytes()).hexdigest()
    )
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert reuters.get_word_index() == {"oil": 1}


def test_real_origin_and_hashes_are_tf_keras_s():
    assert reuters.ORIGIN.endswith("tf-keras-datasets/reuters.npz")
    assert reuters.FILE_HASH.startswith("d6586e694ee56d7a")
    assert reuters.WORD_INDEX_HASH == "4d44cc38712099c9e383dc6e5f11a921"
