"""kengine.layers.preprocessing.hashing against tf_keras goldens."""

import numpy as np
import pytest
import tensorflow as tf

from kengine.layers.preprocessing.hashing import Hashing
from tests.layers.preprocessing import _replay


@pytest.mark.parametrize("case", _replay.cases("Hashing"))
def test_matches_tf_keras(case):
    _replay.check_case(case)


def test_integers_hash_as_their_decimal_strings():
    ints = Hashing(num_bins=9)(tf.constant([[12, 7]])).numpy()
    strings = Hashing(num_bins=9)(tf.constant([["12", "7"]])).numpy()
    np.testing.assert_array_equal(ints, strings)


def test_ragged_and_sparse_inputs_keep_their_structure():
    layer = Hashing(num_bins=5, salt=3)
    ragged = layer(tf.ragged.constant([["a", "b"], ["c"]]))
    dense = layer(tf.constant([["a", "b", "c"]]))
    assert ragged.flat_values.numpy().tolist() == dense.numpy()[0].tolist()
    sparse = layer(tf.SparseTensor([[0, 1]], ["b"], [1, 3]))
    assert sparse.values.numpy().tolist() == [dense.numpy()[0][1]]


def test_config_round_trip():
    layer = Hashing(num_bins=4, salt=7, mask_value="", output_mode="count")
    clone = Hashing.from_config(layer.get_config())
    assert clone.salt == [7, 7] and clone.get_config() == {
        **layer.get_config(),
        "name": clone.name,
    }


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"num_bins": 0}, "num_bins=0"),
        ({"num_bins": 3, "salt": "pepper"}, "salt=pepper"),
        ({"num_bins": 3, "output_mode": "tf_idf"}, "output_mode='tf_idf'"),
        ({"num_bins": 3, "sparse": True}, "sparse=True"),
    ],
)
def test_bad_arguments_are_refused_by_name(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Hashing(**kwargs)
