"""Python generators, iterators and `kengine.utils.Sequence`s as a dataset.

`tf.data.Dataset.from_generator` needs the structure and dtypes of the batches up
front, so the adapter peeks at the first batch (and puts it back), standardizes
it (lists become tuples, floating NumPy arrays become `floatx`), and declares
every tensor with its rank only: `(None, None)` for a 2-D batch. Batches of any
size, and any other varying dimension, then share one element spec, so the
last partial batch does not retrace `train_function`. Because a rank-only spec
cannot build layers, the peeked batch also builds an unbuilt `model`.

A generator is consumed once: one iterator serves all epochs, and an epoch ends
after `steps_per_epoch` batches or when the generator stops (the `DataHandler`
then learns the epoch length). A `Sequence` knows its length and is indexed, so
each epoch walks `seq[0] .. seq[len - 1]` afresh (shuffled with Python's
`random`, as Keras 2 does, when `shuffle=True`) and `seq.on_epoch_end()` runs
after it.

`workers > 1` fetches a `Sequence`'s batches in a thread pool, in order, up to
`max_queue_size` ahead. kengine always uses threads: `use_multiprocessing=True`
is accepted for Keras 2 compatibility and also runs threads, because forking a
process that holds a TensorFlow runtime is unsafe. A generator is read by
`tf.data`'s own background thread (and cannot be called from several threads
at once), so `workers` does not apply to it.

Mirrors tf_keras/src/engine/data_adapter.py: `GeneratorDataAdapter`,
`KerasSequenceAdapter`; tf_keras/src/utils/data_utils.py: `OrderedEnqueuer`.
"""

import collections
import itertools
import random
from concurrent import futures

import numpy as np
import tensorflow as tf

from kengine.backend import common as backend
from kengine.engine.data_adapters.base import DataAdapter
from kengine.utils.data_utils import Sequence
from kengine.utils.packing import (
    is_none_or_empty,
    lists_to_tuples,
    pack_x_y_sample_weight,
    to_tensors,
    unpack_x_y_sample_weight,
)

__all__ = ["GeneratorDataAdapter", "KerasSequenceAdapter"]


def _standardize_batch(data):
    """Drops `None`s from `(x, y, sample_weight)`, lists to tuples, floats to floatx."""
    data = lists_to_tuples(pack_x_y_sample_weight(*unpack_x_y_sample_weight(data)))

    def to_floatx(value):
        if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating):
            return value.astype(backend.floatx())
        return value

    return tf.nest.map_structure(to_floatx, data)


def _rank_only_spec(value) -> tf.TypeSpec:
    """The `TypeSpec` of `value` with every dimension unknown, the rank kept."""
    spec = tf.type_spec_from_value(value)
    if isinstance(spec, tf.TensorSpec):
        return tf.TensorSpec([None] * spec.shape.rank, spec.dtype)
    if isinstance(spec, tf.RaggedTensorSpec):
        return tf.RaggedTensorSpec(
            [None] * spec.shape.rank,
            spec.dtype,
            ragged_rank=spec.ragged_rank,
            row_splits_dtype=spec.row_splits_dtype,
        )
    if isinstance(spec, tf.SparseTensorSpec):
        return tf.SparseTensorSpec([None] * spec.shape.rank, spec.dtype)
    return spec


def _build_model_on(model, batch) -> None:
    """Builds an unbuilt `model` by calling it on the inputs of one real batch."""
    if model is None or getattr(model, "built", True):
        return
    x, _, _ = unpack_x_y_sample_weight(batch)
    strategy = getattr(model, "distribute_strategy", tf.distribute.get_strategy())
    try:
        strategy.run(lambda inputs: model(inputs, training=False), args=(x,))
    except NotImplementedError:
        # Container models (a GAN, a VAE) whose `call` is not implemented need
        # no build: their sub-models are built when used.
        pass


