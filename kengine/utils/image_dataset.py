"""`image_dataset_from_directory`: a `tf.data.Dataset` of image batches (and
labels) from a folder of image files, one sub-folder per class.

The files are found, labelled, shuffled and split by `dataset_utils`; this
module decodes each file (`tf.image.decode_image`: bmp, gif, jpeg, png) and
resizes it (`tf.image.resize`, or `smart_resize` to keep the aspect ratio),
so the whole pipeline runs as TensorFlow ops.

Mirrors tf_keras/src/utils/image_dataset.py: `image_dataset_from_directory`,
`paths_and_labels_to_dataset`, `load_image`.
"""

import numpy as np
import tensorflow as tf

from kengine.utils import dataset_utils, image_utils

__all__ = ["image_dataset_from_directory"]

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


def _num_channels(color_mode) -> int:
    if color_mode not in image_utils.COLOR_MODES:
        raise ValueError(
            '`color_mode` must be one of "rgb", "rgba", "grayscale". '
            f"Received: color_mode={color_mode!r}"
        )
    return image_utils.COLOR_MODES[color_mode]


def image_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    color_mode="rgb",
    batch_size=32,
    image_size=(256, 256),
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    interpolation="bilinear",
    follow_links=False,
    crop_to_aspect_ratio=False,
    **kwargs,
):
    """Builds a dataset of `(images, labels)` batches from image files.

    With `labels="inferred"`, `directory` holds one sub-folder per class,
    searched recursively; the classes are the sorted folder names unless
    `class_names` gives their order. Images are `float32` of shape
    `(image_size[0], image_size[1], channels)`, values 0..255.

    Args:
        directory: The folder to read.
        labels: `"inferred"`, `None` (images only) or a list/tuple of integer
            labels, one per file in sorted path order.
        label_mode: `"int"`, `"categorical"`, `"binary"` or `None`.
        class_names: The class folders in label order (with inferred labels).
        color_mode: `"grayscale"`, `"rgb"` or `"rgba"`: 1, 3 or 4 channels.
        batch_size: Batch size; `None` yields single images.
        image_size: `(height, width)` every image is resized to.
        shuffle: Whether to shuffle (otherwise sorted by path).
        seed: Seed of the shuffles; needed with `validation_split` when
            shuffling.
        validation_split: Fraction of files kept for validation.
        subset: `"training"`, `"validation"` or `"both"`.
        interpolation: A `tf.image.resize` method name.
        follow_links: Whether to walk into symlinked folders.
        crop_to_aspect_ratio: Crop the centre to the aspect ratio of
            `image_size` before resizing, instead of stretching.
        **kwargs: `smart_resize`, the old name of `crop_to_aspect_ratio`.

    Returns:
        A `tf.data.Dataset` (a list `[training, validation]` with
        `subset="both"`) with the attributes `class_names` and `file_paths`.

    Raises:
        TypeError: for an unknown keyword argument.
        ValueError: for inconsistent arguments, a missing directory or a
            directory without images, naming the argument and the value.
    """
    if "smart_resize" in kwargs:
        crop_to_aspect_ratio = kwargs.pop("smart_resize")
    if kwargs:
        raise TypeError(f"Unknown keyword argument(s): {tuple(kwargs)}")
    labels, label_mode = dataset_utils.check_label_arguments(
        labels, label_mode, class_names
    )
    num_channels = _num_channels(color_mode)
    interpolation = image_utils.get_interpolation(interpolation)
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    image_paths, labels, class_names = dataset_utils.index_directory(
        directory,
        labels,
        formats=ALLOWLIST_FORMATS,
        class_names=class_names,
        shuffle=shuffle,
        seed=seed,
        follow_links=follow_links,
    )
    dataset_utils.check_binary_classes(label_mode, class_names)
    subsets = dataset_utils.split_subsets(
        image_paths,
        labels,
        validation_split,
        subset,
        directory,
        "images",
        ALLOWLIST_FORMATS,
    )
    load = (tuple(image_size), num_channels, interpolation, crop_to_aspect_ratio)
    datasets = []
    for name, paths, part_labels in subsets:
        dataset = paths_and_labels_to_dataset(
            paths, load, part_labels, label_mode, len(class_names)
        )
        # With subset="both" only the training part is shuffled, as in Keras 2.
        shuffle_part = shuffle and not (subset == "both" and name == "validation")
        dataset = dataset_utils.shuffle_and_batch(
            dataset, batch_size, shuffle_part, seed
        )
        dataset.class_names = class_names
        dataset.file_paths = paths
        datasets.append(dataset)
    return datasets if subset == "both" else datasets[0]


def paths_and_labels_to_dataset(image_paths, load, labels, label_mode, num_classes):
    """A dataset of decoded images, zipped with the encoded labels if any.

    Args:
        image_paths: The files.
        load: `(image_size, num_channels, interpolation, crop_to_aspect_ratio)`
            for `load_image`.
        labels: Their labels.
        label_mode: How to encode the labels, or `None` for none.
        num_classes: Number of classes.
    """
    images = tf.data.Dataset.from_tensor_slices(image_paths).map(
        lambda path: load_image(path, *load), num_parallel_calls=tf.data.AUTOTUNE
    )
    if not label_mode:
        return images
    label_ds = dataset_utils.labels_to_dataset(labels, label_mode, num_classes)
    return tf.data.Dataset.zip((images, label_ds))


def load_image(path, image_size, num_channels, interpolation, crop_to_aspect_ratio):
    """Reads, decodes and resizes one image file to a `float32` tensor."""
    image = tf.io.read_file(path)
    image = tf.image.decode_image(image, channels=num_channels, expand_animations=False)
    if crop_to_aspect_ratio:
        image = image_utils.smart_resize(image, image_size, interpolation=interpolation)
    else:
        image = tf.image.resize(image, image_size, method=interpolation)
    image.set_shape((image_size[0], image_size[1], num_channels))
    return image
