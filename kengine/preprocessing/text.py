"""`keras.preprocessing.text`: Keras 2's pure-Python text tools.

- `text_to_word_sequence`: lower-case, replace punctuation by the separator,
  split.
- `hashing_trick` / `one_hot`: words to indices in `1 .. n - 1` by hashing
  (`one_hot` uses Python's `hash`, which changes between processes unless
  `PYTHONHASHSEED` is set; `hash_function="md5"` is stable).
- `Tokenizer`: a vocabulary fitted on texts (indices by decreasing count,
  ties in first-seen order, index 0 reserved), texts to index sequences or
  to bag-of-words matrices, and a JSON round trip (`to_json`,
  `tokenizer_from_json`).

The `tf.data`-friendly successor is `layers.TextVectorization`.

Mirrors tf_keras/src/preprocessing/text.py.
"""

import collections
import hashlib
import json
import warnings

import numpy as np

__all__ = [
    "Tokenizer",
    "hashing_trick",
    "one_hot",
    "text_to_word_sequence",
    "tokenizer_from_json",
]

DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
MATRIX_MODES = ("binary", "count", "tfidf", "freq")


def text_to_word_sequence(input_text, filters=DEFAULT_FILTERS, lower=True, split=" "):
    """Splits a text into words.

    >>> text_to_word_sequence("Hello, world! Hello.")
    ['hello', 'world', 'hello']

    Args:
        input_text: The text.
        filters: Characters replaced by `split` (punctuation, tabs, newlines).
        lower: Whether to lower-case the text first.
        split: The word separator.

    Returns:
        The non-empty words, in order.
    """
    if lower:
        input_text = input_text.lower()
    input_text = input_text.translate(str.maketrans({c: split for c in filters}))
    return [word for word in input_text.split(split) if word]


def _md5_hash(word: str) -> int:
    return int(hashlib.md5(word.encode()).hexdigest(), 16)


def hashing_trick(
    text,
    n,
    hash_function=None,
    filters=DEFAULT_FILTERS,
    lower=True,
    split=" ",
    analyzer=None,
):
    """Maps each word of a text to `hash(word) % (n - 1) + 1`.

    >>> hashing_trick("the cat the", 10, hash_function="md5")
    [6, 3, 6]

    Args:
        text: The text.
        n: Size of the hashing space; indices are `1 .. n - 1` (0 is left for
            padding). Different words may share an index.
        hash_function: `None` (Python's `hash`), `"md5"`, or a callable from
            a string to an int.
        filters: Characters removed before splitting.
        lower: Whether to lower-case the text.
        split: The word separator.
        analyzer: A callable from the text to its words, used instead of
            `text_to_word_sequence`.

    Returns:
        A list of integer word indices.
    """
    if hash_function is None:
        hash_function = hash
    elif hash_function == "md5":
        hash_function = _md5_hash
    if analyzer is None:
        words = text_to_word_sequence(text, filters=filters, lower=lower, split=split)
    else:
        words = analyzer(text)
    return [hash_function(word) % (n - 1) + 1 for word in words]


def one_hot(
    input_text, n, filters=DEFAULT_FILTERS, lower=True, split=" ", analyzer=None
):
    """`hashing_trick` with Python's `hash` (despite the name, not a one-hot).

    Args:
        input_text: The text.
        n: Size of the hashing space.
        filters: Characters removed before splitting.
        lower: Whether to lower-case the text.
        split: The word separator.
        analyzer: A callable from the text to its words.

    Returns:
        A list of integers in `1 .. n - 1`.
    """
    return hashing_trick(
        input_text,
        n,
        hash_function=hash,
        filters=filters,
        lower=lower,
        split=split,
        analyzer=analyzer,
    )


