"""TextVectorization: raw strings to token indices or bag-of-words vectors.

Mirrors Keras 2's `layers/preprocessing/text_vectorization.py`. A call runs:

```
strings --standardize--> "lower_and_strip_punctuation" (default), "lower",
                         "strip_punctuation", None, or a callable
        --split-------->  "whitespace" (default), "character", None, or a callable
        --ngrams------->  None, n (1..n-grams), or a tuple of sizes, joined by " "
        --lookup------->  an inner `StringLookup(mask_token="")`: index 0 is
                          padding, 1 is OOV ("[UNK]"), then the vocabulary
        --output------->  "int": indices, padded/truncated to
                          `output_sequence_length` (or ragged with `ragged=True`);
                          "multi_hot"/"count"/"tf_idf": one row per string
```

`adapt` runs the same preprocessing on the data and counts tokens in the inner
lookup, so the vocabulary and its state (the `vocabulary` weight, the IDF
weights) are the lookup's: `weights`, `get_weights` and weight files show them
under this layer, as in tf_keras.

>>> layer = TextVectorization(output_sequence_length=4)
>>> layer.adapt(["The cat sat.", "The dog sat!", "a dog"])
>>> layer.get_vocabulary()
['', '[UNK]', 'the', 'sat', 'dog', 'cat', 'a']
>>> layer(["the cat ran"]).numpy()
array([[2, 5, 1, 0]])
"""

import numpy as np
import tensorflow as tf

from kengine.layers.preprocessing import preprocessing_utils as utils
from kengine.layers.preprocessing.base_preprocessing_layer import PreprocessingLayer
from kengine.layers.preprocessing.string_lookup import StringLookup
from kengine.utils import serialization

__all__ = ["TextVectorization"]

LOWER_AND_STRIP_PUNCTUATION = "lower_and_strip_punctuation"
STRIP_PUNCTUATION = "strip_punctuation"
LOWER = "lower"
WHITESPACE = "whitespace"
CHARACTER = "character"
INT, MULTI_HOT, COUNT, TF_IDF = utils.INT, utils.MULTI_HOT, utils.COUNT, utils.TF_IDF

_STANDARDIZE = (LOWER_AND_STRIP_PUNCTUATION, LOWER, STRIP_PUNCTUATION)
_SPLIT = (WHITESPACE, CHARACTER)
_MODE_ALIASES = {"binary": MULTI_HOT, "tf-idf": TF_IDF}
# ASCII punctuation, as tf_keras strips it.
DEFAULT_STRIP_REGEX = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'


def _check_arguments(standardize, split, ngrams, output_mode, **options) -> None:
    """Raises tf_keras's ValueError for an argument or a combination it refuses."""
    name = "TextVectorization"
    if options["dtype"] not in (None, tf.string, "string"):
        raise ValueError(
            "`TextVectorization` may only have a dtype of string. "
            f"Received: dtype={options['dtype']}."
        )
    utils.validate_string_arg(
        standardize, _STANDARDIZE, name, "standardize", True, allow_callables=True
    )
    utils.validate_string_arg(split, _SPLIT, name, "split", True, allow_callables=True)
    utils.validate_string_arg(
        output_mode, (INT, COUNT, MULTI_HOT, TF_IDF), name, "output_mode", True
    )
    # A list is a tuple read back from a JSON config (tf_keras refuses it there).
    is_tuple = isinstance(ngrams, tuple | list) and all(
        isinstance(n, int) for n in ngrams
    )
    if not (ngrams is None or isinstance(ngrams, int) or is_tuple):
        raise ValueError(
            "`ngrams` must be None, an integer, or a tuple of integers. "
            f"Received: ngrams={ngrams}"
        )
    length, ragged = options["output_sequence_length"], options["ragged"]
    if output_mode == INT and not (length is None or isinstance(length, int)):
        raise ValueError(
            "`output_sequence_length` must be either None or an integer when "
            f"`output_mode` is 'int'. Received: output_sequence_length={length}"
        )
    if output_mode != INT and length is not None:
        raise ValueError(
            "`output_sequence_length` must not be set if `output_mode` is not "
            f"'int'. Received output_sequence_length={length} and "
            f"output_mode={output_mode!r}."
        )
    if ragged and output_mode != INT:
        raise ValueError(
            "`ragged` must not be true if `output_mode` is not `'int'`. "
            f"Received: ragged={ragged} and output_mode={output_mode}"
        )
    if ragged and length is not None:
        raise ValueError(
            "`output_sequence_length` must not be set if ragged is True. "
            f"Received: ragged={ragged} and output_sequence_length={length}"
        )


