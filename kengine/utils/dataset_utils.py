"""What the `*_dataset_from_directory` utilities share: finding, labelling,
splitting and batching files.

A directory utility (text, image, audio) runs the same five steps, each a
function here, and adds only how one file becomes a tensor:

1. `check_label_arguments`, `check_validation_split_arg`: refuse bad
   arguments before touching the disk.
2. `index_directory`: walk `directory` (one sub-folder per class when
   `labels="inferred"`), keep the files with an allowed extension, sorted by
   path, and shuffle paths and labels with one seeded permutation.
3. `split_subsets`: keep the training part, the validation part or both
   (`validation_split` is taken from the end of the shuffled list).
4. `labels_to_dataset`: labels as `int32`, one-hot (`"categorical"`) or a
   `float32` column (`"binary"`).
5. `shuffle_and_batch`: a seeded `tf.data` shuffle, then `batch`.

The seed drives both shuffles, as in Keras 2, so one seed reproduces the
exact batches tf_keras yields.

Mirrors tf_keras/src/utils/dataset_utils.py: `index_directory`,
`iter_valid_files`, `index_subdirectory`, `get_training_or_validation_split`,
`labels_to_dataset`, `check_validation_split_arg`; and the argument checks
repeated in text_dataset.py, image_dataset.py and audio_dataset.py.
"""

import collections
import os

import numpy as np
import tensorflow as tf

__all__ = [
    "check_label_arguments",
    "check_binary_classes",
    "check_validation_split_arg",
    "index_directory",
    "get_training_or_validation_split",
    "split_subsets",
    "labels_to_dataset",
    "shuffle_and_batch",
]

LABEL_MODES = ("int", "categorical", "binary", None)
SUBSETS = ("training", "validation", "both", None)


def _inferred_or_none(labels) -> bool:
    # Not `labels in (...)`: an array would compare element-wise.
    return labels is None or (isinstance(labels, str) and labels == "inferred")


def check_label_arguments(labels, label_mode, class_names):
    """Validates `labels`, `label_mode` and `class_names`; resolves "no labels".

    Args:
        labels: `"inferred"`, `None`, or a list/tuple of integer labels.
        label_mode: One of `"int"`, `"categorical"`, `"binary"`, `None`.
        class_names: Explicit class order (only with `labels="inferred"`).

    Returns:
        `(labels, label_mode)`, both `None` when either asks for no labels.

    Raises:
        ValueError: for a `labels` that is not a list, `class_names` without
            inferred labels, a repeated class name or an unknown `label_mode`.
    """
    if not _inferred_or_none(labels):
        if not isinstance(labels, list | tuple):
            raise ValueError(
                '`labels` must be "inferred", None, or a list/tuple of integer '
                "labels, one per file in the directory in sorted path order. "
                f"Received: labels={labels!r}"
            )
        if class_names:
            raise ValueError(
                '`class_names` can only be passed with `labels="inferred"`. '
                f"Received: labels={labels!r}, class_names={class_names!r}"
            )
    if class_names is not None:
        counts = collections.Counter(class_names)
        repeated = sorted(name for name, count in counts.items() if count > 1)
        if repeated:
            raise ValueError(
                "`class_names` must name each class folder once; repeated: "
                f"{repeated}. Received: class_names={class_names!r}"
            )
    if label_mode not in LABEL_MODES:
        raise ValueError(
            '`label_mode` must be one of "int", "categorical", "binary" or None. '
            f"Received: label_mode={label_mode!r}"
        )
    if labels is None or label_mode is None:
        return None, None
    return labels, label_mode


def check_binary_classes(label_mode, class_names) -> None:
    """Refuses `label_mode="binary"` unless there are exactly two classes."""
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(
            'label_mode="binary" needs exactly 2 classes. '
            f"Received: class_names={class_names}"
        )


