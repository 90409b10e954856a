"""`DataHandler`: turns `fit`/`evaluate`/`predict` inputs into epochs and steps.

Who owns what:

- The adapters (engine/data_adapters/) turn one kind of input into a batched
  `tf.data.Dataset`: `TensorLikeDataAdapter` (arrays, tensors, lists and dicts
  of them), `ListsOfScalarsDataAdapter`, `CompositeTensorDataAdapter` (sparse
  and ragged), `DatasetAdapter`, `GeneratorDataAdapter`, `KerasSequenceAdapter`.
- `DataHandler` picks the one adapter that accepts the input, maps
  `class_weight` into sample weights, distributes the dataset under the active
  `tf.distribute` strategy (`batch_size` is then the global batch), and keeps
  the loop's counters: which epoch, which step, how many steps per epoch (learnt
  at the end of the first epoch when the data cannot say), and how many steps
  one call of `train_function` runs (`steps_per_execution`).
- `Trainer.fit` (engine/trainer.py) drives it:

```
handler = get_data_handler(x, y, batch_size=..., epochs=..., model=self, ...)
for epoch, iterator in handler.enumerate_epochs():
    with handler.catch_stop_iteration():      # the data ran out: end the epoch
        for step in handler.steps():          # 0, spe, 2 * spe, ...
            logs = train_function(iterator)   # runs `steps_per_execution` steps
            end_step = step + handler.step_increment
```

Mirrors tf_keras/src/engine/data_adapter.py: `DataHandler`, `get_data_handler`,
`select_data_adapter`, `single_batch_iterator`, the checks of `fit`'s
validation arguments (`engine/training.py: Model.fit`), and re-exports the
batch-tuple helpers of `utils/packing.py` that `engine/trainer.py` uses.
"""

import contextlib
import logging
import numbers

import tensorflow as tf

from kengine.engine.data_adapters.array_adapter import (
    ListsOfScalarsDataAdapter,
    TensorLikeDataAdapter,
)
from kengine.engine.data_adapters.class_weights import make_class_weight_map_fn
from kengine.engine.data_adapters.composite_adapter import CompositeTensorDataAdapter
from kengine.engine.data_adapters.dataset_adapter import (
    DatasetAdapter,
    is_distributed_dataset,
)
from kengine.engine.data_adapters.generator_adapter import (
    GeneratorDataAdapter,
    KerasSequenceAdapter,
)
from kengine.utils.packing import (
    check_data_cardinality,
    check_validation_split,
    expand_1d,
    is_none_or_empty,
    pack_x_y_sample_weight,
    to_tensors,
    train_validation_split,
    unpack_x_y_sample_weight,
)

__all__ = [
    "DataHandler",
    "check_fit_arguments",
    "check_positive_int",
    "check_validation_split",
    "expand_1d",
    "get_data_handler",
    "pack_x_y_sample_weight",
    "require_x",
    "select_data_adapter",
    "should_validate",
    "single_batch_iterator",
    "train_validation_split",
    "unpack_validation_data",
    "unpack_x_y_sample_weight",
    "yields_batches",
]

_logger = logging.getLogger("kengine")

ALL_ADAPTER_CLS = (
    ListsOfScalarsDataAdapter,
    TensorLikeDataAdapter,
    CompositeTensorDataAdapter,
    DatasetAdapter,
    GeneratorDataAdapter,
    KerasSequenceAdapter,
)


def _type_name(x) -> str:
    """Describes the type of `x`, looking inside lists, tuples and dicts."""
    if isinstance(x, dict):
        key_types = {_type_name(key) for key in x}
        value_types = {_type_name(value) for value in x.values()}
        return f"({type(x)} containing {key_types} keys and {value_types} values)"
    if isinstance(x, (list, tuple)):
        types = {_type_name(value) for value in x}
        return f"({type(x)} containing values of types {types})"
    return str(type(x))


def select_data_adapter(x, y):
    """Returns the adapter class that accepts `x` and `y`.

    Raises:
        ValueError: naming the types of `x` and `y` when no adapter accepts them.
    """
    accepting = [cls for cls in ALL_ADAPTER_CLS if cls.can_handle(x, y)]
    if not accepting:
        raise ValueError(
            "Failed to find data adapter that can handle input: "
            f"{_type_name(x)}, {_type_name(y)}"
        )
    if len(accepting) > 1:
        raise RuntimeError(
            "Data adapters should be mutually exclusive for handling inputs. "
            f"Found multiple adapters {accepting} to handle input: "
            f"{_type_name(x)}, {_type_name(y)}"
        )
    return accepting[0]


