"""IMDB movie reviews: 25,000 training and 25,000 test reviews labelled by
sentiment (0 negative, 1 positive), each a list of word ranks.

`load_data()` downloads `imdb.npz` once (checked against tf_keras's sha256)
into `~/.keras/datasets/`; words are encoded by frequency rank, shifted by
`index_from` so that 0 (padding), `start_char` and `oov_char` stay free.
`get_word_index()` downloads the word -> rank dictionary.

Mirrors tf_keras/src/datasets/imdb.py: `load_data`, `get_word_index`.
"""

import json
import os

import numpy as np

from kengine.datasets import _word_sequences as words
from kengine.utils.data_utils import get_file

__all__ = ["get_word_index", "load_data"]

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
ORIGIN = ORIGIN_FOLDER + "imdb.npz"
FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_ORIGIN = ORIGIN_FOLDER + "imdb_word_index.json"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"


def load_data(
    path="imdb.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
    cache_dir=None,
    **kwargs,
):
    """Loads IMDB, downloading it on first use.

    Args:
        path: File name of the cached copy, relative to
            `<cache_dir>/datasets/`.
        num_words: Keep the words of rank below `num_words` (after the
            `index_from` shift); others become `oov_char`. `None` keeps all.
        skip_top: Also replace the `skip_top` most frequent words.
        maxlen: Drop reviews of `maxlen` words or more.
        seed: Seed of the shuffle of each split.
        start_char: Index put at the start of every review (`None` for none).
        oov_char: Index of replaced words; `None` drops them instead.
        index_from: Offset added to every word rank.
        cache_dir: Base cache directory; `None` means `~/.keras`.
        **kwargs: `nb_words`, the old name of `num_words`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: object arrays of lists of
        ints, and int label arrays.

    Raises:
        TypeError: for another keyword argument.
        ValueError: if `maxlen` leaves no review.
    """
    num_words = words.pop_nb_words(kwargs, num_words)
    if cache_dir:
        cache_dir = os.path.expanduser(cache_dir)
        os.makedirs(cache_dir, exist_ok=True)
    path = get_file(path, origin=ORIGIN, file_hash=FILE_HASH, cache_dir=cache_dir)
    # Reviews are lists of different lengths, stored as pickled object arrays;
    # get_file has checked the file against tf_keras's published sha256.
    with np.load(path, allow_pickle=True) as f:
        x_train, labels_train = f["x_train"], f["y_train"]
        x_test, labels_test = f["x_test"], f["y_test"]
    rng = np.random.RandomState(seed)
    x_train, labels_train = words.shuffle_together(rng, x_train, labels_train)
    x_test, labels_test = words.shuffle_together(rng, x_test, labels_test)
    x_train = words.offset_words(x_train, start_char, index_from)
    x_test = words.offset_words(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = words.remove_long_seq(maxlen, x_train, labels_train)
        x_test, labels_test = words.remove_long_seq(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(
                "No review is shorter than `maxlen`; increase it. "
                f"Received: maxlen={maxlen}"
            )
    xs = words.limit_vocabulary(
        list(x_train) + list(x_test), num_words, skip_top, oov_char
    )
    labels = np.concatenate([labels_train, labels_test])
    idx = len(x_train)
    return (
        (words.as_object_array(xs[:idx]), labels[:idx]),
        (words.as_object_array(xs[idx:]), labels[idx:]),
    )


def get_word_index(path="imdb_word_index.json"):
    """The dictionary from words to their frequency rank (1 = most frequent).

    Ranks are before `load_data`'s `index_from` shift: the word of rank `r`
    is the index `r + index_from` in the loaded reviews.

    Args:
        path: File name of the cached copy, in `~/.keras/datasets/`.

    Returns:
        A dict from word to rank.
    """
    path = get_file(path, origin=WORD_INDEX_ORIGIN, file_hash=WORD_INDEX_HASH)
    with open(path) as f:
        return json.load(f)