class GeneratorDataAdapter(DataAdapter):
    """Adapter for Python generators and other iterators of batches.

    Args:
        x: An iterator yielding `x`, `(x, y)` or `(x, y, sample_weight)` batches.
        y: Must be `None`.
        sample_weights: Must be `None`.
        model: The `Model` to build on the first batch if it is not built.
    """

    _input_name = "python generator"

    @staticmethod
    def can_handle(x, y=None) -> bool:
        is_iterator = hasattr(x, "__next__") and hasattr(x, "__iter__")
        return is_iterator and not isinstance(x, Sequence)

    def __init__(self, x, y=None, sample_weights=None, model=None, **kwargs):
        if not is_none_or_empty(y):
            raise ValueError(
                f"`y` argument is not supported when using {self._input_name} as input."
            )
        if not is_none_or_empty(sample_weights):
            raise ValueError(
                "`sample_weight` argument is not supported when using "
                f"{self._input_name} as input."
            )
        self._configure(x, **kwargs)
        peek = _standardize_batch(self._peek())
        _build_model_on(model, to_tensors(peek))
        self._first_batch_size = int(tf.nest.flatten(peek)[0].shape[0])

        def standardized_batches():
            for batch in self._batches():
                yield _standardize_batch(batch)

        dataset = tf.data.Dataset.from_generator(
            standardized_batches,
            output_signature=tf.nest.map_structure(_rank_only_spec, peek),
        )
        self._dataset = dataset.prefetch(tf.data.AUTOTUNE)

    def _configure(self, x, **kwargs) -> None:
        del kwargs  # workers/use_multiprocessing: see the module docstring.
        self._iterator = x

    def _peek(self):
        first = next(self._iterator)
        self._iterator = itertools.chain([first], self._iterator)
        return first

    def _batches(self):
        return self._iterator

    def get_dataset(self) -> tf.data.Dataset:
        return self._dataset

    def get_size(self) -> int | None:
        return None

    def batch_size(self) -> None:
        return None

    def representative_batch_size(self) -> int:
        return self._first_batch_size

    def has_partial_batch(self) -> bool:
        return False

    def partial_batch_size(self) -> None:
        return None

    def should_recreate_iterator(self) -> bool:
        return False


class KerasSequenceAdapter(GeneratorDataAdapter):
    """Adapter for `kengine.utils.Sequence`: indexed batches, a known length.

    Args:
        x: The `Sequence`.
        y: Must be `None`.
        sample_weights: Must be `None`.
        shuffle: Whether to visit the batches in a new random order each epoch.
        workers: Threads fetching batches; 1 fetches them inline.
        use_multiprocessing: Accepted for Keras 2 compatibility; threads are used.
        max_queue_size: How many batches the threads may fetch ahead.
        model: The `Model` to build on the first batch if it is not built.
    """

    _input_name = "`keras.utils.Sequence`"

    @staticmethod
    def can_handle(x, y=None) -> bool:
        return isinstance(x, Sequence)

    def _configure(
        self,
        x,
        shuffle=False,
        workers=1,
        use_multiprocessing=False,
        max_queue_size=10,
        **kwargs,
    ) -> None:
        del kwargs
        self._sequence = x
        self._shuffle = bool(shuffle)
        self._threaded = workers > 1 or (workers > 0 and use_multiprocessing)
        self._workers = max(workers, 1)
        self._max_queue_size = max_queue_size

    def _peek(self):
        return self._sequence[0]

    def _batches(self):
        order = list(range(len(self._sequence)))
        if self._shuffle:
            random.shuffle(order)  # Keras 2 shuffles Sequences with `random`.
        if not self._threaded:
            return (self._sequence[i] for i in order)
        return _fetch_in_order(
            self._sequence.__getitem__, order, self._workers, self._max_queue_size
        )

    def get_size(self) -> int:
        return len(self._sequence)

    def should_recreate_iterator(self) -> bool:
        return True

    def on_epoch_end(self) -> None:
        self._sequence.on_epoch_end()


def _fetch_in_order(fetch, indices, workers: int, max_queue_size: int):
    """Yields `fetch(i)` for `indices` in order, computed by a thread pool.

    At most `max_queue_size` fetches run ahead of the consumer.
    """
    indices = iter(indices)
    with futures.ThreadPoolExecutor(max_workers=workers) as pool:
        pending = collections.deque(
            pool.submit(fetch, i) for i in itertools.islice(indices, max_queue_size)
        )
        while pending:
            batch = pending.popleft().result()
            for i in itertools.islice(indices, 1):
                pending.append(pool.submit(fetch, i))
            yield batch
