"""The batch iterators `ImageDataGenerator.flow*` return.

- `Iterator`: a `Sequence` over `n` samples in batches, shuffled each epoch,
  that is also an endless Python iterator (`next(it)`), as Keras 2 code uses
  it. With a `seed`, the global NumPy RNG is reseeded with `seed + batches
  seen` before every batch, so the order and the random augmentations of
  each batch are reproducible, the same as in Keras 2.
- `NumpyArrayIterator`: batches of an image array (and labels, sample
  weights, extra inputs), each image augmented and standardized.
- `DirectoryIterator`: batches of image files, one sub-folder per class,
  loaded with Pillow (`load_img`), augmented and standardized, with labels
  in the `class_mode` asked for.

Mirrors tf_keras/src/preprocessing/image.py: `Iterator`,
`BatchFromFilesMixin`, `DirectoryIterator`, `NumpyArrayIterator`.
"""

import os
import threading
import warnings

import numpy as np

from kengine.backend import common as backend
from kengine.utils import image_utils
from kengine.utils.data_utils import Sequence

__all__ = ["DirectoryIterator", "Iterator", "NumpyArrayIterator"]


class Iterator(Sequence):
    """Batches of indices into `n` samples; subclasses turn them into data.

    Args:
        n: Number of samples.
        batch_size: Samples per batch.
        shuffle: Whether to shuffle the order at the start of each epoch.
        seed: Seed for the order and the augmentations, or `None`.
    """

    white_list_formats = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")

    def __init__(self, n, batch_size, shuffle, seed):
        self.n = n
        self.batch_size = batch_size
        self.seed = seed
        self.shuffle = shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array = None
        self.index_generator = self._flow_index()

    def _set_index_array(self):
        self.index_array = np.arange(self.n)
        if self.shuffle:
            self.index_array = np.random.permutation(self.n)

    def _reseed(self):
        if self.seed is not None:
            np.random.seed(self.seed + self.total_batches_seen)

    def __getitem__(self, idx):
        if idx >= len(self):
            raise ValueError(
                f"Asked to retrieve element {idx}, but the Sequence has length "
                f"{len(self)}"
            )
        self._reseed()
        self.total_batches_seen += 1
        if self.index_array is None:
            self._set_index_array()
        index_array = self.index_array[
            self.batch_size * idx : self.batch_size * (idx + 1)
        ]
        return self._get_batches_of_transformed_samples(index_array)

    def __len__(self):
        return (self.n + self.batch_size - 1) // self.batch_size

    def on_epoch_end(self):
        self._set_index_array()

    def reset(self):
        """Starts the next `next()` at the first batch of a new epoch."""
        self.batch_index = 0

    def _flow_index(self):
        """Endless batches of indices: epoch after epoch, wrapping around."""
        self.reset()
        while True:
            self._reseed()
            if self.batch_index == 0:
                self._set_index_array()
            current = (
                0 if self.n == 0 else (self.batch_index * self.batch_size) % self.n
            )
            if self.n > current + self.batch_size:
                self.batch_index += 1
            else:
                self.batch_index = 0
            self.total_batches_seen += 1
            yield self.index_array[current : current + self.batch_size]

    def __iter__(self):
        return self

    def __next__(self):
        return self.next()

    def next(self):
        """The next batch (the iterator never ends; epochs wrap around)."""
        # The index generator is shared state; threads take turns on it.
        with self.lock:
            index_array = next(self.index_generator)
        return self._get_batches_of_transformed_samples(index_array)

    def _get_batches_of_transformed_samples(self, index_array):
        """The batch of samples at `index_array`."""
        raise NotImplementedError


def _save_batch(
    batch_x, index_array, data_format, save_to_dir, prefix, fmt, hash_range
):
    """Writes the augmented images of a batch to `save_to_dir`, for inspection."""
    for i, j in enumerate(index_array):
        img = image_utils.array_to_img(batch_x[i], data_format, scale=True)
        # A random suffix keeps the files of different epochs apart.
        fname = f"{prefix}_{j}_{np.random.randint(hash_range)}.{fmt}"
        img.save(os.path.join(save_to_dir, fname))


