"""kengine.layers.preprocessing.discretization against tf_keras goldens."""

import numpy as np
import pytest
import tensorflow as tf

import kengine
from kengine.layers.preprocessing.discretization import (
    Discretization,
    get_bin_boundaries,
    merge_summaries,
    summarize,
)
from tests.layers.preprocessing import _replay


@pytest.mark.parametrize("case", _replay.cases("Discretization"))
def test_matches_tf_keras(case):
    _replay.check_case(case)


def test_adapted_boundaries_follow_loaded_weights(tmp_path):
    def model():
        inputs = kengine.Input(shape=(1,))
        layer = Discretization(num_bins=3)
        return kengine.Model(inputs, layer(inputs)), layer

    original, layer = model()
    layer.adapt(np.arange(30.0))
    assert layer.is_adapted and len(layer.bin_boundaries) == 2
    original.save_weights(str(tmp_path / "bins.h5"))
    restored, fresh = model()
    assert fresh.bin_boundaries == []
    restored.load_weights(str(tmp_path / "bins.h5"))
    assert fresh.bin_boundaries == layer.bin_boundaries
    data = np.array([[0.0], [15.0], [29.0]])
    np.testing.assert_array_equal(restored.predict(data, verbose=0), [[0], [1], [2]])


def test_quantile_summary_helpers():
    summary = summarize(tf.range(10.0), epsilon=0.25)  # every second sorted value
    np.testing.assert_array_equal(summary.numpy(), [[2.0, 4.0, 6.0, 8.0], [2.0] * 4])
    merged = merge_summaries(summary, summarize(tf.range(10.0, 20.0), 0.25), 0.25)
    np.testing.assert_array_equal(merged.numpy(), [[4.0, 8.0, 14.0, 18.0], [4.0] * 4])
    np.testing.assert_allclose(
        get_bin_boundaries(merged, 2).numpy(), [8.0]
    )  # tf_keras: 8


def test_ragged_and_sparse_inputs_are_bucketized_in_place():
    layer = Discretization(bin_boundaries=[0.0, 1.0])
    ragged = layer(tf.ragged.constant([[-1.0, 0.5], [2.0]]))
    assert ragged.to_list() == [[0, 1], [2]]
    sparse = layer(tf.SparseTensor([[0, 2]], [1.5], [1, 3]))
    assert sparse.values.numpy().tolist() == [2]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"num_bins": 2, "bin_boundaries": [0.0]},
            "`num_bins=2` and `bin_boundaries=\\[0.0\\]`",
        ),
        ({"num_bins": -1}, "num_bins=-1"),
        ({"num_bins": 2, "sparse": True}, "sparse=True"),
        ({"num_bins": 2, "output_mode": "tf_idf"}, "output_mode='tf_idf'"),
    ],
)
def test_bad_arguments_are_refused_by_name(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Discretization(**kwargs)


def test_given_boundaries_cannot_be_adapted_and_old_bins_argument():
    with pytest.raises(ValueError, match="bin_boundaries=\\[1.0\\]"):
        Discretization(bin_boundaries=[1.0]).adapt([1.0, 2.0])
    assert Discretization(bins=3).num_bins == 3
    assert Discretization(bins=[0.5]).bin_boundaries == [0.5]
