"""Argument checks and token counting for `IndexLookup` (see `index_lookup.py`).

Mirrors the checks at the top of Keras 2's `IndexLookup.__init__` and
`set_vocabulary`, and the counting half of its `update_state`
(`layers/preprocessing/index_lookup.py`): tokens are counted in a
`tf.lookup.experimental.MutableHashTable` from token to count, so `adapt`
can run inside a `tf.function` over any number of batches.
"""

import tensorflow as tf

from kengine.layers.preprocessing import preprocessing_utils as utils

__all__ = [
    "check_arguments",
    "check_idf_argument",
    "count_table",
    "flat_values",
    "add_counts",
]

INT, TF_IDF = utils.INT, utils.TF_IDF
_OUTPUT_MODES = (utils.INT, utils.ONE_HOT, utils.MULTI_HOT, utils.COUNT, utils.TF_IDF)


def check_arguments(name, max_tokens, num_oov_indices, output_mode, **flags):
    """Raises the ValueError tf_keras raises for an inconsistent combination."""
    if max_tokens is not None and max_tokens <= 1:
        raise ValueError(
            "If set, `max_tokens` must be greater than 1. "
            f"Received: max_tokens={max_tokens}"
        )
    if flags["pad_to_max_tokens"] and max_tokens is None:
        raise ValueError(
            "If pad_to_max_tokens is True, must set `max_tokens`. "
            f"Received: max_tokens={max_tokens}"
        )
    if num_oov_indices < 0:
        raise ValueError(
            "`num_oov_indices` must be greater than or equal to 0. "
            f"Received: num_oov_indices={num_oov_indices}"
        )
    utils.validate_string_arg(output_mode, _OUTPUT_MODES, name, "output_mode")
    if flags["invert"] and output_mode != INT:
        raise ValueError(
            "`output_mode` must be `'int'` when `invert` is true. "
            f"Received: output_mode={output_mode}"
        )
    if flags["sparse"] and output_mode == INT:
        raise ValueError(
            "`sparse` may only be true if `output_mode` is `'one_hot'`, "
            "`'multi_hot'`, `'count'` or `'tf_idf'`. "
            f"Received: sparse={flags['sparse']} and output_mode={output_mode}"
        )
    if flags["idf_weights"] is not None and output_mode != TF_IDF:
        raise ValueError(
            "`idf_weights` should only be set if `output_mode` is `'tf_idf'`. "
            f"Received: idf_weights={flags['idf_weights']} and "
            f"output_mode={output_mode}"
        )


def check_idf_argument(output_mode: str, idf_weights) -> None:
    if output_mode == TF_IDF and idf_weights is None:
        raise ValueError(
            "`idf_weights` must be set if output_mode is TF_IDF. "
            "Received: idf_weights=None"
        )
    if output_mode != TF_IDF and idf_weights is not None:
        raise ValueError(
            "`idf_weights` should only be set if output_mode is `'tf_idf'`. "
            f"Received: output_mode={output_mode} and idf_weights={idf_weights}"
        )


def count_table(key_dtype):
    return tf.lookup.experimental.MutableHashTable(
        key_dtype=key_dtype, value_dtype=tf.int64, default_value=0
    )


def flat_values(data):
    if isinstance(data, tf.SparseTensor):
        return data.values
    if isinstance(data, tf.RaggedTensor):
        return data.flat_values
    return tf.reshape(data, [-1])


def add_counts(table, values) -> None:
    """Adds the occurrences of each distinct value to its count in `table`."""
    tokens, _, counts = tf.unique_with_counts(values, out_idx=tf.int64)
    table.insert(tokens, counts + table.lookup(tokens))
