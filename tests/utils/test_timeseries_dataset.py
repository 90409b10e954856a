"""Tests for kengine/utils/timeseries_dataset.py against tf_keras goldens."""

import numpy as np
import pytest
import tensorflow as tf

import kengine.preprocessing
import kengine.utils
from kengine.utils.timeseries_dataset import timeseries_dataset_from_array
from tests.goldens import load_json, load_npz
from tests.utils._trees import AREA

CASES = load_json(AREA, "timeseries.json")
ARRAYS = load_npz(AREA, "timeseries.npz")


@pytest.mark.parametrize(
    "index", range(len(CASES)), ids=lambda i: str(CASES[i]["kwargs"])
)
def test_windows_match_tf_keras(index):
    case = dict(CASES[index]["kwargs"])
    targets = None if case.pop("no_targets", False) else ARRAYS["targets"]
    tf.random.set_seed(1337)
    dataset = timeseries_dataset_from_array(ARRAYS["data"], targets, **case)
    batches = list(dataset)
    assert len(batches) == CASES[index]["num_batches"]
    for b, batch in enumerate(batches):
        parts = batch if isinstance(batch, tuple) else (batch,)
        for p, part in enumerate(parts):
            np.testing.assert_array_equal(part.numpy(), ARRAYS[f"c{index}_b{b}_p{p}"])


def test_predicting_the_next_step():
    data = np.arange(10)
    dataset = timeseries_dataset_from_array(
        data[:-3], data[3:], sequence_length=3, batch_size=None
    )
    pairs = [(x.numpy().tolist(), int(y)) for x, y in dataset]
    assert pairs[0] == ([0, 1, 2], 3) and pairs[-1] == ([4, 5, 6], 7)
    assert len(pairs) == 5


def test_aliases():
    assert kengine.utils.timeseries_dataset_from_array is timeseries_dataset_from_array
    assert (
        kengine.preprocessing.timeseries_dataset_from_array
        is timeseries_dataset_from_array
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"start_index": -1},
            r"`start_index` must be 0 or greater. Received: start_index=-1",
        ),
        ({"start_index": 10}, r"Received: start_index=10"),
        ({"start_index": 5, "end_index": 4}, r"start_index=5, end_index=4"),
        ({"end_index": 12}, r"Received: end_index=12"),
        ({"sampling_rate": 0}, r"Received: sampling_rate=0"),
        ({"sampling_rate": 10}, r"Received: sampling_rate=10"),
        ({"sequence_stride": -2}, r"Received: sequence_stride=-2"),
    ],
)
def test_bad_indices_and_strides(kwargs, message):
    with pytest.raises(ValueError, match=message):
        timeseries_dataset_from_array(np.arange(10), None, 3, **kwargs)
