"""`timeseries_dataset_from_array`: sliding windows over an array, as a
`tf.data.Dataset` of batches.

Window `i` starts at `start_positions[i]` (every `sequence_stride`-th step)
and takes `sequence_length` steps, `sampling_rate` apart. Its target is
`targets[start_positions[i]]`: to predict the step after a window, pass
`targets = data[sequence_length:]`. The windows are gathered by TensorFlow
ops from one copy of the array, so no window is materialised in advance.

Mirrors tf_keras/src/utils/timeseries_dataset.py:
`timeseries_dataset_from_array`, `sequences_from_indices`.
"""

import numpy as np
import tensorflow as tf

__all__ = ["timeseries_dataset_from_array"]


def _check_index(name: str, value, data_length: int) -> None:
    if value < 0:
        raise ValueError(f"`{name}` must be 0 or greater. Received: {name}={value}")
    if value >= data_length:
        raise ValueError(
            f"`{name}` must be lower than the length of the data ({data_length}). "
            f"Received: {name}={value}"
        )


def _check_arguments(data, start_index, end_index, sampling_rate, sequence_stride):
    """Refuses indices outside the data and non-positive strides."""
    length = len(data)
    if start_index:
        _check_index("start_index", start_index, length)
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(
                "`end_index` must be higher than `start_index`. Received: "
                f"start_index={start_index}, end_index={end_index}"
            )
        _check_index("end_index", end_index, length)
    for name, value in (
        ("sampling_rate", sampling_rate),
        ("sequence_stride", sequence_stride),
    ):
        if value <= 0:
            raise ValueError(
                f"`{name}` must be higher than 0. Received: {name}={value}"
            )
        _check_index(name, value, length)


def timeseries_dataset_from_array(
    data,
    targets,
    sequence_length,
    sequence_stride=1,
    sampling_rate=1,
    batch_size=128,
    shuffle=False,
    seed=None,
    start_index=None,
    end_index=None,
):
    """Builds a dataset of sliding windows over `data`.

    >>> ds = timeseries_dataset_from_array(
    ...     np.arange(6), None, sequence_length=3, batch_size=None)
    >>> [w.numpy().tolist() for w in ds]
    [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]]

    Args:
        data: Array-like of timesteps along axis 0.
        targets: Array-like with one target per timestep, or `None`.
        sequence_length: Number of timesteps per window.
        sequence_stride: Steps between the starts of consecutive windows.
        sampling_rate: Steps between the timesteps inside a window.
        batch_size: Windows per batch; `None` yields single windows.
        shuffle: Whether to shuffle the windows.
        seed: Seed of the shuffles.
        start_index: First timestep used (default 0).
        end_index: Timestep before which the data ends (default `len(data)`).

    Returns:
        A `tf.data.Dataset` of `windows` or `(windows, targets)` batches.

    Raises:
        ValueError: for indices outside the data, or a stride or sampling rate
            that is not in `1 .. len(data) - 1`.
    """
    _check_arguments(data, start_index, end_index, sampling_rate, sequence_stride)
    start_index = start_index or 0
    end_index = end_index or len(data)
    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num_seqs = min(num_seqs, len(targets))
    # int32 positions use half the memory; huge series need int64.
    index_dtype = "int32" if num_seqs < 2**31 - 1 else "int64"
    start_positions = np.arange(0, num_seqs, sequence_stride, dtype=index_dtype)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(start_positions)

    sequence_length = tf.cast(sequence_length, index_dtype)
    sampling_rate = tf.cast(sampling_rate, index_dtype)
    window_indices = _positions_dataset(start_positions).map(
        lambda start: tf.range(
            start, start + sequence_length * sampling_rate, sampling_rate
        ),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    dataset = sequences_from_indices(data, window_indices, start_index, end_index)
    if targets is not None:
        target_ds = sequences_from_indices(
            targets, _positions_dataset(start_positions), start_index, end_index
        )
        dataset = tf.data.Dataset.zip((dataset, target_ds))
    dataset = dataset.prefetch(tf.data.AUTOTUNE)
    if shuffle:
        # Shuffles again locally, each epoch.
        buffer_size = 1024 if batch_size is None else batch_size * 8
        dataset = dataset.shuffle(buffer_size=buffer_size, seed=seed)
    if batch_size is not None:
        dataset = dataset.batch(batch_size)
    return dataset


def _positions_dataset(start_positions: np.ndarray) -> tf.data.Dataset:
    """The start positions one by one, read from a single stored copy."""
    positions = tf.data.Dataset.from_tensors(start_positions).repeat()
    return tf.data.Dataset.zip(
        (tf.data.Dataset.range(len(start_positions)), positions)
    ).map(
        lambda i, all_positions: all_positions[i], num_parallel_calls=tf.data.AUTOTUNE
    )


def sequences_from_indices(array, indices_ds, start_index, end_index):
    """Gathers `array[start_index:end_index][indices]` for each element of
    `indices_ds`."""
    steps = tf.data.Dataset.from_tensors(array[start_index:end_index]).repeat()
    return tf.data.Dataset.zip((steps, indices_ds)).map(
        lambda values, indices: tf.gather(values, indices),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
