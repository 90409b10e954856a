"""Preprocessing layers inside Functional models: train, save, reload, serve.

The issue's end-to-end bullet: each preprocessing family sits in a small
Functional model fed raw strings, integers, floats or images, is adapted,
trains for a few steps with `fit`, and goes through `model.save` +
`kengine.models.load_model` as `.h5`, `.keras` and a SavedModel directory.
The reloaded model must predict what the trained one did, each reloaded
preprocessing layer must map the raw inputs as the original does (its
adapted state travelled), and a SavedModel's `serving_default` signature
must give the same predictions on raw inputs without kengine.

Three models group the families so the file stays fast: text
(TextVectorization in every output mode), tabular (StringLookup,
IntegerLookup, Hashing, CategoryEncoding, Discretization, Normalization) and
images (Rescaling, Resizing, CenterCrop and seeded random augmentations).
Each adapted layer also runs as `tf.data.Dataset.map(layer)`.
"""

import numpy as np
import pytest
import tensorflow as tf

import kengine
from kengine import layers

TEXT = np.array(
    [
        ["The cat sat on the mat."],
        ["The dog ate my homework!"],
        ["a cat, a dog; a BIRD?"],
        ["the bird sat"],
    ],
    dtype=object,
)
COLORS = np.array([["red"], ["blue"], ["green"], ["mauve"]], dtype=object)
CODES = np.array([[3, 5], [7, 9], [3, 3], [5, 1]], dtype="int64")
AMOUNTS = np.array([[0.2], [1.0], [2.5], [3.5]], dtype="float32")
FEATURES = np.arange(12, dtype="float32").reshape(4, 3) ** 1.5
IMAGES = np.random.default_rng(0).integers(0, 256, (4, 10, 12, 3)).astype("float32")
TARGETS = np.array([[1.0], [0.0], [1.0], [0.0]], dtype="float32")
TEXT_MODES = ("int", "multi_hot", "count", "tf_idf")


def _text_model():
    text = kengine.Input(shape=(1,), dtype="string", name="text")
    features = []
    for mode in TEXT_MODES:
        length = {"output_sequence_length": 5} if mode == "int" else {}
        vectorizer = layers.TextVectorization(
            max_tokens=12, output_mode=mode, name=f"tv_{mode}", **length
        )
        vectorizer.adapt(TEXT[:, 0])
        encoded = vectorizer(text)
        if mode == "int":
            embedded = layers.Embedding(12, 3)(encoded)
            encoded = layers.GlobalAveragePooling1D()(embedded)
        features.append(encoded)
    head = layers.Dense(1, name="head")(layers.Concatenate()(features))
    return kengine.Model(text, head), {"text": TEXT}


def _tabular_model():
    color = kengine.Input(shape=(1,), dtype="string", name="color")
    code = kengine.Input(shape=(2,), dtype="int64", name="code")
    amount = kengine.Input(shape=(1,), name="amount")
    feature = kengine.Input(shape=(3,), name="feature")
    strings = layers.StringLookup(output_mode="one_hot", name="string_lookup")
    strings.adapt(np.array(["red", "blue", "red", "green"]))
    integers = layers.IntegerLookup(output_mode="multi_hot", name="integer_lookup")
    integers.adapt(np.array([3, 5, 7, 3, 11]))
    bins = layers.Discretization(num_bins=4, name="discretization")
    bins.adapt(np.array([0.1, 0.5, 0.9, 1.5, 2.0, 3.0]))
    norm = layers.Normalization(name="normalization")
    norm.adapt(FEATURES)
    hashing = layers.Hashing(num_bins=8, salt=3, name="hashing")
    features = [
        strings(color),
        integers(code),
        layers.CategoryEncoding(8, output_mode="count", name="encoding")(
            hashing(color)
        ),
        layers.CategoryEncoding(4, output_mode="one_hot")(bins(amount)),
        norm(feature),
    ]
    head = layers.Dense(1, name="head")(layers.Concatenate()(features))
    inputs = {"color": COLORS, "code": CODES, "amount": AMOUNTS, "feature": FEATURES}
    return kengine.Model([color, code, amount, feature], head), inputs


def _image_model():
    images = kengine.Input(shape=(10, 12, 3), name="images")
    x = layers.Rescaling(1 / 255.0, name="rescaling")(images)
    x = layers.Resizing(8, 8, name="resizing")(x)
    x = layers.CenterCrop(6, 6, name="center_crop")(x)
    x = layers.RandomFlip(seed=1, name="random_flip")(x)
    x = layers.RandomRotation(0.1, seed=2, name="random_rotation")(x)
    x = layers.RandomContrast(0.2, seed=3, name="random_contrast")(x)
    x = layers.Conv2D(2, 3)(x)
    head = layers.Dense(1, name="head")(layers.GlobalAveragePooling2D()(x))
    return kengine.Model(images, head), {"images": IMAGES}


