"""PreprocessingLayer: a layer whose state is computed from data by `adapt()`.

Mirrors Keras 2's `engine/base_preprocessing_layer.py` (`PreprocessingLayer`:
`adapt`, `compile`, `make_adapt_function`, `update_state`, `reset_state`,
`finalize_state`, `is_adapted`). tf_keras reads the data through the training
loop's `DataHandler`; kengine's layers sit below the training engine, so
`adapt_dataset` here does the little that `adapt` needs of it.

How `adapt(data, batch_size=None, steps=None)` runs:

```
data -> tf.data.Dataset        arrays, lists and tensors are sliced into batches of
                               `batch_size` (default 32); a Dataset is used as is;
                               `steps` takes at most that many batches
build the layer                from the shape of one batch, batch axis unknown
reset_state()                  forget what an earlier adapt saw (if built)
for each batch:                one traced `update_state(batch)` per call of the
    adapt_function(iterator)   adapt function (`steps_per_execution` batches)
finalize_state()               turn the statistics into the layer's state
                               (vocabulary, mean/variance, bin boundaries)
```

The state lives in variables and lookup tables that TensorFlow can save:
weights for `save_weights` (h5 or TF checkpoints) and `tf.saved_model.save`.
`set_weights` and loading weights call `finalize_state` afterwards (as Keras
2's `Layer.set_weights` does), so state derived from the weights (a lookup
table, bin boundaries) follows them.
"""

import functools

import numpy as np
import tensorflow as tf

from kengine.engine.base_layer import Layer
from kengine.utils import layer_utils

__all__ = ["PreprocessingLayer"]

_DEFAULT_BATCH_SIZE = 32


