"""Reuters newswires: 11,228 short news stories labelled with one of 46
topics, each a list of word ranks.

`load_data()` downloads `reuters.npz` once (checked against tf_keras's
sha256) into `~/.keras/datasets/`, shuffles it with `seed` and splits off the
last `test_split` as the test set. Words are encoded as in IMDB (see
`imdb.py`). `get_word_index()` downloads the word -> rank dictionary and
`get_label_names()` names the 46 topics.

Mirrors tf_keras/src/datasets/reuters.py: `load_data`, `get_word_index`,
`get_label_names`.
"""

import json
import os

import numpy as np

from kengine.datasets import _word_sequences as words
from kengine.utils.data_utils import get_file

__all__ = ["get_label_names", "get_word_index", "load_data"]

ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
ORIGIN = ORIGIN_FOLDER + "reuters.npz"
FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_ORIGIN = ORIGIN_FOLDER + "reuters_word_index.json"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"

LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing",
    "money-supply", "coffee", "sugar", "trade", "reserves", "ship", "cotton",
    "carcass", "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp",
    "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal",
    "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs", "lei",
    "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog",
    "lead",
)  # fmt: skip


def load_data(
    path="reuters.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    test_split=0.2,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
    cache_dir=None,
    **kwargs,
):
    """Loads the Reuters newswires, downloading them on first use.

    Args:
        path: File name of the cached copy, relative to
            `<cache_dir>/datasets/`.
        num_words: Keep the words of rank below `num_words` (after the
            `index_from` shift); others become `oov_char`. `None` keeps all.
        skip_top: Also replace the `skip_top` most frequent words.
        maxlen: Drop stories of `maxlen` words or more.
        test_split: Fraction of the stories used as the test set.
        seed: Seed of the shuffle.
        start_char: Index put at the start of every story (`None` for none).
        oov_char: Index of replaced words; `None` drops them instead.
        index_from: Offset added to every word rank.
        cache_dir: Base cache directory; `None` means `~/.keras`.
        **kwargs: `nb_words`, the old name of `num_words`.

    Returns:
        `(x_train, y_train), (x_test, y_test)`: object arrays of lists of
        ints, and topic labels 0..45.

    Raises:
        TypeError: for another keyword argument.
    """
    num_words = words.pop_nb_words(kwargs, num_words)
    if cache_dir:
        cache_dir = os.path.expanduser(cache_dir)
        os.makedirs(cache_dir, exist_ok=True)
    path = get_file(path, origin=ORIGIN, file_hash=FILE_HASH, cache_dir=cache_dir)
    # Stories are lists of different lengths, stored as pickled object arrays;
    # get_file has checked the file against tf_keras's published sha256.
    with np.load(path, allow_pickle=True) as f:
        xs, labels = f["x"], f["y"]
    xs, labels = words.shuffle_together(np.random.RandomState(seed), xs, labels)
    xs = words.offset_words(xs, start_char, index_from)
    if maxlen:
        xs, labels = words.remove_long_seq(maxlen, xs, labels)
    xs = words.limit_vocabulary(xs, num_words, skip_top, oov_char)
    idx = int(len(xs) * (1 - test_split))
    return (
        (words.as_object_array(xs[:idx]), np.array(labels[:idx])),
        (words.as_object_array(xs[idx:]), np.array(labels[idx:])),
    )


def get_word_index(path="reuters_word_index.json"):
    """The dictionary from words to their frequency rank (1 = most frequent).

    Args:
        path: File name of the cached copy, in `~/.keras/datasets/`.

    Returns:
        A dict from word to rank (before `load_data`'s `index_from` shift).
    """
    path = get_file(path, origin=WORD_INDEX_ORIGIN, file_hash=WORD_INDEX_HASH)
    with open(path) as f:
        return json.load(f)


def get_label_names():
    """The 46 topic names, indexed by label.

    >>> get_label_names()[3]
    'earn'

    Returns:
        A tuple of strings.
    """
    return LABEL_NAMES
