"""Metrics a layer reports while it runs: `add_metric`.

Mirrors `add_metric` of Keras 2's `engine/base_layer.py` (and the metrics it
keeps in `Layer._metrics`); the functional form, `model.add_metric(symbolic
tensor)`, inserts an `AddMetric` node (`engine/functional.py`), as tf_keras's
`_graph_network_add_metric` does.

Inside `call`, `self.add_metric(value, name=...)` averages `value` over the
epoch with a `Mean` metric named `name`, created on the first call and found by
name afterwards. A value returned by calling a `Metric` (`self.acc(y, p)`) is
already accumulated: that metric itself is reported, under its own name. The
metrics are created under `tf.init_scope` (so a first call inside a traced step
creates no variables in the trace) and are not state of the layer: they are not
in `weights` and not in weight files; `Model.metrics` collects them from every
layer, so `fit` resets them each epoch and reports them in the logs.
"""

import tensorflow as tf

from kengine.engine import base_layer_utils as utils
from kengine.engine import keras_tensor
from kengine.utils.object_registry import builtin_object

__all__ = ["MetricsMixin"]


class MetricsMixin:
    """Adds `add_metric` to `Layer`."""

    def add_metric(self, value, name: str | None = None, **kwargs) -> None:
        """Reports `value` as a metric averaged over each epoch.

        Args:
            value: a tensor computed in `call` (or, on a functional model, a
                KerasTensor built from its inputs), or the result of calling a
                `Metric` object.
            name: the metric's name in the logs (taken from the metric object
                when `value` comes from one).
            **kwargs: `aggregation` (accepted; values are always averaged).

        Raises:
            TypeError: for a keyword argument other than `aggregation`.
            ValueError: without a name, or for a concrete value added outside a
                layer call.
        """
        # Accepted for compatibility; every added value is averaged (as in tf_keras 2).
        kwargs.pop("aggregation", None)
        if kwargs:
            raise TypeError(
                f"Unknown keyword arguments: {sorted(kwargs)}. Expected `aggregation`."
            )
        metric_obj = getattr(value, "_metric_obj", None)
        if name is None and metric_obj is None:
            raise ValueError(
                "Please provide a name for your metric like "
                "`self.add_metric(tf.reduce_sum(inputs), name='mean_activation')`"
            )
        if isinstance(value, keras_tensor.KerasTensor):
            self._add_symbolic_metric(value, name)
            return
        ctx = utils.call_context()
        if not ctx.in_call and not tf.inside_function():
            raise ValueError(
                f"Expected a symbolic Tensor for the metric value, received: {value}"
            )
        if metric_obj is not None:
            # Its state is already updated: report the metric object itself.
            self._remember_metric(metric_obj)
            return
        metric = self._added_metric(name) or self._remember_metric(
            _new_mean(name, getattr(value, "dtype", None))
        )
        if not ctx.symbolic:  # shape inference in a scratch graph is not a pass
            metric.update_state(value)

    def _add_symbolic_metric(self, value, name: str) -> None:
        raise ValueError(
            f"Layer {self.name} cannot record the symbolic metric {value!r}: only a "
            "functional Model can take `add_metric` of a KerasTensor."
        )

    @property
    def _added_metrics(self) -> list:
        # Kept out of attribute tracking: these metrics are not part of `weights`.
        if "_added_metrics_list" not in self.__dict__:
            utils.set_untracked(self, "_added_metrics_list", [])
        return self.__dict__["_added_metrics_list"]

    def _added_metric(self, name: str):
        return next((m for m in self._added_metrics if m.name == name), None)

    def _remember_metric(self, metric):
        if not any(m is metric for m in self._added_metrics):
            self._added_metrics.append(metric)
        return metric


def _new_mean(name: str, dtype):
    # `Mean` is a Metric (layer 3), registered by `metrics/base_metric.py`.
    mean_class = builtin_object("metric", "Mean")
    # Lifted out of any trace: the variables must outlive this call's graph.
    with tf.init_scope():
        return mean_class(name=name, dtype=dtype)
