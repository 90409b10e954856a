"""kengine.layers.preprocessing.hashed_crossing against tf_keras goldens."""

import pytest
import tensorflow as tf

from kengine.layers.preprocessing.hashed_crossing import HashedCrossing
from tests.layers.preprocessing import _replay


@pytest.mark.parametrize("case", _replay.cases("HashedCrossing"))
def test_matches_tf_keras(case):
    _replay.check_case(case)


def test_scalars_and_columns_cross_like_vectors():
    layer = HashedCrossing(num_bins=10)
    vector = layer([tf.constant(["A", "B"]), tf.constant([1, 2])]).numpy()
    column = layer([tf.constant([["A"], ["B"]]), tf.constant([[1], [2]])]).numpy()
    scalar = layer([tf.constant("B"), tf.constant(2)]).numpy()
    assert column[:, 0].tolist() == vector.tolist() and scalar == vector[1]


@pytest.mark.parametrize(
    ("inputs", "match"),
    [
        (tf.constant(["a"]), "list or tuple of inputs"),
        ([tf.constant(["a"])], "at least two inputs"),
        ([tf.constant([["a", "b"]]), tf.constant([["c", "d"]])], "shape `\\[\\]`"),
        ([tf.constant(["a"]), tf.constant(["a", "b"])], "equal shape"),
        ([tf.constant([1.0]), tf.constant([2.0])], "integer or string dtype"),
    ],
)
def test_bad_inputs_are_refused(inputs, match):
    with pytest.raises(ValueError, match=match):
        HashedCrossing(num_bins=3)(inputs)


def test_bad_arguments_are_refused_by_name():
    with pytest.raises(ValueError, match="output_mode='count'"):
        HashedCrossing(num_bins=3, output_mode="count")
    with pytest.raises(ValueError, match="dtype=float32"):
        HashedCrossing(num_bins=3, dtype="float32")
