"""Image layers with no randomness: Resizing, CenterCrop and Rescaling.

Mirrors the deterministic layers of Keras 2's
`layers/preprocessing/image_preprocessing.py` (`Resizing`, `CenterCrop`,
`Rescaling`, `convert_inputs`) and `utils/image_utils.py` (`smart_resize`,
`get_interpolation`). Images are channels-last, `(height, width, channels)`
or batched `(batch, height, width, channels)`.

`smart_resize` resizes without distorting: it first crops the largest
centered window with the target's aspect ratio, then resizes that window.
`Resizing(crop_to_aspect_ratio=True)` uses it; `CenterCrop` uses it when the
image is smaller than the crop.

>>> import tensorflow as tf
>>> Rescaling(1.0 / 255)(tf.constant([[0.0, 255.0]])).numpy()
array([[0., 1.]], dtype=float32)
>>> CenterCrop(2, 2)(tf.reshape(tf.range(16.0), (4, 4, 1)))[..., 0].numpy()
array([[ 5.,  6.],
       [ 9., 10.]], dtype=float32)
"""

import numpy as np
import tensorflow as tf

from kengine.engine.base_layer import Layer
from kengine.layers.preprocessing import preprocessing_utils as utils

__all__ = ["Resizing", "CenterCrop", "Rescaling"]

H_AXIS, W_AXIS = -3, -2

_INTERPOLATIONS = {
    "bilinear": tf.image.ResizeMethod.BILINEAR,
    "nearest": tf.image.ResizeMethod.NEAREST_NEIGHBOR,
    "bicubic": tf.image.ResizeMethod.BICUBIC,
    "area": tf.image.ResizeMethod.AREA,
    "lanczos3": tf.image.ResizeMethod.LANCZOS3,
    "lanczos5": tf.image.ResizeMethod.LANCZOS5,
    "gaussian": tf.image.ResizeMethod.GAUSSIAN,
    "mitchellcubic": tf.image.ResizeMethod.MITCHELLCUBIC,
}


def get_interpolation(interpolation: str):
    """The `tf.image.ResizeMethod` of an interpolation name.

    Raises:
        NotImplementedError: for an unknown name (tf_keras's error type).
    """
    method = _INTERPOLATIONS.get(interpolation.lower())
    if method is None:
        raise NotImplementedError(
            f"Value not recognized for `interpolation`: {interpolation}. Supported "
            f"values are: {tuple(_INTERPOLATIONS)}"
        )
    return method


def convert_inputs(inputs, dtype=None):
    """An image tensor (or batch) of `dtype`.

    Raises:
        ValueError: for a dict (images with labels or boxes are KerasCV's job).
    """
    if isinstance(inputs, dict):
        raise ValueError(
            "This layer can only process a tensor representing an image or a batch "
            f"of images. Received: type(inputs)={type(inputs)}."
        )
    return utils.ensure_tensor(inputs, dtype=dtype)


def smart_resize(images, size, interpolation="bilinear"):
    """Resizes images to `size` after cropping them to its aspect ratio.

    Args:
        images: `(h, w, c)` or `(batch, h, w, c)`.
        size: `(height, width)`.
        interpolation: a `tf.image.ResizeMethod` or its name.

    Returns:
        The resized images (float32 unless `"nearest"`).

    Raises:
        ValueError: if `size` is not a pair or the images are not rank 3 or 4.
    """
    if len(size) != 2:
        raise ValueError(
            f"Expected `size` to be a tuple of 2 integers, but got: {size}."
        )
    images = tf.convert_to_tensor(images)
    rank = images.shape.rank
    if rank is not None and not 3 <= rank <= 4:
        raise ValueError(
            "Expected an image array with shape `(height, width, channels)`, or "
            "`(batch_size, height, width, channels)`, but got input with incorrect "
            f"rank, of shape {images.shape}."
        )
    channels = images.shape[-1] if rank is not None else None  # tf.slice loses it
    shape = tf.shape(images)
    height, width = shape[H_AXIS], shape[W_AXIS]
    target_height, target_width = size
    # The largest window with the target's aspect ratio, centered.
    crop_height = tf.cast(
        tf.cast(width * target_height, "float32") / target_width, "int32"
    )
    crop_width = tf.cast(
        tf.cast(height * target_width, "float32") / target_height, "int32"
    )
    crop_height = tf.minimum(height, crop_height)
    crop_width = tf.minimum(width, crop_width)
    top = tf.cast(tf.cast(height - crop_height, "float32") / 2, "int32")
    left = tf.cast(tf.cast(width - crop_width, "float32") / 2, "int32")
    if rank == 4:
        start, extent = [0, top, left, 0], [-1, crop_height, crop_width, -1]
    else:
        start, extent = [top, left, 0], [crop_height, crop_width, -1]
    images = tf.slice(images, tf.stack(start), tf.stack(extent))
    images = tf.image.resize(images, size=size, method=interpolation)
    if rank is not None:
        images.set_shape([None] * (rank - 1) + [channels])
    return images


