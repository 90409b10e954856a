"""Tests for kengine/preprocessing/image_iterators.py against tf_keras goldens:
`flow` batches (seeded, wrapping around epochs, split into subsets) and
`flow_from_directory` batches over the golden image tree."""

import numpy as np
import pytest

import kengine
from kengine.preprocessing import image
from kengine.preprocessing.image_iterators import DirectoryIterator, NumpyArrayIterator
from kengine.utils.data_utils import Sequence
from tests.goldens import load_json, load_npz
from tests.utils._trees import write_tree

META = load_json("data_utils", "image_generator.json")
ARRAYS = load_npz("data_utils", "image_generator.npz")
X_BATCH = ARRAYS["x_batch"]


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return write_tree("image", tmp_path_factory.mktemp("trees"))


def _generator(**kwargs):
    return image.ImageDataGenerator(**kwargs, **META["generator_kwargs"])


def test_flow_next_matches_tf_keras_across_epochs():
    y = np.arange(len(X_BATCH))
    it = _generator(rescale=0.5).flow(
        X_BATCH, y, batch_size=4, seed=11, shuffle=True, sample_weight=y * 0.5
    )
    assert isinstance(it, NumpyArrayIterator) and isinstance(it, Sequence)
    for b in range(3):
        bx, by, bw = next(it)
        np.testing.assert_array_equal(bx, ARRAYS[f"flow_next_{b}_x"])
        np.testing.assert_array_equal(by, ARRAYS[f"flow_next_{b}_y"])
        np.testing.assert_array_equal(bw, ARRAYS[f"flow_next_{b}_w"])


def test_flow_indexing_matches_tf_keras():
    y = np.arange(len(X_BATCH))
    it = _generator(rescale=0.5).flow(X_BATCH, y, batch_size=4, seed=3, shuffle=False)
    assert len(it) == 2
    for b in range(len(it)):
        bx, by = it[b]
        np.testing.assert_array_equal(bx, ARRAYS[f"flow_item_{b}_x"])
        np.testing.assert_array_equal(by, ARRAYS[f"flow_item_{b}_y"])
    with pytest.raises(ValueError, match="Asked to retrieve element 2"):
        it[2]


@pytest.mark.parametrize("subset", ["training", "validation"])
def test_flow_subsets_match_tf_keras(subset):
    y = np.arange(len(X_BATCH)) % 2
    gen = image.ImageDataGenerator(validation_split=0.5)
    sx, sy = gen.flow(X_BATCH, y, shuffle=False, subset=subset).next()
    np.testing.assert_array_equal(sx, ARRAYS[f"flow_{subset}_x"])
    np.testing.assert_array_equal(sy, ARRAYS[f"flow_{subset}_y"])


def test_flow_with_extra_inputs_and_without_labels():
    gen = image.ImageDataGenerator()
    extra = np.arange(6) * 10
    (bx, bextra), by = gen.flow(
        (X_BATCH, extra), np.arange(6), batch_size=4, shuffle=False
    )[1]
    np.testing.assert_array_equal(bx, X_BATCH[4:])
    assert bextra.tolist() == [40, 50] and by.tolist() == [4, 5]
    only_x = gen.flow(X_BATCH, batch_size=6, shuffle=False)[0]
    np.testing.assert_array_equal(only_x, X_BATCH)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"x": X_BATCH, "y": np.arange(5)},
            r"`x` \(images\) and `y` should have the same length",
        ),
        ({"x": X_BATCH[0]}, r"rank 4. Received: shape=\(6, 5, 3\)"),
        (
            {"x": X_BATCH, "y": np.zeros(6), "subset": "test"},
            r"Received: subset='test'",
        ),
        (
            {"x": X_BATCH, "y": np.arange(6), "subset": "training"},
            "different number of classes",
        ),
    ],
)
def test_flow_errors(kwargs, message):
    gen = image.ImageDataGenerator(validation_split=0.5)
    with pytest.raises(ValueError, match=message):
        gen.flow(**kwargs)


@pytest.mark.parametrize("index", range(len(META["directory"])), ids=lambda i: str(i))
def test_flow_from_directory_matches_tf_keras(root, index):
    case = META["directory"][index]
    kwargs = dict(case["kwargs"])
    kwargs["target_size"] = tuple(kwargs["target_size"])
    gen = _generator(rescale=1 / 255.0, validation_split=0.5)
    it = gen.flow_from_directory(str(root), **kwargs)
    assert isinstance(it, DirectoryIterator)
    assert len(it) == case["len"]
    assert it.filenames == case["filenames"]
    assert it.classes.tolist() == case["classes"]
    assert it.class_indices == case["class_indices"]
    for b in range(len(it)):
        batch = it[b]
        parts = batch if isinstance(batch, tuple) else (batch,)
        for p, part in enumerate(parts):
            np.testing.assert_array_equal(part, ARRAYS[f"dir_{index}_{b}_{p}"])


def test_flow_from_directory_input_mode_and_saving(root, tmp_path):
    gen = image.ImageDataGenerator()
    it = gen.flow_from_directory(
        str(root),
        target_size=(2, 2),
        class_mode="input",
        batch_size=2,
        shuffle=False,
        save_to_dir=str(tmp_path),
        save_prefix="aug",
    )
    x, y = it[0]
    np.testing.assert_array_equal(x, y)
    assert sorted(p.name.split("_")[1] for p in tmp_path.iterdir()) == ["0", "1"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"classes": ["cat", "dog", "cat"]}, r"repeated: \['cat'\]"),
        ({"class_mode": "multi_output"}, r"Received: class_mode='multi_output'"),
        ({"color_mode": "hsv"}, r"Received: color_mode='hsv'"),
        ({"subset": "test"}, r"Received: subset='test'"),
    ],
)
def test_flow_from_directory_errors(root, kwargs, message):
    with pytest.raises(ValueError, match=message):
        image.ImageDataGenerator().flow_from_directory(str(root), **kwargs)


def test_fit_consumes_flow_with_worker_threads():
    model = kengine.Sequential(
        [kengine.layers.Flatten(input_shape=(6, 5, 3)), kengine.layers.Dense(2)]
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    flow = image.ImageDataGenerator(horizontal_flip=True).flow(
        X_BATCH, np.arange(6) % 2, batch_size=2, seed=1
    )
    history = model.fit(flow, epochs=2, workers=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.optimizer.iterations.numpy() == 6  # 3 batches per epoch
