"""Tests for kengine/utils/dataset_utils.py: indexing, splitting, labelling.

The end-to-end numbers come from tf_keras goldens in test_text_dataset.py and
test_image_dataset.py; these tests pin the pieces on trees written here.
"""

import os

import numpy as np
import pytest
import tensorflow as tf

from kengine.utils import dataset_utils


@pytest.fixture
def tree(tmp_path):
    """b/1.txt, b/2.txt, a/x.txt, a/sub/y.txt, a/skip.md, .git/z.txt, top.txt."""
    for name in [
        "b/1.txt",
        "b/2.txt",
        "a/x.txt",
        "a/sub/y.txt",
        "a/skip.md",
        ".git/z.txt",
        "top.txt",
    ]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name)
    return tmp_path


def _relative(paths, root):
    return [os.path.relpath(p, root) for p in paths]


def test_index_directory_sorted_classes_and_files(tree, capsys):
    paths, labels, class_names = dataset_utils.index_directory(
        str(tree), "inferred", (".txt",), shuffle=False
    )
    assert class_names == ["a", "b"]  # hidden folders are not classes
    assert _relative(paths, tree) == ["a/x.txt", "a/sub/y.txt", "b/1.txt", "b/2.txt"]
    assert labels.dtype == np.int32 and labels.tolist() == [0, 0, 1, 1]
    assert capsys.readouterr().out == "Found 4 files belonging to 2 classes.\n"


def test_index_directory_explicit_class_order_and_labels(tree):
    _, labels, names = dataset_utils.index_directory(
        str(tree), "inferred", (".txt",), class_names=["b", "a"], shuffle=False
    )
    assert names == ["b", "a"] and labels.tolist() == [1, 1, 0, 0]
    # Explicit labels: the whole tree is one folder, hidden files included.
    paths, labels, names = dataset_utils.index_directory(
        str(tree), [3, 1, 3, 1, 1, 2], (".txt",), shuffle=False
    )
    assert _relative(paths, tree) == [
        "top.txt",
        ".git/z.txt",
        "a/x.txt",
        "a/sub/y.txt",
        "b/1.txt",
        "b/2.txt",
    ]
    assert labels == [3, 1, 3, 1, 1, 2] and names == [1, 2, 3]


def test_index_directory_shuffles_paths_and_labels_together(tree):
    paths, labels, _ = dataset_utils.index_directory(
        str(tree), "inferred", (".txt",), shuffle=True, seed=4
    )
    order = np.random.RandomState(4).permutation(4)
    sorted_paths = ["a/x.txt", "a/sub/y.txt", "b/1.txt", "b/2.txt"]
    assert _relative(paths, tree) == [sorted_paths[i] for i in order]
    assert labels.tolist() == [[0, 0, 1, 1][i] for i in order]


def test_follow_links(tree):
    os.symlink(tree / "b", tree / "a" / "linked")
    without, _, _ = dataset_utils.index_directory(
        str(tree), "inferred", (".txt",), shuffle=False
    )
    with_links, _, _ = dataset_utils.index_directory(
        str(tree), "inferred", (".txt",), shuffle=False, follow_links=True
    )
    assert len(without) == 4
    assert sorted(_relative(with_links, tree))[:2] == [
        "a/linked/1.txt",
        "a/linked/2.txt",
    ]


@pytest.mark.parametrize(
    "labels, class_names, message",
    [
        ("inferred", ["a"], r"Received: class_names=\['a'\]"),
        ([0, 1], None, r"found 6 files .*Received: len\(labels\)=2"),
    ],
)
def test_index_directory_errors(tree, labels, class_names, message):
    with pytest.raises(ValueError, match=message):
        dataset_utils.index_directory(str(tree), labels, (".txt",), class_names)


def test_check_label_arguments_resolves_no_labels():
    assert dataset_utils.check_label_arguments(None, "int", None) == (None, None)
    assert dataset_utils.check_label_arguments("inferred", None, None) == (None, None)
    assert dataset_utils.check_label_arguments([1], "binary", None) == ([1], "binary")
    with pytest.raises(ValueError, match=r"Received: labels=array"):
        dataset_utils.check_label_arguments(np.array([1]), "int", None)


@pytest.mark.parametrize(
    "subset, expected_samples, expected_labels",
    [
        ("training", [0, 1, 2, 3, 4, 5, 6], [10, 11, 12, 13, 14, 15, 16]),
        ("validation", [7, 8, 9], [17, 18, 19]),
    ],
)
def test_split_takes_validation_from_the_end(subset, expected_samples, expected_labels):
    samples, labels = list(range(10)), np.arange(10, 20)
    got_samples, got_labels = dataset_utils.get_training_or_validation_split(
        samples, labels, 0.3, subset
    )
    assert got_samples == expected_samples and got_labels.tolist() == expected_labels
    assert dataset_utils.get_training_or_validation_split(
        samples, None, None, None
    ) == (
        samples,
        None,
    )


def test_split_subsets_both_and_empty():
    found = dataset_utils.split_subsets(
        list("abcd"), None, 0.5, "both", "d", "files", (".x",)
    )
    assert found == [("training", ["a", "b"], None), ("validation", ["c", "d"], None)]
    with pytest.raises(
        ValueError,
        match=r"No validation files found in `directory`. Allowed formats: \('.x',\). Received: directory='d'",
    ):
        dataset_utils.split_subsets(
            list("ab"), None, 0.4, "both", "d", "files", (".x",)
        )


@pytest.mark.parametrize(
    "label_mode, expected",
    [
        ("int", [2, 0]),
        ("binary", [[2.0], [0.0]]),
        ("categorical", [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]),
    ],
)
def test_labels_to_dataset(label_mode, expected):
    dataset = dataset_utils.labels_to_dataset(np.array([2, 0], "int32"), label_mode, 3)
    assert [y.numpy().tolist() for y in dataset] == expected


def test_shuffle_and_batch_is_tf_data_shuffle_with_the_seed():
    tf.random.set_seed(1337)
    ours = dataset_utils.shuffle_and_batch(tf.data.Dataset.range(10), 2, True, seed=5)
    tf.random.set_seed(1337)
    direct = tf.data.Dataset.range(10).shuffle(16, seed=5).batch(2)
    assert [b.numpy().tolist() for b in ours] == [b.numpy().tolist() for b in direct]
    unbatched = dataset_utils.shuffle_and_batch(
        tf.data.Dataset.range(3), None, False, 1
    )
    assert [int(x) for x in unbatched] == [0, 1, 2]


@pytest.mark.parametrize("labels", [np.array([0, 1, 0]), "folders", 3])
def test_labels_must_be_inferred_none_or_a_list(labels):
    with pytest.raises(
        ValueError, match=r"`labels` must be \"inferred\", None, or a list"
    ):
        dataset_utils.check_label_arguments(labels, "int", None)