def _resized_shape(input_shape, height, width) -> tf.TensorShape:
    shape = tf.TensorShape(input_shape).as_list()
    shape[H_AXIS], shape[W_AXIS] = height, width
    return tf.TensorShape(shape)


class Resizing(Layer):
    """Resizes images to `(height, width)`.

    Args:
        height: the output height.
        width: the output width.
        interpolation: `"bilinear"` (default), `"nearest"`, `"bicubic"`,
            `"area"`, `"lanczos3"`, `"lanczos5"`, `"gaussian"` or
            `"mitchellcubic"`.
        crop_to_aspect_ratio: crop to the target aspect ratio first instead of
            distorting the image.
        **kwargs: base layer arguments.

    Raises:
        NotImplementedError: for an unknown `interpolation`.
    """

    def __init__(
        self,
        height,
        width,
        interpolation="bilinear",
        crop_to_aspect_ratio=False,
        **kwargs,
    ):
        self._interpolation_method = get_interpolation(interpolation)
        super().__init__(**kwargs)
        self.height = height
        self.width = width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio

    def call(self, inputs):
        # Nearest neighbour keeps values, so it may run in the layer's dtype.
        dtype = self.dtype if self.interpolation == "nearest" else tf.float32
        inputs = convert_inputs(inputs, dtype=dtype)
        size = [self.height, self.width]
        if not self.crop_to_aspect_ratio:
            outputs = tf.image.resize(
                inputs, size=size, method=self._interpolation_method
            )
        elif isinstance(inputs, tf.RaggedTensor):
            spec = tf.TensorSpec(tf.TensorShape(size) + inputs.shape[-1:], dtype)
            outputs = tf.map_fn(
                lambda x: smart_resize(x.to_tensor(), size, self._interpolation_method),
                inputs,
                fn_output_signature=spec,
            )
        else:
            outputs = smart_resize(inputs, size, self._interpolation_method)
        return tf.cast(outputs, self.dtype)

    def compute_output_shape(self, input_shape):
        return _resized_shape(input_shape, self.height, self.width)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "height": self.height,
            "width": self.width,
            "interpolation": self.interpolation,
            "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
        }


class CenterCrop(Layer):
    """Crops the center `(height, width)` of images (resizing smaller ones).

    An image smaller than the crop in either dimension is resized with
    `smart_resize` instead.

    Args:
        height: the output height.
        width: the output width.
        **kwargs: base layer arguments.
    """

    def __init__(self, height, width, **kwargs):
        super().__init__(**kwargs, autocast=False)
        self.height = height
        self.width = width

    def call(self, inputs):
        inputs = convert_inputs(inputs, self.dtype)
        shape = tf.shape(inputs)
        h_diff = shape[H_AXIS] - self.height
        w_diff = shape[W_AXIS] - self.width

        def center_crop():
            top = tf.cast(h_diff / 2, tf.int32)
            left = tf.cast(w_diff / 2, tf.int32)
            return tf.image.crop_to_bounding_box(
                inputs, top, left, self.height, self.width
            )

        def upsize():
            return tf.cast(smart_resize(inputs, [self.height, self.width]), self.dtype)

        return tf.cond(tf.reduce_all((h_diff >= 0, w_diff >= 0)), center_crop, upsize)

    def compute_output_shape(self, input_shape):
        return _resized_shape(input_shape, self.height, self.width)

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width}


class Rescaling(Layer):
    """Multiplies inputs by `scale` and adds `offset` (e.g. `1/255` for pixels).

    Args:
        scale: the factor (a number, or per channel).
        offset: the offset added after scaling.
        **kwargs: base layer arguments.
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset

    def call(self, inputs):
        inputs = convert_inputs(inputs, dtype=self.dtype)
        scale = tf.cast(self.scale, self.dtype)
        offset = tf.cast(self.offset, self.dtype)
        return inputs * scale + offset

    def compute_output_shape(self, input_shape):
        return tf.TensorShape(input_shape)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "scale": _plain(self.scale),
            "offset": _plain(self.offset),
        }


def _plain(value):
    """NumPy values as Python numbers or lists, so the config is JSON."""
    return value.tolist() if isinstance(value, np.ndarray | np.generic) else value
