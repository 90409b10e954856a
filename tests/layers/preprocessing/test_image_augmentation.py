"""kengine.layers.preprocessing.image_augmentation against tf_keras goldens.

The seeded layers reproduce tf_keras's draws exactly, so a Functional model with
augmentation trains to tf_keras's losses; at inference they are the identity.
"""

import numpy as np
import pytest
import tensorflow as tf

import kengine
from kengine import layers
from kengine.layers.preprocessing.image_augmentation import (
    RandomBrightness,
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomHeight,
    RandomWidth,
)
from tests.goldens import load_json, load_npz
from tests.layers.preprocessing import _images

MODELS = load_json("preprocessing", "models.json")
MODEL_DATA = load_npz("preprocessing", "models.npz")

CLASSES = ("RandomFlip", "RandomCrop", "RandomContrast", "RandomBrightness")


@pytest.mark.parametrize("case", _images.cases(*CLASSES, "RandomHeight", "RandomWidth"))
def test_seeded_outputs_match_tf_keras(case):
    _images.check_random(case)


def _image_model():
    inputs = kengine.Input(shape=(8, 8, 3))
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.RandomFlip("horizontal", seed=7)(x)
    x = layers.RandomRotation(0.1, seed=8)(x)
    x = layers.Resizing(6, 6)(x)
    conv, dense = layers.Conv2D(2, 3), layers.Dense(1)
    model = kengine.Model(inputs, dense(layers.Flatten()(conv(x))))
    conv.set_weights([MODEL_DATA[f"image/conv/w{i}"] for i in range(2)])
    dense.set_weights([MODEL_DATA[f"image/dense/w{i}"] for i in range(2)])
    return model


def test_functional_model_on_images_trains_like_tf_keras(tmp_path):
    model = _image_model()
    model.compile(kengine.optimizers.SGD(0.05), "mse")
    x, y = MODEL_DATA["image/x"], MODEL_DATA["image/y"]
    history = model.fit(x, y, batch_size=3, epochs=2, shuffle=False, verbose=0)
    # Same seeds, same draws: even the augmented training steps match.
    np.testing.assert_allclose(
        history.history["loss"], MODELS["image"]["history"]["loss"], rtol=1e-5
    )
    predictions = model.predict(x, verbose=0)
    np.testing.assert_allclose(predictions, MODEL_DATA["image/predict"], rtol=1e-5)

    model.save_weights(str(tmp_path / "images.h5"))
    restored = _image_model()
    restored.load_weights(str(tmp_path / "images.h5"))
    np.testing.assert_allclose(restored.predict(x, verbose=0), predictions, rtol=1e-6)


def test_identity_at_inference_and_augmenting_when_called_directly():
    model = kengine.Sequential([layers.RandomFlip(seed=3), layers.RandomContrast(0.5)])
    x = MODEL_DATA["image/x"][:2]
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    np.testing.assert_array_equal(model(x, training=False).numpy(), x)
    # Called without `training`, a layer's default (True) applies, as in tf_keras.
    assert not np.array_equal(model(x).numpy(), x)


def test_same_seed_same_sequence_and_successive_calls_differ():
    x = MODEL_DATA["image/x"][:2]
    first, second = RandomBrightness(0.5, seed=21), RandomBrightness(0.5, seed=21)
    a1, a2 = first(x).numpy(), first(x).numpy()
    np.testing.assert_array_equal(a1, second(x).numpy())
    np.testing.assert_array_equal(a2, second(x).numpy())
    assert not np.array_equal(a1, a2)
    assert a1.min() >= 0.0 and a1.max() <= 255.0


def test_random_layers_map_over_a_dataset_and_run_in_tf_function():
    x = MODEL_DATA["image/x"][:4]
    layer = RandomCrop(5, 6, seed=2)
    batches = (
        tf.data.Dataset.from_tensor_slices(x)
        .batch(2)
        .map(lambda images: layer(images, training=True))
    )
    shapes = [tuple(b.shape) for b in batches]
    assert shapes == [(2, 5, 6, 3), (2, 5, 6, 3)]
    # At inference: the centered 6x8 window with the 5:6 aspect ratio, resized.
    traced = tf.function(lambda images: layer(images, training=False))
    np.testing.assert_allclose(
        traced(x).numpy(), tf.image.resize(x[:, 1:7], (5, 6)).numpy(), atol=1e-4
    )


def test_training_given_as_a_tensor_picks_the_branch():
    layer = RandomFlip("vertical", seed=1)
    x = MODEL_DATA["image/x"][:1]
    np.testing.assert_array_equal(layer(x, training=tf.constant(False)).numpy(), x)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: RandomFlip("diagonal"), "mode='diagonal'"),
        (lambda: RandomContrast(1.5), "factor=1.5"),
        (lambda: RandomBrightness(2.0), "factor=2.0"),
        (
            lambda: RandomBrightness(0.2, value_range=(0, 1, 2)),
            r"value_range=\(0, 1, 2\)",
        ),
        (lambda: RandomHeight((0.5, 0.1)), r"factor=\(0.5, 0.1\)"),
        (lambda: RandomWidth(-1.5), "factor=-1.5"),
    ],
)
def test_bad_factors_are_refused_by_name(make, match):
    with pytest.raises(ValueError, match=match):
        make()