def _check_split_labels(y, split_idx, ignore_class_split):
    if y is None or ignore_class_split:
        return
    if not np.array_equal(np.unique(y[:split_idx]), np.unique(y[split_idx:])):
        raise ValueError(
            "Training and validation subsets have different number of classes after "
            "the split. If your numpy arrays are sorted by the label, you might want "
            "to shuffle them."
        )


class NumpyArrayIterator(Iterator):
    """Augmented batches of an image array.

    Args:
        x: Images of rank 4, or a tuple `(images, extra)` where `extra` is an
            array or a list of arrays passed through unchanged.
        y: Labels, or `None`.
        image_data_generator: The `ImageDataGenerator` that augments and
            standardizes each image.
        batch_size: Samples per batch.
        shuffle: Whether to shuffle each epoch.
        sample_weight: Per-sample weights, or `None`.
        seed: Seed for order and augmentations.
        data_format: `"channels_last"` or `"channels_first"`.
        save_to_dir: Folder to save the augmented images to, or `None`.
        save_prefix: File name prefix of saved images.
        save_format: File format of saved images.
        subset: `"training"` or `"validation"` (with the generator's
            `validation_split`: validation is the head of the array).
        ignore_class_split: Allow subsets whose label sets differ.
        dtype: dtype of the images.

    Raises:
        ValueError: for inputs of different lengths, an unknown `subset`,
            label sets that differ between the subsets, or images not of
            rank 4.
    """

    def __init__(
        self,
        x,
        y,
        image_data_generator,
        batch_size=32,
        shuffle=False,
        sample_weight=None,
        seed=None,
        data_format=None,
        save_to_dir=None,
        save_prefix="",
        save_format="png",
        subset=None,
        ignore_class_split=False,
        dtype=None,
    ):
        data_format = data_format or backend.image_data_format()
        self.dtype = dtype or backend.floatx()
        x, x_misc = self._split_inputs(x)
        self._check_lengths(x, y, sample_weight)
        if subset is not None:
            x, x_misc, y = self._subset(
                x, x_misc, y, subset, image_data_generator, ignore_class_split
            )
        self.x = np.asarray(x, dtype=self.dtype)
        self.x_misc = x_misc
        if self.x.ndim != 4:
            raise ValueError(
                "Input data in `NumpyArrayIterator` should have rank 4. "
                f"Received: shape={self.x.shape}"
            )
        channels_axis = 3 if data_format == "channels_last" else 1
        if self.x.shape[channels_axis] not in {1, 3, 4}:
            warnings.warn(
                f"NumpyArrayIterator expects 1, 3 or 4 channels on axis {channels_axis} "
                f'(data_format="{data_format}"). Received: shape={self.x.shape}',
                stacklevel=2,
            )
        self.y = None if y is None else np.asarray(y)
        self.sample_weight = (
            None if sample_weight is None else np.asarray(sample_weight)
        )
        self.image_data_generator = image_data_generator
        self.data_format = data_format
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        super().__init__(self.x.shape[0], batch_size, shuffle, seed)

    @staticmethod
    def _split_inputs(x):
        """`(images, extra arrays)` from `x` or `(x, extra)`."""
        if not isinstance(x, tuple | list):
            return x, []
        extra = x[1] if isinstance(x[1], list) else [x[1]]
        x_misc = [np.asarray(xx) for xx in extra]
        for xx in x_misc:
            if len(x[0]) != len(xx):
                raise ValueError(
                    "All of the arrays in `x` should have the same length. "
                    f"Received: len(x[0])={len(x[0])}, len(x[?])={len(xx)}"
                )
        return x[0], x_misc

    @staticmethod
    def _check_lengths(x, y, sample_weight):
        for name, other in (("y", y), ("sample_weight", sample_weight)):
            if other is not None and len(x) != len(other):
                raise ValueError(
                    f"`x` (images) and `{name}` should have the same length. "
                    f"Received: x.shape={np.asarray(x).shape}, "
                    f"{name}.shape={np.asarray(other).shape}"
                )

    @staticmethod
    def _subset(x, x_misc, y, subset, image_data_generator, ignore_class_split):
        if subset not in ("training", "validation"):
            raise ValueError(
                f'`subset` must be "training" or "validation". Received: subset={subset!r}'
            )
        split_idx = int(len(x) * image_data_generator._validation_split)
        _check_split_labels(y, split_idx, ignore_class_split)
        keep = (
            slice(None, split_idx) if subset == "validation" else slice(split_idx, None)
        )
        x_misc = [np.asarray(xx[keep]) for xx in x_misc]
        return x[keep], x_misc, (None if y is None else y[keep])

    def _get_batches_of_transformed_samples(self, index_array):
        generator = self.image_data_generator
        batch_x = np.zeros((len(index_array),) + self.x.shape[1:], dtype=self.dtype)
        for i, j in enumerate(index_array):
            x = self.x[j]
            params = generator.get_random_transform(x.shape)
            x = generator.apply_transform(x.astype(self.dtype), params)
            batch_x[i] = generator.standardize(x)
        if self.save_to_dir:
            _save_batch(
                batch_x,
                index_array,
                self.data_format,
                self.save_to_dir,
                self.save_prefix,
                self.save_format,
                1e4,
            )
        batch_misc = [xx[index_array] for xx in self.x_misc]
        inputs = [batch_x] + batch_misc if batch_misc else batch_x
        if self.y is None:
            return inputs
        output = (inputs, self.y[index_array])
        if self.sample_weight is not None:
            output += (self.sample_weight[index_array],)
        return output


