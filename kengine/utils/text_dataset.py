"""`text_dataset_from_directory`: a `tf.data.Dataset` of strings (and labels)
from a folder of `.txt` files, one sub-folder per class.

The files are found, labelled, shuffled and split by `dataset_utils`; this
module only reads each file as one string (`tf.io.read_file`, cut to
`max_length` bytes), so the dataset runs as TensorFlow ops end to end.

Mirrors tf_keras/src/utils/text_dataset.py: `text_dataset_from_directory`,
`paths_and_labels_to_dataset`, `path_to_string_content`.
"""

import numpy as np
import tensorflow as tf

from kengine.utils import dataset_utils

__all__ = ["text_dataset_from_directory"]

ALLOWED_FORMATS = (".txt",)


def text_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    batch_size=32,
    max_length=None,
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    follow_links=False,
):
    """Builds a dataset of `(text, label)` batches from `.txt` files.

    With `labels="inferred"`, `directory` holds one sub-folder per class
    (`directory/class_a/*.txt`, ...), searched recursively; the classes are
    the sorted folder names unless `class_names` gives their order.

    Args:
        directory: The folder to read.
        labels: `"inferred"`, `None` (texts only) or a list/tuple of integer
            labels, one per file in sorted path order.
        label_mode: `"int"`, `"categorical"` (one-hot), `"binary"` (`float32`,
            2 classes) or `None` (no labels).
        class_names: The class folders in label order (with inferred labels).
        batch_size: Batch size; `None` yields single elements.
        max_length: Keep at most this many bytes of each file.
        shuffle: Whether to shuffle (otherwise sorted by path).
        seed: Seed of the shuffles; needed with `validation_split` when
            shuffling.
        validation_split: Fraction of files kept for validation.
        subset: `"training"`, `"validation"` or `"both"` (with
            `validation_split`).
        follow_links: Whether to walk into symlinked folders.

    Returns:
        A `tf.data.Dataset` (a list `[training, validation]` with
        `subset="both"`) of `string` tensors, or `(texts, labels)`, with the
        attribute `class_names`.

    Raises:
        ValueError: for inconsistent arguments, a missing directory or no
            `.txt` file, naming the argument and the value received.
    """
    labels, label_mode = dataset_utils.check_label_arguments(
        labels, label_mode, class_names
    )
    dataset_utils.check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    file_paths, labels, class_names = dataset_utils.index_directory(
        directory,
        labels,
        formats=ALLOWED_FORMATS,
        class_names=class_names,
        shuffle=shuffle,
        seed=seed,
        follow_links=follow_links,
    )
    dataset_utils.check_binary_classes(label_mode, class_names)
    subsets = dataset_utils.split_subsets(
        file_paths,
        labels,
        validation_split,
        subset,
        directory,
        "text files",
        ALLOWED_FORMATS,
    )
    datasets = []
    for name, paths, part_labels in subsets:
        dataset = paths_and_labels_to_dataset(
            paths, part_labels, label_mode, len(class_names), max_length
        )
        # With subset="both" only the training part is shuffled, as in Keras 2.
        shuffle_part = shuffle and not (subset == "both" and name == "validation")
        dataset = dataset_utils.shuffle_and_batch(
            dataset, batch_size, shuffle_part, seed
        )
        dataset.class_names = class_names
        datasets.append(dataset)
    return datasets if subset == "both" else datasets[0]


def paths_and_labels_to_dataset(
    file_paths, labels, label_mode, num_classes, max_length
):
    """A dataset of file contents, zipped with the encoded labels if any."""
    texts = tf.data.Dataset.from_tensor_slices(file_paths).map(
        lambda path: path_to_string_content(path, max_length),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    if not label_mode:
        return texts
    label_ds = dataset_utils.labels_to_dataset(labels, label_mode, num_classes)
    return tf.data.Dataset.zip((texts, label_ds))


def path_to_string_content(path, max_length):
    """The contents of the file at `path`, cut to `max_length` bytes."""
    text = tf.io.read_file(path)
    if max_length is not None:
        text = tf.strings.substr(text, 0, max_length)
    return text
