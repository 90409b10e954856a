"""What `Model.compile` turns `loss=`, `metrics=` and `weighted_metrics=` into.

Mirrors Keras 2's `engine/compile_utils.py`: `LossesContainer` and
`MetricsContainer`; the structure helpers (`create_pseudo_output_names`,
`map_to_output_names`, `map_missing_dict_keys`, `match_dtype_and_rank`,
`get_custom_object_name`) live in `output_structures.py` and are re-exported.

Who owns what:
* `LossesContainer(losses, loss_weights, output_names)` matches losses to the
  model's outputs (one loss for all, a list in output order, or a dict keyed by
  output name), calls each `Loss` with the output's labels, predictions and
  sample weights, multiplies by `loss_weights`, adds the regularization losses
  and returns the total. Losses with `AUTO`/`SUM_OVER_BATCH_SIZE` reduction are
  scaled by `1 / num_replicas_in_sync`, so summing gradients over replicas gives
  the gradient of the global-batch mean. It tracks a `Mean` named `loss` (the
  unscaled total) and, for several outputs, one `<output>_loss` each.
* `MetricsContainer(metrics, weighted_metrics, output_names)` turns strings and
  functions into `Metric` objects per output (`"accuracy"`/`"acc"` and
  `"crossentropy"`/`"ce"` pick the binary, categorical or sparse variant from
  the label and prediction shapes), prefixes their names with the output name
  for several outputs (`out1_accuracy`), and updates them: `metrics` without the
  sample weights, `weighted_metrics` with them. A Keras mask on a prediction
  (`_keras_mask`) becomes a sample weight of both.

Building before tracing. Both containers create their `Metric` variables in
`build`. Keras 2 builds them on the first call, inside `train_function`'s
trace, which is one reason `fit` traces twice there. kengine's `Model` calls
`compiled_loss.build(y_pred)` and `compiled_metrics.build(y_pred, y_true)`
eagerly first, with the model outputs' and the dataset's element specs: any
structure of `tf.TensorSpec`, `tf.TensorShape`, `KerasTensor` or tensor works,
since only shapes are read. No variable is then created inside a trace.

>>> import tensorflow as tf
>>> from kengine import metrics
>>> spec = tf.TensorSpec([None, 3])
>>> mc = MetricsContainer(["accuracy", "mae"], output_names=["out"])
>>> mc.build(spec, tf.TensorSpec([None]))
>>> [(m.name, m._fn.__name__) for m in mc.metrics]
[('accuracy', 'sparse_categorical_accuracy'), ('mae', 'mean_absolute_error')]
"""

import tensorflow as tf

from kengine import losses as losses_mod
from kengine import metrics as metrics_mod
from kengine.engine.output_structures import (
    check_target_shape,
    create_pseudo_input_names,
    create_pseudo_output_names,
    flatten_up_to,
    get_custom_object_name,
    map_missing_dict_keys,
    map_to_output_names,
    match_dtype_and_rank,
)
from kengine.utils import losses_utils

__all__ = [
    "LossesContainer",
    "MetricsContainer",
    "create_pseudo_output_names",
    "create_pseudo_input_names",
    "map_to_output_names",
    "map_missing_dict_keys",
    "match_dtype_and_rank",
    "get_custom_object_name",
]


def _as_spec(x):
    """A `tf.TensorShape` leaf becomes a spec, so shapes alone can build containers."""
    return tf.TensorSpec(x) if isinstance(x, tf.TensorShape) else x


class Container:
    """What both containers share: output names and matching a structure to outputs.

    Args:
        output_names: the model's output names; pseudo names (`output_1`, ...)
            are made at `build` if None.
    """

    def __init__(self, output_names: list | None = None):
        self._output_names = output_names

    def build(self, y_pred) -> None:
        """Fills in pseudo output names when the model gave none."""
        if self._output_names is None:
            self._output_names = create_pseudo_output_names(y_pred)

    def _conform_to_outputs(self, outputs, struct):
        """Lines `struct` up with `outputs`.

        A dict keyed by output name becomes a list in output order; dict outputs
        missing from `struct` get None; a single item is repeated for every output.
        """
        struct = map_to_output_names(outputs, self._output_names, struct)
        struct = map_missing_dict_keys(outputs, struct)
        if not tf.nest.is_nested(struct) and tf.nest.is_nested(outputs):
            struct = tf.nest.map_structure(lambda _: struct, outputs)
        return struct

    def _maybe_broadcast_to_outputs(self, outputs, objects):
        """Gives every output the same losses/metrics when one set was passed."""
        if not self._should_broadcast(objects):
            return objects
        # Metrics are stateful: several outputs need separate copies.
        copy_objects = len(tf.nest.flatten(outputs)) > 1

        def for_one_output(_):
            if copy_objects:
                return tf.nest.map_structure(self._copy_object, objects)
            return objects

        return tf.nest.map_structure(for_one_output, outputs)

    def _should_broadcast(self, objects) -> bool:
        raise NotImplementedError

    def _copy_object(self, obj):
        raise NotImplementedError


