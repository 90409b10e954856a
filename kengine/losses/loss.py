"""The `Loss` base class and `LossFunctionWrapper`, which turns a function into one.

Mirrors the top of Keras 2's `losses.py` (`Loss`, `LossFunctionWrapper`). A `Loss`
is a plain Python object (no Layer, no variables): `call(y_true, y_pred)` returns
one value per sample, and `__call__` weights and reduces them with
`losses_utils.compute_weighted_loss`, using the reduction `_get_reduction()` picks.

Who owns what: the loss function computes per-sample values; `Loss.__call__` lines
up labels and predictions, merges masks, and reduces; distribution scaling is the
caller's business (`compile_utils.LossesContainer` scales `AUTO` and
`SUM_OVER_BATCH_SIZE` losses by `1 / num_replicas_in_sync`). That is why a `Loss`
with `AUTO` or `SUM_OVER_BATCH_SIZE` refuses to run inside a `tf.distribute`
strategy on its own: on one replica it would divide by the replica's batch, not
the global one. `LossesContainer` marks the losses it owns with
`_allow_sum_over_batch_size = True`.

>>> import tensorflow as tf
>>> class MeanAbsolute(Loss):
...     def call(self, y_true, y_pred):
...         return tf.reduce_mean(tf.abs(y_pred - y_true), axis=-1)
>>> loss = MeanAbsolute()
>>> float(loss([[0.0, 1.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 0.0]]))
0.5
>>> MeanAbsolute(reduction="none")([[0.0, 1.0], [1.0, 1.0]],
...                                [[1.0, 1.0], [1.0, 0.0]]).numpy()
array([0.5, 0.5], dtype=float32)
"""

import abc

import tensorflow as tf

from kengine.backend.losses import align_label_rank
from kengine.utils import losses_utils, serialization

__all__ = ["Loss", "LossFunctionWrapper", "Reduction"]

Reduction = losses_utils.ReductionV2

_DISTRIBUTION_ERROR = (
    "Please use `keras.losses.Reduction.SUM` or "
    "`keras.losses.Reduction.NONE` for loss reduction when losses are used "
    "with `tf.distribute.Strategy`, except for specifying losses in "
    "`Model.compile()` for use by the built-in training loop `Model.fit()`. "
    "Each replica sees only part of the batch, so divide the sum by the global "
    "batch size yourself:\n"
    "```\n"
    "with strategy.scope():\n"
    "    loss_obj = keras.losses.CategoricalCrossentropy(\n"
    "        reduction=keras.losses.Reduction.NONE)\n"
    "    ...\n"
    "    loss = tf.reduce_sum(loss_obj(labels, predictions)) * "
    "(1. / global_batch_size)\n"
    "```\n"
    "See https://www.tensorflow.org/tutorials/distribute/custom_training. "
    "Received: reduction={reduction!r} for loss {name!r}."
)


def _to_tensor_if_possible(x):
    """Arrays and lists become tensors; structures a custom loss may take stay."""
    if tf.is_tensor(x) or isinstance(x, tf.RaggedTensor | tf.SparseTensor):
        return x
    try:
        return tf.convert_to_tensor(x)
    except (TypeError, ValueError):
        return x


def _is_dense(x) -> bool:
    return isinstance(x, tf.Tensor) and not isinstance(x, tf.RaggedTensor)


def _autograph(fn):
    """`fn`, converted by autograph when traced, so user Python `if`s on tensors
    work inside `fit`'s `tf.function`.

    kengine's own functions are graph-safe and left alone, as autograph leaves
    `tensorflow` and `tf_keras` alone: converting them would only slow tracing.
    """
    if tf.executing_eagerly() or getattr(fn, "__module__", "").startswith("kengine."):
        return fn
    return tf.__internal__.autograph.tf_convert(
        fn, tf.__internal__.autograph.control_status_ctx()
    )


def _merge_masks(in_mask, out_mask):
    if in_mask is not None and out_mask is not None:
        return tf.logical_and(tf.cast(in_mask, tf.bool), tf.cast(out_mask, tf.bool))
    return in_mask if in_mask is not None else out_mask


