"""Arrays and tensors (and lists of scalars) as a batched, per-epoch shuffled dataset.

`fit(x, y, batch_size=32, epochs=3, shuffle=True)` on NumPy arrays becomes one
`tf.data.Dataset` that covers all epochs. It is built from indices, not from the
data: for each epoch an index order is drawn (a stateless shuffle seeded by the
adapter's seed and the epoch number, so every epoch differs and the whole run is
reproducible under `tf.random.set_seed`), cut into batches of indices, and each
batch of indices gathers its rows from the arrays with `tf.gather`. Gathering a
batch at a time is much faster than slicing sample by sample.

```
range(epochs) -> per epoch: order = shuffle(range(n)) -> batches of order
              -> gather(x, y, sample_weight rows)        # one element per batch
```

Every batch of indices comes from a dynamic slice, so the element spec has
batch dimension `None` and the last partial batch does not retrace
`train_function`. `shuffle="batch"` keeps the data in batch-sized chunks:
it shuffles the order of the chunks and the samples inside each chunk.

Mirrors tf_keras/src/engine/data_adapter.py: `TensorLikeDataAdapter`,
`ListsOfScalarsDataAdapter`.
"""

import math

import numpy as np
import tensorflow as tf

from kengine.engine.data_adapters.base import DataAdapter
from kengine.utils.packing import (
    TENSOR_TYPES,
    check_data_cardinality,
    pack_x_y_sample_weight,
    to_tensors,
)

__all__ = ["ListsOfScalarsDataAdapter", "TensorLikeDataAdapter"]

_SEED_MAX = 2**31 - 1


def _fill_missing_sample_weights(y, sample_weights):
    """Gives outputs without a sample weight (a `None` in a list) weights of 1."""
    if not isinstance(sample_weights, (list, tuple)):
        return sample_weights
    if all(w is None for w in sample_weights):
        return None
    if all(w is not None for w in sample_weights):
        return sample_weights
    flat_y = tf.nest.flatten(y)
    return tuple(
        tf.ones([tf.shape(flat_y[i])[0]]) if w is None else w
        for i, w in enumerate(sample_weights)
    )


