"""The NumPy image transforms behind `ImageDataGenerator`.

Every function takes one image, a 3D array with a channel axis first or
last, and returns a new one:

- `apply_affine_transform`: rotation, shift, shear and zoom composed into one
  matrix about the image centre, applied channel by channel with
  `scipy.ndimage.affine_transform` (spline `order`, `fill_mode` for the
  points that fall outside: `"constant"`, `"nearest"`, `"reflect"` or
  `"wrap"`).
- `apply_channel_shift`: add a constant to every channel, clipped to the
  image's range.
- `apply_brightness_shift`: Pillow's `ImageEnhance.Brightness`.
- `flip_axis`: reverse one axis.
- `random_rotation`, `random_shift`, `random_shear`, `random_zoom`,
  `random_channel_shift`, `random_brightness`: draw the parameter from the
  global NumPy RNG, then apply.

SciPy and Pillow are optional and imported only by the transforms that need
them; their absence is an `ImportError` naming the package.

Mirrors tf_keras/src/preprocessing/image.py: `flip_axis`,
`transform_matrix_offset_center`, `apply_affine_transform`,
`apply_channel_shift`, `apply_brightness_shift` and the `random_*`
functions.
"""

import numpy as np

from kengine.utils import image_utils

__all__ = [
    "apply_affine_transform",
    "apply_brightness_shift",
    "apply_channel_shift",
    "random_brightness",
    "random_channel_shift",
    "random_rotation",
    "random_shear",
    "random_shift",
    "random_zoom",
]


def _scipy_ndimage():
    try:
        # SciPy is optional and heavy: only affine transforms need it.
        from scipy import ndimage
    except ImportError as err:
        raise ImportError(
            "Image transformations require SciPy. Install it with `pip install scipy`."
        ) from err
    return ndimage


def _image_enhance():
    try:
        # Pillow is optional and heavy: only brightness shifts need it here.
        from PIL import ImageEnhance
    except ImportError as err:
        raise ImportError(
            "Brightness shifts require Pillow (the PIL package). "
            "Install it with `pip install pillow`."
        ) from err
    return ImageEnhance


def flip_axis(x: np.ndarray, axis: int) -> np.ndarray:
    """`x` reversed along `axis`."""
    return np.flip(np.asarray(x), axis)


def transform_matrix_offset_center(matrix: np.ndarray, x, y) -> np.ndarray:
    """`matrix` moved to act about the centre of an `x` by `y` image."""
    o_x = float(x) / 2 - 0.5
    o_y = float(y) / 2 - 0.5
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return offset @ matrix @ reset


def _check_axes(x, row_axis, col_axis, channel_axis) -> None:
    axes = {row_axis, col_axis, channel_axis}
    if len(axes) != 3 or axes != {0, 1, 2}:
        raise ValueError(
            "`row_axis`, `col_axis` and `channel_axis` must be 0, 1 and 2 in some "
            f"order. Received: row_axis={row_axis}, col_axis={col_axis}, "
            f"channel_axis={channel_axis}"
        )
    if x.ndim != 3:
        raise ValueError(
            f"Expected one image of rank 3 (multi-channel 2D). Received: shape={x.shape}"
        )
    if channel_axis not in (0, 2):
        raise ValueError(
            "`channel_axis` must be the first or last axis (0 or 2). "
            f"Received: channel_axis={channel_axis}"
        )


def _affine_matrix(theta, tx, ty, shear, zx, zy):
    """The 3x3 matrix of the composed transforms, or None for the identity.

    Angles are in degrees; the product runs rotation, shift, shear, zoom (each
    only when it does something, as Keras 2 builds it).
    """
    parts = []
    if theta != 0:
        theta = np.deg2rad(theta)
        c, s = np.cos(theta), np.sin(theta)
        parts.append(np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]))
    if tx != 0 or ty != 0:
        parts.append(np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]]))
    if shear != 0:
        shear = np.deg2rad(shear)
        parts.append(
            np.array([[1, -np.sin(shear), 0], [0, np.cos(shear), 0], [0, 0, 1]])
        )
    if zx != 1 or zy != 1:
        parts.append(np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]]))
    if not parts:
        return None
    matrix = parts[0]
    for part in parts[1:]:
        matrix = np.dot(matrix, part)
    return matrix


