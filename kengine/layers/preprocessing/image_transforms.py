"""Random geometric image augmentation: RandomTranslation, RandomRotation, RandomZoom.

Mirrors the affine-transform layers of Keras 2's
`layers/preprocessing/image_preprocessing.py` (`RandomTranslation`,
`RandomRotation`, `RandomZoom`, `transform`, `get_translation_matrix`,
`get_rotation_matrix`, `get_zoom_matrix`). Randomness and training behave as
described in `image_augmentation.py`.

Each layer draws one transform per image and applies it with
`tf.raw_ops.ImageProjectiveTransformV3`. A transform is 8 numbers
`[a0, a1, a2, b0, b1, b2, c0, c1]` mapping each *output* pixel `(x, y)` to the
*input* point `((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)` with
`k = c0 x + c1 y + 1` (here always 1). Points that fall outside the image are
filled by `fill_mode`:

```
"reflect"   d c b a | a b c d | d c b a   (about the edge of the last pixel)
"wrap"      a b c d | a b c d | a b c d
"constant"  k k k k | a b c d | k k k k   (k = fill_value)
"nearest"   a a a a | a b c d | d d d d
```
"""

import numpy as np
import tensorflow as tf

from kengine.layers.preprocessing.image_augmentation import (
    BaseRandomLayer,
    factor_bounds,
)
from kengine.layers.preprocessing.image_preprocessing import (
    H_AXIS,
    W_AXIS,
    convert_inputs,
)

__all__ = ["RandomTranslation", "RandomRotation", "RandomZoom"]

_FILL_MODES = ("reflect", "wrap", "constant", "nearest")
_INTERPOLATIONS = ("nearest", "bilinear")


def check_fill_mode_and_interpolation(fill_mode: str, interpolation: str) -> None:
    """Raises tf_keras's `NotImplementedError` for an unsupported mode."""
    if fill_mode not in _FILL_MODES:
        raise NotImplementedError(
            f"Unknown `fill_mode` {fill_mode}. Only `reflect`, `wrap`, `constant` "
            "and `nearest` are supported."
        )
    if interpolation not in _INTERPOLATIONS:
        raise NotImplementedError(
            f"Unknown `interpolation` {interpolation}. Only `nearest` and "
            "`bilinear` are supported."
        )


def transform(
    images, transforms, fill_mode="reflect", fill_value=0.0, interpolation="bilinear"
):
    """Applies one projective transform per image of a `(batch, h, w, c)` batch.

    Args:
        images: the batch.
        transforms: `(batch, 8)` (or `(1, 8)` for all), see the module docstring.
        fill_mode: how to fill points outside the image.
        fill_value: the fill of `"constant"`.
        interpolation: `"nearest"` or `"bilinear"`.

    Returns:
        The transformed batch, same shape.
    """
    output_shape = tf.shape(images)[1:3]
    static = tf.get_static_value(output_shape)
    if static is not None:
        output_shape = static
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        output_shape=tf.convert_to_tensor(output_shape, tf.int32),
        fill_value=tf.convert_to_tensor(fill_value, tf.float32),
        transforms=transforms,
        fill_mode=fill_mode.upper(),
        interpolation=interpolation.upper(),
    )


def _rows(num, *columns):
    """`(num, 8)` transforms from per-image columns (tensors or constants)."""
    ones, zeros = tf.ones((num, 1), tf.float32), tf.zeros((num, 1), tf.float32)
    picked = [
        {1: ones, 0: zeros}.get(c, c) if isinstance(c, int) else c for c in columns
    ]
    return tf.concat(picked + [tf.zeros((num, 2), tf.float32)], axis=1)


def get_translation_matrix(translations):
    """Transforms shifting each image by `translations[i] = (dx, dy)` pixels."""
    num = tf.shape(translations)[0]
    return _rows(num, 1, 0, -translations[:, 0, None], 0, 1, -translations[:, 1, None])


