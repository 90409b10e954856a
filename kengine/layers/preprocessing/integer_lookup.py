"""IntegerLookup: maps integers to contiguous indices through a vocabulary.

Mirrors Keras 2's `layers/preprocessing/integer_lookup.py`. All the machinery
is `IndexLookup`'s; this class fixes an integer token type
(`vocabulary_dtype`, default int64), OOV token `-1`, and accepts the
argument names of older tf_keras versions (`max_values`, `mask_value`,
`oov_value`).

>>> layer = IntegerLookup(vocabulary=[12, 36, 1138, 42])
>>> layer([[12, 1138, 42], [42, 1000, 36]]).numpy()
array([[1, 3, 4],
       [4, 0, 2]])
"""

import numpy as np
import tensorflow as tf

from kengine.layers.preprocessing.index_lookup import IndexLookup

__all__ = ["IntegerLookup"]

# Older argument names tf_keras still accepts, and their current names.
_RENAMED = {
    "max_values": "max_tokens",
    "mask_value": "mask_token",
    "oov_value": "oov_token",
}


class IntegerLookup(IndexLookup):
    """Maps integers to indices of a vocabulary (or indices to integers).

    Args:
        max_tokens: the most entries the vocabulary may have (reserved ones
            included); None for no limit.
        num_oov_indices: indices for out-of-vocabulary values (default 1);
            with several, a value's OOV index is `value % num_oov_indices`.
        mask_token: the integer that stands for padding; None for no mask.
        oov_token: the integer `invert=True` returns for OOV indices.
        vocabulary: integers (list, array, tensor) or the path of a text
            file with one per line; None to `adapt`.
        vocabulary_dtype: the integer dtype of the values (default `"int64"`).
        idf_weights: IDF weights for `output_mode="tf_idf"` with a vocabulary.
        invert: map indices back to values.
        output_mode: `"int"`, `"one_hot"`, `"multi_hot"`, `"count"` or
            `"tf_idf"`.
        sparse: return `tf.SparseTensor`s in the non-int modes.
        pad_to_max_tokens: encode to `max_tokens` columns.
        **kwargs: base layer arguments, and `max_values`/`mask_value`/
            `oov_value` (the old names of `max_tokens`/`mask_token`/`oov_token`).

    Raises:
        ValueError: for a non-integer `vocabulary_dtype`, `max_tokens <= 1`,
            a negative `num_oov_indices`, or inconsistent arguments.
    """

    def __init__(
        self,
        max_tokens=None,
        num_oov_indices=1,
        mask_token=None,
        oov_token=-1,
        vocabulary=None,
        vocabulary_dtype="int64",
        idf_weights=None,
        invert=False,
        output_mode="int",
        sparse=False,
        pad_to_max_tokens=False,
        **kwargs,
    ):
        if not tf.as_dtype(vocabulary_dtype).is_integer:
            raise ValueError(
                "`vocabulary_dtype` must be an integer dtype. "
                f"Received: vocabulary_dtype={vocabulary_dtype}"
            )
        # The dtype is the output's; int64 (the tokens') means the default
        # for the encoded modes.
        if output_mode != "int" and kwargs.get("dtype") in (tf.int64, "int64"):
            del kwargs["dtype"]
        renamed = {
            new: kwargs.pop(old) for old, new in _RENAMED.items() if old in kwargs
        }
        max_tokens = renamed.get("max_tokens", max_tokens)
        mask_token = renamed.get("mask_token", mask_token)
        oov_token = renamed.get("oov_token", oov_token)
        super().__init__(
            max_tokens=max_tokens,
            num_oov_indices=num_oov_indices,
            mask_token=None if mask_token is None else np.int64(mask_token),
            oov_token=None if oov_token is None else np.int64(oov_token),
            vocabulary=vocabulary,
            vocabulary_dtype=vocabulary_dtype,
            idf_weights=idf_weights,
            invert=invert,
            output_mode=output_mode,
            sparse=sparse,
            pad_to_max_tokens=pad_to_max_tokens,
            **kwargs,
        )

    def get_config(self) -> dict:
        config = super().get_config()
        # Plain ints, so the config is JSON (tf_keras keeps NumPy int64 here).
        for key in ("mask_token", "oov_token"):
            if config[key] is not None:
                config[key] = int(config[key])
        return config

    def adapt(self, data, batch_size: int | None = None, steps: int | None = None):
        """Builds the vocabulary from the integers in `data`.

        The vocabulary holds the most frequent values first (at most
        `max_tokens` entries with the reserved ones); values with equal counts
        come in descending order.

        Args:
            data: integers: an array, list, (ragged) tensor or `tf.data.Dataset`.
            batch_size: samples per batch for non-Dataset data (default 32).
            steps: the most batches to read.
        """
        super().adapt(data, batch_size=batch_size, steps=steps)