def apply_affine_transform(
    x,
    theta=0,
    tx=0,
    ty=0,
    shear=0,
    zx=1,
    zy=1,
    row_axis=1,
    col_axis=2,
    channel_axis=0,
    fill_mode="nearest",
    cval=0.0,
    order=1,
):
    """Rotates, shifts, shears and zooms one image about its centre.

    Args:
        x: A 3D image.
        theta: Rotation angle in degrees.
        tx: Shift along the row axis, in pixels.
        ty: Shift along the column axis, in pixels.
        shear: Shear angle in degrees.
        zx: Zoom along the row axis (above 1 shrinks the content).
        zy: Zoom along the column axis.
        row_axis: Axis of the rows.
        col_axis: Axis of the columns.
        channel_axis: Axis of the channels (0 or 2).
        fill_mode: `"constant"`, `"nearest"`, `"reflect"` or `"wrap"`: how
            points outside the image are filled.
        cval: The fill value for `"constant"`.
        order: Spline interpolation order (0 nearest, 1 bilinear, ...).

    Returns:
        The transformed image (`x` itself when no transform applies).

    Raises:
        ImportError: without SciPy.
        ValueError: for axes that are not a permutation of 0, 1, 2, a channel
            axis in the middle, or an input not of rank 3.
    """
    ndimage = _scipy_ndimage()
    _check_axes(x, row_axis, col_axis, channel_axis)
    matrix = _affine_matrix(theta, tx, ty, shear, zx, zy)
    if matrix is None:
        return x
    h, w = x.shape[row_axis], x.shape[col_axis]
    matrix = transform_matrix_offset_center(matrix, h, w)
    x = np.rollaxis(x, channel_axis, 0)
    if col_axis > row_axis:
        # The matrix is written in (row, col); the channel planes are
        # indexed the other way round after moving the channel axis.
        matrix[:, [0, 1]] = matrix[:, [1, 0]]
        matrix[[0, 1]] = matrix[[1, 0]]
    channel_images = [
        ndimage.affine_transform(
            channel,
            matrix[:2, :2],
            matrix[:2, 2],
            order=order,
            mode=fill_mode,
            cval=cval,
        )
        for channel in x
    ]
    return np.rollaxis(np.stack(channel_images, axis=0), 0, channel_axis + 1)


def apply_channel_shift(x, intensity, channel_axis=0):
    """Adds `intensity` to every channel, clipped to the image's min and max.

    >>> apply_channel_shift(np.array([[[0.0, 4.0]]]), 3.0, channel_axis=2).tolist()
    [[[3.0, 4.0]]]

    Args:
        x: A 3D image.
        intensity: The value added.
        channel_axis: Axis of the channels.

    Returns:
        The shifted image.
    """
    x = np.rollaxis(x, channel_axis, 0)
    min_x, max_x = np.min(x), np.max(x)
    channels = [np.clip(channel + intensity, min_x, max_x) for channel in x]
    return np.rollaxis(np.stack(channels, axis=0), 0, channel_axis + 1)


def apply_brightness_shift(x, brightness, scale=True):
    """Scales an image's brightness with Pillow's `ImageEnhance.Brightness`.

    Args:
        x: A 3D channels-last image.
        brightness: The factor (1 leaves the image unchanged).
        scale: Whether the result stays in 0..255 even when `x` was outside
            that range (otherwise it is mapped back to `x`'s range).

    Returns:
        The image, as a float array.

    Raises:
        ImportError: without Pillow.
    """
    image_enhance = _image_enhance()
    x_min, x_max = np.min(x), np.max(x)
    local_scale = (x_min < 0) or (x_max > 255)
    img = image_utils.array_to_img(x, scale=local_scale or scale)
    img = image_enhance.Brightness(img).enhance(brightness)
    x = image_utils.img_to_array(img)
    if not scale and local_scale:
        x = x / 255 * (x_max - x_min) + x_min
    return x


def random_rotation(
    x,
    rg,
    row_axis=1,
    col_axis=2,
    channel_axis=0,
    fill_mode="nearest",
    cval=0.0,
    interpolation_order=1,
):
    """Rotates an image by a random angle in `[-rg, rg]` degrees.

    Args:
        x: A 3D image.
        rg: Largest rotation, in degrees.

    The other arguments are `apply_affine_transform`'s (`interpolation_order`
    is its `order`).
    """
    theta = np.random.uniform(-rg, rg)
    return apply_affine_transform(
        x,
        theta=theta,
        row_axis=row_axis,
        col_axis=col_axis,
        channel_axis=channel_axis,
        fill_mode=fill_mode,
        cval=cval,
        order=interpolation_order,
    )


