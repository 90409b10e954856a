"""`Metric`: a layer whose weights are running totals; plus the reducing metrics.

Mirrors Keras 2's `metrics/base_metric.py` (`Metric`, `Reduce`, `Sum`, `Mean`,
`MeanMetricWrapper`, `MeanTensor`, `clone_metric(s)`) and the
`update_state_wrapper`/`result_wrapper` half of `utils/metrics_utils.py`.

How a metric works:
* State lives in variables made by `add_weight` when the metric is constructed
  (or, for shape-dependent metrics, built): non-trainable, synchronized
  `ON_READ` and aggregated with `SUM`. Under `MirroredStrategy` each replica
  adds into its own copy, and reading the variable in cross-replica context
  sums the copies, so the result covers the whole global batch.
* `update_state(...)` adds one batch; `result()` turns the totals into the
  value; `reset_state()` zeroes every variable; `metric(...)` is
  `update_state` then `result`.
* `result()` called inside `strategy.run` (replica context) is lifted to
  cross-replica context with `merge_call`, so it too sees the summed state.
  Subclasses' `result` methods get that wrapper automatically
  (`__init_subclass__`), which is how Keras 2's `__new__` patching behaves.
* `add_weight` creates variables under `tf.init_scope()` (in `Layer`), so even
  a metric first built inside a `tf.function` gets eager variables; the
  compile containers build every metric before `fit` traces anything.

>>> m = Mean()
>>> _ = m.update_state([1, 3, 5, 7])
>>> float(m.result())
4.0
>>> m.reset_state()
>>> _ = m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
>>> float(m.result())
2.0
"""

import abc
import functools
import warnings

import numpy as np
import tensorflow as tf

from kengine.engine import keras_tensor
from kengine.engine.base_layer import Layer
from kengine.metrics import metrics_utils
from kengine.metrics.metrics_utils import Reduction
from kengine.utils import losses_utils, serialization
from kengine.utils.object_registry import register_builtin

__all__ = [
    "Metric",
    "Reduce",
    "Sum",
    "Mean",
    "MeanMetricWrapper",
    "MeanTensor",
    "clone_metric",
    "clone_metrics",
]


def _autograph(fn):
    """`fn` converted by autograph while tracing, so a user metric function's
    Python `if` on tensors works inside `fit`; kengine's own functions are
    graph-safe and left alone (Keras 2 converts every metric function)."""
    if tf.executing_eagerly() or getattr(fn, "__module__", "").startswith("kengine."):
        return fn
    return tf.__internal__.autograph.tf_convert(
        fn, tf.__internal__.autograph.control_status_ctx()
    )


def _in_replica_context_of_strategy() -> bool:
    """True inside `strategy.run` of a real (non-default) strategy."""
    return tf.distribute.has_strategy() and not tf.distribute.in_cross_replica_context()


def _cross_replica_result(result_fn):
    """Wraps `result` so it always reads the state summed over replicas."""

    @functools.wraps(result_fn)
    def result(self, *args):
        if _in_replica_context_of_strategy():
            # Sync-on-read variables read their local copy in replica context;
            # merge_call moves to cross-replica context, where reads sum.
            ctx = tf.distribute.get_replica_context()
            return ctx.merge_call(
                lambda _: tf.nest.map_structure(tf.identity, result_fn(self, *args))
            )
        raw = result_fn(self, *args)
        try:
            return tf.nest.map_structure(tf.identity, raw)
        except (TypeError, ValueError) as err:
            raise RuntimeError(
                "The output of `metric.result()` can only be a single "
                "Tensor/Variable, or a dict of Tensors/Variables. "
                f"For metric {self.name}, got result {raw}."
            ) from err

    return result


def _tagged(result, metric):
    """Marks a result with its metric, so `add_metric(result)` reports the metric."""
    try:
        result._metric_obj = metric
    except (AttributeError, TypeError):  # e.g. a dict of results
        pass
    return result


