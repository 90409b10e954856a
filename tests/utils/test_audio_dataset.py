"""Tests for kengine/utils/audio_dataset.py against tf_keras goldens.

The goldens hold the exact batches tf_keras yields on a small tree of `.wav`
files (rebuilt here byte for byte): zero-padded per batch, cut to
`output_sequence_length`, ragged, and split with a seed.
"""

import sys

import numpy as np
import pytest
import tensorflow as tf

import kengine.utils
from kengine.utils.audio_dataset import audio_dataset_from_directory
from tests.goldens import load_json, load_npz
from tests.utils._trees import AREA, write_tree

CASES = load_json(AREA, "audio_dataset.json")
ARRAYS = load_npz(AREA, "audio_dataset.npz")


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return write_tree("audio", tmp_path_factory.mktemp("trees"))


def _check_part(part, key):
    if isinstance(part, tf.RaggedTensor):
        np.testing.assert_array_equal(part.flat_values.numpy(), ARRAYS[key + "_values"])
        for level, splits in enumerate(part.nested_row_splits):
            np.testing.assert_array_equal(
                splits.numpy(), ARRAYS[f"{key}_splits{level}"]
            )
    else:
        np.testing.assert_array_equal(part.numpy(), ARRAYS[key])


@pytest.mark.parametrize(
    "index", range(len(CASES)), ids=lambda i: str(CASES[i]["kwargs"])
)
def test_batches_match_tf_keras(root, index):
    case = CASES[index]
    tf.random.set_seed(1337)
    result = audio_dataset_from_directory(str(root), **case["kwargs"])
    datasets = result if isinstance(result, tuple) else [result]
    assert len(datasets) == len(case["outputs"])
    for s, (dataset, expected) in enumerate(zip(datasets, case["outputs"])):
        assert dataset.class_names == expected["class_names"]
        batches = list(dataset)
        assert len(batches) == expected["num_batches"]
        for b, (audio, labels) in enumerate(batches):
            _check_part(audio, f"c{index}_s{s}_b{b}_p0")
            _check_part(labels, f"c{index}_s{s}_b{b}_p1")


def test_without_labels_clips_are_still_padded(root):
    dataset = audio_dataset_from_directory(
        str(root), labels=None, batch_size=4, shuffle=False
    )
    (batch,) = list(dataset)
    assert batch.shape == (4, 8, 1)  # the longest clip has 8 samples
    assert batch[2, 3:].numpy().tolist() == [[0.0]] * 5  # a 3-sample clip, padded


def test_exported_from_utils():
    assert kengine.utils.audio_dataset_from_directory is audio_dataset_from_directory


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"ragged": True, "output_sequence_length": 4},
            r"ragged=True, output_sequence_length=4",
        ),
        ({"sampling_rate": 0}, r"Received: sampling_rate=0"),
        ({"sampling_rate": 16000.0}, r"Received: sampling_rate=16000.0"),
    ],
)
def test_bad_arguments(root, kwargs, message):
    with pytest.raises(ValueError, match=message):
        audio_dataset_from_directory(str(root), **kwargs)


def test_resampling_without_tensorflow_io_names_the_package(root, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow_io", None)
    with pytest.raises(ImportError, match="tensorflow_io"):
        audio_dataset_from_directory(str(root), sampling_rate=8000)


def test_directory_without_wav_files(tmp_path):
    (tmp_path / "a").mkdir()
    with pytest.raises(ValueError, match=r"No audio files found in `directory`"):
        audio_dataset_from_directory(str(tmp_path))
