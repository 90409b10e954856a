"""kengine.layers.preprocessing.index_lookup_utils: checks and token counting."""

import pytest
import tensorflow as tf

from kengine.layers.preprocessing import index_lookup_utils as lookup_utils


def test_counts_accumulate_across_batches_of_any_structure():
    table = lookup_utils.count_table(tf.string)
    for batch in (
        tf.constant([["a", "b"], ["a", "a"]]),
        tf.ragged.constant([["b"], ["c", "a"]]),
        tf.SparseTensor([[0, 0], [1, 1]], ["c", "c"], [2, 2]),
    ):
        lookup_utils.add_counts(table, lookup_utils.flat_values(batch))
    keys, counts = table.export()
    found = dict(zip(keys.numpy().tolist(), counts.numpy().tolist()))
    assert found == {b"a": 4, b"b": 2, b"c": 3}


def _check(**overrides):
    flags = {
        "invert": False,
        "sparse": False,
        "pad_to_max_tokens": False,
        "idf_weights": None,
    }
    arguments = {"max_tokens": None, "num_oov_indices": 1, "output_mode": "int"}
    for key, value in overrides.items():
        (flags if key in flags else arguments)[key] = value
    lookup_utils.check_arguments("Lookup", **arguments, **flags)


def test_consistent_arguments_pass():
    _check()
    _check(
        output_mode="tf_idf", idf_weights=[1.0], max_tokens=3, pad_to_max_tokens=True
    )
    lookup_utils.check_idf_argument("tf_idf", [1.0])
    lookup_utils.check_idf_argument("count", None)


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"max_tokens": 0}, "max_tokens=0"),
        ({"pad_to_max_tokens": True}, "pad_to_max_tokens"),
        ({"num_oov_indices": -2}, "num_oov_indices=-2"),
        ({"output_mode": "bag"}, "argument of layer Lookup.*output_mode='bag'"),
        ({"invert": True, "output_mode": "one_hot"}, "output_mode=one_hot"),
        ({"sparse": True}, "sparse=True"),
        ({"idf_weights": [0.5]}, r"idf_weights=\[0.5\]"),
    ],
)
def test_inconsistent_arguments_name_what_was_received(overrides, match):
    with pytest.raises(ValueError, match=match):
        _check(**overrides)


def test_idf_weights_belong_to_tf_idf():
    with pytest.raises(ValueError, match="idf_weights=None"):
        lookup_utils.check_idf_argument("tf_idf", None)
    with pytest.raises(ValueError, match="output_mode=count"):
        lookup_utils.check_idf_argument("count", [1.0])
