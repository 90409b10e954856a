"""IndexLookup: the shared machinery of `StringLookup` and `IntegerLookup`.

Mirrors Keras 2's `layers/preprocessing/index_lookup.py` (`IndexLookup`,
`VocabWeightHandler`). Not exported; `string_lookup.py` and `integer_lookup.py`
give it a key type.

A vocabulary maps tokens to indices. The first indices are reserved:

```
index 0                      the mask token (only when `mask_token` is set and
                             `output_mode="int"`)
next `num_oov_indices`       out-of-vocabulary tokens (more than one: a token
                             is hashed to pick its OOV index)
then the tokens              most frequent first; equal counts in descending
                             token order (tf_keras's `np.lexsort` order)
```

`call` looks tokens up in a `tf.lookup.StaticHashTable` (or the reverse with
`invert=True`) and encodes the indices (`preprocessing_utils`). `adapt` counts
tokens in a `tf.lookup.experimental.MutableHashTable` (`update_state`), and
`finalize_state` sorts them into the vocabulary.

Where the state lives: a layer given its `vocabulary` keeps it in its config,
as tf_keras does. An adapted layer keeps the learned tokens (without the
reserved ones) in the non-trainable string or integer variable `vocabulary`,
of unknown length: `get_weights()` returns it as tf_keras's does (through its
`VocabWeightHandler`), and because it is a real variable it also goes into h5
weight files, which tf_keras refuses for adapted lookups. `finalize_state`,
which loading weights calls, rebuilds the table from it. `"tf_idf"` adds the
variables `idf_weights` and (when adapting) `num_documents`, in tf_keras's
weight order.
"""

import collections

import numpy as np
import tensorflow as tf

from kengine import backend
from kengine.layers.preprocessing import index_lookup_utils as lookup_utils
from kengine.layers.preprocessing import preprocessing_utils as utils
from kengine.layers.preprocessing.base_preprocessing_layer import PreprocessingLayer

__all__ = ["IndexLookup"]

INT, MULTI_HOT, TF_IDF = utils.INT, utils.MULTI_HOT, utils.TF_IDF
_MODE_ALIASES = {"binary": MULTI_HOT, "tf-idf": TF_IDF}