class PreprocessingLayer(Layer):
    """Base class of layers whose state is computed before training by `adapt`.

    Subclasses implement `update_state(batch)` (accumulate statistics),
    `reset_state()` (forget them) and `finalize_state()` (turn them into the
    state `call` uses). Their state is never changed by training.

    Args:
        **kwargs: base `Layer` arguments (`name`, `dtype`, ...).
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # `reset_state` of any subclass also marks the layer as not adapted,
        # as tf_keras does by wrapping the method of each instance.
        reset = cls.__dict__.get("reset_state")
        if reset is not None and not getattr(reset, "_clears_adapted", False):

            @functools.wraps(reset)
            def reset_and_forget(self):
                reset(self)
                self._is_adapted = False

            reset_and_forget._clears_adapted = True
            cls.reset_state = reset_and_forget

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._is_compiled = False
        self._is_adapted = False
        self._run_eagerly = False
        self._steps_per_execution = 1
        self._adapt_function = None

    @property
    def is_adapted(self) -> bool:
        """Whether `adapt` has fitted the layer's state to data."""
        return self._is_adapted

    def update_state(self, data) -> None:
        """Accumulates statistics of one batch of data.

        Args:
            data: a batch of inputs to the layer.
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not implement `update_state`."
        )

    def reset_state(self) -> None:
        """Forgets the statistics accumulated so far."""
        raise NotImplementedError(
            f"{type(self).__name__} does not implement `reset_state`."
        )

    def finalize_state(self) -> None:
        """Turns the accumulated statistics (or loaded weights) into the state."""

    def compile(self, run_eagerly: bool | None = None, steps_per_execution=None):
        """Configures how `adapt` runs.

        Args:
            run_eagerly: if True, `update_state` runs eagerly instead of in a
                `tf.function` (default: the layer's `dynamic`).
            steps_per_execution: batches consumed per call of the adapt
                function (default 1).

        Raises:
            ValueError: if `steps_per_execution` is not a positive integer.
        """
        steps = 1 if steps_per_execution is None else steps_per_execution
        if not isinstance(steps, int | np.integer) or steps < 1:
            raise ValueError(
                "`steps_per_execution` must be a positive integer. "
                f"Received: steps_per_execution={steps_per_execution!r}"
            )
        self._steps_per_execution = int(steps)
        self._run_eagerly = self.dynamic if run_eagerly is None else bool(run_eagerly)
        self._adapt_function = None
        self._is_compiled = True

    def make_adapt_function(self):
        """Returns the function that feeds batches from an iterator to `update_state`.

        The function consumes up to `steps_per_execution` batches and returns how
        many it found (fewer means the data ran out). It is a `tf.function`
        unless the layer was compiled with `run_eagerly=True`, and is cached
        until the next `compile`.
        """
        if self._adapt_function is not None:
            return self._adapt_function

        def adapt_step(iterator):
            batch = iterator.get_next_as_optional()

            def update():
                self.update_state(batch.get_value())
                return tf.constant(1)

            return tf.cond(batch.has_value(), update, lambda: tf.constant(0))

        def adapt_fn(iterator):
            found = [adapt_step(iterator) for _ in range(self._steps_per_execution)]
            return tf.add_n(found)

        self._adapt_function = adapt_fn if self._run_eagerly else tf.function(adapt_fn)
        return self._adapt_function

    def adapt(self, data, batch_size: int | None = None, steps: int | None = None):
        """Fits the layer's state to `data`.

        Call it outside any `tf.function`. As in tf_keras, re-`compile` a model
        and re-`map` a dataset after adapting again: a graph traced before may
        hold state as constants (`Discretization`'s bin boundaries), though the
        lookup tables and `Normalization`'s weights are read at run time.

        Args:
            data: a NumPy array, list, tensor (dense or ragged) or
                `tf.data.Dataset` (of batches, or of single samples).
            batch_size: samples per `update_state` for non-Dataset data
                (default 32); ignored for a Dataset, which brings its batches.
            steps: the most batches to read (default: all of them).

        Raises:
            RuntimeError: when called inside a `tf.function`.
            ValueError: if `data` holds no samples.
        """
        _disallow_inside_tf_function("adapt")
        if not self._is_compiled:
            self.compile()
        if _is_empty(data):
            raise self._empty_data_error(data)
        dataset = adapt_dataset(data, batch_size, steps)
        self._adapt_maybe_build(dataset.element_spec)
        self.reset_state()  # forget what an earlier adapt saw
        adapt_fn = self.make_adapt_function()
        iterator = iter(dataset)
        seen = 0
        while True:
            found = int(adapt_fn(iterator))
            seen += found
            if found < self._steps_per_execution:
                break
        if seen == 0:
            raise self._empty_data_error(data)
        self.finalize_state()
        self._is_adapted = True

    def _empty_data_error(self, data) -> ValueError:
        return ValueError(
            "Expected input data to be non-empty. "
            f"{type(self).__name__}.adapt() received `data` with no samples: "
            f"data={_short_repr(data)}"
        )

    def _adapt_maybe_build(self, spec) -> None:
        """Builds the layer for batches of `spec`, as tf_keras's adapt does."""
        if self.built:
            return
        shape = getattr(spec, "shape", None)
        if self._batch_input_shape is None and shape is not None and shape.rank:
            # tf_keras records an all-None input shape, which shows in configs.
            self._batch_input_shape = (None,) * shape.rank
        self.build(shape)
        self.built = True

    def count_params(self) -> int:
        """Scalars in the weights; an unknown dimension counts as 0, as in tf_keras."""
        if not self.built:
            return super().count_params()  # raises the "isn't built" error
        return layer_utils.count_params(self.weights)

    def __call__(self, *args, **kwargs):
        # Lists of plain values (`layer(["a b", "c"])`) are one tensor, not a
        # list of inputs: convert them before the base class sees a structure.
        if args and _is_plain_list(args[0]):
            args = (tf.convert_to_tensor(args[0]), *args[1:])
        return super().__call__(*args, **kwargs)


def adapt_dataset(data, batch_size: int | None = None, steps: int | None = None):
    """The `tf.data.Dataset` of batches that `adapt` reads from `data`.

    Args:
        data: a `tf.data.Dataset`, NumPy array, list, or (ragged) tensor.
        batch_size: batch size for non-Dataset data (default 32).
        steps: if given, the most batches to take.

    Returns:
        A `tf.data.Dataset`.

    Raises:
        ValueError: for a non-positive `batch_size` or `steps`.
    """
    for name, value in (("batch_size", batch_size), ("steps", steps)):
        if value is not None and (not isinstance(value, int | np.integer) or value < 1):
            raise ValueError(
                f"`{name}` must be a positive integer or None. Received: "
                f"{name}={value!r}"
            )
    if isinstance(data, tf.data.Dataset):
        dataset = data
    else:
        if not isinstance(data, tf.Tensor | tf.RaggedTensor | tf.SparseTensor):
            data = _to_array(data)
        dataset = tf.data.Dataset.from_tensor_slices(data).batch(
            batch_size or _DEFAULT_BATCH_SIZE
        )
    return dataset if steps is None else dataset.take(steps)


def _to_array(data):
    """A NumPy array for arrays and (nested) lists; ragged lists become ragged."""
    try:
        return np.asarray(data)
    except ValueError:
        return tf.ragged.constant(data)


def _is_empty(data) -> bool:
    """Whether non-Dataset data has no samples (a Dataset is only known by reading)."""
    if isinstance(data, list | tuple):
        return len(data) == 0
    shape = getattr(data, "shape", None)
    return shape is not None and len(shape) > 0 and shape[0] == 0


def _is_plain_list(x) -> bool:
    if not isinstance(x, list | tuple) or not x:
        return False
    return not any(
        tf.is_tensor(v) or hasattr(v, "_keras_history") or hasattr(v, "type_spec")
        for v in tf.nest.flatten(x)
    )


def _short_repr(data) -> str:
    text = repr(data)
    return text if len(text) <= 200 else text[:200] + "..."


def _disallow_inside_tf_function(method_name: str) -> None:
    if tf.inside_function():
        raise RuntimeError(
            f"Detected a call to `PreprocessingLayer.{method_name}` inside a "
            f"`tf.function`. `{method_name}` manages its own `tf.function`: call it "
            "outside of every enclosing `tf.function`. Inside one, call the layer "
            "on tensors (`layer(x)`) or update its statistics with "
            "`layer.update_state(x)`."
        )