class Metric(Layer, metaclass=abc.ABCMeta):
    """Base class of stateful metrics.

    Subclasses create their state in `__init__` with `self.add_weight(...)`,
    accumulate in `update_state(...)` and compute the value in `result()`.

    Args:
        name: the metric's name (default: snake_case of the class, made unique).
        dtype: dtype of the state and result (default `floatx()`).
        **kwargs: other `Layer` keyword arguments.
    """

    # Read by the engine: `Model.metrics` collects metrics held as attributes and
    # `Model.layers` leaves them out, as tf_keras does.
    _is_metric = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "result" in cls.__dict__ and not getattr(
            cls.__dict__["result"], "__isabstractmethod__", False
        ):
            cls.result = _cross_replica_result(cls.__dict__["result"])

    def __init__(self, name: str | None = None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.stateful = True
        self.built = True

    def __call__(self, *args, **kwargs):
        """Updates the state with one batch and returns the current result.

        Under a distribution strategy's scope (cross-replica context) the update
        runs once per replica, as Keras 2 does, because sync-on-read `SUM`
        variables cannot be added to from cross-replica context.
        """

        def update_then_result(*args, **kwargs):
            if not keras_tensor.any_keras_tensors((args, kwargs)):
                update_op = self.update_state(*args, **kwargs)
                deps = [update_op] if update_op is not None else []
                with tf.control_dependencies(deps):
                    return _tagged(self.result(), self)
            return self.result()

        if tf.distribute.has_strategy() and tf.distribute.in_cross_replica_context():
            strategy = tf.distribute.get_strategy()
            return strategy.run(update_then_result, args=args, kwargs=kwargs)
        return update_then_result(*args, **kwargs)

    def __str__(self):
        args = ",".join(f"{k}={v}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"

    @property
    def dtype(self) -> str:
        """The dtype of the metric's state and result."""
        return self._dtype

    def get_config(self) -> dict:
        """Returns `{"name", "dtype"}` plus what subclasses add."""
        return {"name": self.name, "dtype": self.dtype}

    def reset_state(self) -> None:
        """Zeroes every state variable (called between epochs by `fit`)."""
        if type(self).reset_states is not Metric.reset_states:
            warnings.warn(
                f"Metric {type(self).__name__} implements a `reset_states()` method; "
                'rename it to `reset_state()` (without the final "s"). The name '
                "`reset_states()` has been deprecated to improve API consistency.",
                stacklevel=2,
            )
            self.reset_states()
            return
        for v in self.variables:
            v.assign(tf.zeros(v.shape, v.dtype))

    def reset_states(self) -> None:
        """Deprecated alias of `reset_state`."""
        Metric.reset_state(self)

    @abc.abstractmethod
    def update_state(self, *args, **kwargs):
        """Accumulates statistics of one batch into the state variables."""
        raise NotImplementedError("Must be implemented in subclasses.")

    @abc.abstractmethod
    def result(self):
        """Computes the metric's value (a scalar or a dict of scalars) from the state."""
        raise NotImplementedError("Must be implemented in subclasses.")

    def merge_state(self, metrics) -> list:
        """Adds the state of other metrics of the same kind into this one.

        >>> m1, m2 = Sum(), Sum()
        >>> _ = m1.update_state([1.0, 2.0]), m2.update_state([3.0])
        >>> _ = m2.merge_state([m1])
        >>> float(m2.result())
        6.0

        Raises:
            ValueError: if a metric's weights do not match this one's.
        """
        ops = []
        for metric in metrics:
            if len(self.weights) != len(metric.weights):
                raise ValueError(f"Metric {metric} is not compatible with {self}")
            for weight, other in zip(self.weights, metric.weights):
                ops.append(weight.assign_add(other))
        return ops

    def add_weight(
        self,
        name: str,
        shape=(),
        aggregation=tf.VariableAggregation.SUM,
        synchronization=tf.VariableSynchronization.ON_READ,
        initializer=None,
        dtype=None,
    ) -> tf.Variable:
        """Creates a state variable: non-trainable, `ON_READ`, summed over replicas.

        Args:
            name: the variable's name.
            shape: its shape (default scalar).
            aggregation: how replicas' copies combine on read (default SUM).
            synchronization: default `ON_READ`: each replica writes its own copy.
            initializer: initializer or its name (metrics use `"zeros"`).
            dtype: default: the metric's dtype.

        Returns:
            The variable.
        """
        return super().add_weight(
            name=name,
            shape=shape,
            dtype=self._dtype if dtype is None else dtype,
            trainable=False,
            initializer=initializer,
            synchronization=synchronization,
            aggregation=aggregation,
        )

    def _build_from_shapes(self, y_true_shape, y_pred_shape) -> None:
        """Creates shape-dependent state before any tf.function trace.

        `MetricsContainer.build` calls this with the label and prediction shapes
        of one output; metrics whose variables depend on them (multi-label
        `AUC`) override it. The default does nothing.
        """
        del y_true_shape, y_pred_shape


class Reduce(Metric):
    """A metric that sums weighted values, optionally dividing by a count.

    Args:
        reduction: a `metrics_utils.Reduction`.
        name: the metric's name.
        dtype: dtype of the state and result.
    """

    def __init__(self, reduction: Reduction, name: str | None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reduction = reduction
        self.total = self.add_weight("total", initializer="zeros")
        if reduction in (Reduction.SUM_OVER_BATCH_SIZE, Reduction.WEIGHTED_MEAN):
            self.count = self.add_weight("count", initializer="zeros")

    def _weight_values(self, values, sample_weight):
        """Weights `values` by Keras 2's rules; returns `(values, weights)`."""
        sample_weight = tf.cast(sample_weight, self._dtype)
        values, _, sample_weight = losses_utils.squeeze_or_expand_dimensions(
            values, sample_weight=sample_weight
        )
        try:
            sample_weight = metrics_utils.broadcast_weights(sample_weight, values)
        except ValueError:
            # Weights of lower rank (e.g. per sample against per time step):
            # reduce the values over the axes the weights lack.
            axes = list(range(sample_weight.shape.rank, values.shape.rank))
            reduce = (
                tf.reduce_sum if self.reduction == Reduction.SUM else tf.reduce_mean
            )
            values = reduce(values, axis=axes)
        return tf.multiply(values, sample_weight), sample_weight

    def update_state(self, values, sample_weight=None):
        """Adds `values` (weighted by `sample_weight`, default 1) to the state.

        Args:
            values: per-example values, any shape.
            sample_weight: None, a scalar, or weights broadcastable to `values`
                (one rank off is fixed up first).

        Returns:
            The update op.

        Raises:
            RuntimeError: if `values` is not a tensor (e.g. a dict).
        """
        [values], sample_weight = (
            metrics_utils.ragged_assert_compatible_and_get_flat_values(
                [values], sample_weight
            )
        )
        try:
            values = tf.cast(values, self._dtype)
        except (ValueError, TypeError) as err:
            msg = (
                "The output of a metric function can only be a single Tensor. "
                f"Received: {values}. "
            )
            if isinstance(values, dict):
                msg += "To return a dict of values, implement a custom Metric subclass."
            raise RuntimeError(msg) from err
        if sample_weight is not None:
            values, sample_weight = self._weight_values(values, sample_weight)
        update_total = self.total.assign_add(tf.reduce_sum(values))
        if self.reduction == Reduction.SUM:
            return update_total
        if self.reduction == Reduction.WEIGHTED_MEAN and sample_weight is not None:
            num_values = tf.reduce_sum(sample_weight)
        else:
            num_values = tf.cast(tf.size(values), self._dtype)
        with tf.control_dependencies([update_total]):
            return self.count.assign_add(num_values)

    def result(self):
        if self.reduction == Reduction.SUM:
            return tf.identity(self.total)
        return tf.math.divide_no_nan(self.total, self.count)


class Sum(Reduce):
    """The (weighted) sum of the values seen.

    >>> m = Sum()
    >>> _ = m.update_state([1, 3, 5, 7])
    >>> float(m.result())
    16.0

    Args:
        name: the metric's name.
        dtype: dtype of the state and result.
    """

    def __init__(self, name: str = "sum", dtype=None):
        super().__init__(reduction=Reduction.SUM, name=name, dtype=dtype)


class Mean(Reduce):
    """The (weighted) mean of the values seen: `total / count`.

    Args:
        name: the metric's name.
        dtype: dtype of the state and result.
    """

    def __init__(self, name: str = "mean", dtype=None):
        super().__init__(reduction=Reduction.WEIGHTED_MEAN, name=name, dtype=dtype)


# `Layer.add_metric` (layer 2) creates a Mean by this name, without importing us.
register_builtin("metric", Mean)


class MeanMetricWrapper(Mean):
    """The mean of a per-sample function `fn(y_true, y_pred, **kwargs)`.

    Any function returning one value per sample works, including plain functions
    written with `K.*` (the seed notes' `accuracy`, `precision`, `recall`) and
    loss functions.

    >>> from kengine import backend as K
    >>> def matches(y_true, y_pred):
    ...     return K.cast(K.equal(y_true, y_pred), K.floatx())
    >>> m = MeanMetricWrapper(matches, name="matches")
    >>> _ = m.update_state([[1], [2], [3], [4]], [[1], [2], [0], [0]])
    >>> float(m.result())
    0.5

    Args:
        fn: the per-sample function.
        name: the metric's name.
        dtype: dtype of the state and result.
        **kwargs: passed on to `fn` on every call.
    """

    def __init__(self, fn, name: str | None = None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds `fn(y_true, y_pred)` of one batch, weighted by `sample_weight`.

        Args:
            y_true: labels, `(batch, d0, ..., dN)` (sparse metrics: one less).
            y_pred: predictions, `(batch, d0, ..., dN)`.
            sample_weight: None, a scalar, `(batch,)`, or broadcastable to the
                function's per-sample output `(batch, d0, ..., dN-1)`.

        Returns:
            The update op.
        """
        y_true = tf.cast(y_true, self._dtype)
        y_pred = tf.cast(y_pred, self._dtype)
        [y_true, y_pred], sample_weight = (
            metrics_utils.ragged_assert_compatible_and_get_flat_values(
                [y_true, y_pred], sample_weight
            )
        )
        y_pred, y_true = losses_utils.squeeze_or_expand_dimensions(y_pred, y_true)
        matches = _autograph(self._fn)(y_true, y_pred, **self._fn_kwargs)
        mask = losses_utils.get_mask(matches)
        sample_weight = losses_utils.apply_valid_mask(
            matches, sample_weight, mask, self.reduction
        )
        return super().update_state(matches, sample_weight=sample_weight)

    def get_config(self) -> dict:
        config = {
            k: v.numpy() if isinstance(v, tf.Tensor | tf.Variable) else v
            for k, v in self._fn_kwargs.items()
        }
        if type(self) is MeanMetricWrapper:
            # Keras 2 keeps the function object here; its name round-trips
            # through `metrics.get` and stays JSON-serializable.
            config["fn"] = serialization.serialize_keras_object(self._fn)
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config: dict):
        """Rebuilds the metric; a `MeanMetricWrapper`'s `fn` is looked up by name."""
        config = dict(config)
        fn = config.pop("fn", None)
        if cls is MeanMetricWrapper:
            return cls(metric_by_name(fn), **config)
        return cls(**config)


def metric_by_name(identifier, deserialize=None):
    """`metrics.get`: a metric from a name, a config dict, or a callable.

    Lives here because `MeanMetricWrapper.from_config` needs it and
    `metrics/serialization.py` imports this module; the table of metric names is
    read from `utils.object_registry`, where that module registers it.

    Args:
        identifier: a name, a config dict, a function or a `Metric`.
        deserialize: the family's `deserialize` (default: the registry lookup).

    Returns:
        A `Metric` instance or a metric function.

    Raises:
        ValueError: if `identifier` is an unknown name or not interpretable.
    """
    return serialization.get_builtin(
        identifier,
        deserialize or _deserialize_metric,
        what="metric",
        hint="Expected a metric name, a config dict, a function or a `Metric` "
        "instance.",
    )


def _deserialize_metric(config):
    return serialization.deserialize_builtin(config, "metric", what="metric function")


class MeanTensor(Metric):
    """The element-wise (weighted) mean of same-shaped tensors.

    >>> m = MeanTensor()
    >>> _ = m.update_state([0, 1, 2, 3])
    >>> _ = m.update_state([4, 5, 6, 7])
    >>> m.result().numpy()
    array([2., 3., 4., 5.], dtype=float32)

    Args:
        name: the metric's name.
        dtype: dtype of the state and result.
        shape: the values' shape; if None, taken from the first `update_state`
            (pass it to create the state before any `tf.function` trace).
    """

    def __init__(self, name: str = "mean_tensor", dtype=None, shape=None):
        super().__init__(name=name, dtype=dtype)
        self._shape = None
        self._total = None
        self._count = None
        self._built = False
        if shape is not None:
            self._build(shape)

    def _build(self, shape) -> None:
        self._shape = tf.TensorShape(shape)
        self._build_input_shape = self._shape
        self._total = self.add_weight("total", shape=shape, initializer="zeros")
        self._count = self.add_weight("count", shape=shape, initializer="zeros")
        self._built = True

    @property
    def total(self):
        """The weighted sum per element (None before the first update)."""
        return self._total if self._built else None

    @property
    def count(self):
        """The sum of weights per element (None before the first update)."""
        return self._count if self._built else None

    def update_state(self, values, sample_weight=None):
        """Adds one tensor of values, element-wise weighted.

        Raises:
            ValueError: if `values` has a different shape than before.
        """
        values = tf.cast(values, self._dtype)
        if not self._built:
            self._build(values.shape)
        elif values.shape != self._shape:
            raise ValueError(
                "MeanTensor input values must always have the same shape. Expected "
                f"shape (set during the first call): {self._shape}. "
                f"Got: {values.shape}."
            )
        num_values = tf.ones_like(values)
        if sample_weight is not None:
            sample_weight = tf.cast(sample_weight, self._dtype)
            values, _, sample_weight = losses_utils.squeeze_or_expand_dimensions(
                values, sample_weight=sample_weight
            )
            try:
                sample_weight = metrics_utils.broadcast_weights(sample_weight, values)
            except ValueError:
                axes = list(range(sample_weight.shape.rank, values.shape.rank))
                values = tf.reduce_mean(values, axis=axes)
            num_values = tf.multiply(num_values, sample_weight)
            values = tf.multiply(values, sample_weight)
        update_total = self._total.assign_add(values)
        with tf.control_dependencies([update_total]):
            return self._count.assign_add(num_values)

    def result(self):
        if not self._built:
            raise ValueError(
                "MeanTensor does not have any value yet. Please call the MeanTensor "
                "instance or use `.update_state(value)` before retrieving the result."
            )
        return tf.math.divide_no_nan(self.total, self.count)

    def reset_state(self) -> None:
        if self._built:
            for v in self.variables:
                v.assign(np.zeros(v.shape.as_list(), v.dtype.as_numpy_dtype))


def clone_metric(metric):
    """A fresh copy (same config, zero state) of a `Metric`; anything else as is."""
    if isinstance(metric, Metric):
        with tf.init_scope():
            return type(metric).from_config(metric.get_config())
    return metric


def clone_metrics(metrics):
    """`clone_metric` over a nested structure of metrics."""
    return tf.nest.map_structure(clone_metric, metrics)