class IndexLookup(PreprocessingLayer):
    """Maps tokens of a vocabulary to integer indices (or back, with `invert`).

    Args:
        max_tokens: the most entries the vocabulary may have, reserved indices
            included; None for no limit.
        num_oov_indices: how many indices out-of-vocabulary tokens share
            (0: such tokens are an error).
        mask_token: the token that stands for padding (index 0 in `"int"`
            mode; dropped in the other modes); None for no mask.
        oov_token: the token `invert=True` returns for OOV indices.
        vocabulary_dtype: the dtype of the tokens (`tf.string`, `"int64"`).
        vocabulary: a list/array/tensor of tokens or the path of a text file
            with one token per line; None to `adapt` instead.
        idf_weights: with `output_mode="tf_idf"` and a `vocabulary`, the
            inverse document frequency of each token.
        invert: map indices to tokens instead (`output_mode="int"` only).
        output_mode: `"int"`, `"one_hot"`, `"multi_hot"`, `"count"` or
            `"tf_idf"` (see `preprocessing_utils`).
        sparse: return a `tf.SparseTensor` in the non-int modes.
        pad_to_max_tokens: make the encoded axis `max_tokens` wide however
            small the vocabulary.
        **kwargs: base layer arguments; `vocabulary_size` and
            `has_input_vocabulary` as tf_keras writes them into configs.

    Raises:
        ValueError: for inconsistent arguments (each message names them).
    """

    def __init__(
        self,
        max_tokens,
        num_oov_indices,
        mask_token,
        oov_token,
        vocabulary_dtype,
        vocabulary=None,
        idf_weights=None,
        invert=False,
        output_mode="int",
        sparse=False,
        pad_to_max_tokens=False,
        **kwargs,
    ):
        output_mode = _MODE_ALIASES.get(output_mode, output_mode)
        lookup_utils.check_arguments(
            type(self).__name__,
            max_tokens,
            num_oov_indices,
            output_mode,
            invert=invert,
            sparse=sparse,
            pad_to_max_tokens=pad_to_max_tokens,
            idf_weights=idf_weights,
        )
        self.invert = invert
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary_dtype = tf.as_dtype(vocabulary_dtype).name
        self.input_vocabulary = vocabulary
        self.input_idf_weights = idf_weights
        self._frozen_vocab_size = kwargs.pop("vocabulary_size", None)
        self._has_input_vocabulary = kwargs.pop(
            "has_input_vocabulary", vocabulary is not None
        )
        kwargs.pop("has_static_table", None)  # written by older tf_keras versions
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == INT else backend.floatx()
        super().__init__(**kwargs)
        if output_mode == INT and not tf.as_dtype(self.dtype).is_integer:
            raise ValueError(
                "When `output_mode='int'`, `dtype` should be an integer type. "
                f"Received: dtype={kwargs['dtype']}"
            )
        self._set_table_dtypes()
        self._create_state_variables()
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # ------------------------------------------------------------ set-up
    def _set_table_dtypes(self) -> None:
        """Key/value dtypes of the table, what OOV maps to, how masks map.

        The table holds strings or int64 (whatever the integer dtypes asked
        for: TensorFlow's hash tables do not take every integer pair), and
        `call` casts its result to the output dtype.
        """
        vocab_dtype = tf.as_dtype(self.vocabulary_dtype)
        token_dtype = tf.string if vocab_dtype == tf.string else tf.int64
        if self.invert:
            self._key_dtype, self._value_dtype = tf.int64, token_dtype
            self._output_dtype = vocab_dtype
            self._mask_key, self._mask_value = 0, self.mask_token
            self._default_value = self.oov_token
            return
        self._key_dtype, self._value_dtype = token_dtype, tf.int64
        self._output_dtype = (
            tf.as_dtype(self.dtype) if self.output_mode == INT else tf.int64
        )
        self._mask_key = self.mask_token
        # In the encoded modes the mask maps past the last bin, so it is dropped.
        self._mask_value = 0 if self.output_mode == INT else tf.int64.max
        # One OOV index is the table's default; with several, -1 marks an OOV
        # token for `_lookup_dense` to hash.
        self._default_value = (
            self._oov_start_index() if self.num_oov_indices == 1 else -1
        )

    def _create_state_variables(self) -> None:
        """The lookup table, the variables and count tables (tf_keras's order)."""
        with tf.init_scope():
            # One mutable table for the layer's life: a new vocabulary replaces
            # its contents, so graphs traced earlier see the new vocabulary too.
            self.lookup_table = tf.lookup.experimental.MutableHashTable(
                self._key_dtype, self._value_dtype, self._default_value
            )
            if self.output_mode == TF_IDF:
                self.idf_weights = tf.Variable(
                    tf.zeros([self._token_start_index()], self.dtype),
                    shape=tf.TensorShape([None]),
                    trainable=False,
                    name="idf_weights",
                )
            if self._has_input_vocabulary:
                return
            dtype = tf.as_dtype(self.vocabulary_dtype)
            self._vocab_weight = tf.Variable(
                tf.constant([], dtype),
                shape=tf.TensorShape([None]),
                trainable=False,
                name="vocabulary",
            )
            self.token_counts = lookup_utils.count_table(self._token_table_dtype())
            if self.output_mode == TF_IDF:
                self.token_document_counts = lookup_utils.count_table(
                    self._token_table_dtype()
                )
                self.num_documents = tf.Variable(
                    0, dtype=tf.int64, trainable=False, name="num_documents"
                )

    # -------------------------------------------------------- vocabulary
    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The vocabulary, each token at the position of its index.

        Args:
            include_special_tokens: include the mask and OOV tokens (then a
                token's position equals the index the layer maps it to).

        Returns:
            A list of tokens (str for strings, int for integers).
        """
        keys, values = self.lookup_table.export()
        tokens, indices = (values, keys) if self.invert else (keys, values)
        by_index = collections.defaultdict(
            lambda: self.oov_token,
            zip(indices.numpy().tolist(), self._tensor_vocab_to_numpy(tokens).tolist()),
        )
        vocab = [by_index[i] for i in range(self.vocabulary_size())]
        if self.mask_token is not None and self.output_mode == INT:
            vocab[0] = self.mask_token
        if not include_special_tokens:
            vocab = vocab[self._token_start_index() :]
        return vocab

    def vocabulary_size(self):
        """The vocabulary's size, reserved indices included (a tensor in graphs)."""
        size = self.lookup_table.size() + self._token_start_index()
        return int(size) if tf.executing_eagerly() else size

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Sets the vocabulary (and, for `"tf_idf"`, the IDF weights) directly.

        Args:
            vocabulary: tokens (list, tuple, array or 1D tensor), optionally
                starting with the reserved tokens in index order, or the path
                of a text file with one token per line.
            idf_weights: one weight per token, `"tf_idf"` only.

        Raises:
            ValueError: for an empty vocabulary, repeated tokens, reserved
                tokens in the wrong place, a vocabulary larger than
                `max_tokens`, or IDF weights that do not fit.
            RuntimeError: for a tensor vocabulary inside a `tf.function`.
        """
        lookup_utils.check_idf_argument(self.output_mode, idf_weights)
        if isinstance(vocabulary, str):
            self._set_vocabulary_file(vocabulary)
            return
        if not tf.executing_eagerly() and (
            tf.is_tensor(vocabulary) or tf.is_tensor(idf_weights)
        ):
            raise RuntimeError(
                f"Cannot set a tensor vocabulary on {type(self).__name__} layer "
                f"{self.name} when not executing eagerly. Create this layer or "
                "call `set_vocabulary` outside of any `tf.function`s."
            )
        if tf.is_tensor(vocabulary):
            vocabulary = self._tensor_vocab_to_numpy(vocabulary)
        vocabulary = np.asarray(vocabulary)
        if vocabulary.size == 0:
            raise ValueError(
                f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary}"
            )
        tokens, found_special = self._strip_special_tokens(vocabulary)
        self._check_tokens(vocabulary, tokens)
        self._assign_tokens(tokens)
        self._record_vocabulary_size()
        if self.output_mode == TF_IDF and idf_weights is not None:
            self._set_idf_weights(vocabulary, idf_weights, found_special)

    def _set_vocabulary_file(self, path: str) -> None:
        if not tf.io.gfile.exists(path):
            raise ValueError(f"Vocabulary file {path} does not exist.")
        if self.output_mode == TF_IDF:
            raise ValueError(
                "output_mode `'tf_idf'` does not support loading a vocabulary "
                f"from file. Received: vocabulary={path!r}"
            )
        with tf.io.gfile.GFile(path, "r") as f:
            lines = f.read().splitlines()
        if tf.as_dtype(self.vocabulary_dtype) != tf.string:
            lines = [int(line) for line in lines]
        # A file holds only the learned tokens, one per line (reserved indices
        # come first, as tf_keras's `TextFileInitializer` offset puts them).
        tokens = np.asarray(lines, dtype=object if isinstance(lines[0], str) else None)
        self._check_tokens(tokens, tokens)
        self._assign_tokens(tokens)
        self._record_vocabulary_size()

    def _strip_special_tokens(self, vocabulary):
        """The vocabulary without a leading run of the reserved tokens."""
        start = self._token_start_index()
        special = self._special_tokens()
        found = len(vocabulary) >= start and np.array_equal(special, vocabulary[:start])
        return (vocabulary[start:] if found else vocabulary), found

    def _special_tokens(self) -> list:
        masks = [self.mask_token] * self._oov_start_index()
        return masks + [self.oov_token] * self.num_oov_indices

    def _check_tokens(self, vocabulary, tokens) -> None:
        repeated = [t for t, n in collections.Counter(tokens.tolist()).items() if n > 1]
        if repeated:
            raise ValueError(
                "The passed vocabulary has at least one repeated term. Please "
                f"uniquify your dataset. The repeated terms are {repeated}. "
                f"Received: vocabulary={vocabulary.tolist()}"
            )
        reserved = [("mask_token", self.mask_token)]
        if self.invert:
            reserved.append(("oov_token", self.oov_token))
        for arg, token in reserved:
            if token is not None and token in tokens.tolist():
                raise ValueError(
                    "Found reserved token at unexpected location in `vocabulary`. "
                    "The vocabulary does not need the mask and OOV tokens; give "
                    "them only at its start, in this order: "
                    f"{self._special_tokens()}. Received: {arg}={token!r} at "
                    f"vocabulary index {vocabulary.tolist().index(token)}"
                )
        size = self._token_start_index() + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(
                "Attempted to set a vocabulary larger than the maximum vocab size. "
                f"Passed vocab size is {size}, max vocab size is {self.max_tokens}."
            )

    def _set_idf_weights(self, vocabulary, idf_weights, found_special) -> None:
        idf_weights = np.asarray(idf_weights, dtype=np.float64)
        if len(vocabulary) != len(idf_weights):
            raise ValueError(
                "`idf_weights` must be the same length as vocabulary. "
                f"len(idf_weights) is {len(idf_weights)}, len(vocabulary) is "
                f"{len(vocabulary)}"
            )
        if idf_weights.ndim != 1:
            raise ValueError(
                "TF-IDF data must be a 1-index array. "
                f"Received: idf_weights with shape {idf_weights.shape}"
            )
        # Reserved indices get the average weight unless the caller gave theirs.
        front = 0 if found_special else self._token_start_index()
        back = 0
        if self.pad_to_max_tokens:
            back = self.max_tokens - front - len(idf_weights)
        weights = np.pad(
            idf_weights,
            (front, back),
            constant_values=(0 if found_special else np.average(idf_weights), 0),
        )
        self.idf_weights.assign(weights.astype(self.dtype))

    # -------------------------------------------------------------- adapt
    def update_state(self, data) -> None:
        """Counts the tokens of one batch (and, for `"tf_idf"`, their documents).

        Raises:
            ValueError: if the layer was given a vocabulary.
        """
        if self._has_input_vocabulary:
            raise ValueError(
                f"Cannot adapt {type(self).__name__} layer after setting a static "
                "vocabulary via init argument or `set_vocabulary`."
            )
        data = utils.ensure_tensor(data, self._token_table_dtype())
        # A batch of single tokens counts as one document, as in tf_keras.
        while data.shape.rank is not None and data.shape.rank < 2:
            data = tf.expand_dims(data, 0)
        lookup_utils.add_counts(self.token_counts, lookup_utils.flat_values(data))
        if self.output_mode != TF_IDF:
            return
        if not isinstance(data, tf.RaggedTensor):
            data = tf.RaggedTensor.from_tensor(data)
        unique_rows = tf.map_fn(
            lambda row: tf.unique(row)[0],
            data,
            fn_output_signature=tf.RaggedTensorSpec([None], data.dtype, 0),
        )
        lookup_utils.add_counts(self.token_document_counts, unique_rows.flat_values)
        self.num_documents.assign_add(data.nrows(out_type=tf.int64))

    def finalize_state(self) -> None:
        """Sorts the counted tokens into the vocabulary (and IDF weights).

        Without counts (nothing adapted since the last reset, or weights just
        loaded) the table is rebuilt from the `vocabulary` weight instead.
        """
        if self._has_input_vocabulary or int(self.token_counts.size()) == 0:
            if not self._has_input_vocabulary:
                self._assign_tokens(self._vocab_weight.value())
            self._record_vocabulary_size()
            return
        for token in (self.mask_token, self.oov_token):
            if token is not None:
                self.token_counts.remove(
                    tf.constant([token], self._token_table_dtype())
                )
        tokens, counts = self.token_counts.export()
        order = sorted(
            zip(counts.numpy().tolist(), tokens.numpy().tolist(), range(len(counts))),
            reverse=True,
        )
        if self.max_tokens:
            order = order[: self.max_tokens - self._token_start_index()]
        tokens = tf.gather(tokens, [i for _, _, i in order])
        self._assign_tokens(tokens)
        if self.output_mode == TF_IDF:
            self.idf_weights.assign(self._adapted_idf_weights(tokens))
        self.reset_state()
        self._record_vocabulary_size()

    def _adapted_idf_weights(self, tokens):
        # log(1 + N / (1 + document frequency)), the usual smoothed IDF.
        df = tf.cast(self.token_document_counts.lookup(tokens), tf.float64)
        n = tf.cast(self.num_documents, tf.float64)
        idf = tf.cast(tf.math.log(1 + n / (1 + df)), self.dtype)
        idf = tf.pad(
            idf, [[self._token_start_index(), 0]], constant_values=tf.reduce_mean(idf)
        )
        if self.pad_to_max_tokens and self.max_tokens is not None:
            idf = tf.pad(idf, [[0, self.max_tokens - tf.size(idf)]])
        return idf

    def reset_state(self) -> None:
        """Forgets the token counts (the vocabulary stays until the next adapt)."""
        if self._has_input_vocabulary:
            return
        self.token_counts.remove(self.token_counts.export()[0])
        if self.output_mode == TF_IDF:
            self.token_document_counts.remove(self.token_document_counts.export()[0])
            self.num_documents.assign(0)

    # --------------------------------------------------------------- call
    def call(self, inputs):
        self._ensure_known_vocab_size()
        inputs = utils.ensure_tensor(inputs)
        original_rank = inputs.shape.rank
        if original_rank == 0:
            inputs = utils.expand_dims(inputs, -1)
        if isinstance(inputs, tf.SparseTensor):
            lookups = tf.SparseTensor(
                inputs.indices, self._lookup_dense(inputs.values), inputs.dense_shape
            )
        elif isinstance(inputs, tf.RaggedTensor):
            lookups = tf.ragged.map_flat_values(self._lookup_dense, inputs)
        else:
            lookups = self._lookup_dense(inputs)
        if self.output_mode == INT:
            return tf.squeeze(lookups, -1) if original_rank == 0 else lookups
        return utils.encode_categorical_inputs(
            lookups,
            output_mode=self.output_mode,
            depth=self._depth(),
            dtype=self.dtype,
            sparse=self.sparse,
            idf_weights=self.idf_weights if self.output_mode == TF_IDF else None,
        )

    def _lookup_dense(self, inputs):
        """Indices of a dense tensor of tokens: table, mask, OOV, output dtype."""
        return tf.cast(self._lookup_table_values(inputs), self._output_dtype)

    def _lookup_table_values(self, inputs):
        inputs = tf.cast(inputs, self._key_dtype)
        lookups = self.lookup_table.lookup(inputs)
        lookups.set_shape(inputs.shape)  # a mutable table's lookup drops it
        if self.mask_token is not None:
            mask_value = tf.constant(self._mask_value, self._value_dtype)
            is_mask = tf.equal(inputs, tf.constant(self._mask_key, self._key_dtype))
            lookups = tf.where(is_mask, mask_value, lookups)
        if self.invert:
            return lookups
        if self.num_oov_indices == 0:
            oov_inputs = tf.boolean_mask(inputs, tf.equal(lookups, -1))
            message = tf.strings.format(
                "When `num_oov_indices=0` all inputs should be in vocabulary, "
                "found OOV values {}, consider setting `num_oov_indices=1`.",
                (oov_inputs,),
            )
            check = tf.debugging.Assert(tf.equal(tf.size(oov_inputs), 0), [message])
            with tf.control_dependencies([check]):
                return tf.identity(lookups)
        if self.num_oov_indices > 1:
            if self._key_dtype.is_integer:
                oov = tf.math.floormod(inputs, self.num_oov_indices)
            else:
                oov = tf.strings.to_hash_bucket_fast(inputs, self.num_oov_indices)
            oov = tf.cast(oov, lookups.dtype) + self._oov_start_index()
            lookups = tf.where(tf.equal(lookups, -1), oov, lookups)
        return lookups

    def compute_output_shape(self, input_shape):
        if self.output_mode == INT:
            return tf.TensorShape(input_shape)
        return tf.TensorShape([tf.TensorShape(input_shape)[0], self._depth()])

    def get_config(self) -> dict:
        config = {
            "invert": self.invert,
            "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token,
            "mask_token": self.mask_token,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary_dtype": self.vocabulary_dtype,
            "idf_weights": utils.listify_tensors(self.input_idf_weights),
            "vocabulary": utils.listify_tensors(self.input_vocabulary),
            "vocabulary_size": self._frozen_vocab_size,
        }
        return {**super().get_config(), **config}

    # ------------------------------------------------------------ helpers
    def _assign_tokens(self, tokens) -> None:
        """Makes `tokens` the vocabulary: the table, and the weight if adapted."""
        if tf.is_tensor(tokens):
            tokens = tf.cast(tokens, self.vocabulary_dtype)
        else:
            tokens = tf.convert_to_tensor(tokens, self.vocabulary_dtype)
        with tf.init_scope():
            if not self._has_input_vocabulary:
                self._vocab_weight.assign(tokens)
            tokens = tf.cast(tokens, self._token_table_dtype())
            start = self._token_start_index()
            indices = tf.range(start, start + tf.size(tokens, tf.int64), dtype=tf.int64)
            keys, values = (indices, tokens) if self.invert else (tokens, indices)
            self.lookup_table.remove(self.lookup_table.export()[0])
            self.lookup_table.insert(keys, values)

    def _token_table_dtype(self):
        return self._value_dtype if self.invert else self._key_dtype

    def _tensor_vocab_to_numpy(self, vocabulary) -> np.ndarray:
        return np.asarray(vocabulary.numpy())

    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == INT else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def _depth(self):
        return self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size

    def _record_vocabulary_size(self) -> None:
        self._ensure_vocab_size_unchanged()
        with tf.init_scope():
            self._frozen_vocab_size = self.vocabulary_size()

    def _ensure_known_vocab_size(self) -> None:
        if self.output_mode == INT or self.pad_to_max_tokens:
            return
        if self._frozen_vocab_size is None:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and "
                "`pad_to_max_tokens=False`, you must set the layer's vocabulary "
                "before calling it. Either pass a `vocabulary` argument to the "
                "layer, or call `adapt` with some sample data."
            )

    def _ensure_vocab_size_unchanged(self) -> None:
        if self.output_mode == INT or self.pad_to_max_tokens:
            return
        with tf.init_scope():
            new_size = self.vocabulary_size()
        if self._frozen_vocab_size is not None and new_size != self._frozen_vocab_size:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and "
                "`pad_to_max_tokens=False`, the vocabulary size cannot be changed "
                f"after the layer is called. Old vocab size is "
                f"{self._frozen_vocab_size}, new vocab size is {new_size}"
            )
