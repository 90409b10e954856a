"""StringLookup: maps strings to integer indices through a vocabulary.

Mirrors Keras 2's `layers/preprocessing/string_lookup.py`. All the machinery
(reserved indices, OOV hashing, output modes, `adapt`) is `IndexLookup`'s; this
class fixes the token type to `tf.string`, OOV token `"[UNK]"`, and decodes the
vocabulary to Python strings with `encoding`.

>>> layer = StringLookup(vocabulary=["a", "b", "c"])
>>> layer([["a", "c", "d"]]).numpy()
array([[1, 3, 0]])
>>> layer.get_vocabulary()
['[UNK]', 'a', 'b', 'c']
>>> StringLookup(vocabulary=["a", "b"], invert=True)([[2, 0]]).numpy()
array([[b'b', b'[UNK]']], dtype=object)
"""

import numpy as np
import tensorflow as tf

from kengine.layers.preprocessing.index_lookup import IndexLookup

__all__ = ["StringLookup"]


class StringLookup(IndexLookup):
    """Maps strings to indices of a vocabulary (or indices to strings).

    Args:
        max_tokens: the most entries the vocabulary may have (reserved ones
            included); None for no limit.
        num_oov_indices: indices for out-of-vocabulary strings (default 1).
        mask_token: the string that stands for padding; None for no mask.
        oov_token: the string `invert=True` returns for OOV indices.
        vocabulary: strings (list, array, tensor) or the path of a text file
            with one per line; None to `adapt`.
        idf_weights: IDF weights for `output_mode="tf_idf"` with a vocabulary.
        encoding: the text encoding of `get_vocabulary()`'s strings.
        invert: map indices back to strings.
        output_mode: `"int"`, `"one_hot"`, `"multi_hot"`, `"count"` or
            `"tf_idf"`.
        sparse: return `tf.SparseTensor`s in the non-int modes.
        pad_to_max_tokens: encode to `max_tokens` columns.
        **kwargs: base layer arguments.
    """

    def __init__(
        self,
        max_tokens=None,
        num_oov_indices=1,
        mask_token=None,
        oov_token="[UNK]",
        vocabulary=None,
        idf_weights=None,
        encoding="utf-8",
        invert=False,
        output_mode="int",
        sparse=False,
        pad_to_max_tokens=False,
        **kwargs,
    ):
        # The dtype is the output's; a string dtype (the tokens') is dropped.
        if kwargs.get("dtype") in (tf.string, "string"):
            del kwargs["dtype"]
        self.encoding = encoding
        super().__init__(
            max_tokens=max_tokens,
            num_oov_indices=num_oov_indices,
            mask_token=mask_token,
            oov_token=oov_token,
            vocabulary=vocabulary,
            vocabulary_dtype=tf.string,
            idf_weights=idf_weights,
            invert=invert,
            output_mode=output_mode,
            sparse=sparse,
            pad_to_max_tokens=pad_to_max_tokens,
            **kwargs,
        )

    def get_config(self) -> dict:
        config = super().get_config()
        del config["vocabulary_dtype"]
        return {**config, "encoding": self.encoding}

    def adapt(self, data, batch_size: int | None = None, steps: int | None = None):
        """Builds the vocabulary from the strings in `data`.

        The vocabulary holds the most frequent strings first (at most
        `max_tokens` entries with the reserved ones); strings with equal
        counts come in descending order.

        Args:
            data: strings: an array, list, (ragged) tensor or `tf.data.Dataset`.
            batch_size: samples per batch for non-Dataset data (default 32).
            steps: the most batches to read.
        """
        super().adapt(data, batch_size=batch_size, steps=steps)

    def _tensor_vocab_to_numpy(self, vocabulary) -> np.ndarray:
        return np.array(
            [tf.compat.as_text(x, self.encoding) for x in vocabulary.numpy()],
            dtype=object,
        )