def _list_class_files(directory, white_list_formats, split, class_index, follow_links):
    """`(labels, paths relative to the parent)` of one class folder's images."""
    walk = sorted(os.walk(directory, followlinks=follow_links), key=lambda e: e[0])
    files = [
        (root, fname)
        for root, _, names in walk
        for fname in sorted(names)
        if fname.lower().endswith(white_list_formats)
    ]
    if split:
        files = files[int(split[0] * len(files)) : int(split[1] * len(files))]
    dirname = os.path.basename(directory)
    paths = [
        os.path.join(dirname, os.path.relpath(os.path.join(root, fname), directory))
        for root, fname in files
    ]
    return [class_index] * len(paths), paths


def _image_shape(color_mode, target_size, data_format):
    if color_mode not in image_utils.COLOR_MODES:
        raise ValueError(
            '`color_mode` must be "rgb", "rgba" or "grayscale". '
            f"Received: color_mode={color_mode!r}"
        )
    channels = image_utils.COLOR_MODES[color_mode]
    if data_format == "channels_last":
        return tuple(target_size) + (channels,)
    return (channels,) + tuple(target_size)


def _split_range(subset, validation_split):
    """The fraction of each class folder a subset reads (validation first)."""
    if subset is None:
        return None
    if subset == "validation":
        return (0, validation_split)
    if subset == "training":
        return (validation_split, 1)
    raise ValueError(
        f'`subset` must be "training" or "validation". Received: subset={subset!r}'
    )


