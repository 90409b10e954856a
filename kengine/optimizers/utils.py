"""Plumbing shared by every optimizer: gradient filtering, all-reduce, clipping.

Also the small helpers of `optimizer.py`: argument checks, the distributed
container of a per-device variable, and the list `variables` returns.

Mirrors Keras 2's `optimizers/utils.py` (`filter_empty_gradients`,
`all_reduce_sum_gradients`) and `Optimizer._clip_gradients` /
`_deduplicate_sparse_grad` in `optimizers/optimizer.py`.

These run in *replica* context, before `Optimizer.apply_gradients` hands the
gradients to the cross-replica update: each replica drops the variables without a
gradient, sums the rest across replicas (so every replica holds the same global
gradient), then clips. Clipping after the sum is what makes `clipnorm` bound the
norm of the gradient of the whole global batch, as in tf_keras.

>>> import tensorflow as tf
>>> [g.numpy().tolist() for g in clip_gradients([tf.constant([3.0, 4.0])], clipnorm=1.0)]
[[0.6000000238418579, 0.800000011920929]]
"""

import tensorflow as tf
from absl import logging

__all__ = [
    "filter_empty_gradients",
    "all_reduce_sum_gradients",
    "clip_gradients",
    "densify",
    "distributed_container",
    "CallableList",
    "check_base_arguments",
    "check_extra_kwargs",
]

# Keras 2.x (<= 2.10) arguments the 2.11+ optimizer no longer understands.
_LEGACY_KWARGS = ("decay", "gradient_aggregator", "gradient_transformers")


def filter_empty_gradients(grads_and_vars) -> list:
    """Drops `(None, variable)` pairs, warning about them.

    Args:
        grads_and_vars: iterable of `(gradient, variable)` pairs.

    Returns:
        The pairs whose gradient is not None, in order.

    Raises:
        ValueError: if no variable has a gradient.
    """
    grads_and_vars = list(grads_and_vars)
    kept = [(g, v) for g, v in grads_and_vars if g is not None]
    if not kept:
        raise ValueError(
            "No gradients provided for any variable: "
            f"{[v.name for _, v in grads_and_vars]}. Check that the loss depends on "
            "the variables and that the tape watched them."
        )
    missing = [v.name for g, v in grads_and_vars if g is None]
    if missing:
        logging.warning(
            "Gradients do not exist for variables %s when minimizing the loss. "
            "If you're using `model.compile()`, did you forget to provide a `loss` "
            "argument?",
            missing,
        )
    return kept


def all_reduce_sum_gradients(grads_and_vars) -> list:
    """Sums each gradient across the replicas of the current replica context.

    Must be called in replica context (inside `strategy.run`); under the default
    strategy there is one replica and the gradients come back unchanged.

    Args:
        grads_and_vars: list of `(gradient, variable)` pairs, no None gradients.

    Returns:
        The pairs with every gradient replaced by its sum over replicas.
    """
    grads = [g for g, _ in grads_and_vars]
    # Sparse gradients are summed densely: the all-reduce needs one shape.
    grads = [densify(g) for g in grads]
    reduced = tf.distribute.get_replica_context().all_reduce(
        tf.distribute.ReduceOp.SUM, grads
    )
    return list(zip(reduced, [v for _, v in grads_and_vars]))


def clip_gradients(
    grads,
    clipnorm: float | None = None,
    global_clipnorm: float | None = None,
    clipvalue: float | None = None,
) -> list:
    """Clips gradients the way tf_keras does: at most one rule applies.

    `clipnorm` (per-gradient norm) wins over `global_clipnorm` (norm of all
    gradients together), which wins over `clipvalue` (elementwise); a rule set
    to None or a non-positive number is off.

    Args:
        grads: list of gradients (None entries pass through).
        clipnorm: maximum norm of each gradient.
        global_clipnorm: maximum global norm of all gradients.
        clipvalue: maximum absolute value of each gradient element.

    Returns:
        The clipped gradients, as a list.
    """
    grads = list(grads)
    if clipnorm and clipnorm > 0:
        return [None if g is None else tf.clip_by_norm(g, clipnorm) for g in grads]
    if global_clipnorm and global_clipnorm > 0:
        return list(tf.clip_by_global_norm(grads, global_clipnorm)[0])
    if clipvalue and clipvalue > 0:
        return [
            None if g is None else tf.clip_by_value(g, -clipvalue, clipvalue)
            for g in grads
        ]
    return grads