class TextVectorization(PreprocessingLayer):
    """Turns strings into sequences of token indices or token-count vectors.

    Args:
        max_tokens: the most entries of the vocabulary, padding and OOV
            included; None for no limit.
        standardize: how to normalise text before splitting (see module).
        split: how to split text into tokens (see module).
        ngrams: None, an int n (all 1..n-grams) or a tuple of n-gram sizes.
        output_mode: `"int"`, `"multi_hot"`, `"count"` or `"tf_idf"`.
        output_sequence_length: `"int"` mode only: pad or cut each row to this
            many indices.
        pad_to_max_tokens: non-int modes: make rows `max_tokens` wide.
        vocabulary: tokens (list, array) or a text file path; None to `adapt`.
        idf_weights: IDF weights of `vocabulary` for `"tf_idf"`.
        sparse: non-int modes: return a `tf.SparseTensor`.
        ragged: `"int"` mode: return a `tf.RaggedTensor` (no padding).
        encoding: the text encoding of the vocabulary.
        **kwargs: base layer arguments; `dtype` must be string.

    Raises:
        ValueError: for a bad or inconsistent argument (named in the message).
    """

    def __init__(
        self,
        max_tokens=None,
        standardize="lower_and_strip_punctuation",
        split="whitespace",
        ngrams=None,
        output_mode="int",
        output_sequence_length=None,
        pad_to_max_tokens=False,
        vocabulary=None,
        idf_weights=None,
        sparse=False,
        ragged=False,
        encoding="utf-8",
        **kwargs,
    ):
        output_mode = _MODE_ALIASES.get(output_mode, output_mode)
        _check_arguments(
            standardize,
            split,
            ngrams,
            output_mode,
            output_sequence_length=output_sequence_length,
            ragged=ragged,
            dtype=kwargs.get("dtype"),
        )
        kwargs["dtype"] = tf.string
        self._max_tokens = max_tokens
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        if isinstance(ngrams, int):
            self._ngrams = tuple(range(1, ngrams + 1))
        else:
            self._ngrams = None if ngrams is None else tuple(ngrams)
        self._ragged = ragged
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        self._has_input_vocabulary = kwargs.pop(
            "has_input_vocabulary", vocabulary is not None
        )
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(**kwargs)
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens,
            vocabulary=vocabulary,
            idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens,
            mask_token="",
            output_mode=output_mode if output_mode is not None else INT,
            sparse=sparse,
            has_input_vocabulary=self._has_input_vocabulary,
            encoding=encoding,
            vocabulary_size=vocabulary_size,
        )

    # ------------------------------------------------------ state (the lookup's)
    def adapt(self, data, batch_size: int | None = None, steps: int | None = None):
        """Builds the vocabulary from the (standardized, split) strings in `data`.

        Args:
            data: strings: an array, list, tensor or `tf.data.Dataset`, of shape
                `(n,)` or `(n, 1)`.
            batch_size: samples per batch for non-Dataset data (default 32).
            steps: the most batches to read.
        """
        super().adapt(data, batch_size=batch_size, steps=steps)

    def update_state(self, data) -> None:
        """Counts the tokens of one batch of strings."""
        self._lookup_layer.update_state(self._preprocess(data))

    def finalize_state(self) -> None:
        """Turns the counts into the vocabulary (see `StringLookup`)."""
        self._lookup_layer.finalize_state()

    def reset_state(self) -> None:
        """Forgets the token counts."""
        self._lookup_layer.reset_state()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The vocabulary: `""` (padding), `"[UNK]"`, then the tokens by index.

        Args:
            include_special_tokens: include the padding and OOV tokens.
        """
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        """The vocabulary's size, padding and OOV included."""
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Sets the vocabulary (and `"tf_idf"` weights) instead of adapting.

        Args:
            vocabulary: tokens, or a text file with one token per line.
            idf_weights: one weight per token, `"tf_idf"` only.
        """
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        lookup = self._lookup_layer
        config = {
            "max_tokens": lookup.max_tokens,
            "standardize": self._standardize,
            "split": self._split,
            "ngrams": self._ngrams_arg,
            "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length,
            "pad_to_max_tokens": lookup.pad_to_max_tokens,
            "sparse": lookup.sparse,
            "ragged": self._ragged,
            "vocabulary": utils.listify_tensors(lookup.input_vocabulary),
            "idf_weights": utils.listify_tensors(lookup.input_idf_weights),
            "encoding": self._encoding,
            "vocabulary_size": self.vocabulary_size(),
        }
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config: dict):
        """Creates the layer from `get_config()` output (callables deserialized)."""
        config = dict(config)
        for key, builtin in (("standardize", _STANDARDIZE), ("split", _SPLIT)):
            if config.get(key) is not None and config[key] not in builtin:
                config[key] = serialization.deserialize_keras_object(config[key])
        return cls(**config)

    # -------------------------------------------------------------------- call
    def _preprocess(self, inputs):
        """Standardizes, splits and n-grams a batch of strings."""
        inputs = utils.ensure_tensor(inputs, dtype=tf.string)
        if self._standardize in (LOWER, LOWER_AND_STRIP_PUNCTUATION):
            inputs = tf.strings.lower(inputs)
        if self._standardize in (STRIP_PUNCTUATION, LOWER_AND_STRIP_PUNCTUATION):
            inputs = tf.strings.regex_replace(inputs, DEFAULT_STRIP_REGEX, "")
        if callable(self._standardize):
            inputs = self._standardize(inputs)
        if self._split is not None:
            inputs = self._split_strings(inputs)
        if self._ngrams is not None:
            inputs = tf.strings.ngrams(inputs, ngram_width=self._ngrams, separator=" ")
        return inputs

    def _split_strings(self, inputs):
        if inputs.shape.rank > 1:
            if inputs.shape[-1] != 1:
                raise ValueError(
                    "When using `TextVectorization` to tokenize strings, the input "
                    "rank must be 1 or the last shape dimension must be 1. Received: "
                    f"inputs.shape={inputs.shape} with rank={inputs.shape.rank}"
                )
            inputs = tf.squeeze(inputs, axis=-1)
        if self._split == WHITESPACE:
            return tf.strings.split(inputs)
        if self._split == CHARACTER:
            return tf.strings.unicode_split(inputs, "UTF-8")
        return self._split(inputs)

    def call(self, inputs):
        if isinstance(inputs, list | tuple | np.ndarray):
            inputs = tf.convert_to_tensor(inputs)
        inputs = self._preprocess(inputs)
        if self._output_mode is None:
            return inputs
        indices = self._lookup_layer(inputs)
        if self._output_mode != INT or self._ragged:
            return indices
        length = self._output_sequence_length
        if isinstance(indices, tf.RaggedTensor):
            shape = indices.shape.as_list()
            shape[-1] = length
            return indices.to_tensor(default_value=0, shape=shape)
        if length is None:
            return indices
        indices = indices[..., :length]
        # Pad the last axis up to `length` with zeros (the padding index).
        missing = length - tf.shape(indices)[-1]
        paddings = tf.concat(
            [tf.zeros([tf.rank(indices) - 1, 2], tf.int32), [[0, missing]]], axis=0
        )
        return tf.pad(indices, paddings)

    def compute_output_shape(self, input_shape):
        input_shape = tf.TensorShape(input_shape)
        if self._output_mode == INT:
            return tf.TensorShape([input_shape[0], self._output_sequence_length])
        if self._split is None:
            shape = input_shape if input_shape.rank > 1 else input_shape + [1]
        else:
            shape = input_shape + [None]
        return self._lookup_layer.compute_output_shape(shape)