class DirectoryIterator(Iterator):
    """Augmented batches of the images in a folder with one sub-folder per class.

    Args:
        directory: The folder.
        image_data_generator: The `ImageDataGenerator` that augments and
            standardizes each image (or `None` for neither).
        target_size: `(height, width)` every image is resized to.
        color_mode: `"grayscale"`, `"rgb"` or `"rgba"`.
        classes: Class folder names in label order; default all sub-folders,
            sorted.
        class_mode: `"categorical"` (one-hot), `"binary"`, `"sparse"`
            (integers), `"input"` (the images again, for autoencoders) or
            `None` (images only).
        batch_size: Images per batch.
        shuffle: Whether to shuffle each epoch.
        seed: Seed for order and augmentations.
        data_format: `"channels_last"` or `"channels_first"`.
        save_to_dir: Folder to save the augmented images to, or `None`.
        save_prefix: File name prefix of saved images.
        save_format: File format of saved images.
        follow_links: Whether to walk into symlinked folders.
        subset: `"training"` or `"validation"`: the generator's
            `validation_split` takes the first files of each class.
        interpolation: Pillow filter used to resize.
        keep_aspect_ratio: Crop to the target's aspect ratio before resizing.
        dtype: dtype of the images.

    Raises:
        ValueError: for an unknown `class_mode`, `color_mode` or `subset`, or
            a class named twice in `classes`.
    """

    allowed_class_modes = {"categorical", "binary", "sparse", "input", None}

    def __init__(
        self,
        directory,
        image_data_generator,
        target_size=(256, 256),
        color_mode="rgb",
        classes=None,
        class_mode="categorical",
        batch_size=32,
        shuffle=True,
        seed=None,
        data_format=None,
        save_to_dir=None,
        save_prefix="",
        save_format="png",
        follow_links=False,
        subset=None,
        interpolation="nearest",
        keep_aspect_ratio=False,
        dtype=None,
    ):
        self.data_format = data_format or backend.image_data_format()
        self.dtype = dtype or backend.floatx()
        self.image_data_generator = image_data_generator
        self.target_size = tuple(target_size)
        self.keep_aspect_ratio = keep_aspect_ratio
        self.color_mode = color_mode
        self.image_shape = _image_shape(color_mode, target_size, self.data_format)
        self.save_to_dir = save_to_dir
        self.save_prefix = save_prefix
        self.save_format = save_format
        self.interpolation = interpolation
        validation_split = getattr(image_data_generator, "_validation_split", 0.0)
        self.split = _split_range(subset, validation_split)
        self.subset = subset
        self.directory = directory
        if class_mode not in self.allowed_class_modes:
            raise ValueError(
                f"`class_mode` must be one of {self.allowed_class_modes}. "
                f"Received: class_mode={class_mode!r}"
            )
        self.class_mode = class_mode
        classes = self._class_names(directory, classes)
        self.num_classes = len(classes)
        self.class_indices = {name: index for index, name in enumerate(classes)}
        self._index_files(classes, follow_links)
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        super().__init__(self.samples, batch_size, shuffle, seed)

    @staticmethod
    def _class_names(directory, classes):
        if not classes:
            return [
                name
                for name in sorted(os.listdir(directory))
                if os.path.isdir(os.path.join(directory, name))
            ]
        repeated = sorted({name for name in classes if list(classes).count(name) > 1})
        if repeated:
            raise ValueError(
                f"`classes` must name each class folder once; repeated: {repeated}. "
                f"Received: classes={list(classes)}"
            )
        return list(classes)

    def _index_files(self, classes, follow_links):
        """Fills `filenames`, `classes` (labels) and `filepaths`, class by class."""
        self.filenames, labels = [], []
        for name in classes:
            class_labels, paths = _list_class_files(
                os.path.join(self.directory, name),
                self.white_list_formats,
                self.split,
                self.class_indices[name],
                follow_links,
            )
            labels += class_labels
            self.filenames += paths
        self.samples = len(self.filenames)
        self.classes = np.array(labels, dtype="int32")
        self._filepaths = [os.path.join(self.directory, f) for f in self.filenames]

    @property
    def filepaths(self):
        """Full paths of the images, in label order."""
        return self._filepaths

    @property
    def labels(self):
        """The integer label of every image."""
        return self.classes

    @property
    def sample_weight(self):
        """Always `None`: folders carry no sample weights."""
        return None

    def _load(self, path):
        img = image_utils.load_img(
            path,
            color_mode=self.color_mode,
            target_size=self.target_size,
            interpolation=self.interpolation,
            keep_aspect_ratio=self.keep_aspect_ratio,
        )
        x = image_utils.img_to_array(img, data_format=self.data_format)
        img.close()
        generator = self.image_data_generator
        if generator:
            params = generator.get_random_transform(x.shape)
            x = generator.standardize(generator.apply_transform(x, params))
        return x

    def _batch_labels(self, batch_x, index_array):
        if self.class_mode == "input":
            return batch_x.copy()
        if self.class_mode in {"binary", "sparse"}:
            return self.classes[index_array].astype(self.dtype)
        one_hot = np.zeros((len(batch_x), len(self.class_indices)), dtype=self.dtype)
        one_hot[np.arange(len(index_array)), self.classes[index_array]] = 1.0
        return one_hot

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = np.zeros((len(index_array),) + self.image_shape, dtype=self.dtype)
        for i, j in enumerate(index_array):
            batch_x[i] = self._load(self.filepaths[j])
        if self.save_to_dir:
            _save_batch(
                batch_x,
                index_array,
                self.data_format,
                self.save_to_dir,
                self.save_prefix,
                self.save_format,
                1e7,
            )
        if self.class_mode is None:
            return batch_x
        return batch_x, self._batch_labels(batch_x, index_array)