class Loss:
    """Base class of losses: subclasses implement `call(y_true, y_pred)`.

    Args:
        reduction: a `Reduction` key; `AUTO` (the default) means
            `SUM_OVER_BATCH_SIZE`, and raises inside a `tf.distribute` strategy
            outside `compile`/`fit` (use `SUM` or `NONE` there).
        name: optional name, used as the op name scope.

    Raises:
        ValueError: if `reduction` is not a `Reduction` key.
    """

    def __init__(self, reduction: str = Reduction.AUTO, name: str | None = None):
        Reduction.validate(reduction)
        self.reduction = reduction
        self.name = name
        # Set by compile_utils for losses whose distribution scaling it owns.
        self._allow_sum_over_batch_size = False
        self._set_name_scope()

    def _set_name_scope(self) -> None:
        if self.name is None:
            self._name_scope = self.__class__.__name__.strip("_")
        elif self.name == "<lambda>":
            self._name_scope = "lambda"
        else:
            self._name_scope = self.name.strip("_")

    def __call__(self, y_true, y_pred, sample_weight=None):
        """Computes the weighted, reduced loss.

        Args:
            y_true: labels, `(batch, d0, ..., dN)` (sparse losses: without the
                class axis).
            y_pred: predictions, `(batch, d0, ..., dN)`. A `_keras_mask` on it
                takes masked entries out of the loss.
            sample_weight: None, a scalar, `(batch,)`, `(batch, 1)` or a tensor
                of the per-sample losses' shape `(batch, d0, ..., dN-1)`.

        Returns:
            The per-sample losses for `NONE`, a scalar otherwise.

        Raises:
            ValueError: for `AUTO`/`SUM_OVER_BATCH_SIZE` inside a distribution
                strategy (see the class docstring), or bad shapes.
        """
        with tf.name_scope(self._name_scope):
            y_true, y_pred = self._line_up(y_true, y_pred)
            losses = _autograph(self.call)(y_true, y_pred)
            reduction = self._get_reduction()
            mask = _merge_masks(
                losses_utils.get_mask(y_pred), losses_utils.get_mask(losses)
            )
            if mask is not None:
                losses = tf.convert_to_tensor(losses)
                # compute_weighted_loss reads the mask from the losses.
                losses._keras_mask = mask
            return losses_utils.compute_weighted_loss(
                losses, sample_weight, reduction=reduction
            )

    @staticmethod
    def _line_up(y_true, y_pred):
        """Tensors of `(N,)` against `(N, 1)` gain the missing axis (no `(N, N)`)."""
        y_true = _to_tensor_if_possible(y_true)
        y_pred = _to_tensor_if_possible(y_pred)
        if _is_dense(y_true) and _is_dense(y_pred):
            mask = losses_utils.get_mask(y_pred)
            y_true, new_pred = align_label_rank(y_true, y_pred)
            if new_pred is not y_pred and mask is not None:
                # The mask covers the per-sample values, whose shape is unchanged.
                new_pred._keras_mask = mask
            y_pred = new_pred
        return y_true, y_pred

    @abc.abstractmethod
    def call(self, y_true, y_pred):
        """Returns the per-sample losses, `(batch, d0, ..., dN-1)`.

        Args:
            y_true: labels.
            y_pred: predictions.
        """
        raise NotImplementedError("Must be implemented in subclasses.")

    def get_config(self) -> dict:
        """Returns `{"reduction": ..., "name": ...}`."""
        return {"reduction": self.reduction, "name": self.name}

    @classmethod
    def from_config(cls, config: dict):
        """Builds the loss from `get_config()`'s output."""
        return cls(**config)

    def _get_reduction(self) -> str:
        """Resolves `AUTO` and enforces the distribution rule.

        Raises:
            ValueError: for `AUTO`/`SUM_OVER_BATCH_SIZE` inside a strategy, unless
                the loss belongs to the built-in training loop.
        """
        if (
            not self._allow_sum_over_batch_size
            and tf.distribute.has_strategy()
            and self.reduction in (Reduction.AUTO, Reduction.SUM_OVER_BATCH_SIZE)
        ):
            raise ValueError(
                _DISTRIBUTION_ERROR.format(reduction=self.reduction, name=self.name)
            )
        if self.reduction == Reduction.AUTO:
            return Reduction.SUM_OVER_BATCH_SIZE
        return self.reduction


class LossFunctionWrapper(Loss):
    """A `Loss` that calls `fn(y_true, y_pred, **kwargs)` for the per-sample values.

    This is how the built-in classes are made and how `compile` wraps plain
    functions.

    Args:
        fn: the loss function.
        reduction: a `Reduction` key.
        name: optional name.
        **kwargs: extra keyword arguments for `fn`, saved in the config.

    >>> def halved_abs(y_true, y_pred):
    ...     return tf.reduce_mean(tf.abs(y_pred - y_true), axis=-1) / 2
    >>> float(LossFunctionWrapper(halved_abs)([[1.0], [3.0]], [[2.0], [2.0]]))
    0.5
    """

    # tf_keras files name this class's module so; keep them loadable both ways.
    _serialized_module = "keras.__internal__.losses"
    _serialized_registered_name = None

    def __init__(self, fn, reduction: str = Reduction.AUTO, name=None, **kwargs):
        super().__init__(reduction=reduction, name=name)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        """Returns `fn(y_true, y_pred, **kwargs)`."""
        return _autograph(self.fn)(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        """The base config, `fn`'s keyword arguments, and `fn`'s registered name."""
        config = super().get_config()
        for key, value in self._fn_kwargs.items():
            # Tensors and variables are saved by value.
            is_tensor = tf.is_tensor(value) or isinstance(value, tf.Variable)
            config[key] = value.numpy() if is_tensor else value
        config["fn"] = serialization.get_registered_name(self.fn)
        return config

    @classmethod
    def from_config(cls, config: dict):
        """Builds the loss; a plain wrapper looks its `fn` up by name."""
        config = dict(config)
        fn_name = config.pop("fn", None)
        if fn_name and cls is LossFunctionWrapper:
            # The loss table (`losses/registry.py` fills it) is read through the
            # registry: that module imports this one.
            config["fn"] = serialization.deserialize_builtin(
                fn_name, "loss", what="loss function"
            )
        return cls(**config)