def get_rotation_matrix(angles, image_height, image_width):
    """Transforms rotating each image by `angles[i]` radians about its center."""
    cos, sin = tf.cos(angles), tf.sin(angles)
    # Offsets that keep the center ((w - 1) / 2, (h - 1) / 2) in place.
    x_offset = (
        (image_width - 1) - (cos * (image_width - 1) - sin * (image_height - 1))
    ) / 2.0
    y_offset = (
        (image_height - 1) - (sin * (image_width - 1) + cos * (image_height - 1))
    ) / 2.0
    num = tf.shape(angles)[0]
    return _rows(
        num,
        cos[:, None],
        -sin[:, None],
        x_offset[:, None],
        sin[:, None],
        cos[:, None],
        y_offset[:, None],
    )


def get_zoom_matrix(zooms, image_height, image_width):
    """Transforms scaling each image by `zooms[i] = (zx, zy)` about its center."""
    num = tf.shape(zooms)[0]
    x_offset = ((image_width - 1.0) / 2.0) * (1.0 - zooms[:, 0, None])
    y_offset = ((image_height - 1.0) / 2.0) * (1.0 - zooms[:, 1, None])
    return _rows(num, zooms[:, 0, None], 0, x_offset, 0, zooms[:, 1, None], y_offset)


class _RandomTransform(BaseRandomLayer):
    """Shared call of the affine layers: batch, draw, transform, unbatch."""

    def __init__(self, fill_mode, interpolation, seed, fill_value, **kwargs):
        super().__init__(seed=seed, **kwargs)
        check_fill_mode_and_interpolation(fill_mode, interpolation)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.interpolation = interpolation

    def call(self, inputs, training=True):
        inputs = convert_inputs(inputs, self.dtype)
        return self._if_training(training, self._transform_images, inputs)

    def _transform_images(self, images):
        original_shape = images.shape
        unbatched = images.shape.rank == 3
        if unbatched:
            images = tf.expand_dims(images, 0)
        shape = tf.shape(images)
        height = tf.cast(shape[H_AXIS], tf.float32)
        width = tf.cast(shape[W_AXIS], tf.float32)
        matrices = self._matrices(shape[0], height, width)
        outputs = transform(
            images,
            matrices,
            fill_mode=self.fill_mode,
            fill_value=self.fill_value,
            interpolation=self.interpolation,
        )
        if unbatched:
            outputs = tf.squeeze(outputs, 0)
        outputs.set_shape(original_shape)
        return outputs

    def _matrices(self, batch_size, height, width):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "interpolation": self.interpolation,
            "seed": self.seed,
        }


class RandomTranslation(_RandomTransform):
    """Shifts images by random fractions of their height and width in training.

    Args:
        height_factor: `x` for a shift in `[-x, x] * height`, or a pair
            `(lower, upper)`; values in [-1, 1] (negative: up).
        width_factor: the same for the width (negative: left).
        fill_mode: `"reflect"` (default), `"wrap"`, `"constant"`, `"nearest"`.
        interpolation: `"bilinear"` (default) or `"nearest"`.
        seed: the seed of the layer's generator.
        fill_value: the fill of `"constant"`.
        **kwargs: base layer arguments.

    Raises:
        ValueError: for bounds out of order or outside [-1, 1].
        NotImplementedError: for an unknown fill mode or interpolation.
    """

    def __init__(
        self,
        height_factor,
        width_factor,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        **kwargs,
    ):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor = height_factor
        self.width_factor = width_factor
        self.height_lower, self.height_upper = _checked_unit_range(
            height_factor, "height_factor"
        )
        self.width_lower, self.width_upper = _checked_unit_range(
            width_factor, "width_factor"
        )

    def _matrices(self, batch_size, height, width):
        dy = self._uniform([batch_size, 1], self.height_lower, self.height_upper)
        dx = self._uniform([batch_size, 1], self.width_lower, self.width_upper)
        translations = tf.concat([dx * width, dy * height], axis=1)
        return get_translation_matrix(translations)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
        }


