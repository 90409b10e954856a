"""`keras.preprocessing.image`: `ImageDataGenerator`, Keras 2's NumPy image
augmentation, and the image file helpers.

An `ImageDataGenerator` holds augmentation settings and, after `fit`, the
dataset statistics. Its iterators (`flow` over arrays, `flow_from_directory`
over files) produce batches where every image goes through:

1. `get_random_transform`: draw the parameters (rotation, shifts, shear,
   zoom, flips, channel shift, brightness) from the global NumPy RNG, which
   the iterator reseeds per batch when given a `seed`;
2. `apply_transform`: apply them (`image_transforms`);
3. `standardize`: `preprocessing_function`, `rescale`, sample-wise and
   feature-wise centring and scaling, ZCA whitening.

The `tf.data` successors are `utils.image_dataset_from_directory` and the
preprocessing layers (`RandomFlip`, `RandomRotation`, ...).

Mirrors tf_keras/src/preprocessing/image.py: `ImageDataGenerator`; the
iterators are in `image_iterators.py`, the transforms in
`image_transforms.py`, the file helpers in `utils/image_utils.py`.
"""

import warnings

import numpy as np

from kengine.backend import common as backend
from kengine.preprocessing.image_iterators import (
    DirectoryIterator,
    Iterator,
    NumpyArrayIterator,
)
from kengine.preprocessing.image_transforms import (
    apply_affine_transform,
    apply_brightness_shift,
    apply_channel_shift,
    flip_axis,
    random_brightness,
    random_channel_shift,
    random_rotation,
    random_shear,
    random_shift,
    random_zoom,
)
from kengine.utils.image_utils import (
    array_to_img,
    img_to_array,
    load_img,
    save_img,
    smart_resize,
)

__all__ = [
    "DirectoryIterator",
    "ImageDataGenerator",
    "Iterator",
    "NumpyArrayIterator",
    "apply_affine_transform",
    "apply_brightness_shift",
    "apply_channel_shift",
    "array_to_img",
    "img_to_array",
    "load_img",
    "random_brightness",
    "random_channel_shift",
    "random_rotation",
    "random_shear",
    "random_shift",
    "random_zoom",
    "save_img",
    "smart_resize",
]

_AXES = {"channels_first": (1, 2, 3), "channels_last": (3, 1, 2)}


def _zoom_pair(zoom_range):
    if isinstance(zoom_range, float | int):
        return [1 - zoom_range, 1 + zoom_range]
    if len(zoom_range) == 2 and all(isinstance(v, float | int) for v in zoom_range):
        return [zoom_range[0], zoom_range[1]]
    raise ValueError(
        "`zoom_range` must be a float or a tuple or list of two floats. "
        f"Received: zoom_range={zoom_range}"
    )


def _random_shift(shift_range, size):
    """A shift in pixels: from a list of choices (random sign), an int range
    or a fraction of `size`."""
    try:
        # A 1-D list of allowed shifts, or an int meaning "any of 0..n-1".
        shift = np.random.choice(shift_range)
        shift *= np.random.choice([-1, 1])
    except ValueError:
        # A float: uniform in [-range, range].
        shift = np.random.uniform(-shift_range, shift_range)
    if np.max(shift_range) < 1:
        shift *= size
    return shift


