"""kengine.layers.preprocessing.string_lookup against tf_keras goldens."""

import numpy as np
import pytest
import tensorflow as tf

from kengine.layers.preprocessing.string_lookup import StringLookup
from tests.layers.preprocessing import _replay


@pytest.mark.parametrize("case", _replay.cases("StringLookup"))
def test_matches_tf_keras(case):
    _replay.check_case(case)


def test_vocabulary_is_decoded_with_the_encoding():
    layer = StringLookup(vocabulary=np.array(["é", "ü"]))
    assert layer.get_vocabulary() == ["[UNK]", "é", "ü"]
    assert layer(tf.constant(["ü", "é", "x"])).numpy().tolist() == [2, 1, 0]


def test_config_drops_the_string_dtype_and_round_trips():
    layer = StringLookup(vocabulary=["a", "b"], mask_token="", dtype="string")
    config = layer.get_config()
    assert "vocabulary_dtype" not in config and config["encoding"] == "utf-8"
    assert config["dtype"] == "int64"
    clone = StringLookup.from_config(config)
    inputs = tf.constant([["b", "", "a", "q"]])
    np.testing.assert_array_equal(clone(inputs).numpy(), layer(inputs).numpy())
    np.testing.assert_array_equal(layer(inputs).numpy(), [[3, 0, 2, 1]])
