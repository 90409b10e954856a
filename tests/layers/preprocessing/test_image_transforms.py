"""kengine.layers.preprocessing.image_transforms against tf_keras goldens."""

import numpy as np
import pytest
import tensorflow as tf

from kengine.layers.preprocessing.image_transforms import (
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    get_rotation_matrix,
    get_translation_matrix,
    get_zoom_matrix,
    transform,
)
from tests.layers.preprocessing import _images


@pytest.mark.parametrize(
    "case", _images.cases("RandomRotation", "RandomZoom", "RandomTranslation")
)
def test_seeded_outputs_match_tf_keras(case):
    _images.check_random(case)


def test_transform_helpers_move_pixels_as_described():
    image = tf.reshape(tf.range(9.0), (1, 3, 3, 1))
    shifted = transform(
        image, get_translation_matrix(tf.constant([[1.0, 0.0]])), fill_mode="constant"
    )
    np.testing.assert_array_equal(
        shifted[0, ..., 0].numpy(), [[0, 0, 1], [0, 3, 4], [0, 6, 7]]
    )
    quarter = transform(image, get_rotation_matrix(tf.constant([np.pi / 2]), 3.0, 3.0))
    np.testing.assert_allclose(
        quarter[0, ..., 0].numpy(), [[2, 5, 8], [1, 4, 7], [0, 3, 6]], atol=1e-5
    )
    same = transform(image, get_zoom_matrix(tf.constant([[1.0, 1.0]]), 3.0, 3.0))
    np.testing.assert_allclose(same.numpy(), image.numpy())


def test_unbatched_images_and_inference():
    layer = RandomRotation(0.5, seed=3)
    image = np.arange(2 * 4 * 4 * 1, dtype=np.float32).reshape(2, 4, 4, 1)
    single = layer(image[0], training=True)
    assert single.shape == (4, 4, 1)
    np.testing.assert_array_equal(layer(image, training=False).numpy(), image)


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (
            lambda: RandomRotation(0.1, fill_mode="mirror"),
            NotImplementedError,
            "mirror",
        ),
        (
            lambda: RandomZoom(0.1, interpolation="bicubic"),
            NotImplementedError,
            "bicubic",
        ),
        (lambda: RandomRotation((0.3, 0.1)), ValueError, r"factor=\(0.3, 0.1\)"),
        (lambda: RandomZoom(1.5), ValueError, "height_factor=1.5"),
        (lambda: RandomZoom(0.1, width_factor=(-2.0, 0.1)), ValueError, "width_factor"),
        (lambda: RandomTranslation(0.1, 1.5), ValueError, "width_factor=1.5"),
        (lambda: RandomTranslation((0.2, 0.1), 0.1), ValueError, "height_factor"),
    ],
)
def test_bad_arguments_are_refused_by_name(make, error, match):
    with pytest.raises(error, match=match):
        make()
