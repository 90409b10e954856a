"""Tests for kengine/preprocessing/sequence.py against tf_keras goldens."""

import json
import random

import numpy as np
import pytest

import kengine.utils
from kengine.preprocessing import sequence
from tests.goldens import load_json

GOLDEN = load_json("data_utils", "sequence.json")


@pytest.mark.parametrize("case", GOLDEN["generators"], ids=lambda c: str(c["kwargs"]))
def test_timeseries_generator_matches_tf_keras(case):
    data, targets = np.array(GOLDEN["data"]), np.array(GOLDEN["targets"])
    gen = sequence.TimeseriesGenerator(data, targets, **case["kwargs"])
    assert len(gen) == case["len"]
    np.random.seed(4)  # the shuffled case draws its rows from NumPy's RNG
    batches = [[x.tolist(), y.tolist()] for x, y in (gen[i] for i in range(len(gen)))]
    assert batches == case["batches"]
    assert gen.get_config() == case["config"]


def test_timeseries_generator_is_a_sequence_fit_accepts():
    gen = sequence.TimeseriesGenerator(
        np.arange(5), np.arange(5), length=2, batch_size=2
    )
    assert isinstance(gen, kengine.utils.Sequence)
    payload = json.loads(gen.to_json())
    assert payload["class_name"] == "TimeseriesGenerator"
    assert json.loads(payload["config"]["data"]) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        (
            (np.arange(5), np.arange(4), 2),
            {},
            ValueError,
            r"len\(data\)=5, len\(targets\)=4",
        ),
        (
            (np.arange(5), np.arange(5), 3),
            {"start_index": 2},
            ValueError,
            r"start_index\+length=5 > end_index=4",
        ),
    ],
)
def test_timeseries_generator_errors(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        sequence.TimeseriesGenerator(*args, **kwargs)


def test_get_config_refuses_unserializable_data():
    gen = sequence.TimeseriesGenerator(
        [object(), object(), object()], [1, 2, 3], length=1
    )
    with pytest.raises(TypeError, match="`data` is not JSON serializable"):
        gen.get_config()


@pytest.mark.parametrize("case", GOLDEN["skipgrams"], ids=lambda c: str(c["kwargs"]))
def test_skipgrams_match_tf_keras(case):
    random.seed(123)  # negatives come from Python's global RNG, as in Keras 2
    couples, labels = sequence.skipgrams(
        GOLDEN["skipgram_sequence"], 10, **case["kwargs"]
    )
    assert couples == case["couples"]
    assert labels == case["labels"]


def test_skipgrams_positive_pairs_without_negatives():
    couples, labels = sequence.skipgrams(
        [1, 2, 0, 3], 4, window_size=1, negative_samples=0, shuffle=False
    )
    assert couples == [[1, 2], [2, 1]]  # 0 is padding: never a word or context
    assert labels == [1, 1]


@pytest.mark.parametrize("key", ["10", "6_0.001", "10_0.3"])
def test_make_sampling_table(key):
    size, _, factor = key.partition("_")
    kwargs = {"sampling_factor": float(factor)} if factor else {}
    table = sequence.make_sampling_table(int(size), **kwargs)
    np.testing.assert_allclose(table, GOLDEN["sampling_tables"][key], rtol=1e-15)


def test_pad_sequences_is_the_utils_function():
    assert sequence.pad_sequences is kengine.utils.pad_sequences
