"""Tests for kengine/utils/text_dataset.py against tf_keras goldens.

The goldens hold the exact batches, labels and class names tf_keras yields on
a small tree of text files (rebuilt here byte for byte), unshuffled and with
seeds.
"""

import numpy as np
import pytest
import tensorflow as tf

import kengine.preprocessing
import kengine.utils
from kengine.utils.text_dataset import text_dataset_from_directory
from tests.goldens import load_json
from tests.utils._trees import AREA, write_tree

CASES = load_json(AREA, "text_dataset.json")


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return write_tree("text", tmp_path_factory.mktemp("trees"))


def _as_lists(part):
    part = part.numpy()
    if isinstance(part, bytes):
        return [part.decode()]
    if part.dtype == object:
        return [t.decode() for t in np.ravel(part)]
    return part.tolist()


@pytest.mark.parametrize("case", CASES, ids=lambda c: str(c["kwargs"]))
def test_batches_match_tf_keras(root, case):
    tf.random.set_seed(1337)
    result = text_dataset_from_directory(str(root), **case["kwargs"])
    datasets = result if isinstance(result, list) else [result]
    assert len(datasets) == len(case["outputs"])
    for dataset, expected in zip(datasets, case["outputs"]):
        # Explicit integer labels give integer class names (JSON has strings).
        assert [str(c) for c in dataset.class_names] == expected["class_names"]
        batches = [
            [_as_lists(p) for p in (b if isinstance(b, tuple) else (b,))]
            for b in dataset
        ]
        assert batches == expected["batches"]


def test_shuffled_order_is_reproducible_and_differs_from_sorted(root):
    first = [
        t.numpy().tolist() for t, _ in text_dataset_from_directory(str(root), seed=1)
    ]
    again = [
        t.numpy().tolist() for t, _ in text_dataset_from_directory(str(root), seed=1)
    ]
    unshuffled = text_dataset_from_directory(str(root), shuffle=False)
    assert first == again
    assert first != [t.numpy().tolist() for t, _ in unshuffled]


def test_alias_in_the_old_namespace():
    assert (
        kengine.preprocessing.text_dataset_from_directory is text_dataset_from_directory
    )
    assert kengine.utils.text_dataset_from_directory is text_dataset_from_directory


def test_works_inside_a_model_input_pipeline(root):
    dataset = text_dataset_from_directory(str(root), batch_size=4, shuffle=False)
    lengths = dataset.map(lambda text, label: (tf.strings.length(text), label))
    first_lengths, first_labels = next(iter(lengths))
    assert first_lengths.numpy().tolist() == [22, 13, 23, 10]
    assert first_labels.numpy().tolist() == [0, 0, 0, 1]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"labels": "folders"}, r"`labels` must be .*Received: labels='folders'"),
        (
            {"labels": [0] * 8, "class_names": ["neg"]},
            r"`class_names` can only be passed with `labels=\"inferred\"`",
        ),
        ({"label_mode": "sparse"}, r"Received: label_mode='sparse'"),
        ({"validation_split": 0.2}, r"Received: validation_split=0.2, subset=None"),
        ({"subset": "training"}, r"Received: validation_split=None, subset='training'"),
        (
            {"validation_split": 0.2, "subset": "train", "seed": 1},
            r"Received: subset='train'",
        ),
        ({"validation_split": 1.5, "subset": "training"}, r"validation_split=1.5"),
        ({"validation_split": 0.2, "subset": "training"}, r"needs a `seed`"),
        (
            {"class_names": ["neg", "pos", "neg"]},
            r"repeated: \['neg'\]. Received: class_names=\['neg', 'pos', 'neg'\]",
        ),
        (
            {"class_names": ["neg", "other"]},
            r"Received: class_names=\['neg', 'other'\]",
        ),
        ({"labels": [0, 1]}, r"Received: len\(labels\)=2"),
    ],
)
def test_bad_arguments_name_the_argument_and_value(root, kwargs, message):
    with pytest.raises(ValueError, match=message):
        text_dataset_from_directory(str(root), **kwargs)


def test_binary_needs_two_classes(tmp_path):
    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "x.txt").write_text(name)
    with pytest.raises(ValueError, match=r"exactly 2 classes. Received: class_names"):
        text_dataset_from_directory(str(tmp_path), label_mode="binary")


def test_directory_without_text_files(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.md").write_text("not text")
    with pytest.raises(
        ValueError, match=r"No text files found in `directory`.*Received: directory="
    ):
        text_dataset_from_directory(str(tmp_path))


def test_missing_directory(tmp_path):
    with pytest.raises(ValueError, match=r"existing directory. Received: directory="):
        text_dataset_from_directory(str(tmp_path / "nope"))