class TensorLikeDataAdapter(DataAdapter):
    """Adapter for NumPy arrays and tensors, alone or in lists, tuples and dicts.

    Args:
        x: Inputs: an array, or a list/tuple/dict of arrays.
        y: Targets, same kinds, or `None`.
        sample_weights: Per-sample weights, same kinds, or `None`.
        batch_size: Samples per batch; default `ceil(n / steps)` when `steps` is
            given, else 32.
        epochs: How many epochs the dataset covers.
        steps: The user's `steps_per_epoch`, used only to default `batch_size`.
        shuffle: `True` to reshuffle every epoch, `"batch"` to shuffle in
            batch-sized chunks, `False` to keep the order.
    """

    @staticmethod
    def can_handle(x, y=None) -> bool:
        leaves = [v for v in tf.nest.flatten((x, y)) if v is not None]
        return bool(leaves) and all(isinstance(v, TENSOR_TYPES) for v in leaves)

    def __init__(
        self,
        x,
        y=None,
        sample_weights=None,
        batch_size=None,
        epochs=1,
        steps=None,
        shuffle=False,
        **kwargs,
    ):
        del kwargs  # Options meant for other adapters (workers, model, ...).
        x, y, sample_weights = to_tensors((x, y, sample_weights))
        sample_weights = _fill_missing_sample_weights(y, sample_weights)
        check_data_cardinality((x, y, sample_weights))
        inputs = pack_x_y_sample_weight(x, y, sample_weights)
        num_samples = next(
            int(t.shape[0]) for t in tf.nest.flatten(inputs) if t is not None
        )
        if not batch_size:
            # Keras 2's default; with `steps`, cover the data in that many batches.
            batch_size = math.ceil(num_samples / steps) if steps and steps > 0 else 32
        self._batch_size = int(batch_size)
        self._size = int(math.ceil(num_samples / self._batch_size))
        self._partial_batch_size = num_samples % self._batch_size
        if isinstance(shuffle, str):
            shuffle = shuffle.lower()
        self._shuffle = shuffle

        indices = self._index_batches(num_samples, epochs)
        dataset = self._gather_batches(indices, inputs)
        options = tf.data.Options()
        # Shard by batch under multi-worker strategies: the data is in memory on
        # every worker, so there are no files to shard.
        options.experimental_distribute.auto_shard_policy = (
            tf.data.experimental.AutoShardPolicy.DATA
        )
        # The pipeline is already a gather per batch; tf.data's default graph
        # rewrites only add start-up time here.
        options.experimental_optimization.apply_default_optimizations = False
        self._dataset = dataset.with_options(options).prefetch(tf.data.AUTOTUNE)

    def _index_batches(self, num_samples: int, epochs: int) -> tf.data.Dataset:
        """A dataset of index batches (shape `(None,)`), epoch after epoch."""
        batch_size, num_batches, shuffle = self._batch_size, self._size, self._shuffle
        # One seed per adapter, drawn from TF's global generator (only when
        # shuffling, so unshuffled fits leave the user's random stream alone);
        # each epoch's order is then a pure function of (seed, epoch).
        seed = tf.zeros([2], tf.int64)
        if shuffle:
            seed = tf.random.uniform([2], maxval=_SEED_MAX, dtype=tf.int64)

        def epoch_batches(epoch):
            epoch_seed = tf.random.experimental.stateless_fold_in(seed, epoch)
            order = tf.range(num_samples, dtype=tf.int64)
            batch_ids = tf.range(num_batches, dtype=tf.int64)
            if shuffle == "batch":
                batch_ids = tf.random.experimental.stateless_shuffle(
                    batch_ids, epoch_seed
                )
            elif shuffle:
                order = tf.random.experimental.stateless_shuffle(order, epoch_seed)

            def batch_indices(batch_id):
                start = batch_id * batch_size
                indices = order[start : tf.minimum(start + batch_size, num_samples)]
                if shuffle == "batch":
                    chunk_seed = tf.random.experimental.stateless_fold_in(
                        epoch_seed, batch_id
                    )
                    indices = tf.random.experimental.stateless_shuffle(
                        indices, chunk_seed
                    )
                return indices

            return tf.data.Dataset.from_tensor_slices(batch_ids).map(batch_indices)

        return tf.data.Dataset.range(epochs).flat_map(epoch_batches)

    @staticmethod
    def _gather_batches(indices: tf.data.Dataset, inputs) -> tf.data.Dataset:
        """Pairs each index batch with the full arrays and gathers its rows."""
        # The arrays enter the pipeline once, through `from_tensors().repeat()`,
        # rather than being captured as constants by the map function.
        data = tf.data.Dataset.from_tensors(inputs).repeat()

        def gather(batch_indices, arrays):
            return tf.nest.map_structure(
                lambda t: None if t is None else tf.gather(t, batch_indices, axis=0),
                arrays,
            )

        return tf.data.Dataset.zip((indices, data)).map(
            gather, num_parallel_calls=tf.data.AUTOTUNE
        )

    def get_dataset(self) -> tf.data.Dataset:
        return self._dataset

    def get_size(self) -> int:
        return self._size

    def batch_size(self) -> int:
        return self._batch_size

    def has_partial_batch(self) -> bool:
        return self._partial_batch_size > 0

    def partial_batch_size(self) -> int | None:
        return self._partial_batch_size or None

    def should_recreate_iterator(self) -> bool:
        # The dataset already holds every epoch; one iterator walks through all.
        return False


class ListsOfScalarsDataAdapter(TensorLikeDataAdapter):
    """Adapter for Python lists of scalars (`x=[1.0, 2.0, 3.0]`) and of lists.

    The lists become NumPy arrays; everything else is `TensorLikeDataAdapter`.
    """

    @staticmethod
    def _is_list_of_scalars(value) -> bool:
        if isinstance(value, (float, int, str, bytes, bytearray)):
            return True
        if isinstance(value, (list, tuple)) and value:
            return ListsOfScalarsDataAdapter._is_list_of_scalars(value[0])
        return False

    @staticmethod
    def can_handle(x, y=None) -> bool:
        is_scalars = ListsOfScalarsDataAdapter._is_list_of_scalars
        return is_scalars(x) and (y is None or is_scalars(y))

    def __init__(self, x, y=None, sample_weights=None, **kwargs):
        def as_array(value):
            return None if value is None else np.asarray(value)

        super().__init__(as_array(x), as_array(y), as_array(sample_weights), **kwargs)