def check_validation_split_arg(validation_split, subset, shuffle, seed) -> None:
    """Refuses inconsistent `validation_split`/`subset`/`seed` arguments.

    Args:
        validation_split: Fraction in (0, 1) of files kept for validation, or
            `None`/0.
        subset: `"training"`, `"validation"`, `"both"` or `None`.
        shuffle: Whether the files are shuffled.
        seed: The shuffle seed.

    Raises:
        ValueError: naming the argument and its value when `validation_split`
            is outside (0, 1), only one of `validation_split`/`subset` is set,
            `subset` is unknown, or a shuffled split has no `seed` (the
            training and validation calls would then overlap).
    """
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(
            "`validation_split` must be between 0 and 1. "
            f"Received: validation_split={validation_split}"
        )
    if bool(validation_split) != bool(subset):
        raise ValueError(
            "`validation_split` and `subset` must be set together (or neither). "
            f"Received: validation_split={validation_split}, subset={subset!r}"
        )
    if subset not in SUBSETS:
        raise ValueError(
            '`subset` must be "training", "validation", "both" or None. '
            f"Received: subset={subset!r}"
        )
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "A shuffled `validation_split` needs a `seed`, so that the training "
            "and validation subsets do not overlap. Received: seed=None"
        )


def _class_subdirectories(directory: str) -> list[str]:
    """The visible sub-folders of `directory`, sorted."""
    if not tf.io.gfile.isdir(directory):
        raise ValueError(
            "`directory` must be an existing directory. "
            f"Received: directory={directory!r}"
        )
    return [
        name.rstrip("/")
        for name in sorted(tf.io.gfile.listdir(directory))
        if tf.io.gfile.isdir(tf.io.gfile.join(directory, name))
        and not name.startswith(".")
    ]


def _resolve_class_names(directory, labels, class_names):
    """The folders to walk and the class names, in label order."""
    if labels != "inferred":
        # Explicit or no labels: the whole tree is one unnamed folder.
        return [""], [""]
    subdirs = _class_subdirectories(directory)
    if not class_names:
        return subdirs, subdirs
    if set(class_names) != set(subdirs):
        raise ValueError(
            "`class_names` must match the sub-folders of `directory` "
            f"({subdirs}). Received: class_names={list(class_names)}"
        )
    return subdirs, list(class_names)


def iter_valid_files(directory: str, follow_links: bool, formats):
    """Yields `(folder, file name)` of the files under `directory` with an
    allowed extension, folders and names in sorted order."""
    if "://" in directory:
        # Remote file systems (gs://, ...) have no symlinks to follow.
        walk = tf.io.gfile.walk(directory)
    else:
        # Keras 2 walks with tf.io.gfile, which enters symlinked folders even
        # with follow_links=False; os.walk honours the flag.
        walk = os.walk(directory, followlinks=follow_links)
    for root, _, files in sorted(walk, key=lambda entry: entry[0]):
        for fname in sorted(files):
            if fname.lower().endswith(formats):
                yield root, fname


def index_subdirectory(directory, class_indices, follow_links, formats):
    """The files under one class folder, relative to its parent, and their label.

    Returns:
        `(relative_paths, labels)`: paths start with the folder's own name.
    """
    dirname = os.path.basename(directory)
    paths, labels = [], []
    for root, fname in iter_valid_files(directory, follow_links, formats):
        relative = os.path.relpath(tf.io.gfile.join(root, fname), directory)
        paths.append(tf.io.gfile.join(dirname, relative))
        labels.append(class_indices[dirname])
    return paths, labels


def index_directory(
    directory,
    labels,
    formats,
    class_names=None,
    shuffle: bool = True,
    seed=None,
    follow_links: bool = False,
):
    """Lists the files of `directory` with their integer labels.

    Args:
        directory: The root folder. With `labels="inferred"` each sub-folder
            is a class; otherwise the tree is read as one folder.
        labels: `"inferred"`, `None` or a list of labels, one per file in the
            sorted order of the paths.
        formats: Allowed file extensions, lower case (e.g. `(".txt",)`).
        class_names: Explicit class order for inferred labels.
        shuffle: Whether to shuffle; otherwise files stay in sorted path order.
        seed: Seed of the shuffle.
        follow_links: Whether to walk into symlinked folders.

    Returns:
        `(file_paths, labels, class_names)`.

    Raises:
        ValueError: if `directory` is missing, `class_names` does not match
            its sub-folders or `labels` has the wrong length.
    """
    inferred = _inferred_or_none(labels)
    subdirs, class_names = _resolve_class_names(directory, labels, class_names)
    class_indices = {name: index for index, name in enumerate(class_names)}
    filenames, found_labels = [], []
    # Keras 2 indexes the class folders in a thread pool; the order is the same.
    for subdir in subdirs:
        folder = tf.io.gfile.join(directory, subdir)
        paths, folder_labels = index_subdirectory(
            folder, class_indices, follow_links, formats
        )
        filenames += paths
        found_labels += folder_labels
    if not inferred:
        if len(labels) != len(filenames):
            raise ValueError(
                "`labels` must have one label per file: found "
                f"{len(filenames)} files in {directory}. "
                f"Received: len(labels)={len(labels)}"
            )
        class_names = sorted(set(labels))
    if labels is None:
        print(f"Found {len(filenames)} files.")
    else:
        print(f"Found {len(filenames)} files belonging to {len(class_names)} classes.")
    labels = found_labels if inferred else list(labels)
    file_paths = [tf.io.gfile.join(directory, name) for name in filenames]
    if shuffle:
        # One seeded permutation for paths and labels (Keras 2 shuffles each
        # with a fresh RandomState(seed): the same permutation).
        if seed is None:
            seed = np.random.randint(1e6)
        order = np.random.RandomState(seed).permutation(len(file_paths))
        file_paths = [file_paths[i] for i in order]
        labels = [labels[i] for i in order]
    if inferred:
        labels = np.array(labels, dtype="int32")
    return file_paths, labels, class_names


