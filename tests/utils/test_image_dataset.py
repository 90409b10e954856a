"""Tests for kengine/utils/image_dataset.py against tf_keras goldens.

The goldens hold the exact image batches, labels, class names and file paths
tf_keras yields on a small tree of PNG files (rebuilt here byte for byte):
unshuffled, seeded, split, cropped to the aspect ratio, in each colour mode.
"""

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

import kengine.preprocessing
import kengine.utils
from kengine.utils.image_dataset import image_dataset_from_directory
from tests.goldens import load_json, load_npz
from tests.utils._trees import AREA, kwargs_of, write_tree

CASES = load_json(AREA, "image_dataset.json")
ARRAYS = load_npz(AREA, "image_dataset.npz")


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return write_tree("image", tmp_path_factory.mktemp("trees"))


@pytest.mark.parametrize(
    "index", range(len(CASES)), ids=lambda i: str(CASES[i]["kwargs"])
)
def test_batches_match_tf_keras(root, index):
    case = CASES[index]
    tf.random.set_seed(1337)
    result = image_dataset_from_directory(str(root), **kwargs_of(case["kwargs"]))
    datasets = result if isinstance(result, list) else [result]
    assert len(datasets) == len(case["outputs"])
    for s, (dataset, expected) in enumerate(zip(datasets, case["outputs"])):
        assert [str(c) for c in dataset.class_names] == expected["class_names"]
        paths = [str(Path(p).relative_to(root)) for p in dataset.file_paths]
        assert paths == expected["file_paths"]
        batches = list(dataset)
        assert len(batches) == expected["num_batches"]
        for b, batch in enumerate(batches):
            parts = batch if isinstance(batch, tuple) else (batch,)
            for p, part in enumerate(parts):
                np.testing.assert_array_equal(
                    part.numpy(), ARRAYS[f"c{index}_s{s}_b{b}_p{p}"]
                )


def test_images_are_float32_with_static_shape(root):
    dataset = image_dataset_from_directory(
        str(root),
        image_size=(3, 4),
        color_mode="grayscale",
        batch_size=2,
        shuffle=False,
    )
    assert dataset.element_spec[0].shape.as_list() == [None, 3, 4, 1]
    assert dataset.element_spec[0].dtype == tf.float32
    assert dataset.element_spec[1].dtype == tf.int32


def test_smart_resize_is_the_old_name_of_crop_to_aspect_ratio(root):
    common = {"image_size": (4, 4), "shuffle": False, "batch_size": None}
    old = image_dataset_from_directory(str(root), smart_resize=True, **common)
    new = image_dataset_from_directory(str(root), crop_to_aspect_ratio=True, **common)
    for (a, _), (b, _) in zip(old, new):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_aliases():
    assert kengine.utils.image_dataset_from_directory is image_dataset_from_directory
    assert (
        kengine.preprocessing.image_dataset_from_directory
        is image_dataset_from_directory
    )


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"color_mode": "cmyk"}, ValueError, r"Received: color_mode='cmyk'"),
        ({"interpolation": "cubic"}, ValueError, r"Received: interpolation='cubic'"),
        ({"label_mode": "binary"}, ValueError, r"exactly 2 classes"),
        (
            {"class_names": ["cat", "cat", "dog", "fox"]},
            ValueError,
            r"repeated: \['cat'\]",
        ),
        ({"zoom": 2}, TypeError, r"Unknown keyword argument\(s\): \('zoom',\)"),
        ({"validation_split": 0.2}, ValueError, r"subset=None"),
    ],
)
def test_bad_arguments(root, kwargs, error, message):
    with pytest.raises(error, match=message):
        image_dataset_from_directory(str(root), **kwargs)


def test_directory_without_images(tmp_path):
    (tmp_path / "cats").mkdir()
    (tmp_path / "cats" / "notes.txt").write_text("no image here")
    with pytest.raises(
        ValueError, match=r"No images found in `directory`\. Allowed formats: "
    ):
        image_dataset_from_directory(str(tmp_path))


def test_validation_subset_without_images(root):
    with pytest.raises(ValueError, match=r"No validation images found"):
        image_dataset_from_directory(
            str(root), validation_split=0.1, subset="both", seed=1
        )