def _check_int(name: str, value):
    """Raises a `TypeError` unless `value` is an integer (NumPy ints included)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"`{name}` must be an integer. Received: {name}={value!r} of type "
            f"{type(value)}"
        )
    return value


def check_positive_int(name: str, value):
    """Returns `value` if it is a positive integer.

    Keras 2 truncates `batch_size=2.5` to 2 somewhere inside TensorFlow and
    trains; kengine names the argument instead.

    Raises:
        TypeError: if it is not an integer.
        ValueError: if it is not positive.

    >>> check_positive_int("batch_size", 2.5)
    Traceback (most recent call last):
    ...
    TypeError: `batch_size` must be an integer. Received: batch_size=2.5 of type <class 'float'>
    """
    return _check_positive(name, _check_int(name, value))


def require_x(x, method: str) -> None:
    """Raises a `ValueError` when `x` is None or empty (`fit(None, y)`).

    Args:
        x: the input data given to `method`.
        method: the `Model` method, for the message.
    """
    if is_none_or_empty(x):
        raise ValueError(
            f"`x` is missing: `Model.{method}()` needs input data (arrays, tensors, "
            f"a dict of them, a dataset, a generator or a Sequence). Received: x={x!r}"
        )


def yields_batches(x) -> bool:
    """Whether `x` is a dataset, generator or `Sequence` (it yields its own batches)."""
    return any(
        cls.can_handle(x, None)
        for cls in (DatasetAdapter, GeneratorDataAdapter, KerasSequenceAdapter)
    )


def check_fit_arguments(x, validation_split, validation_batch_size) -> None:
    """Checks the `fit` arguments the data handler does not see.

    Raises:
        ValueError: for a missing `x` or a `validation_split` outside `[0, 1)`.
        TypeError: for a `validation_batch_size` that is not an integer.
    """
    require_x(x, "fit")
    check_validation_split(validation_split)
    if validation_batch_size is not None:
        check_positive_int("validation_batch_size", validation_batch_size)


def _describe(data) -> str:
    """`data` for an error message: its structure, with shapes for the arrays."""
    return str(
        tf.nest.map_structure(
            lambda v: (
                f"<{type(v).__name__} shape={tuple(v.shape)}>"
                if hasattr(v, "shape")
                else v
            ),
            data,
        )
    )


def unpack_validation_data(validation_data, loss):
    """`(x, y, sample_weight)` of `fit`'s `validation_data`.

    Keras 2 evaluates `validation_data=(x,)` without targets and reports a
    `val_loss` of 0.0. Without a compiled loss (a model trained on `add_loss`
    terms) targets may be left out, as in Keras 2.

    Args:
        validation_data: `(x, y[, sample_weight])`, or a dataset or generator.
        loss: the `loss` given to `compile` (None or empty: no targets needed).

    Raises:
        ValueError: for arrays without targets when a loss was compiled.
    """
    val_x, val_y, val_sw = unpack_x_y_sample_weight(validation_data)
    if val_y is None and loss and not yields_batches(val_x):
        raise ValueError(
            "`validation_data` must be `(x_val, y_val)` or `(x_val, y_val, "
            "sample_weight)`, or a dataset or generator yielding them: the "
            f"model was compiled with loss={loss!r}, which needs "
            f"targets. Received: validation_data={_describe(validation_data)}"
        )
    return val_x, val_y, val_sw


def should_validate(epoch: int, validation_freq) -> bool:
    """Whether `fit` validates after `epoch` (0-based).

    Args:
        epoch: the epoch that just ended.
        validation_freq: an int N (every N epochs) or the 1-based epochs to
            validate after.

    >>> [should_validate(e, 2) for e in range(4)], should_validate(2, [1, 3])
    ([False, True, False, True], True)
    """
    epoch = epoch + 1  # validation_freq counts epochs from 1
    if isinstance(validation_freq, int):
        return epoch % validation_freq == 0
    return epoch in validation_freq


def _check_positive(name: str, value):
    if value <= 0:
        raise ValueError(f"Expected {name} to be positive. Received is {value}.")
    return value


def _check_non_negative(name: str, value):
    if value < 0:
        raise ValueError(f"Expected {name} to be non-negative. Received is {value}.")
    return value


def _current_strategy(model) -> tf.distribute.Strategy:
    """The model's strategy, else the one whose scope is active (or the default)."""
    strategy = getattr(model, "distribute_strategy", None)
    return strategy if strategy is not None else tf.distribute.get_strategy()