def get_training_or_validation_split(samples, labels, validation_split, subset):
    """Keeps the training (head) or validation (tail) part of the samples.

    Args:
        samples: The (shuffled) samples.
        labels: Their labels, or `None`.
        validation_split: Fraction kept for validation; falsy keeps all.
        subset: `"training"` or `"validation"`.

    Returns:
        `(samples, labels)` of the subset.

    Raises:
        ValueError: for another `subset`.
    """
    if not validation_split:
        return samples, labels
    num_val = int(validation_split * len(samples))
    if subset == "training":
        print(f"Using {len(samples) - num_val} files for training.")
        keep = slice(None, len(samples) - num_val)
    elif subset == "validation":
        print(f"Using {num_val} files for validation.")
        keep = slice(len(samples) - num_val, None)
    else:
        raise ValueError(
            f'`subset` must be "training" or "validation". Received: subset={subset!r}'
        )
    return samples[keep], (None if labels is None else labels[keep])


def split_subsets(samples, labels, validation_split, subset, directory, noun, formats):
    """The subsets a call asks for, each as `(subset, samples, labels)`.

    `subset="both"` gives the training then the validation subset; any other
    value gives one.

    Raises:
        ValueError: when a subset has no file, naming `directory` and the
            allowed formats.
    """
    names = ["training", "validation"] if subset == "both" else [subset]
    found = []
    for name in names:
        part, part_labels = get_training_or_validation_split(
            samples, labels, validation_split, name
        )
        if not part:
            which = f"{name} " if subset == "both" else ""
            raise ValueError(
                f"No {which}{noun} found in `directory`. Allowed formats: "
                f"{formats}. Received: directory={directory!r}"
            )
        found.append((name, part, part_labels))
    return found


def labels_to_dataset(labels, label_mode, num_classes):
    """A `tf.data.Dataset` of labels encoded for `label_mode`.

    Args:
        labels: Integer labels.
        label_mode: `"int"` (as is), `"categorical"` (one-hot of
            `num_classes`) or `"binary"` (`float32` of shape `(1,)`).
        num_classes: Number of classes for the one-hot encoding.

    Returns:
        A dataset with one element per label.
    """
    dataset = tf.data.Dataset.from_tensor_slices(labels)
    if label_mode == "binary":
        return dataset.map(
            lambda y: tf.expand_dims(tf.cast(y, "float32"), axis=-1),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    if label_mode == "categorical":
        return dataset.map(
            lambda y: tf.one_hot(y, num_classes), num_parallel_calls=tf.data.AUTOTUNE
        )
    return dataset


def shuffle_and_batch(dataset, batch_size, shuffle: bool, seed, batch_fn=None):
    """Shuffles (seeded, 8 batches deep) and batches a dataset, then prefetches.

    Args:
        dataset: Unbatched elements.
        batch_size: Batch size, or `None` for unbatched elements.
        shuffle: Whether to shuffle.
        seed: Shuffle seed.
        batch_fn: `(dataset, batch_size) -> dataset`; default `Dataset.batch`.

    Returns:
        The prepared dataset.
    """
    if shuffle:
        buffer_size = 1024 if batch_size is None else batch_size * 8
        dataset = dataset.shuffle(buffer_size=buffer_size, seed=seed)
    if batch_size is not None:
        if batch_fn is None:
            dataset = dataset.batch(batch_size)
        else:
            dataset = batch_fn(dataset, batch_size)
    return dataset.prefetch(tf.data.AUTOTUNE)
