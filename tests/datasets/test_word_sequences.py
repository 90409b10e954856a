"""Tests for kengine/datasets/_word_sequences.py, the IMDB/Reuters helpers."""

import numpy as np
import pytest

from kengine.datasets import _word_sequences as words


def test_offset_words():
    xs = [[1, 2], [3]]
    assert words.offset_words(xs, 1, 3) == [[1, 4, 5], [1, 6]]
    assert words.offset_words(xs, None, 2) == [[3, 4], [5]]
    assert words.offset_words(xs, None, 0) is xs


def test_remove_long_seq_keeps_shorter_than_maxlen():
    assert words.remove_long_seq(3, [[1, 2], [1, 2, 3], []], ["a", "b", "c"]) == (
        [[1, 2], []],
        ["a", "c"],
    )


@pytest.mark.parametrize(
    "num_words, skip_top, oov_char, expected",
    [
        (5, 0, 2, [[1, 4, 2], [2, 3]]),
        (5, 2, None, [[4], [3]]),
        (None, 0, 9, [[1, 4, 9], [9, 3]]),  # the largest rank counts as "not below"
    ],
)
def test_limit_vocabulary(num_words, skip_top, oov_char, expected):
    assert (
        words.limit_vocabulary([[1, 4, 7], [7, 3]], num_words, skip_top, oov_char)
        == expected
    )


def test_shuffle_together_and_object_array():
    xs, labels = words.shuffle_together(
        np.random.RandomState(0), np.array([10, 20, 30]), np.array([1, 2, 3])
    )
    assert (xs // 10).tolist() == labels.tolist()
    same_length = words.as_object_array([[1, 2], [3, 4]])
    assert same_length.shape == (2,) and same_length[1] == [3, 4]


def test_pop_nb_words():
    with pytest.warns(UserWarning, match="renamed"):
        assert words.pop_nb_words({"nb_words": 4}, None) == 4
    with pytest.raises(TypeError, match="Unrecognized keyword arguments"):
        words.pop_nb_words({"x": 1}, None)
