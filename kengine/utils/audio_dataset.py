"""`audio_dataset_from_directory`: a `tf.data.Dataset` of audio batches (and
labels) from a folder of `.wav` files, one sub-folder per class.

The files are found, labelled, shuffled and split by `dataset_utils`; this
module decodes each file with `tf.audio.decode_wav` to a `float32` tensor of
shape `(samples, channels)`. Clips of different lengths are padded with
zeros to the longest in their batch, cut or padded to
`output_sequence_length`, or kept as ragged tensors.

Resampling (`sampling_rate`) needs the optional `tensorflow_io` package, as in
Keras 2; it is imported only when asked for.

Mirrors tf_keras/src/utils/audio_dataset.py: `audio_dataset_from_directory`,
`prepare_dataset`, `read_and_decode_audio`, `paths_and_labels_to_dataset`.
"""

import numpy as np
import tensorflow as tf

from kengine.utils import dataset_utils

__all__ = ["audio_dataset_from_directory"]

ALLOWED_FORMATS = (".wav",)


def _tensorflow_io():
    """The `tensorflow_io` module, or an ImportError naming it."""
    try:
        # Optional and heavy: only resampling needs it, as in Keras 2.
        import tensorflow_io
    except ImportError as err:
        raise ImportError(
            "`sampling_rate` needs the tensorflow_io package. "
            "Install it with `pip install tensorflow-io`."
        ) from err
    return tensorflow_io


def _check_audio_arguments(sampling_rate, output_sequence_length, ragged):
    if ragged and output_sequence_length is not None:
        raise ValueError(
            "`ragged` and `output_sequence_length` cannot both be set. Received: "
            f"ragged={ragged}, output_sequence_length={output_sequence_length}"
        )
    if sampling_rate is None:
        return None
    if not isinstance(sampling_rate, int) or sampling_rate <= 0:
        raise ValueError(
            "`sampling_rate` must be a positive integer. "
            f"Received: sampling_rate={sampling_rate!r}"
        )
    return _tensorflow_io()


def audio_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    batch_size=32,
    sampling_rate=None,
    output_sequence_length=None,
    ragged=False,
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    follow_links=False,
):
    """Builds a dataset of `(audio, labels)` batches from `.wav` files.

    Args:
        directory: The folder to read (one sub-folder per class with
            `labels="inferred"`).
        labels: `"inferred"`, `None` or a list/tuple of integer labels, one
            per file in sorted path order.
        label_mode: `"int"`, `"categorical"`, `"binary"` or `None`.
        class_names: The class folders in label order.
        batch_size: Batch size; `None` yields single clips.
        sampling_rate: Resample every clip to this rate (needs tensorflow_io).
        output_sequence_length: Cut or zero-pad every clip to this many
            samples.
        ragged: Yield ragged tensors instead of padding.
        shuffle: Whether to shuffle (otherwise sorted by path).
        seed: Seed of the shuffles.
        validation_split: Fraction of files kept for validation.
        subset: `"training"`, `"validation"` or `"both"`.
        follow_links: Whether to walk into symlinked folders.

    Returns:
        A `tf.data.Dataset` of `float32` audio of shape `(batch, samples,
        channels)`, or `(audio, labels)`; a tuple `(training, validation)`
        with `subset="both"`. Each has the attribute `class_names`.

    Raises:
        ImportError: for `sampling_rate` without tensorflow_io.
        ValueError: for inconsistent arguments or a directory without `.wav`
            files, naming the argument and the value.
    """
    labels, label_mode = dataset_utils.check_label_arguments(
        labels, label_mode, class_names
    )
    tfio = _check_audio_arguments(sampling_rate, output_sequence_length, ragged)
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
        "audio files",
        ALLOWED_FORMATS,
    )
    decode = (tfio, sampling_rate, output_sequence_length)
    # Variable-length clips are zero-padded to the longest clip of each batch.
    pad = output_sequence_length is None and not ragged
    batch_fn = (lambda ds, size: ds.padded_batch(size)) if pad else None
    datasets = []
    for name, paths, part_labels in subsets:
        dataset = paths_and_labels_to_dataset(
            paths, part_labels, label_mode, len(class_names), decode, ragged
        )
        # With subset="both" only the training part is shuffled, as in Keras 2.
        shuffle_part = shuffle and not (subset == "both" and name == "validation")
        dataset = dataset_utils.shuffle_and_batch(
            dataset, batch_size, shuffle_part, seed, batch_fn
        )
        dataset.class_names = class_names
        datasets.append(dataset)
    return tuple(datasets) if subset == "both" else datasets[0]


def read_and_decode_audio(
    path, tfio=None, sampling_rate=None, output_sequence_length=None
):
    """Decodes one `.wav` file to `float32` `(samples, channels)`."""
    contents = tf.io.read_file(path)
    desired = -1 if output_sequence_length is None else output_sequence_length
    audio, rate = tf.audio.decode_wav(contents=contents, desired_samples=desired)
    if sampling_rate is not None:
        audio = tfio.audio.resample(
            input=audio, rate_in=tf.cast(rate, tf.int64), rate_out=sampling_rate
        )
    return audio


def paths_and_labels_to_dataset(
    file_paths, labels, label_mode, num_classes, decode, ragged
):
    """A dataset of decoded clips, zipped with the encoded labels if any."""
    audio = tf.data.Dataset.from_tensor_slices(file_paths).map(
        lambda path: read_and_decode_audio(path, *decode),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    if ragged:
        audio = audio.map(
            tf.RaggedTensor.from_tensor, num_parallel_calls=tf.data.AUTOTUNE
        )
    if not label_mode:
        return audio
    label_ds = dataset_utils.labels_to_dataset(labels, label_mode, num_classes)
    return tf.data.Dataset.zip((audio, label_ds))
