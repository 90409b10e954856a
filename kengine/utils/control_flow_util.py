"""`smart_cond`: pick a branch in Python when the predicate is known, else `tf.cond`.

Mirrors Keras 2's `utils/control_flow_util.py` (`smart_cond`). Layers that behave
differently in training (dropout, noise) receive `training` as a Python bool, as
None, or as a boolean tensor (a model called with `training=tf.constant(True)`,
or inside a `tf.function` that takes it as an argument). Only the last needs a
graph conditional; the others should run one branch and trace only that one.

>>> import tensorflow as tf
>>> smart_cond(True, lambda: "train", lambda: "infer")
'train'
>>> smart_cond(None, lambda: "train", lambda: "infer")
'infer'
>>> float(smart_cond(tf.constant(False), lambda: tf.constant(1.0),
...                  lambda: tf.constant(0.0)))
0.0
"""

from collections.abc import Callable

import tensorflow as tf

__all__ = ["smart_cond"]


def smart_cond(pred, true_fn: Callable, false_fn: Callable):
    """`true_fn()` if `pred` holds, `false_fn()` otherwise.

    Args:
        pred: a Python bool or int, None (taken as False, Keras 2's default
            inference mode), or a scalar boolean tensor.
        true_fn: called without arguments when `pred` is true.
        false_fn: called without arguments when `pred` is false.

    Returns:
        What the chosen function returns; for a tensor `pred` whose value is
        unknown until run time, the output of `tf.cond`.
    """
    if pred is None or isinstance(pred, bool | int):
        return true_fn() if pred else false_fn()
    static = tf.get_static_value(pred)
    if static is not None:
        return true_fn() if bool(static) else false_fn()
    return tf.cond(tf.cast(pred, tf.bool), true_fn, false_fn)
