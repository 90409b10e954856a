"""kengine.layers.preprocessing.image_preprocessing against tf_keras goldens."""

import numpy as np
import pytest
import tensorflow as tf

import kengine
from kengine.layers.preprocessing.image_preprocessing import (
    CenterCrop,
    Rescaling,
    Resizing,
    smart_resize,
)
from tests.layers.preprocessing import _images


@pytest.mark.parametrize("case", _images.cases("Resizing", "CenterCrop", "Rescaling"))
def test_matches_tf_keras(case):
    _images.check_deterministic(case)


def test_smart_resize_crops_to_the_aspect_ratio_first():
    image = tf.reshape(tf.range(4 * 6, dtype=tf.float32), (4, 6, 1))
    out = smart_resize(image, (2, 2), interpolation="nearest")
    # The centered 4x4 window (columns 1..4), then its pixels 1 and 3 of each axis
    # (nearest neighbour with half-pixel centers).
    np.testing.assert_array_equal(out[..., 0].numpy(), [[8.0, 10.0], [20.0, 22.0]])
    with pytest.raises(ValueError, match="incorrect rank"):
        smart_resize(tf.zeros((2, 2)), (1, 1))
    with pytest.raises(ValueError, match="tuple of 2 integers"):
        smart_resize(image, (1, 2, 3))


def test_functional_model_shapes_and_predict():
    inputs = kengine.Input(shape=(None, None, 3), dtype="uint8")
    x = Resizing(4, 5, crop_to_aspect_ratio=True)(inputs)
    x = CenterCrop(2, 3)(x)
    outputs = Rescaling(1.0 / 255)(x)
    model = kengine.Model(inputs, outputs)
    assert model.output_shape == (None, 2, 3, 3)
    images = np.full((2, 7, 9, 3), 255, np.uint8)
    np.testing.assert_allclose(model.predict(images, verbose=0), np.ones((2, 2, 3, 3)))


def test_resizing_ragged_batches_with_crop():
    images = tf.ragged.stack([tf.ones((4, 6, 1)), tf.ones((6, 4, 1))])
    out = Resizing(2, 2, crop_to_aspect_ratio=True)(images)
    assert out.shape == (2, 2, 2, 1)


def test_bad_interpolation_and_dict_inputs():
    with pytest.raises(NotImplementedError, match="`interpolation`: cubic"):
        Resizing(2, 2, interpolation="cubic")
    with pytest.raises(ValueError, match="type\\(inputs\\)"):
        Rescaling(2.0)({"image": tf.zeros((1, 2, 2, 1))})
