"""The `logs` dicts the training loops hand to callbacks and return to the user.

Mirrors Keras 2's `utils/tf_utils.py: sync_to_numpy_or_python` and the log
handling in `engine/training.py` (`Model.fit`'s epoch logs, `flatten_metrics_in_order`).

A step function returns tensors; everything a user sees holds Python numbers:

* `logs_to_numbers` reads the tensors (scalars become Python floats and ints,
  other tensors NumPy arrays), as History, the progress bar and `evaluate` need;
* `epoch_logs` picks what an epoch reports: the metric objects' state, so the
  epoch logs, `History.history`, the progress bar and `evaluate`'s return value
  agree by construction;
* `logs_to_list` orders logs as `model.metrics_names` for `evaluate` and the
  batch methods without `return_dict=True`.
"""

import numpy as np
import tensorflow as tf

__all__ = ["logs_to_numbers", "epoch_logs", "logs_to_list"]


def logs_to_numbers(logs):
    """Reads the tensors in a nest: scalars to Python numbers, others to NumPy.

    Args:
        logs: a nest of `tf.Tensor`s, NumPy values and Python objects.

    Returns:
        The same nest; strings and other objects pass through.

    >>> logs_to_numbers({"loss": tf.constant(0.5), "n": np.int64(3)})
    {'loss': 0.5, 'n': 3}
    """

    def convert(value):
        if isinstance(value, tf.Tensor | tf.Variable):
            value = value.numpy()
        if isinstance(value, np.ndarray | np.generic):
            return value.item() if np.ndim(value) == 0 else value
        return value

    return tf.nest.map_structure(convert, logs)


def epoch_logs(metric_results: dict, step_logs: dict) -> dict:
    """The logs an epoch (or `evaluate`) reports, as Python numbers.

    Args:
        metric_results: `model.get_metrics_result()` at the end of the epoch.
        step_logs: what the last step returned.

    Returns:
        The metric results when the step reported exactly these metrics; else the
        step's own logs (as tf_keras: a custom `train_step` returning other keys
        keeps them, with no extra "loss" from a compiled loss it never calls).
    """
    results, logs = logs_to_numbers(metric_results), logs_to_numbers(step_logs)
    return results if set(results) == set(logs) else logs


def logs_to_list(logs: dict, names: list):
    """The values of `logs` in `names` order, then the other keys sorted.

    Args:
        logs: the logs.
        names: `model.metrics_names`.

    Returns:
        A list, or the single value when there is one.

    >>> logs_to_list({"accuracy": 0.5, "loss": 1.0}, ["loss", "accuracy"])
    [1.0, 0.5]
    """
    results = [logs[n] for n in names if n in logs]
    results += [logs[k] for k in sorted(logs) if k not in names]
    return results[0] if len(results) == 1 else results
