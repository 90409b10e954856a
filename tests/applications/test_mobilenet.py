"""MobileNet: structure vs tf_keras, preprocessing (`kengine/applications/mobilenet.py`)."""

import shutil

import numpy as np
import pytest

import kengine
from kengine import applications, layers
from kengine.applications import imagenet_utils, mobilenet
from tests.applications._structure import assert_structure, build, keys_of
from tests.goldens import load_npz, path

MOBILENET_FILE = "mobilenet_2_5_224_tf_no_top.h5"
_SMALL = dict(input_shape=(32, 32, 3), alpha=0.25, include_top=False)


@pytest.mark.parametrize("key", keys_of("mobilenet", full=True))
def test_structure_equals_tf_keras(key):
    assert_structure(key, build(key))


def test_preprocess_input_is_tf_mode():
    x = np.random.default_rng(0).uniform(0, 255, (2, 4, 4, 3)).astype("float32")
    expected = imagenet_utils.preprocess_input(x.copy(), mode="tf")
    np.testing.assert_array_equal(mobilenet.preprocess_input(x.copy()), expected)


def test_imagenet_weights_load_from_the_cache_without_network(offline_cache):
    shutil.copy(path("applications", MOBILENET_FILE), offline_cache / MOBILENET_FILE)
    golden = load_npz("applications", "predictions.npz")
    model = mobilenet.MobileNet(
        weights="imagenet", input_shape=(32, 32, 3), alpha=0.25, include_top=False
    )
    assert model.name == "mobilenet_0.25_224"  # 32 is not a published size.
    x = mobilenet.preprocess_input(golden["mobilenet_images"].astype("float32"))
    out = model.predict(x, verbose=0)
    np.testing.assert_allclose(out, golden["mobilenet_y"], rtol=1e-4, atol=1e-5)


def test_weights_from_a_path_equal_tf_keras_predictions():
    golden = load_npz("applications", "predictions.npz")
    model = mobilenet.MobileNet(
        weights=str(path("applications", MOBILENET_FILE)), **_SMALL
    )
    x = mobilenet.preprocess_input(golden["mobilenet_images"].astype("float32"))
    out = model.predict(x, verbose=0)
    np.testing.assert_allclose(out, golden["mobilenet_y"], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"alpha": 0.3}, "alpha can be one of"),
        ({"depth_multiplier": 2}, "depth multiplier must be 1"),
    ],
)
def test_imagenet_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        mobilenet.MobileNet(weights="imagenet", include_top=False, **kwargs)


def _transfer_learning(x_train, y_train):
    """The Keras transfer-learning guide, as `tools/goldens/applications.py` runs it."""
    base = applications.MobileNet(
        weights="imagenet", include_top=False, alpha=0.25, input_shape=(32, 32, 3)
    )
    base.trainable = False
    inputs = kengine.Input(shape=(32, 32, 3))
    x = base(inputs, training=False)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.0)(x)
    head = layers.Dense(1)
    model = kengine.Model(inputs, head(x))
    kernel = np.sin(np.arange(256) * 0.7 + 0.3).reshape(256, 1) * 0.1
    head.set_weights([kernel.astype("float32"), np.zeros((1,), "float32")])
    loss = kengine.losses.BinaryCrossentropy(from_logits=True)
    model.compile(optimizer=kengine.optimizers.Adam(1e-2), loss=loss)
    counts = [[len(model.trainable_weights), len(model.non_trainable_weights)]]
    first = model.fit(
        x_train, y_train, batch_size=8, epochs=2, shuffle=False, verbose=0
    )
    bn_mean = base.get_layer("conv1_bn").moving_mean.numpy()
    base.trainable = True
    for layer in base.layers[:-6]:
        layer.trainable = False
    model.compile(optimizer=kengine.optimizers.Adam(1e-3), loss=loss)
    counts.append([len(model.trainable_weights), len(model.non_trainable_weights)])
    second = model.fit(
        x_train, y_train, batch_size=8, epochs=2, shuffle=False, verbose=0
    )
    return base, model, counts, first, second, bn_mean


def test_transfer_learning_as_the_keras_guide_equals_tf_keras(offline_cache):
    shutil.copy(path("applications", MOBILENET_FILE), offline_cache / MOBILENET_FILE)
    golden = load_npz("applications", "transfer.npz")
    seeded = mobilenet.MobileNet(weights=None, **_SMALL)
    seeded.load_weights(str(path("applications", MOBILENET_FILE)))
    initial_bn = seeded.get_layer("conv_pw_13_bn").moving_mean.numpy()
    x = mobilenet.preprocess_input(golden["images"].astype("float32"))
    base, model, counts, first, second, bn_mean = _transfer_learning(x, golden["y"])
    np.testing.assert_array_equal(counts, golden["counts"])
    np.testing.assert_allclose(first.history["loss"], golden["first_loss"], rtol=1e-4)
    np.testing.assert_allclose(second.history["loss"], golden["second_loss"], rtol=1e-4)
    # The base runs with training=False: BatchNormalization statistics never
    # move, even once its layers are unfrozen for fine-tuning.
    np.testing.assert_array_equal(bn_mean, golden["bn_moving_mean"])
    end_bn = base.get_layer("conv_pw_13_bn").moving_mean.numpy()
    np.testing.assert_array_equal(end_bn, initial_bn)
    np.testing.assert_allclose(end_bn, golden["bn_moving_mean_end"], rtol=1e-6)
    last = base.get_layer("conv_pw_13").kernel.numpy()[0, 0, :8]
    np.testing.assert_allclose(last, golden["last_kernel"], rtol=1e-4, atol=1e-6)
    out = model.predict(x, verbose=0)
    np.testing.assert_allclose(out, golden["predictions"], rtol=1e-4, atol=1e-5)