class LossesContainer(Container):
    """The losses passed to `Model.compile`, matched to the model's outputs.

    Args:
        losses: a loss (name, function or `Loss`) for every output, a list in
            output order, or a dict keyed by output name.
        loss_weights: scalars to multiply each output's loss by (list or dict).
        output_names: the model's output names.
        total_loss_mean: the `Mean` tracking the total (default: a new one named
            `"loss"`).
    """

    def __init__(
        self, losses, loss_weights=None, output_names=None, total_loss_mean=None
    ):
        super().__init__(output_names=output_names)
        self._user_losses = losses
        self._user_loss_weights = loss_weights
        self._losses = losses
        self._loss_weights = loss_weights
        self._per_output_metrics = None
        self._total_loss_mean = total_loss_mean or metrics_mod.Mean(name="loss")
        self._built = False

    @property
    def metrics(self) -> list:
        """The loss trackers: `loss` first, then `<output>_loss` per output."""
        if not self._built:
            return []
        per_output = [
            m for m in tf.nest.flatten(self._per_output_metrics) if m is not None
        ]
        return [self._total_loss_mean, *per_output]

    @property
    def built(self) -> bool:
        """Whether `build` has run."""
        return self._built

    def build(self, y_pred) -> None:
        """Resolves the losses and creates the per-output trackers.

        Args:
            y_pred: the model's outputs, or a structure of specs/shapes of them.

        Raises:
            ValueError: for a dict key that is no output name, or an unknown loss.
        """
        y_pred = tf.nest.map_structure(_as_spec, y_pred)
        super().build(y_pred)
        losses = self._maybe_broadcast_to_outputs(y_pred, self._losses)
        losses = self._conform_to_outputs(y_pred, losses)
        self._losses = tf.nest.flatten(
            tf.nest.map_structure(self._get_loss_object, losses)
        )
        weights = self._maybe_broadcast_to_outputs(y_pred, self._loss_weights)
        weights = self._conform_to_outputs(y_pred, weights)
        self._loss_weights = tf.nest.flatten(weights)
        self._create_metrics()
        self._built = True

    def _create_metrics(self) -> None:
        """One `<output>_loss` Mean per output that has a loss (several outputs only)."""
        if len(self._output_names) == 1:
            self._per_output_metrics = [None]
            return
        self._per_output_metrics = [
            None if loss is None else metrics_mod.Mean(name=f"{output_name}_loss")
            for loss, output_name in zip(self._losses, self._output_names)
        ]

    def __call__(self, y_true, y_pred, sample_weight=None, regularization_losses=None):
        """Computes the total loss and updates the loss trackers.

        Args:
            y_true: labels, structured like `y_pred` (or a dict by output name).
            y_pred: the model's outputs.
            sample_weight: one tensor for all outputs, or one per output.
            regularization_losses: scalar losses to add (the model's `losses`).

        Returns:
            The total loss to minimise (scaled for distribution), or None when no
            output has a loss.
        """
        y_true = self._conform_to_outputs(y_pred, y_true)
        sample_weight = self._conform_to_outputs(y_pred, sample_weight)
        if not self._built:
            self.build(y_pred)
        self.check_target_shapes(y_true, y_pred)
        rows = zip(
            tf.nest.flatten(y_true),
            tf.nest.flatten(y_pred),
            tf.nest.flatten(sample_weight),
            self._losses,
            self._loss_weights,
            self._per_output_metrics,
        )
        loss_values, mean_values, batch_dim = [], [], None
        for y_t, y_p, sw, loss_obj, loss_weight, metric_obj in rows:
            if y_t is None or loss_obj is None:  # an output may have no loss
                continue
            if batch_dim is None:
                batch_dim = (
                    y_t.nrows()
                    if isinstance(y_t, tf.RaggedTensor)
                    else tf.shape(y_t)[0]
                )
            loss_value, mean_value = self._output_loss(
                y_t, y_p, sw, loss_obj, loss_weight, metric_obj, batch_dim
            )
            loss_values.append(loss_value)
            mean_values.append(mean_value)
        if regularization_losses:
            reg_loss = tf.add_n(
                losses_utils.cast_losses_to_common_dtype(regularization_losses)
            )
            mean_values.append(reg_loss)
            loss_values.append(losses_utils.scale_loss_for_distribution(reg_loss))
        if not loss_values:
            return None
        mean_total = tf.add_n(losses_utils.cast_losses_to_common_dtype(mean_values))
        self._total_loss_mean.update_state(mean_total, sample_weight=batch_dim)
        return tf.add_n(losses_utils.cast_losses_to_common_dtype(loss_values))

    def check_target_shapes(self, y_true, y_pred) -> None:
        """Raises for targets a built-in loss would broadcast (`check_target_shape`).

        Args:
            y_true: targets (tensors or specs), structured like `y_pred` or by name.
            y_pred: the outputs (tensors, specs or KerasTensors).
        """
        y_true = self._conform_to_outputs(y_pred, y_true)
        names = list(self._output_names or [])
        rows = zip(tf.nest.flatten(y_true), tf.nest.flatten(y_pred), self._losses)
        for i, (y_t, y_p, loss_obj) in enumerate(rows):
            if y_t is not None and loss_obj is not None:
                name = names[i] if i < len(names) else f"output_{i + 1}"
                check_target_shape(loss_obj, y_t, y_p, name)

    @staticmethod
    def _output_loss(y_t, y_p, sw, loss_obj, loss_weight, metric_obj, batch_dim):
        """One output's `(loss to minimise, value for the loss trackers)`."""
        y_t, y_p, sw = match_dtype_and_rank(y_t, y_p, sw)
        sw = losses_utils.apply_mask(y_p, sw, losses_utils.get_mask(y_p))
        loss_value = loss_obj(y_t, y_p, sample_weight=sw)
        mean_value = loss_value
        if loss_obj.reduction == losses_utils.ReductionV2.SUM:
            # A SUM loss is per replica; the tracker should show the global sum.
            mean_value *= tf.distribute.get_strategy().num_replicas_in_sync
        if metric_obj is not None:
            # Weighted by batch size, so the epoch value is the per-sample mean.
            metric_obj.update_state(mean_value, sample_weight=batch_dim)
        if loss_weight is not None:
            loss_value *= loss_weight
            mean_value *= loss_weight
        if loss_obj.reduction in (
            losses_utils.ReductionV2.SUM_OVER_BATCH_SIZE,
            losses_utils.ReductionV2.AUTO,
        ):
            loss_value = losses_utils.scale_loss_for_distribution(loss_value)
        return loss_value, mean_value

    def reset_state(self) -> None:
        """Resets the loss trackers (between epochs)."""
        for metric_obj in self.metrics:
            metric_obj.reset_state()

    def _get_loss_object(self, loss):
        """A name or function becomes a `LossFunctionWrapper`; a `Loss` stays.

        The container owns distribution scaling, so its losses may use
        `SUM_OVER_BATCH_SIZE` inside a strategy.
        """
        if loss is None:
            return None
        loss = losses_mod.get(loss)
        if not isinstance(loss, losses_mod.Loss):
            loss_name = get_custom_object_name(loss)
            if loss_name is None:
                raise ValueError(f"Loss should be a callable, received: {loss}")
            loss = losses_mod.LossFunctionWrapper(loss, name=loss_name)
        loss._allow_sum_over_batch_size = True
        return loss

    def _should_broadcast(self, obj) -> bool:
        return not tf.nest.is_nested(obj)

    def _copy_object(self, obj):
        return obj  # losses are stateless: every output may share one