class ImageDataGenerator:
    """Real-time augmentation and standardization of image batches.

    Args:
        featurewise_center: Subtract the dataset mean (per channel, from
            `fit`).
        samplewise_center: Subtract each image's mean.
        featurewise_std_normalization: Divide by the dataset std (from `fit`).
        samplewise_std_normalization: Divide each image by its std.
        zca_whitening: Apply ZCA whitening (from `fit`).
        zca_epsilon: Epsilon of the ZCA whitening.
        rotation_range: Largest random rotation, in degrees.
        width_shift_range: Horizontal shift: a fraction of the width (< 1),
            pixels (>= 1), or a list of allowed pixel shifts.
        height_shift_range: Vertical shift, as `width_shift_range`.
        brightness_range: `(lower, upper)` brightness factors.
        shear_range: Largest shear angle, in degrees.
        zoom_range: A float `z` for `[1 - z, 1 + z]`, or `[lower, upper]`.
        channel_shift_range: Largest channel shift.
        fill_mode: `"constant"`, `"nearest"`, `"reflect"` or `"wrap"`.
        cval: The fill value for `"constant"`.
        horizontal_flip: Flip half the images left-right.
        vertical_flip: Flip half the images upside down.
        rescale: Multiply the images by this factor (after augmentation).
        preprocessing_function: Called on each image before everything else
            in `standardize`.
        data_format: `"channels_last"` or `"channels_first"`.
        validation_split: Fraction of the images kept for
            `subset="validation"`.
        interpolation_order: Spline order of the affine transforms.
        dtype: dtype of the generated arrays.

    Raises:
        ValueError: for an unknown `data_format`, or a `validation_split`,
            `zoom_range` or `brightness_range` of the wrong form.
    """

    def __init__(
        self,
        featurewise_center=False,
        samplewise_center=False,
        featurewise_std_normalization=False,
        samplewise_std_normalization=False,
        zca_whitening=False,
        zca_epsilon=1e-6,
        rotation_range=0,
        width_shift_range=0.0,
        height_shift_range=0.0,
        brightness_range=None,
        shear_range=0.0,
        zoom_range=0.0,
        channel_shift_range=0.0,
        fill_mode="nearest",
        cval=0.0,
        horizontal_flip=False,
        vertical_flip=False,
        rescale=None,
        preprocessing_function=None,
        data_format=None,
        validation_split=0.0,
        interpolation_order=1,
        dtype=None,
    ):
        data_format = data_format or backend.image_data_format()
        if data_format not in _AXES:
            raise ValueError(
                '`data_format` must be "channels_last" or "channels_first". '
                f"Received: data_format={data_format!r}"
            )
        if validation_split and not 0 < validation_split < 1:
            raise ValueError(
                "`validation_split` must be strictly between 0 and 1. "
                f"Received: validation_split={validation_split}"
            )
        if brightness_range is not None and (
            not isinstance(brightness_range, tuple | list) or len(brightness_range) != 2
        ):
            raise ValueError(
                "`brightness_range` must be a tuple or list of two floats. "
                f"Received: brightness_range={brightness_range}"
            )
        self.data_format = data_format
        self.channel_axis, self.row_axis, self.col_axis = _AXES[data_format]
        self.dtype = dtype or backend.floatx()
        self.featurewise_center = featurewise_center
        self.samplewise_center = samplewise_center
        self.featurewise_std_normalization = featurewise_std_normalization
        self.samplewise_std_normalization = samplewise_std_normalization
        self.zca_whitening = zca_whitening
        self.zca_epsilon = zca_epsilon
        self.rotation_range = rotation_range
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.brightness_range = brightness_range
        self.shear_range = shear_range
        self.zoom_range = _zoom_pair(zoom_range)
        self.channel_shift_range = channel_shift_range
        self.fill_mode = fill_mode
        self.cval = cval
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.interpolation_order = interpolation_order
        self._validation_split = validation_split
        self.mean = None
        self.std = None
        self.zca_whitening_matrix = None
        self._resolve_normalization_flags()

    def _resolve_normalization_flags(self):
        """Turns on the centring that whitening and std scaling rely on."""
        if self.zca_whitening:
            if not self.featurewise_center:
                self.featurewise_center = True
                _warn("`zca_whitening`, which overrides `featurewise_center`.")
            if self.featurewise_std_normalization:
                self.featurewise_std_normalization = False
                _warn(
                    "`zca_whitening`, which overrides `featurewise_std_normalization`."
                )
        if self.featurewise_std_normalization and not self.featurewise_center:
            self.featurewise_center = True
            _warn(
                "`featurewise_std_normalization`, which overrides `featurewise_center`."
            )
        if self.samplewise_std_normalization and not self.samplewise_center:
            self.samplewise_center = True
            _warn(
                "`samplewise_std_normalization`, which overrides `samplewise_center`."
            )

    def flow(
        self,
        x,
        y=None,
        batch_size=32,
        shuffle=True,
        sample_weight=None,
        seed=None,
        save_to_dir=None,
        save_prefix="",
        save_format="png",
        ignore_class_split=False,
        subset=None,
    ):
        """Augmented batches of an image array: see `NumpyArrayIterator`.

        Returns:
            A `NumpyArrayIterator` yielding `x` or `(x, y)` or
            `(x, y, sample_weight)` batches.
        """
        return NumpyArrayIterator(
            x,
            y,
            self,
            batch_size=batch_size,
            shuffle=shuffle,
            sample_weight=sample_weight,
            seed=seed,
            data_format=self.data_format,
            save_to_dir=save_to_dir,
            save_prefix=save_prefix,
            save_format=save_format,
            ignore_class_split=ignore_class_split,
            subset=subset,
            dtype=self.dtype,
        )

    def flow_from_directory(
        self,
        directory,
        target_size=(256, 256),
        color_mode="rgb",
        classes=None,
        class_mode="categorical",
        batch_size=32,
        shuffle=True,
        seed=None,
        save_to_dir=None,
        save_prefix="",
        save_format="png",
        follow_links=False,
        subset=None,
        interpolation="nearest",
        keep_aspect_ratio=False,
    ):
        """Augmented batches of the image files in `directory`: see
        `DirectoryIterator`.

        Returns:
            A `DirectoryIterator` yielding `(x, y)` batches (`x` alone with
            `class_mode=None`).
        """
        return DirectoryIterator(
            directory,
            self,
            target_size=target_size,
            color_mode=color_mode,
            keep_aspect_ratio=keep_aspect_ratio,
            classes=classes,
            class_mode=class_mode,
            data_format=self.data_format,
            batch_size=batch_size,
            shuffle=shuffle,
            seed=seed,
            save_to_dir=save_to_dir,
            save_prefix=save_prefix,
            save_format=save_format,
            follow_links=follow_links,
            subset=subset,
            interpolation=interpolation,
            dtype=self.dtype,
        )

    def flow_from_dataframe(self, dataframe, *args, **kwargs):
        """Not supported by kengine (it needs pandas).

        Raises:
            NotImplementedError: always; list the files of the data frame
                in a folder per class and use `flow_from_directory`, or
                load them and use `flow`.
        """
        raise NotImplementedError(
            "ImageDataGenerator.flow_from_dataframe is not supported by kengine. "
            "Use flow_from_directory (one sub-folder per class) or load the images "
            "and use flow(x, y)."
        )

    def standardize(self, x):
        """Applies the normalization settings to an image or a batch, in place
        where the dtype allows.

        Args:
            x: A float image or batch.

        Returns:
            The standardized input.
        """
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= np.std(x, keepdims=True) + 1e-6
        if self.featurewise_center:
            if self.mean is not None:
                x -= self.mean
            else:
                _warn_unfitted("featurewise_center")
        if self.featurewise_std_normalization:
            if self.std is not None:
                x /= self.std + 1e-6
            else:
                _warn_unfitted("featurewise_std_normalization")
        if self.zca_whitening:
            if self.zca_whitening_matrix is not None:
                flat_x = x.reshape(-1, np.prod(x.shape[-3:]))
                x = np.reshape(flat_x @ self.zca_whitening_matrix, x.shape)
            else:
                _warn_unfitted("zca_whitening")
        return x

    def get_random_transform(self, img_shape, seed=None) -> dict:
        """Draws the parameters of one random augmentation.

        Args:
            img_shape: Shape of the image (without the batch axis).
            seed: Reseeds the global NumPy RNG first, if given.

        Returns:
            A dict with `theta`, `tx`, `ty`, `shear`, `zx`, `zy`,
            `flip_horizontal`, `flip_vertical`, `channel_shift_intensity`,
            `brightness`, for `apply_transform`.
        """
        if seed is not None:
            np.random.seed(seed)
        # The draws happen in Keras 2's order, so a seed gives its numbers.
        theta = (
            np.random.uniform(-self.rotation_range, self.rotation_range)
            if self.rotation_range
            else 0
        )
        tx = ty = 0
        if self.height_shift_range:
            tx = _random_shift(self.height_shift_range, img_shape[self.row_axis - 1])
        if self.width_shift_range:
            ty = _random_shift(self.width_shift_range, img_shape[self.col_axis - 1])
        shear = (
            np.random.uniform(-self.shear_range, self.shear_range)
            if self.shear_range
            else 0
        )
        zx, zy = 1, 1
        if self.zoom_range[0] != 1 or self.zoom_range[1] != 1:
            zx, zy = np.random.uniform(self.zoom_range[0], self.zoom_range[1], 2)
        flip_horizontal = (np.random.random() < 0.5) * self.horizontal_flip
        flip_vertical = (np.random.random() < 0.5) * self.vertical_flip
        channel_shift_intensity = None
        if self.channel_shift_range != 0:
            channel_shift_intensity = np.random.uniform(
                -self.channel_shift_range, self.channel_shift_range
            )
        brightness = None
        if self.brightness_range is not None:
            brightness = np.random.uniform(*self.brightness_range)
        return {
            "theta": theta,
            "tx": tx,
            "ty": ty,
            "shear": shear,
            "zx": zx,
            "zy": zy,
            "flip_horizontal": flip_horizontal,
            "flip_vertical": flip_vertical,
            "channel_shift_intensity": channel_shift_intensity,
            "brightness": brightness,
        }

    def apply_transform(self, x, transform_parameters: dict):
        """Applies the augmentation `transform_parameters` describes to one image.

        Args:
            x: A 3D image (no batch axis).
            transform_parameters: As returned by `get_random_transform`;
                missing keys mean "no change".

        Returns:
            The transformed image.
        """
        params = transform_parameters
        row_axis, col_axis = self.row_axis - 1, self.col_axis - 1
        channel_axis = self.channel_axis - 1
        x = apply_affine_transform(
            x,
            params.get("theta", 0),
            params.get("tx", 0),
            params.get("ty", 0),
            params.get("shear", 0),
            params.get("zx", 1),
            params.get("zy", 1),
            row_axis=row_axis,
            col_axis=col_axis,
            channel_axis=channel_axis,
            fill_mode=self.fill_mode,
            cval=self.cval,
            order=self.interpolation_order,
        )
        if params.get("channel_shift_intensity") is not None:
            x = apply_channel_shift(x, params["channel_shift_intensity"], channel_axis)
        if params.get("flip_horizontal", False):
            x = flip_axis(x, col_axis)
        if params.get("flip_vertical", False):
            x = flip_axis(x, row_axis)
        if params.get("brightness") is not None:
            x = apply_brightness_shift(x, params["brightness"], False)
        return x

    def random_transform(self, x, seed=None):
        """`apply_transform(x, get_random_transform(x.shape, seed))`."""
        return self.apply_transform(x, self.get_random_transform(x.shape, seed))

    def fit(self, x, augment=False, rounds=1, seed=None) -> None:
        """Computes the statistics the feature-wise settings need.

        Args:
            x: Images of rank 4.
            augment: Compute the statistics over randomly augmented copies.
            rounds: How many augmented copies of each image (with `augment`).
            seed: Reseeds the global NumPy RNG first, if given.

        Raises:
            ValueError: if `x` is not of rank 4.
        """
        x = np.array(x, dtype=self.dtype)  # a copy: fit never changes the input
        if x.ndim != 4:
            raise ValueError(
                f"Input to `.fit()` should have rank 4. Received: shape={x.shape}"
            )
        if x.shape[self.channel_axis] not in {1, 3, 4}:
            warnings.warn(
                f"ImageDataGenerator.fit expects 1, 3 or 4 channels on axis "
                f"{self.channel_axis} (data_format={self.data_format!r}). "
                f"Received: shape={x.shape}",
                stacklevel=2,
            )
        if seed is not None:
            np.random.seed(seed)
        if self.rescale:
            x *= self.rescale
        if augment:
            augmented = np.zeros((rounds * len(x),) + x.shape[1:], dtype=self.dtype)
            for r in range(rounds):
                for i, image in enumerate(x):
                    augmented[i + r * len(x)] = self.random_transform(image)
            x = augmented
        broadcast_shape = [1, 1, 1]
        broadcast_shape[self.channel_axis - 1] = x.shape[self.channel_axis]
        axes = (0, self.row_axis, self.col_axis)
        if self.featurewise_center:
            self.mean = np.reshape(np.mean(x, axis=axes), broadcast_shape)
            x -= self.mean
        if self.featurewise_std_normalization:
            self.std = np.reshape(np.std(x, axis=axes), broadcast_shape)
            x /= self.std + 1e-6
        if self.zca_whitening:
            flat_x = np.reshape(x, (len(x), -1))
            u, s, _ = np.linalg.svd(flat_x.T, full_matrices=False)
            s_inv = np.sqrt(len(x)) / (s + self.zca_epsilon)
            self.zca_whitening_matrix = (u * s_inv).dot(u.T)


def _warn(what: str) -> None:
    warnings.warn(f"This ImageDataGenerator specifies {what}", stacklevel=3)


def _warn_unfitted(setting: str) -> None:
    warnings.warn(
        f"This ImageDataGenerator specifies `{setting}`, but it hasn't been fit on "
        "any training data. Fit it first by calling `.fit(numpy_data)`.",
        stacklevel=3,
    )
