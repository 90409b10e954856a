"""Helpers shared by the word-index datasets, IMDB and Reuters.

Both store each document as a list of word ranks (1 = most frequent word)
and turn it into model input the same way: shuffle with a seeded
`RandomState`, prepend `start_char` and shift the ranks by `index_from`, drop
documents of `maxlen` words or more, then replace (or drop) words outside
`[skip_top, num_words)`.

Mirrors tf_keras/src/datasets/imdb.py and reuters.py (the shared body of
`load_data`) and `_remove_long_seq` from tf_keras/src/preprocessing/sequence.py.
"""

import warnings

import numpy as np

__all__ = [
    "as_object_array",
    "limit_vocabulary",
    "offset_words",
    "pop_nb_words",
    "remove_long_seq",
    "shuffle_together",
]


def shuffle_together(rng: np.random.RandomState, xs, labels):
    """`xs` and `labels` in one random order drawn from `rng`."""
    indices = np.arange(len(xs))
    rng.shuffle(indices)
    return xs[indices], labels[indices]


def offset_words(xs, start_char, index_from):
    """Shifts every word rank by `index_from`, after a `start_char` if given."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in xs]
    if index_from:
        return [[w + index_from for w in x] for x in xs]
    return xs


def remove_long_seq(maxlen, seq, label):
    """Keeps the sequences shorter than `maxlen`, with their labels.

    Args:
        maxlen: Sequences of this length or longer are dropped.
        seq: The sequences.
        label: Their labels.

    Returns:
        `(sequences, labels)` as lists.
    """
    kept = [(x, y) for x, y in zip(seq, label) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def limit_vocabulary(xs, num_words, skip_top, oov_char):
    """Replaces (or, without `oov_char`, drops) words outside
    `[skip_top, num_words)`; `num_words=None` keeps up to the largest rank."""
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def as_object_array(sequences) -> np.ndarray:
    """A 1-D object array of lists, even when every list has the same length."""
    out = np.empty(len(sequences), dtype="object")
    out[:] = sequences
    return out


def pop_nb_words(kwargs: dict, num_words):
    """`num_words`, or the deprecated `nb_words` keyword; refuses others.

    Raises:
        TypeError: for a keyword other than `nb_words`.
    """
    if "nb_words" in kwargs:
        warnings.warn(
            "The `nb_words` argument in `load_data` has been renamed `num_words`.",
            stacklevel=3,
        )
        num_words = kwargs.pop("nb_words")
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {kwargs}")
    return num_words