class MetricsContainer(Container):
    """The metrics passed to `Model.compile`, per output.

    Args:
        metrics: metrics updated without sample weights: one list for every
            output, a list of lists in output order, or a dict by output name.
            Each entry is a name, a function `fn(y_true, y_pred)` or a `Metric`.
        weighted_metrics: the same, for metrics updated with sample weights.
        output_names: the model's output names.
        from_serialized: the metrics come from a saved model and already carry
            their output prefixes; do not rename them.

    Raises:
        ValueError: if one `Metric` instance appears twice.
    """

    def __init__(
        self,
        metrics=None,
        weighted_metrics=None,
        output_names=None,
        from_serialized: bool = False,
    ):
        super().__init__(output_names=output_names)
        self._check_duplicated_metrics(metrics, weighted_metrics)
        self._user_metrics = metrics
        self._user_weighted_metrics = weighted_metrics
        self._metrics = metrics
        self._weighted_metrics = weighted_metrics
        self._built = False
        self._from_serialized = from_serialized

    @staticmethod
    def _check_duplicated_metrics(metrics, weighted_metrics) -> None:
        # One stateful object updated twice per batch would report nonsense.
        seen, duplicated = [], []
        for x in tf.nest.flatten(metrics) + tf.nest.flatten(weighted_metrics):
            if isinstance(x, metrics_mod.Metric):
                (duplicated if any(x is s for s in seen) else seen).append(x)
        if duplicated:
            raise ValueError(
                "Found duplicated metrics object in the user provided metrics and "
                "weighted metrics. This will cause the same metric object to be "
                "updated multiple times, and report wrong results. \n"
                f"Duplicated items: {[m.name for m in duplicated]}"
            )

    @property
    def metrics(self) -> list:
        """All metrics, per output: unweighted then weighted (empty before `build`)."""
        return self._metrics_in_order if self._built else []

    @property
    def unweighted_metrics(self) -> list | None:
        """Metrics updated without sample weights (None before `build`)."""
        return tf.nest.flatten(self._metrics) if self._built else None

    @property
    def weighted_metrics(self) -> list | None:
        """Metrics updated with sample weights (None before `build`)."""
        return tf.nest.flatten(self._weighted_metrics) if self._built else None

    @property
    def built(self) -> bool:
        """Whether `build` has run."""
        return self._built

    def build(self, y_pred, y_true) -> None:
        """Resolves every metric and creates its variables (call it eagerly).

        Args:
            y_pred: the model's outputs, or a structure of specs/shapes of them.
            y_true: the labels, or specs/shapes of them, structured like `y_pred`
                (or a dict by output name); None entries have no labels.

        Raises:
            ValueError: for an unknown metric name or a dict key that is no
                output name.
        """
        y_pred = tf.nest.map_structure(_as_spec, y_pred)
        y_true = tf.nest.map_structure(
            _as_spec, self._conform_to_outputs(y_pred, y_true)
        )
        super().build(y_pred)
        flat_pred = tf.nest.flatten(y_pred)
        flat_true = flatten_up_to(y_pred, y_true)
        per_output = []
        for user_struct in (self._metrics, self._weighted_metrics):
            struct = self._maybe_broadcast_to_outputs(y_pred, user_struct)
            struct = flatten_up_to(y_pred, self._conform_to_outputs(y_pred, struct))
            per_output.append(
                [
                    self._get_metric_objects(m, y_t, y_p)
                    for m, y_t, y_p in zip(struct, flat_true, flat_pred)
                ]
            )
        self._metrics, self._weighted_metrics = per_output
        if not self._from_serialized:
            self._set_metric_names()
        self._create_ordered_metrics()
        for m, y_t, y_p in self._metrics_with_data(flat_true, flat_pred):
            # Shape-dependent state (multi-label AUC) now, not inside a trace.
            if y_t is not None:
                m._build_from_shapes(
                    tf.TensorShape(y_t.shape), tf.TensorShape(y_p.shape)
                )
        self._built = True

    def _metrics_with_data(self, flat_true, flat_pred):
        for metric_lists in (self._metrics, self._weighted_metrics):
            for metric_objs, y_t, y_p in zip(metric_lists, flat_true, flat_pred):
                for m in metric_objs:
                    if m is not None:
                        yield m, y_t, y_p

    def _set_metric_names(self) -> None:
        """Prefixes names with the output name (several outputs); checks uniqueness.

        A weighted metric whose name is taken becomes `weighted_<name>`
        (`<output>_weighted_<name>` for several outputs).

        Raises:
            ValueError: if two metrics end up with the same name.
        """
        names = set()
        multi = len(self._output_names) > 1
        rows = zip(self._output_names, self._metrics, self._weighted_metrics)
        for output_name, output_metrics, weighted_output_metrics in rows:
            for m in output_metrics:
                if m is None:
                    continue
                if multi:
                    m._name = f"{output_name}_{m._name}"
                if m._name in names:
                    raise ValueError(
                        f"Found two metrics with the same name: {m._name}. All the "
                        "metrics added to the model need to have unique names."
                    )
                names.add(m._name)
            for wm in weighted_output_metrics:
                if wm is None:
                    continue
                if multi:
                    taken = f"{output_name}_{wm._name}" in names
                    prefix = f"{output_name}_weighted_" if taken else f"{output_name}_"
                    wm._name = prefix + wm._name
                elif wm._name in names:
                    wm._name = f"weighted_{wm._name}"
                if wm._name in names:
                    raise ValueError(
                        f"Found two weighted metrics with the same name: {wm._name}."
                        "All the metrics added to the model need to have unique names."
                    )
                names.add(wm._name)

    def _create_ordered_metrics(self) -> None:
        """Caches the logs order: per output, its metrics then its weighted metrics."""
        self._metrics_in_order = [
            m
            for output_metrics, output_weighted in zip(
                self._metrics, self._weighted_metrics
            )
            for m in [*output_metrics, *output_weighted]
            if m is not None
        ]

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        """Updates every output's metrics with one batch.

        Args:
            y_true: labels, structured like `y_pred` (or a dict by output name).
            y_pred: the model's outputs; a `_keras_mask` weights both kinds.
            sample_weight: one tensor for all outputs, or one per output; only
                the weighted metrics see it.
        """
        y_true = self._conform_to_outputs(y_pred, y_true)
        sample_weight = self._conform_to_outputs(y_pred, sample_weight)
        if not self._built:
            self.build(y_pred, y_true)
        flat_pred = tf.nest.flatten(y_pred)
        flat_true = flatten_up_to(y_pred, y_true)
        flat_sw = flatten_up_to(y_pred, sample_weight)
        rows = zip(flat_true, flat_pred, flat_sw, self._metrics, self._weighted_metrics)
        for y_t, y_p, sw, metric_objs, weighted_objs in rows:
            if y_t is None or all(m is None for m in [*metric_objs, *weighted_objs]):
                continue
            y_t, y_p, sw = match_dtype_and_rank(y_t, y_p, sw)
            mask = losses_utils.get_mask(y_p)
            sw = losses_utils.apply_mask(y_p, sw, mask)
            for metric_obj in metric_objs:
                if metric_obj is not None:
                    metric_obj.update_state(y_t, y_p, sample_weight=mask)
            for metric_obj in weighted_objs:
                if metric_obj is not None:
                    metric_obj.update_state(y_t, y_p, sample_weight=sw)

    def reset_state(self) -> None:
        """Resets every metric (before `build`: the user's `Metric` objects)."""
        if self._built:
            candidates = self._metrics_in_order
        else:
            candidates = tf.nest.flatten(self._user_metrics) + tf.nest.flatten(
                self._user_weighted_metrics
            )
        for metric_obj in candidates:
            if isinstance(metric_obj, metrics_mod.Metric):
                metric_obj.reset_state()

    def _get_metric_objects(self, metrics, y_t, y_p) -> list:
        return [self._get_metric_object(m, y_t, y_p) for m in tf.nest.flatten(metrics)]

    def _get_metric_object(self, metric, y_t, y_p):
        """A name, function or `Loss` becomes a `MeanMetricWrapper`; a `Metric` stays.

        Raises:
            ValueError: for an unknown metric name.
        """
        if metric is None:
            return None
        if str(metric).lower() in ("accuracy", "acc", "crossentropy", "ce"):
            metric_obj = _resolve_by_shapes(str(metric).lower(), y_t, y_p)
        else:
            metric_obj = metrics_mod.get(metric)
        if isinstance(metric_obj, losses_mod.Loss):
            metric_obj._allow_sum_over_batch_size = True
        if isinstance(metric_obj, metrics_mod.Metric):
            return metric_obj
        metric_name = (
            metric if isinstance(metric, str) else get_custom_object_name(metric)
        )
        if metric_name is None:
            raise ValueError(f"Metric should be a callable, received: {metric}")
        return metrics_mod.MeanMetricWrapper(metric_obj, name=metric_name)

    def _should_broadcast(self, obj) -> bool:
        # One flat list of metrics goes to every output.
        if not tf.nest.is_nested(obj):
            return True
        return isinstance(obj, list | tuple) and not any(
            tf.nest.is_nested(o) for o in obj
        )

    def _copy_object(self, obj):
        if isinstance(obj, metrics_mod.Metric):
            return type(obj).from_config(obj.get_config())
        return obj  # a name, function or None


def _resolve_by_shapes(name: str, y_t, y_p):
    """Picks the binary, sparse or categorical accuracy/crossentropy, as Keras 2.

    One prediction unit means binary; labels of lower rank than the predictions,
    or a single label column against several units, mean sparse class ids;
    anything else is one-hot (categorical).
    """
    y_t_shape, y_p_shape = y_t.shape.as_list(), y_p.shape.as_list()
    is_binary = y_p_shape[-1] == 1
    is_sparse = len(y_t_shape) < len(y_p_shape) or (
        y_t_shape[-1] == 1 and y_p_shape[-1] > 1
    )
    if name in ("accuracy", "acc"):
        if is_binary:
            return metrics_mod.binary_accuracy
        return (
            metrics_mod.sparse_categorical_accuracy
            if is_sparse
            else metrics_mod.categorical_accuracy
        )
    if is_binary:
        return metrics_mod.binary_crossentropy
    return (
        metrics_mod.sparse_categorical_crossentropy
        if is_sparse
        else metrics_mod.categorical_crossentropy
    )