class DataHandler:
    """Iterates over the epochs and steps of one `fit`, `evaluate` or `predict`.

    Args:
        x, y, sample_weight, batch_size, steps_per_epoch, initial_epoch, epochs,
        shuffle, class_weight, max_queue_size, workers, use_multiprocessing:
            As in `Model.fit`.
        model: The `Model`, used to build it on a generator's first batch and
            for its `distribute_strategy`; may be `None`.
        steps_per_execution: The model's `steps_per_execution`: a `tf.Variable`
            (its value is temporarily lowered for a short last execution), an
            int, or `None` for 1.
        distribute: Whether to distribute the dataset with the strategy.

    Raises:
        TypeError: for a `batch_size`, `epochs` or `initial_epoch` that is not an
            integer.
        ValueError: for non-positive sizes, `initial_epoch > epochs`, unsupported
            inputs, inconsistent sample counts, infinite data without
            `steps_per_epoch`, or no data.
    """

    def __init__(
        self,
        x,
        y=None,
        sample_weight=None,
        batch_size: int | None = None,
        steps_per_epoch: int | None = None,
        initial_epoch: int = 0,
        epochs: int = 1,
        shuffle: bool | str = False,
        class_weight: dict | None = None,
        max_queue_size: int = 10,
        workers: int = 1,
        use_multiprocessing: bool = False,
        model=None,
        steps_per_execution: int | tf.Variable | None = None,
        distribute: bool = True,
    ):
        self._validate_arguments(batch_size, steps_per_epoch, max_queue_size, workers)
        self._initial_epoch = _check_non_negative(
            "initial_epoch", _check_int("initial_epoch", initial_epoch)
        )
        self._epochs = check_positive_int("epochs", epochs)
        if initial_epoch > epochs:
            # Keras 2 runs no epoch and returns an empty History.
            raise ValueError(
                "`initial_epoch` must not exceed `epochs` (the epoch to stop at). "
                f"Received: initial_epoch={initial_epoch}, epochs={epochs}"
            )
        self._initial_step = 0  # `resume_at` moves it to continue mid-epoch.
        self._current_step = 0
        self._insufficient_data = False
        self._model = model
        self._steps_per_epoch = steps_per_epoch
        self._steps_per_execution = self._as_variable(steps_per_execution)
        self._step_increment = self._spe_value() - 1

        strategy = _current_strategy(model)
        adapter_cls = select_data_adapter(x, y)
        self._adapter = adapter_cls(
            x,
            y,
            batch_size=batch_size,
            steps=steps_per_epoch,
            epochs=epochs - initial_epoch,
            sample_weights=sample_weight,
            shuffle=shuffle,
            max_queue_size=max_queue_size,
            workers=workers,
            use_multiprocessing=use_multiprocessing,
            model=model,
        )
        self._configure_dataset(strategy, steps_per_epoch, class_weight, distribute)
        if self._spe_value() > 1 and self._inferred_steps is None:
            raise ValueError(
                "Could not infer the size of the data. With "
                "`steps_per_execution > 1`, you must specify the number of "
                "steps to run."
            )
        if self._inferred_steps == 0:
            raise ValueError("Expected input data to be non-empty.")

    def _configure_dataset(self, strategy, steps_per_epoch, class_weight, distribute):
        """Sets `_dataset` (class-weighted, distributed) and `_inferred_steps`."""
        dataset = self._adapter.get_dataset()
        if class_weight:
            dataset = dataset.map(make_class_weight_map_fn(class_weight))
        self._inferred_steps = self._infer_steps(steps_per_epoch, dataset)
        self._element_spec = dataset.element_spec
        if distribute and not is_distributed_dataset(dataset):
            # Each global batch of `batch_size` is split across the replicas.
            dataset = strategy.experimental_distribute_dataset(dataset)
        self._dataset = dataset

    @staticmethod
    def _validate_arguments(batch_size, steps_per_epoch, max_queue_size, workers):
        if batch_size is not None:
            check_positive_int("batch_size", batch_size)
        if steps_per_epoch not in (None, -1) and steps_per_epoch <= 0:
            raise ValueError(
                "steps_per_epoch must be positive, None or -1. Received "
                f"{steps_per_epoch}. See `Model.fit`."
            )
        _check_positive("max_queue_size", max_queue_size)
        _check_positive("workers", workers)

    @staticmethod
    def _as_variable(steps_per_execution) -> tf.Variable:
        if isinstance(steps_per_execution, tf.Variable):
            return steps_per_execution  # The model's: its train_function reads it.
        if steps_per_execution is None:
            steps_per_execution = 1
        _check_positive("steps_per_execution", steps_per_execution)
        return tf.Variable(int(steps_per_execution), trainable=False)

    def _spe_value(self) -> int:
        return int(self._steps_per_execution.numpy())

    def _infer_steps(self, steps, dataset) -> int | None:
        """Steps per epoch: the user's, the adapter's, or the dataset's cardinality."""
        if steps == -1:
            _logger.warning(
                "The training loop will run indefinitely since you have set "
                "`steps_per_epoch=-1`. Please use batch-level callbacks to save "
                "checkpoints or log training progress, etc"
            )
            return None
        if steps is not None:
            return steps
        adapter_steps = self._adapter.get_size()
        if adapter_steps is not None:
            return adapter_steps
        if not isinstance(dataset, tf.data.Dataset):
            return None  # A distributed dataset has no cardinality.
        size = int(dataset.cardinality().numpy())
        if size == tf.data.INFINITE_CARDINALITY:
            raise ValueError(
                "When passing an infinitely repeating dataset, please specify a "
                "`steps_per_epoch` value so that epoch level callbacks continue to "
                "work. The value can be arbitrary, or a number that you think "
                "correctly defines the size of an epoch. Epoch-level callbacks "
                "will then be called at this interval."
            )
        return size if size >= 0 else None  # UNKNOWN: learnt in the first epoch.

    def resume_at(self, epoch: int, step: int) -> None:
        """Starts the epochs at `epoch`, and that epoch at `step` (a resumed `fit`).

        `BackupAndRestore` restores a backup in `on_train_begin`; `fit` then asks
        where to continue (`callbacks/training_state.py`) and tells the handler.
        The first `step` batches of the resumed epoch are read and dropped, so the
        rest of the epoch sees the data an uninterrupted run saw.

        Args:
            epoch: the epoch to start from (replaces `initial_epoch`).
            step: the step to start that epoch from.
        """
        self._initial_epoch, self._initial_step = epoch, step

    def enumerate_epochs(self):
        """Yields `(epoch, iterator)` for each epoch from `initial_epoch`.

        The iterator is fresh each epoch when the adapter asks for it (a finite
        `tf.data.Dataset`, a `Sequence`); otherwise one iterator continues
        (arrays, whose dataset holds every epoch; generators). Stops early when
        `catch_stop_iteration` saw the data run out. An epoch resumed mid-way
        (`resume_at`) starts past the batches already trained on.
        """
        with self._truncate_execution_to_epoch():
            iterator = iter(self._dataset)
            for epoch in range(self._initial_epoch, self._epochs):
                if self._insufficient_data:
                    break
                if self._adapter.should_recreate_iterator():
                    iterator = iter(self._dataset)
                    if isinstance(self._dataset, tf.data.Dataset):
                        steps = self._infer_steps(self._steps_per_epoch, self._dataset)
                        if steps is not None:
                            self._inferred_steps = steps
                if epoch == self._initial_epoch and self._initial_step:
                    with self.catch_stop_iteration():
                        for _ in range(self._initial_step):
                            next(iterator)
                yield epoch, iterator
                self._adapter.on_epoch_end()

    @contextlib.contextmanager
    def _truncate_execution_to_epoch(self):
        """Lowers `steps_per_execution` to the epoch length while iterating."""
        original = self._spe_value()
        truncate = self._inferred_steps is not None and original > self._inferred_steps
        if truncate:
            self._steps_per_execution.assign(self._inferred_steps)
        try:
            yield
        finally:
            if truncate:
                self._steps_per_execution.assign(original)

    @contextlib.contextmanager
    def catch_stop_iteration(self):
        """Ends the epoch quietly when the iterator runs out of data.

        When the epoch length was unknown, the steps run so far become it.
        Otherwise the data was shorter than `steps_per_epoch * epochs`: training
        stops after this epoch, with a warning.
        """
        try:
            yield
        except (StopIteration, tf.errors.OutOfRangeError):
            if self._inferred_steps is None:
                self._inferred_steps = self._current_step
                return
            self._insufficient_data = True
            total_epochs = self._epochs - self._initial_epoch
            _logger.warning(
                "Your input ran out of data; interrupting training. Make sure that "
                "your dataset or generator can generate at least "
                "`steps_per_epoch * epochs` batches (in this case, "
                f"{total_epochs * self._inferred_steps} batches). You may need to "
                "use the repeat() function when building your dataset."
            )

    def steps(self):
        """Yields the index of the first step of each execution in this epoch.

        Each index advances by `steps_per_execution`; the last execution of an
        epoch runs only the steps left (the variable is lowered for it), and
        `step_increment` tells the caller how many steps the execution covered
        minus one.
        """
        self._current_step = self._initial_step
        self._initial_step = 0
        while self._inferred_steps is None or self._current_step < self._inferred_steps:
            if self._insufficient_data:
                break
            spe = self._spe_value()
            remaining = (
                None
                if self._inferred_steps is None
                else self._inferred_steps - self._current_step
            )
            if spe == 1 or remaining is None or remaining >= spe:
                self._step_increment = spe - 1
                yield self._current_step
                self._current_step += spe
            else:
                self._steps_per_execution.assign(remaining)
                self._step_increment = remaining - 1
                yield self._current_step
                self._current_step += remaining
                self._steps_per_execution.assign(spe)

    @property
    def step_increment(self) -> int:
        """Steps run by the last execution, minus one (for `on_batch_end`)."""
        return self._step_increment

    @property
    def inferred_steps(self) -> int | None:
        """Steps per epoch; `None` until the first epoch ends, for data of
        unknown length without `steps_per_epoch`."""
        return self._inferred_steps

    @property
    def should_sync(self) -> bool:
        """Whether each step must finish before the next: only then can the end
        of data of unknown length be caught at the right step."""
        return self._inferred_steps is None

    @property
    def element_spec(self):
        """The spec of one global batch, before distribution (batch dim `None`).

        kengine addition: the step functions trace against it; under a strategy
        the distributed dataset's own spec is per replica.
        """
        return self._element_spec

    @property
    def _samples(self) -> int | None:
        return self._adapter.get_samples()


