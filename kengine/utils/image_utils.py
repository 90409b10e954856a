"""Images between files, PIL images and NumPy arrays; aspect-preserving resize.

- `load_img` / `save_img`: read or write an image file through Pillow.
- `img_to_array` / `array_to_img`: a PIL image as a `(height, width,
  channels)` float array (channels first if asked) and back, rescaled to
  0..255 by default.
- `smart_resize`: resize to a target size after a centred crop to the
  target's aspect ratio, as TensorFlow ops (so it runs in `tf.data`).

Pillow is optional: it is imported when one of the PIL functions is first
called, and its absence is an `ImportError` that names the package.

Mirrors tf_keras/src/utils/image_utils.py: `smart_resize`,
`get_interpolation`, `array_to_img`, `img_to_array`, `save_img`, `load_img`.
"""

import io
import os
import pathlib
import warnings

import numpy as np
import tensorflow as tf

from kengine.backend import common as backend

__all__ = [
    "array_to_img",
    "img_to_array",
    "load_img",
    "save_img",
    "smart_resize",
]

# The `interpolation` names `tf.image.resize` understands.
TF_INTERPOLATIONS = {
    "bilinear": tf.image.ResizeMethod.BILINEAR,
    "nearest": tf.image.ResizeMethod.NEAREST_NEIGHBOR,
    "bicubic": tf.image.ResizeMethod.BICUBIC,
    "area": tf.image.ResizeMethod.AREA,
    "lanczos3": tf.image.ResizeMethod.LANCZOS3,
    "lanczos5": tf.image.ResizeMethod.LANCZOS5,
    "gaussian": tf.image.ResizeMethod.GAUSSIAN,
    "mitchellcubic": tf.image.ResizeMethod.MITCHELLCUBIC,
}
# The `interpolation` names `load_img` understands (Pillow's filters).
PIL_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")
COLOR_MODES = {"grayscale": 1, "rgb": 3, "rgba": 4}


def _pil_image(caller: str):
    """The `PIL.Image` module, or an ImportError naming Pillow."""
    try:
        # Pillow is optional and heavy: imported on first use, as Keras 2 does.
        from PIL import Image
    except ImportError as err:
        raise ImportError(
            f"`{caller}` requires Pillow (the PIL package). "
            "Install it with `pip install pillow`."
        ) from err
    return Image


def get_interpolation(interpolation: str):
    """The `tf.image.ResizeMethod` for an interpolation name.

    Raises:
        ValueError: for a name `tf.image.resize` does not know.
    """
    method = TF_INTERPOLATIONS.get(str(interpolation).lower())
    if method is None:
        raise ValueError(
            f"`interpolation` must be one of {sorted(TF_INTERPOLATIONS)}. "
            f"Received: interpolation={interpolation!r}"
        )
    return method


def _check_smart_resize_input(size, image) -> None:
    if len(size) != 2:
        raise ValueError(f"`size` must be a tuple of 2 integers. Received: size={size}")
    rank = image.shape.rank
    if rank is not None and not 3 <= rank <= 4:
        raise ValueError(
            "smart_resize expects an image of shape (height, width, channels) or "
            f"a batch (batch, height, width, channels). Received: shape={image.shape}"
        )


def smart_resize(x, size, interpolation="bilinear"):
    """Resizes images to `size` without distorting them.

    The largest centred crop with the aspect ratio of `size` is cut out, then
    resized to `size`.

    >>> smart_resize(np.ones((4, 8, 1)), (2, 2)).shape
    (2, 2, 1)

    Args:
        x: An image `(height, width, channels)` or a batch of them, as a
            tensor or NumPy array (channels last).
        size: `(height, width)` of the output.
        interpolation: A `tf.image.resize` method name.

    Returns:
        The resized images, a NumPy array if `x` was one, else a tensor.

    Raises:
        ValueError: for a `size` that is not 2 numbers or an input of rank
            other than 3 or 4.
    """
    image = tf.convert_to_tensor(x)
    _check_smart_resize_input(size, image)
    rank = image.shape.rank
    shape = tf.shape(image)
    height, width = shape[-3], shape[-2]
    target_height, target_width = size
    # float32 arithmetic, truncated to int32, as Keras 2 computes the crop.
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
        begin, extent = (
            tf.stack([0, top, left, 0]),
            tf.stack([-1, crop_height, crop_width, -1]),
        )
    else:
        begin, extent = (
            tf.stack([top, left, 0]),
            tf.stack([crop_height, crop_width, -1]),
        )
    channels = image.shape[-1] if rank is not None else None
    image = tf.slice(image, begin, extent)
    image = tf.image.resize(images=image, size=size, method=interpolation)
    if rank is not None:
        image.set_shape((None,) * (rank - 1) + (channels,))
    return image.numpy() if isinstance(x, np.ndarray) else image


def _check_data_format(data_format):
    data_format = data_format or backend.image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(
            '`data_format` must be "channels_first" or "channels_last". '
            f"Received: data_format={data_format!r}"
        )
    return data_format


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """Converts a 3D array to a PIL image.

    Args:
        x: An array of shape `(height, width, channels)` (or channels first)
            with 1, 3 or 4 channels.
        data_format: `"channels_first"` or `"channels_last"`; default
            `backend.image_data_format()`.
        scale: Whether to rescale the values to 0..255 (min to 0, max to 255).
        dtype: dtype the values are read as; default `backend.floatx()`.

    Returns:
        A PIL image: mode `"L"` (or `"I"` above 255), `"RGB"` or `"RGBA"`.

    Raises:
        ImportError: without Pillow.
        ValueError: for an array not of rank 3, an unknown `data_format` or
            an unsupported number of channels.
    """
    image_module = _pil_image("array_to_img")
    data_format = _check_data_format(data_format)
    x = np.asarray(x, dtype=dtype or backend.floatx())
    if x.ndim != 3:
        raise ValueError(
            f"array_to_img expects an array of rank 3 (one image). Received: shape={x.shape}"
        )
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    channels = x.shape[2]
    if channels == 4:
        return image_module.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return image_module.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        # Values above 255 need 32-bit integer pixels.
        if np.max(x) > 255:
            return image_module.fromarray(x[:, :, 0].astype("int32"), "I")
        return image_module.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(
        f"array_to_img supports 1, 3 or 4 channels. Received: {channels} channels"
    )


