"""A user's `tf.data.Dataset` (or distributed dataset), used as given.

The dataset is immutable, so the adapter keeps the user's object: its elements
must already be batched `x`, `(x, y)` or `(x, y, sample_weight)`, which is why
`y` and `sample_weight` arguments are refused. Batches per epoch come from the
dataset's cardinality (the `DataHandler` reads it), or from `steps_per_epoch`,
which an infinite (`repeat()`ed) dataset must give. A fresh iterator starts each
epoch unless `steps_per_epoch` asks for fewer batches than an epoch of the
dataset holds; then one iterator continues across epochs, as in Keras 2.

Mirrors tf_keras/src/engine/data_adapter.py: `DatasetAdapter`.
"""

import tensorflow as tf

from kengine.engine.data_adapters.base import DataAdapter
from kengine.utils.packing import is_none_or_empty

__all__ = ["DatasetAdapter", "is_distributed_dataset"]


def is_distributed_dataset(dataset) -> bool:
    """Whether `dataset` came from `strategy.experimental_distribute_dataset`."""
    return isinstance(dataset, tf.distribute.DistributedDataset)


class DatasetAdapter(DataAdapter):
    """Adapter for `tf.data.Dataset` and `tf.distribute.DistributedDataset`.

    Args:
        x: The dataset.
        y: Must be `None`.
        sample_weights: Must be `None`.
        steps: The user's `steps_per_epoch`.

    Raises:
        ValueError: if `y` or `sample_weights` is given; if the dataset is
            infinite, or distributed, and `steps` is `None`.
    """

    @staticmethod
    def can_handle(x, y=None) -> bool:
        return isinstance(x, tf.data.Dataset) or is_distributed_dataset(x)

    def __init__(self, x, y=None, sample_weights=None, steps=None, **kwargs):
        del kwargs  # Options meant for other adapters.
        if not is_none_or_empty(y):
            raise ValueError(
                "`y` argument is not supported when using dataset as input."
            )
        if not is_none_or_empty(sample_weights):
            raise ValueError(
                "`sample_weight` argument is not supported when using dataset as input."
            )
        self._dataset = x
        self._user_steps = steps
        if steps is None:
            self._check_has_known_end(x)

    @staticmethod
    def _check_has_known_end(dataset) -> None:
        if is_distributed_dataset(dataset):
            raise ValueError(
                "When providing a distributed dataset, you must "
                "specify the number of steps to run."
            )
        if dataset.cardinality().numpy() == tf.data.INFINITE_CARDINALITY:
            raise ValueError(
                "When providing an infinite dataset, you must specify the "
                "number of steps to run (if you did not intend to create an "
                "infinite dataset, make sure to not call `repeat()` on the "
                "dataset)."
            )

    def get_dataset(self):
        return self._dataset

    def get_size(self) -> None:
        return None  # The DataHandler reads the dataset's cardinality.

    def batch_size(self) -> None:
        return None

    def has_partial_batch(self) -> bool:
        return False

    def partial_batch_size(self) -> None:
        return None

    def should_recreate_iterator(self) -> bool:
        # A distributed dataset has no cardinality: the user's steps must cover
        # the whole run, so keep one iterator (they `repeat()` as needed).
        if is_distributed_dataset(self._dataset):
            return False
        return self._user_steps is None or (
            int(self._dataset.cardinality().numpy()) == self._user_steps
        )