def get_data_handler(*args, **kwargs) -> DataHandler:
    """Creates the `DataHandler` for `fit`, `evaluate` or `predict`.

    Args:
        *args: Positional arguments of `DataHandler`.
        **kwargs: Keyword arguments of `DataHandler`.

    Returns:
        A `DataHandler`.

    >>> import numpy as np
    >>> handler = get_data_handler(np.zeros((5, 2)), batch_size=2, model=None)
    >>> handler.inferred_steps
    3
    """
    # Keras 2 routes parameter-server models to a coordinator-aware handler;
    # kengine has no parameter-server support, so there is one handler.
    return DataHandler(*args, **kwargs)


def single_batch_iterator(strategy, x, y=None, sample_weight=None, class_weight=None):
    """An iterator over a dataset of exactly one batch: `(x, y, sample_weight)`.

    Used by `train_on_batch`, `test_on_batch` and `predict_on_batch`.

    Args:
        strategy: The `tf.distribute.Strategy` to distribute the batch with.
        x, y, sample_weight: The batch.
        class_weight: Optional class weights, turned into sample weights.

    Returns:
        An iterator over the (distributed) one-batch dataset.

    Raises:
        ValueError: if `x`, `y` and `sample_weight` differ in length.
    """
    x, y, sample_weight = to_tensors((x, y, sample_weight))
    if y is None:
        data = (x,)
    elif sample_weight is None:
        data = (x, y)
    else:
        data = (x, y, sample_weight)
    check_data_cardinality(data)
    dataset = tf.data.Dataset.from_tensors(data)
    if class_weight:
        dataset = dataset.map(make_class_weight_map_fn(class_weight))
    return iter(strategy.experimental_distribute_dataset(dataset))
