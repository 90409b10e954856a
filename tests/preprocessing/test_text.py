"""Tests for kengine/preprocessing/text.py against tf_keras goldens."""

import json

import numpy as np
import pytest

from kengine.preprocessing import text
from tests.goldens import load_json

GOLDEN = load_json("data_utils", "text.json")
UNSEEN = ["the bird and the cat", "zebra"]
JSON_FIELDS = ("word_counts", "word_docs", "index_docs", "index_word", "word_index")


def _fitted(case):
    tokenizer = text.Tokenizer(**case["kwargs"])
    tokenizer.fit_on_texts(case["texts"])
    return tokenizer


@pytest.mark.parametrize("case", GOLDEN["tokenizers"], ids=lambda c: str(c["kwargs"]))
def test_tokenizer_matches_tf_keras(case):
    tokenizer = _fitted(case)
    assert tokenizer.word_index == case["word_index"]
    assert dict(tokenizer.word_counts) == case["word_counts"]
    assert dict(tokenizer.word_docs) == case["word_docs"]
    assert {str(k): v for k, v in tokenizer.index_docs.items()} == case["index_docs"]
    assert tokenizer.document_count == case["document_count"]
    sequences = tokenizer.texts_to_sequences(case["texts"] + UNSEEN)
    assert sequences == case["sequences"]
    assert tokenizer.sequences_to_texts(sequences) == case["back_to_texts"]
    for mode, expected in case["matrices"].items():
        matrix = tokenizer.texts_to_matrix(case["texts"] + UNSEEN, mode=mode)
        np.testing.assert_allclose(matrix, expected, rtol=1e-12, err_msg=mode)


@pytest.mark.parametrize("case", GOLDEN["tokenizers"], ids=lambda c: str(c["kwargs"]))
def test_to_json_matches_tf_keras_and_round_trips(case):
    tokenizer = _fitted(case)
    payload = json.loads(tokenizer.to_json())
    assert payload["class_name"] == "Tokenizer"
    config = {
        k: json.loads(v) if k in JSON_FIELDS else v
        for k, v in payload["config"].items()
    }
    assert config == case["config"]
    restored = text.tokenizer_from_json(tokenizer.to_json())
    assert restored.word_index == tokenizer.word_index
    assert restored.index_word == tokenizer.index_word  # int keys again
    texts = case["texts"] + UNSEEN
    assert restored.texts_to_sequences(texts) == case["sequences"]
    np.testing.assert_allclose(
        restored.texts_to_matrix(texts, mode="tfidf"), case["matrices"]["tfidf"]
    )


def test_word_index_order_is_count_then_first_seen():
    tokenizer = text.Tokenizer()
    tokenizer.fit_on_texts(["b a c", "c a"])
    assert list(tokenizer.word_index) == ["a", "c", "b"]


@pytest.mark.parametrize("source, kwargs, expected", GOLDEN["text_to_word_sequence"])
def test_text_to_word_sequence(source, kwargs, expected):
    assert text.text_to_word_sequence(source, **kwargs) == expected


@pytest.mark.parametrize("source, expected", GOLDEN["hashing_trick_md5"])
def test_hashing_trick_md5(source, expected):
    assert text.hashing_trick(source, 20, hash_function="md5") == expected


def test_one_hot_is_python_hash_in_range():
    words = text.one_hot("a b a c", 7)
    assert len(words) == 4 and words[0] == words[2]
    assert all(1 <= w < 7 for w in words)
    assert words == [hash(w) % 6 + 1 for w in ["a", "b", "a", "c"]]
    analyzed = text.hashing_trick(
        "x-y", 5, hash_function=len, analyzer=lambda s: s.split("-")
    )
    assert analyzed == [2, 2]


def test_fit_on_sequences_counts_documents_for_tfidf():
    tokenizer = text.Tokenizer(num_words=4)
    tokenizer.fit_on_sequences([[1, 2, 2], [2, 3]])
    assert tokenizer.document_count == 2
    assert dict(tokenizer.index_docs) == {1: 1, 2: 2, 3: 1}
    matrix = tokenizer.sequences_to_matrix([[2, 2, 5]], mode="tfidf")
    expected = (1 + np.log(2)) * np.log(1 + 2 / 3)
    np.testing.assert_allclose(matrix, [[0.0, 0.0, expected, 0.0]])


def test_nb_words_is_the_old_name_of_num_words():
    with pytest.warns(UserWarning, match="renamed `num_words`"):
        assert text.Tokenizer(nb_words=3).num_words == 3


@pytest.mark.parametrize(
    "make, call, error, message",
    [
        (
            lambda: text.Tokenizer(),
            lambda t: t.texts_to_matrix(["a"]),
            ValueError,
            "Specify a dimension",
        ),
        (
            lambda: text.Tokenizer(num_words=3),
            lambda t: t.texts_to_matrix(["a"], "tfidf"),
            ValueError,
            "before using tfidf",
        ),
        (
            lambda: text.Tokenizer(num_words=3),
            lambda t: t.sequences_to_matrix([[1]], "onehot"),
            ValueError,
            "Received: mode='onehot'",
        ),
        (
            lambda: text.Tokenizer(bad=1),
            None,
            TypeError,
            "Unrecognized keyword arguments",
        ),
    ],
)
def test_errors(make, call, error, message):
    with pytest.raises(error, match=message):
        call(make())
