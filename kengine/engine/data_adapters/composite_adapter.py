"""Sparse and ragged tensors (mixed with dense ones) as a batched dataset.

`tf.gather` does not batch a `tf.SparseTensor`, so inputs that contain composite
tensors take the plain `tf.data` route: `from_tensor_slices`, an optional
`shuffle` over the whole data (reshuffled each epoch), and `batch` without
dropping the remainder, so the batch dimension stays `None`. The dataset holds
one epoch and a fresh iterator is made for each.

Mirrors tf_keras/src/engine/data_adapter.py: `CompositeTensorDataAdapter`.
"""

import math

import numpy as np
import tensorflow as tf

from kengine.engine.data_adapters.base import DataAdapter
from kengine.utils.packing import pack_x_y_sample_weight, to_tensors

__all__ = ["CompositeTensorDataAdapter"]

_COMPOSITE_TYPES = (tf.SparseTensor, tf.RaggedTensor)


class CompositeTensorDataAdapter(DataAdapter):
    """Adapter for inputs with at least one `tf.SparseTensor` or `tf.RaggedTensor`.

    Args:
        x: Inputs; y: targets or `None`; sample_weights: weights or `None`.
        batch_size: Samples per batch (default as `TensorLikeDataAdapter`).
        steps: The user's `steps_per_epoch`, used only to default `batch_size`.
        shuffle: Whether to shuffle the samples each epoch.
    """

    @staticmethod
    def can_handle(x, y=None) -> bool:
        leaves = [v for v in tf.nest.flatten((x, y)) if v is not None]
        return any(isinstance(v, _COMPOSITE_TYPES) for v in leaves) and all(
            isinstance(v, _COMPOSITE_TYPES + (tf.Tensor, np.ndarray)) for v in leaves
        )

    def __init__(
        self,
        x,
        y=None,
        sample_weights=None,
        batch_size=None,
        steps=None,
        shuffle=False,
        **kwargs,
    ):
        del kwargs  # Options meant for other adapters.
        x, y, sample_weights = to_tensors((x, y, sample_weights))
        inputs = pack_x_y_sample_weight(x, y, sample_weights)
        num_samples = int(tf.nest.flatten(x)[0].shape[0])
        dataset = tf.data.Dataset.from_tensor_slices(inputs)
        if shuffle:
            dataset = dataset.shuffle(num_samples)
        if not batch_size:
            batch_size = math.ceil(num_samples / steps) if steps and steps > 0 else 32
        self._batch_size = int(batch_size)
        self._size = int(math.ceil(num_samples / self._batch_size))
        self._partial_batch_size = num_samples % self._batch_size
        self._dataset = dataset.batch(self._batch_size).prefetch(tf.data.AUTOTUNE)

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
        return True