def random_shift(
    x,
    wrg,
    hrg,
    row_axis=1,
    col_axis=2,
    channel_axis=0,
    fill_mode="nearest",
    cval=0.0,
    interpolation_order=1,
):
    """Shifts an image by random fractions of its height and width.

    Args:
        x: A 3D image.
        wrg: Largest shift, as a fraction of the width.
        hrg: Largest shift, as a fraction of the height.

    The other arguments are `apply_affine_transform`'s (`interpolation_order`
    is its `order`).
    """
    h, w = x.shape[row_axis], x.shape[col_axis]
    tx = np.random.uniform(-hrg, hrg) * h
    ty = np.random.uniform(-wrg, wrg) * w
    return apply_affine_transform(
        x,
        tx=tx,
        ty=ty,
        row_axis=row_axis,
        col_axis=col_axis,
        channel_axis=channel_axis,
        fill_mode=fill_mode,
        cval=cval,
        order=interpolation_order,
    )


def random_shear(
    x,
    intensity,
    row_axis=1,
    col_axis=2,
    channel_axis=0,
    fill_mode="nearest",
    cval=0.0,
    interpolation_order=1,
):
    """Shears an image by a random angle in `[-intensity, intensity]` degrees.

    Args:
        x: A 3D image.
        intensity: Largest shear angle, in degrees.

    The other arguments are `apply_affine_transform`'s (`interpolation_order`
    is its `order`).
    """
    shear = np.random.uniform(-intensity, intensity)
    return apply_affine_transform(
        x,
        shear=shear,
        row_axis=row_axis,
        col_axis=col_axis,
        channel_axis=channel_axis,
        fill_mode=fill_mode,
        cval=cval,
        order=interpolation_order,
    )


def random_zoom(
    x,
    zoom_range,
    row_axis=1,
    col_axis=2,
    channel_axis=0,
    fill_mode="nearest",
    cval=0.0,
    interpolation_order=1,
):
    """Zooms an image by random factors drawn from `zoom_range`, per axis.

    Args:
        x: A 3D image.
        zoom_range: `(lower, upper)` zoom factors.

    The other arguments are `apply_affine_transform`'s (`interpolation_order`
    is its `order`).

    Raises:
        ValueError: if `zoom_range` is not two numbers.
    """
    if len(zoom_range) != 2:
        raise ValueError(
            "`zoom_range` must be a tuple or list of two floats. "
            f"Received: zoom_range={zoom_range}"
        )
    if zoom_range[0] == 1 and zoom_range[1] == 1:
        zx, zy = 1, 1
    else:
        zx, zy = np.random.uniform(zoom_range[0], zoom_range[1], 2)
    return apply_affine_transform(
        x,
        zx=zx,
        zy=zy,
        row_axis=row_axis,
        col_axis=col_axis,
        channel_axis=channel_axis,
        fill_mode=fill_mode,
        cval=cval,
        order=interpolation_order,
    )


def random_channel_shift(x, intensity_range, channel_axis=0):
    """`apply_channel_shift` by a random value in `[-intensity_range,
    intensity_range]`.

    Args:
        x: A 3D image.
        intensity_range: Largest shift.
        channel_axis: Axis of the channels.
    """
    intensity = np.random.uniform(-intensity_range, intensity_range)
    return apply_channel_shift(x, intensity, channel_axis=channel_axis)


def random_brightness(x, brightness_range, scale=True):
    """`apply_brightness_shift` by a random factor in `brightness_range`.

    Args:
        x: A 3D channels-last image.
        brightness_range: `(lower, upper)` brightness factors.
        scale: See `apply_brightness_shift`.

    Raises:
        ValueError: if `brightness_range` is not two numbers.
    """
    if len(brightness_range) != 2:
        raise ValueError(
            "`brightness_range` must be a tuple or list of two floats. "
            f"Received: brightness_range={brightness_range}"
        )
    u = np.random.uniform(brightness_range[0], brightness_range[1])
    return apply_brightness_shift(x, u, scale)