class RandomRotation(_RandomTransform):
    """Rotates images by random angles in training.

    Args:
        factor: a fraction of a full turn: `x` for `[-x, x] * 2 pi`, or a
            pair `(lower, upper)` (positive: counter-clockwise).
        fill_mode: `"reflect"` (default), `"wrap"`, `"constant"`, `"nearest"`.
        interpolation: `"bilinear"` (default) or `"nearest"`.
        seed: the seed of the layer's generator.
        fill_value: the fill of `"constant"`.
        **kwargs: base layer arguments.

    Raises:
        ValueError: for bounds out of order.
        NotImplementedError: for an unknown fill mode or interpolation.
    """

    def __init__(
        self,
        factor,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        **kwargs,
    ):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.factor = factor
        self.lower, self.upper = factor_bounds(factor)
        if self.upper < self.lower:
            raise ValueError(
                "`factor` argument cannot have an upper bound less than the lower "
                f"bound. Received: factor={factor}"
            )

    def _matrices(self, batch_size, height, width):
        angles = self._uniform(
            [batch_size], self.lower * 2.0 * np.pi, self.upper * 2.0 * np.pi
        )
        return get_rotation_matrix(angles, height, width)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor}


class RandomZoom(_RandomTransform):
    """Zooms images in or out by random factors in training.

    A factor `f` scales the sampled area by `1 + f`: negative zooms in
    (larger picture), positive zooms out.

    Args:
        height_factor: `x` for `[-x, x]`, or a pair `(lower, upper)`; values
            in [-1, 1].
        width_factor: the same for the width; None zooms both axes alike.
        fill_mode: `"reflect"` (default), `"wrap"`, `"constant"`, `"nearest"`.
        interpolation: `"bilinear"` (default) or `"nearest"`.
        seed: the seed of the layer's generator.
        fill_value: the fill of `"constant"`.
        **kwargs: base layer arguments.

    Raises:
        ValueError: for a height factor outside [-1, 1] or a width factor
            below -1.
        NotImplementedError: for an unknown fill mode or interpolation.
    """

    def __init__(
        self,
        height_factor,
        width_factor=None,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        **kwargs,
    ):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor = height_factor
        self.width_factor = width_factor
        self.height_lower, self.height_upper = factor_bounds(height_factor)
        if abs(self.height_lower) > 1.0 or abs(self.height_upper) > 1.0:
            raise ValueError(
                "`height_factor` argument must have values between [-1, 1]. "
                f"Received: height_factor={height_factor}"
            )
        if width_factor is not None:
            self.width_lower, self.width_upper = factor_bounds(width_factor)
            if self.width_lower < -1.0 or self.width_upper < -1.0:
                raise ValueError(
                    "`width_factor` argument must have values larger than -1. "
                    f"Received: width_factor={width_factor}"
                )

    def _matrices(self, batch_size, height, width):
        zoom_y = self._uniform(
            [batch_size, 1], 1.0 + self.height_lower, 1.0 + self.height_upper
        )
        zoom_x = zoom_y
        if self.width_factor is not None:
            zoom_x = self._uniform(
                [batch_size, 1], 1.0 + self.width_lower, 1.0 + self.width_upper
            )
        return get_zoom_matrix(tf.concat([zoom_x, zoom_y], axis=1), height, width)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "height_factor": self.height_factor,
            "width_factor": self.width_factor,
        }


def _checked_unit_range(factor, name: str) -> tuple:
    lower, upper = factor_bounds(factor)
    if upper < lower:
        raise ValueError(
            f"`{name}` cannot have upper bound less than lower bound. "
            f"Received: {name}={factor}"
        )
    if abs(lower) > 1.0 or abs(upper) > 1.0:
        raise ValueError(
            f"`{name}` argument must have values between [-1, 1]. "
            f"Received: {name}={factor}"
        )
    return lower, upper