# The preprocessing layers of each model whose outputs are compared, by input.
GROUPS = {
    "text": (_text_model, {f"tv_{m}": "text" for m in TEXT_MODES}),
    "tabular": (
        _tabular_model,
        {
            "string_lookup": "color",
            "integer_lookup": "code",
            "hashing": "color",
            "discretization": "amount",
            "normalization": "feature",
        },
    ),
    "images": (
        _image_model,
        {
            "rescaling": "images",
            "resizing": "images",
            "center_crop": "images",
            "random_flip": "images",
        },
    ),
}
FORMATS = {"h5": "model.h5", "keras": "model.keras", "saved_model": "saved"}


@pytest.fixture(scope="module", params=sorted(GROUPS))
def trained(request):
    """A group's model after a few training steps, its inputs and predictions."""
    build, probes = GROUPS[request.param]
    model, inputs = build()
    model.compile(kengine.optimizers.SGD(0.05), "mse")
    before = model.get_layer("head").get_weights()[0]
    model.fit(inputs, TARGETS, batch_size=2, epochs=2, shuffle=False, verbose=0)
    # Training moved the head, so equal predictions below are the trained ones.
    assert not np.allclose(model.get_layer("head").get_weights()[0], before)
    return model, inputs, probes, model.predict(inputs, verbose=0)


def _assert_same(actual, expected):
    actual, expected = np.asarray(actual), np.asarray(expected)
    if expected.dtype.kind in "OSU":
        np.testing.assert_array_equal(actual, expected)
    else:
        np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_trained_model_round_trips(tmp_path, trained, fmt):
    model, inputs, probes, predictions = trained
    path = str(tmp_path / FORMATS[fmt])
    model.save(path)
    reloaded = kengine.models.load_model(path)

    _assert_same(reloaded.predict(inputs, verbose=0), predictions)
    for name, input_name in probes.items():
        raw = tf.constant(inputs[input_name])
        original, restored = model.get_layer(name), reloaded.get_layer(name)
        # Inference mode: called directly, a random layer would augment.
        _assert_same(restored(raw, training=False), original(raw, training=False))
        if hasattr(original, "get_vocabulary"):
            assert restored.get_vocabulary() == original.get_vocabulary()
    if fmt == "saved_model":
        serve = tf.saved_model.load(path).signatures["serving_default"]
        served = serve(**{k: tf.constant(v) for k, v in inputs.items()})
        assert sorted(served) == ["head"]
        _assert_same(served["head"], predictions)


def _adapted(layer, data):
    layer.adapt(data)
    return layer


# (layer factory, raw batch) for `tf.data.Dataset.map(layer)`.
MAPPED = {
    **{
        f"text_vectorization_{mode}": (
            lambda mode=mode: _adapted(
                layers.TextVectorization(max_tokens=12, output_mode=mode), TEXT[:, 0]
            ),
            TEXT[:, 0],
        )
        for mode in TEXT_MODES
    },
    "string_lookup": (
        lambda: _adapted(layers.StringLookup(), COLORS[:3, 0]),
        COLORS,
    ),
    "integer_lookup": (
        lambda: _adapted(layers.IntegerLookup(output_mode="count"), CODES[:2]),
        CODES,
    ),
    "hashing": (lambda: layers.Hashing(num_bins=5, salt=7), COLORS),
    "category_encoding": (
        lambda: layers.CategoryEncoding(10, output_mode="multi_hot"),
        CODES,
    ),
    "discretization": (
        lambda: _adapted(layers.Discretization(num_bins=3), AMOUNTS),
        AMOUNTS,
    ),
    "normalization": (lambda: _adapted(layers.Normalization(), FEATURES), FEATURES),
    "rescaling": (lambda: layers.Rescaling(0.5, offset=-1.0), IMAGES),
    "resizing": (lambda: layers.Resizing(5, 6), IMAGES),
    "center_crop": (lambda: layers.CenterCrop(4, 4), IMAGES),
}


@pytest.mark.parametrize("name", sorted(MAPPED))
def test_dataset_map_matches_direct_call(name):
    build, data = MAPPED[name]
    layer = build()
    expected = layer(tf.constant(data)).numpy()
    mapped = tf.data.Dataset.from_tensor_slices(data).batch(2).map(layer)
    got = np.concatenate([batch.numpy() for batch in mapped])
    _assert_same(got, expected)
    assert got.shape[0] == len(data)


def test_dataset_map_runs_a_seeded_augmentation():
    def mapped_once():
        layer = layers.RandomZoom(0.3, seed=4)
        batches = tf.data.Dataset.from_tensor_slices(IMAGES).batch(2).map(layer)
        return np.concatenate([batch.numpy() for batch in batches])

    first = mapped_once()
    # Called by `map`, the layer augments (tf_keras's default `training=True`)
    # and a layer seeded alike draws the same zooms.
    assert first.shape == IMAGES.shape
    assert not np.allclose(first, IMAGES)
    np.testing.assert_array_equal(mapped_once(), first)