class Tokenizer:
    """A word (or character) vocabulary for turning texts into integers.

    `fit_on_texts` counts words; `word_index` then maps each word to its rank
    (1 = most frequent; ties keep the order words were first seen; the
    `oov_token`, if any, is 1). Only the `num_words - 1` most frequent words
    are used by `texts_to_sequences` and `texts_to_matrix`.

    >>> t = Tokenizer()
    >>> t.fit_on_texts(["the cat", "the dog"])
    >>> t.word_index
    {'the': 1, 'cat': 2, 'dog': 3}
    >>> t.texts_to_sequences(["the dog barks"])
    [[1, 3]]

    Args:
        num_words: Keep the `num_words - 1` most frequent words; `None` keeps
            all.
        filters: Characters removed from the texts.
        lower: Whether to lower-case the texts.
        split: The word separator.
        char_level: Treat every character as a token.
        oov_token: Token that replaces unknown words (index 1), or `None` to
            drop them.
        analyzer: A callable from a text to its tokens.
        **kwargs: `nb_words` (old name of `num_words`) and `document_count`.

    Raises:
        TypeError: for another keyword argument.
    """

    def __init__(
        self,
        num_words=None,
        filters=DEFAULT_FILTERS,
        lower=True,
        split=" ",
        char_level=False,
        oov_token=None,
        analyzer=None,
        **kwargs,
    ):
        if "nb_words" in kwargs:
            warnings.warn(
                "The `nb_words` argument in `Tokenizer` has been renamed `num_words`.",
                stacklevel=2,
            )
            num_words = kwargs.pop("nb_words")
        document_count = kwargs.pop("document_count", 0)
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments: {kwargs}")
        self.word_counts = collections.OrderedDict()
        self.word_docs = collections.defaultdict(int)
        self.filters = filters
        self.split = split
        self.lower = lower
        self.num_words = num_words
        self.document_count = document_count
        self.char_level = char_level
        self.oov_token = oov_token
        self.index_docs = collections.defaultdict(int)
        self.word_index = {}
        self.index_word = {}
        self.analyzer = analyzer

    def _tokens(self, text):
        """The tokens of one text (a string, or a list of tokens already)."""
        if self.char_level or isinstance(text, list):
            if not self.lower:
                return text
            if isinstance(text, list):
                return [token.lower() for token in text]
            return text.lower()
        if self.analyzer is not None:
            return self.analyzer(text)
        return text_to_word_sequence(
            text, filters=self.filters, lower=self.lower, split=self.split
        )

    def fit_on_texts(self, texts) -> None:
        """Counts the tokens of `texts` and rebuilds `word_index`.

        Args:
            texts: Strings, or lists of tokens.
        """
        for text in texts:
            self.document_count += 1
            tokens = self._tokens(text)
            for token in tokens:
                self.word_counts[token] = self.word_counts.get(token, 0) + 1
            for token in set(tokens):
                self.word_docs[token] += 1
        # A stable sort: equal counts keep the order words were first seen.
        by_count = sorted(self.word_counts.items(), key=lambda wc: wc[1], reverse=True)
        vocabulary = [] if self.oov_token is None else [self.oov_token]
        vocabulary += [word for word, _ in by_count]
        self.word_index = {word: i for i, word in enumerate(vocabulary, start=1)}
        self.index_word = {i: word for word, i in self.word_index.items()}
        for word, count in list(self.word_docs.items()):
            self.index_docs[self.word_index[word]] = count

    def fit_on_sequences(self, sequences) -> None:
        """Counts, per index, the documents it appears in (for `"tfidf"`).

        Args:
            sequences: Lists of word indices.
        """
        self.document_count += len(sequences)
        for sequence in sequences:
            for index in set(sequence):
                self.index_docs[index] += 1

    def texts_to_sequences(self, texts) -> list:
        """Converts texts to lists of word indices (see the class docstring).

        Args:
            texts: Strings, or lists of tokens.

        Returns:
            One list of indices per text.
        """
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts):
        """Yields `texts_to_sequences`'s lists one by one."""
        oov_index = self.word_index.get(self.oov_token)
        for text in texts:
            indices = []
            for token in self._tokens(text):
                index = self.word_index.get(token)
                if index is None or (self.num_words and index >= self.num_words):
                    # Unknown or too rare: the OOV index, if there is one.
                    if oov_index is not None:
                        indices.append(oov_index)
                else:
                    indices.append(index)
            yield indices

    def sequences_to_texts(self, sequences) -> list:
        """Converts lists of word indices back to space-joined texts.

        Args:
            sequences: Lists of word indices.

        Returns:
            One string per sequence.
        """
        return list(self.sequences_to_texts_generator(sequences))

    def sequences_to_texts_generator(self, sequences):
        """Yields `sequences_to_texts`'s strings one by one."""
        oov_index = self.word_index.get(self.oov_token)
        for sequence in sequences:
            words = []
            for index in sequence:
                word = self.index_word.get(index)
                if word is None or (self.num_words and index >= self.num_words):
                    if oov_index is not None:
                        words.append(self.index_word[oov_index])
                else:
                    words.append(word)
            yield " ".join(words)

    def texts_to_matrix(self, texts, mode="binary") -> np.ndarray:
        """Converts texts to a bag-of-words matrix.

        Args:
            texts: Strings, or lists of tokens.
            mode: `"binary"`, `"count"`, `"tfidf"` or `"freq"`.

        Returns:
            A float array of shape `(len(texts), num_words)`.
        """
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def _matrix_width(self, mode) -> int:
        if mode not in MATRIX_MODES:
            raise ValueError(
                f"`mode` must be one of {MATRIX_MODES}. Received: mode={mode!r}"
            )
        if self.num_words:
            width = self.num_words
        elif self.word_index:
            width = len(self.word_index) + 1
        else:
            raise ValueError(
                "Specify a dimension (`num_words` argument), or fit on some text "
                "data first."
            )
        if mode == "tfidf" and not self.document_count:
            raise ValueError("Fit the Tokenizer on some data before using tfidf mode.")
        return width

    def _cell(self, mode, count, length, index) -> float:
        if mode == "count":
            return count
        if mode == "freq":
            return count / length
        if mode == "binary":
            return 1
        # tfidf: log-scaled term frequency times smoothed inverse document frequency.
        idf = np.log(1 + self.document_count / (1 + self.index_docs.get(index, 0)))
        return (1 + np.log(count)) * idf

    def sequences_to_matrix(self, sequences, mode="binary") -> np.ndarray:
        """Converts lists of word indices to a bag-of-words matrix.

        Args:
            sequences: Lists of word indices.
            mode: `"binary"` (1 if present), `"count"`, `"freq"` (count over
                sequence length) or `"tfidf"`.

        Returns:
            A float array of shape `(len(sequences), num_words)`; indices at
            or above `num_words` are ignored.

        Raises:
            ValueError: for an unknown `mode`, or when the width is unknown
                (no `num_words` and not fitted) or `"tfidf"` is asked before
                fitting.
        """
        width = self._matrix_width(mode)
        x = np.zeros((len(sequences), width))
        for row, sequence in enumerate(sequences):
            counts = collections.Counter(index for index in sequence if index < width)
            for index, count in counts.items():
                x[row][index] = self._cell(mode, count, len(sequence), index)
        return x

    def get_config(self) -> dict:
        """The arguments and fitted state; the dictionaries as JSON strings."""
        return {
            "num_words": self.num_words,
            "filters": self.filters,
            "lower": self.lower,
            "split": self.split,
            "char_level": self.char_level,
            "oov_token": self.oov_token,
            "document_count": self.document_count,
            "word_counts": json.dumps(self.word_counts),
            "word_docs": json.dumps(self.word_docs),
            "index_docs": json.dumps(self.index_docs),
            "index_word": json.dumps(self.index_word),
            "word_index": json.dumps(self.word_index),
        }

    def to_json(self, **kwargs) -> str:
        """The tokenizer as a JSON string, for `tokenizer_from_json`.

        Args:
            **kwargs: Passed to `json.dumps`.
        """
        return json.dumps(
            {"class_name": type(self).__name__, "config": self.get_config()}, **kwargs
        )


def tokenizer_from_json(json_string: str) -> Tokenizer:
    """Rebuilds a `Tokenizer` from `Tokenizer.to_json()`.

    Args:
        json_string: The JSON string.

    Returns:
        A fitted `Tokenizer`.
    """
    config = dict(json.loads(json_string)["config"])
    word_counts = json.loads(config.pop("word_counts"))
    word_docs = json.loads(config.pop("word_docs"))
    # JSON keys are strings; the index maps are keyed by int.
    index_docs = {int(k): v for k, v in json.loads(config.pop("index_docs")).items()}
    index_word = {int(k): v for k, v in json.loads(config.pop("index_word")).items()}
    word_index = json.loads(config.pop("word_index"))
    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = word_counts
    tokenizer.word_docs = word_docs
    tokenizer.index_docs = index_docs
    tokenizer.word_index = word_index
    tokenizer.index_word = index_word
    return tokenizer