def densify(gradient):
    """Returns a dense tensor for a gradient that may be `tf.IndexedSlices`.

    Embedding lookups give `IndexedSlices` gradients, possibly with repeated
    rows; converting sums the repeats (tf_keras's `_deduplicate_sparse_grad`) and
    lets every optimizer keep a single dense update rule. tf_keras's sparse
    branches compute the same numbers.
    """
    if isinstance(gradient, tf.IndexedSlices):
        return tf.convert_to_tensor(gradient)
    return gradient


class CallableList(list):
    """A list that also answers `opt.variables()`, the Keras <= 2.10 spelling."""

    def __call__(self):
        return self


def distributed_container(variable):
    """The distributed (e.g. mirrored) variable a per-device component belongs to."""
    if isinstance(variable, tf.distribute.DistributedValues):
        return variable
    for holder in (variable, getattr(variable, "handle", None)):
        container = getattr(holder, "_distributed_container", None)
        if container is not None:
            return container()
    return variable


def check_base_arguments(
    clipnorm, global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency
) -> None:
    """Raises the ValueErrors tf_keras raises for inconsistent `Optimizer` arguments.

    Raises:
        ValueError: if both `clipnorm` and `global_clipnorm` are set, or (with
            `use_ema`) `ema_momentum` is outside [0, 1] or
            `ema_overwrite_frequency` is not a positive integer.
    """
    if clipnorm is not None and global_clipnorm is not None:
        raise ValueError(
            "At most one of `clipnorm` and `global_clipnorm` can be set. "
            f"Received: clipnorm={clipnorm}, global_clipnorm={global_clipnorm}."
        )
    if not use_ema:
        return
    if not 0 <= ema_momentum <= 1:
        raise ValueError(
            f"`ema_momentum` must be in the range [0, 1]. Received: "
            f"ema_momentum={ema_momentum}"
        )
    if ema_overwrite_frequency and (
        not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1
    ):
        raise ValueError(
            "`ema_overwrite_frequency` must be an integer >= 1 or None. Received: "
            f"ema_overwrite_frequency={ema_overwrite_frequency}"
        )


def check_extra_kwargs(kwargs: dict, class_name: str):
    """Validates an optimizer's extra keyword arguments; returns its `lr` or None.

    Args:
        kwargs: the `**kwargs` of `Optimizer.__init__`; `is_legacy_optimizer`
            (written by `get_config`) and `lr` are popped from it.
        class_name: the optimizer's class name, for the error messages.

    Returns:
        The value of `lr` (Keras 2.x alias of `learning_rate`), or None.

    Raises:
        ValueError: for a removed Keras 2.x argument (`decay`, ...).
        TypeError: for any other unknown argument.
    """
    kwargs.pop("is_legacy_optimizer", None)
    lr = kwargs.pop("lr", None)
    if lr is not None:
        # tf_keras 2.11+ logs this and ignores `lr`; Keras 2.x code such as
        # `Adam(lr=1e-4)` meant it, so kengine honours it.
        logging.warning("`lr` is deprecated, please use `learning_rate` instead.")
    for key in kwargs:
        if key in _LEGACY_KWARGS:
            raise ValueError(
                f"{key} is deprecated in the Keras 2.11+ optimizer; it is not a "
                f"valid argument of {class_name}. Received: {key}={kwargs[key]!r}"
            )
        raise TypeError(
            f"{key} is not a valid argument of {class_name}. "
            f"Received: {key}={kwargs[key]!r}"
        )
    return lr