def img_to_array(img, data_format=None, dtype=None) -> np.ndarray:
    """Converts a PIL image (or any array-like image) to a 3D NumPy array.

    >>> img_to_array(np.zeros((2, 3)), data_format="channels_last").shape
    (2, 3, 1)

    Args:
        img: A PIL image or an array of shape `(height, width)` or
            `(height, width, channels)`.
        data_format: `"channels_first"` or `"channels_last"`; default
            `backend.image_data_format()`.
        dtype: dtype of the result; default `backend.floatx()`.

    Returns:
        An array of shape `(height, width, channels)` or
        `(channels, height, width)`.

    Raises:
        ValueError: for an unknown `data_format` or an image not of rank 2 or 3.
    """
    data_format = _check_data_format(data_format)
    x = np.asarray(img, dtype=dtype or backend.floatx())
    if x.ndim == 2:
        x = x[np.newaxis] if data_format == "channels_first" else x[..., np.newaxis]
    elif x.ndim == 3:
        if data_format == "channels_first":
            x = x.transpose(2, 0, 1)
    else:
        raise ValueError(
            f"img_to_array expects an image of rank 2 or 3. Received: shape={x.shape}"
        )
    return x


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Saves an array as an image file.

    Args:
        path: File path or file object.
        x: An array of rank 3.
        data_format: `"channels_first"` or `"channels_last"`.
        file_format: Format name for Pillow (e.g. `"png"`); default from the
            file name.
        scale: Whether to rescale the values to 0..255.
        **kwargs: Passed to `PIL.Image.save`.
    """
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format in ("jpg", "jpeg"):
        warnings.warn(
            "The JPG format does not support RGBA images, converting to RGB.",
            stacklevel=2,
        )
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def _open_image(path, image_module):
    if isinstance(path, io.BytesIO):
        return image_module.open(path)
    if isinstance(path, pathlib.Path | bytes | str):
        # Read the bytes first so the file is closed when this returns.
        with open(os.fspath(path), "rb") as f:
            return image_module.open(io.BytesIO(f.read()))
    raise TypeError(f"`path` must be path-like or io.BytesIO. Received: {type(path)}")


def _convert_mode(img, color_mode: str):
    if color_mode == "grayscale":
        # 16- and 32-bit grey images keep their depth.
        return img if img.mode in ("L", "I;16", "I") else img.convert("L")
    if color_mode == "rgba":
        return img if img.mode == "RGBA" else img.convert("RGBA")
    if color_mode == "rgb":
        return img if img.mode == "RGB" else img.convert("RGB")
    raise ValueError(
        '`color_mode` must be "grayscale", "rgb" or "rgba". '
        f"Received: color_mode={color_mode!r}"
    )


def _aspect_crop_box(size, target):
    """The centred box `(left, top, right, bottom)` with the target's aspect."""
    width, height = size
    target_width, target_height = target
    crop_height = min(height, (width * target_height) // target_width)
    crop_width = min(width, (height * target_width) // target_height)
    top = (height - crop_height) // 2
    left = (width - crop_width) // 2
    return [left, top, left + crop_width, top + crop_height]


def load_img(
    path,
    grayscale=False,
    color_mode="rgb",
    target_size=None,
    interpolation="nearest",
    keep_aspect_ratio=False,
):
    """Loads an image file as a PIL image.

    Args:
        path: Path (str, bytes, `pathlib.Path`) or an `io.BytesIO`.
        grayscale: Deprecated; use `color_mode="grayscale"`.
        color_mode: `"grayscale"`, `"rgb"` or `"rgba"`.
        target_size: `(height, width)` to resize to, or `None`.
        interpolation: Pillow filter for the resize: `"nearest"`,
            `"bilinear"`, `"bicubic"`, `"hamming"`, `"box"` or `"lanczos"`.
        keep_aspect_ratio: Crop the centre to the target's aspect ratio
            before resizing.

    Returns:
        A PIL image.

    Raises:
        ImportError: without Pillow.
        TypeError: for a `path` of another type.
        ValueError: for an unknown `color_mode` or `interpolation`.
    """
    if grayscale:
        warnings.warn(
            'grayscale is deprecated. Please use color_mode="grayscale"', stacklevel=2
        )
        color_mode = "grayscale"
    image_module = _pil_image("load_img")
    img = _convert_mode(_open_image(path, image_module), color_mode)
    if target_size is None:
        return img
    width_height = (target_size[1], target_size[0])
    if img.size == width_height:
        return img
    if interpolation not in PIL_INTERPOLATIONS:
        raise ValueError(
            f"`interpolation` must be one of {PIL_INTERPOLATIONS}. "
            f"Received: interpolation={interpolation!r}"
        )
    # Pillow < 9.1 keeps the filters on the module itself.
    filters = getattr(image_module, "Resampling", image_module)
    resample = getattr(filters, interpolation.upper())
    if keep_aspect_ratio:
        box = _aspect_crop_box(img.size, width_height)
        return img.resize(width_height, resample, box=box)
    return img.resize(width_height, resample)
