"""`metrics.get`, `serialize` and `deserialize`: metrics by name and by config.

Mirrors `get`, `serialize` and `deserialize` of Keras 2's `metrics/__init__.py`.
Names resolve against every public metric class and function of
`kengine.metrics` plus the Keras 2 aliases (`acc`, `mse`, `mae`, `mape`, `msle`,
`bce`, `logcosh`, `cosine_proximity`, ...). A class name gives a new instance
with default arguments, a function name the function. Unlike Keras 2, which
hands an unknown name back unchanged (and fails later, inside `fit`), an unknown
name raises `ValueError` naming it.

>>> get("acc").__name__
'accuracy'
>>> type(get("AUC")).__name__
'AUC'
>>> get("no_such_metric")
Traceback (most recent call last):
...
ValueError: Unknown metric function: 'no_such_metric'. ...
"""

from kengine.metrics import (
    accuracy_metrics,
    auc_metric,
    base_metric,
    confusion_metrics,
    f_score_metrics,
    hinge_metrics,
    iou_metrics,
    probabilistic_metrics,
    r2_score,
    regression_metrics,
)
from kengine.utils import object_registry
from kengine.utils.serialization import (
    deserialize_builtin,
    serialize_keras_object,
)

__all__ = ["get", "serialize", "deserialize", "ALIASES"]

_FAMILIES = (
    base_metric,
    accuracy_metrics,
    confusion_metrics,
    auc_metric,
    regression_metrics,
    probabilistic_metrics,
    hinge_metrics,
    iou_metrics,
    f_score_metrics,
    r2_score,
)

# Short names Keras 2 accepts for metric functions.
ALIASES = {
    "acc": accuracy_metrics.accuracy,
    "ACC": accuracy_metrics.accuracy,
    "bce": probabilistic_metrics.binary_crossentropy,
    "BCE": probabilistic_metrics.binary_crossentropy,
    "mse": regression_metrics.mean_squared_error,
    "MSE": regression_metrics.mean_squared_error,
    "mae": regression_metrics.mean_absolute_error,
    "MAE": regression_metrics.mean_absolute_error,
    "mape": regression_metrics.mean_absolute_percentage_error,
    "MAPE": regression_metrics.mean_absolute_percentage_error,
    "msle": regression_metrics.mean_squared_logarithmic_error,
    "MSLE": regression_metrics.mean_squared_logarithmic_error,
    "kld": probabilistic_metrics.kl_divergence,
    "KLD": probabilistic_metrics.kl_divergence,
    "kullback_leibler_divergence": probabilistic_metrics.kl_divergence,
    "logcosh": regression_metrics.log_cosh,
    "cosine_proximity": regression_metrics.cosine_similarity,
}


def _module_objects() -> dict:
    return object_registry.builtin_objects("metric")


object_registry.register_builtins(
    "metric",
    {name: getattr(module, name) for module in _FAMILIES for name in module.__all__},
)
object_registry.register_builtins("metric", ALIASES)


def serialize(metric, use_legacy_format: bool = False) -> dict | str | None:
    """Returns the config of a metric (or the name of a metric function).

    >>> serialize(get("Precision"))["config"]["thresholds"] is None
    True
    """
    if metric is None:
        return None
    return serialize_keras_object(metric)


def deserialize(
    config, custom_objects: dict | None = None, use_legacy_format: bool = False
):
    """Rebuilds a metric from `serialize`'s output or a name.

    Args:
        config: a dict from `serialize`, or a metric class or function name.
        custom_objects: user metrics by name.

    Returns:
        A `Metric` instance (a class name gives a default instance) or a function.

    Raises:
        ValueError: if the name is unknown.
    """
    return deserialize_builtin(config, "metric", custom_objects, what="metric function")


def get(identifier):
    """Returns a metric from a name, a config dict, a function or a `Metric`.

    Args:
        identifier: a name (`"accuracy"`, `"AUC"`), a dict from `serialize`, or
            a callable (returned unchanged).

    Returns:
        A `Metric` instance or a metric function.

    Raises:
        ValueError: if `identifier` is an unknown name or not interpretable.
    """
    return base_metric.metric_by_name(identifier, deserialize)
