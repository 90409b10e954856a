"""F-scores: `FBetaScore` and `F1Score`, per class or averaged.

Mirrors Keras 2's `metrics/f_score_metrics.py`. Inputs are `(batch, classes)`:
0/1 labels and scores. A score counts as a positive prediction when it is
above `threshold`, or, with `threshold=None`, when it is the row's maximum (and
not ~0). The state holds weighted `true_positives`, `false_positives`,
`false_negatives` and `intermediate_weights` (the weighted label counts),
one per class, or scalars for `average="micro"`; then

    F_beta = (1 + beta**2) * precision * recall / (beta**2 * precision + recall)

per class (`average=None`), their mean (`"macro"`), their mean weighted by the
label counts (`"weighted"`), or from the pooled counts (`"micro"`). The state is
created on the first batch (its size is the number of classes), or earlier by
the compile containers through `_build_from_shapes`.

>>> m = F1Score(threshold=0.5)
>>> _ = m.update_state([[1, 0], [0, 1]], [[0.9, 0.2], [0.6, 0.4]])
>>> [round(float(v), 4) for v in m.result()]
[0.6667, 0.0]
"""

import tensorflow as tf

from kengine.metrics.base_metric import Metric

__all__ = ["FBetaScore", "F1Score"]

_STATE = (
    "true_positives",
    "false_positives",
    "false_negatives",
    "intermediate_weights",
)


def _check_shapes(name: str, y_true_shape, y_pred_shape) -> None:
    y_true_shape, y_pred_shape = (
        tf.TensorShape(y_true_shape),
        tf.TensorShape(y_pred_shape),
    )
    if y_pred_shape.rank != 2 or y_true_shape.rank != 2:
        raise ValueError(
            f"{name} expects 2D inputs with shape (batch_size, output_dim). Received "
            f"input shapes: y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}."
        )
    if y_pred_shape[-1] is None or y_true_shape[-1] is None:
        raise ValueError(
            f"{name} expects 2D inputs with shape (batch_size, output_dim), with "
            "output_dim fully defined (not None). Received input shapes: "
            f"y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}."
        )


class FBetaScore(Metric):
    """The F-beta score of a multi-class or multi-label classification.

    Args:
        average: None (one score per class), "micro", "macro" or "weighted".
        beta: a positive float; recall weighs `beta` times as much as precision.
        threshold: a float in (0, 1], or None to take each row's top score.
        name: the metric's name.
        dtype: dtype of the state and result.

    Raises:
        ValueError: for an unknown `average`, a non-float or non-positive
            `beta`, or a `threshold` that is not a float in (0, 1].
    """

    def __init__(
        self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None
    ):
        super().__init__(name=name, dtype=dtype)
        _check_arguments(average, beta, threshold)
        self.average = average
        self.beta = beta
        self.threshold = threshold
        # Per class (sum over the batch) unless the counts are pooled.
        self.axis = None if average == "micro" else 0
        self._state_built = False

    def _build_from_shapes(self, y_true_shape, y_pred_shape) -> None:
        if self._state_built:
            return
        _check_shapes(type(self).__name__, y_true_shape, y_pred_shape)
        shape = [] if self.average == "micro" else [tf.TensorShape(y_pred_shape)[-1]]
        for name in _STATE:
            setattr(self, name, self.add_weight(name, shape=shape, initializer="zeros"))
        self._state_built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds one batch's weighted counts.

        Args:
            y_true: 0/1 labels `(batch, classes)`.
            y_pred: scores `(batch, classes)`.
            sample_weight: None or per-sample weights `(batch,)`.
        """
        y_true = tf.convert_to_tensor(y_true, dtype=self._dtype)
        y_pred = tf.convert_to_tensor(y_pred, dtype=self._dtype)
        self._build_from_shapes(y_true.shape, y_pred.shape)
        if self.threshold is None:
            top = tf.reduce_max(y_pred, axis=-1, keepdims=True)
            # A row of zeros predicts nothing, not every class.
            y_pred = tf.logical_and(y_pred >= top, tf.abs(y_pred) > 1e-9)
        else:
            y_pred = y_pred > self.threshold
        y_pred = tf.cast(y_pred, self._dtype)

        def weighted_sum(values):
            if sample_weight is not None:
                weights = tf.cast(sample_weight, self._dtype)
                values = values * tf.expand_dims(weights, 1)
            return tf.reduce_sum(values, axis=self.axis)

        self.true_positives.assign_add(weighted_sum(y_pred * y_true))
        self.false_positives.assign_add(weighted_sum(y_pred * (1 - y_true)))
        self.false_negatives.assign_add(weighted_sum((1 - y_pred) * y_true))
        self.intermediate_weights.assign_add(weighted_sum(y_true))

    def result(self):
        """The score: per class, or averaged as `average` says."""
        tp = self.true_positives
        precision = tf.math.divide_no_nan(tp, tp + self.false_positives)
        recall = tf.math.divide_no_nan(tp, tp + self.false_negatives)
        beta_squared = tf.math.square(self.beta)
        score = tf.math.divide_no_nan(
            precision * recall, beta_squared * precision + recall
        ) * (1 + beta_squared)
        if self.average == "weighted":
            weights = self.intermediate_weights
            weights = tf.math.divide_no_nan(weights, tf.reduce_sum(weights))
            return tf.reduce_sum(score * weights)
        if self.average is not None:
            return tf.reduce_mean(score)
        return score

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "average": self.average,
            "beta": self.beta,
            "threshold": self.threshold,
        }


class F1Score(FBetaScore):
    """The F1 score: `FBetaScore` with `beta=1`.

    Args:
        average: None, "micro", "macro" or "weighted" (see `FBetaScore`).
        threshold: a float in (0, 1], or None to take each row's top score.
        name: the metric's name.
        dtype: dtype of the state and result.
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(
            average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype
        )

    def get_config(self) -> dict:
        config = super().get_config()
        del config["beta"]
        return config


def _check_arguments(average, beta, threshold) -> None:
    if average not in (None, "micro", "macro", "weighted"):
        raise ValueError(
            "Invalid `average` argument value. Expected one of: {None, 'micro', "
            f"'macro', 'weighted'}}. Received: average={average}"
        )
    if not isinstance(beta, float):
        raise ValueError(
            "Invalid `beta` argument value. It should be a Python float. "
            f"Received: beta={beta} of type '{type(beta)}'"
        )
    if beta <= 0.0:
        raise ValueError(
            f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}"
        )
    if threshold is None:
        return
    if not isinstance(threshold, float):
        raise ValueError(
            "Invalid `threshold` argument value. It should be a Python float. "
            f"Received: threshold={threshold} of type '{type(threshold)}'"
        )
    if threshold > 1.0 or threshold <= 0.0:
        raise ValueError(
            "Invalid `threshold` argument value. It should verify 0 < threshold "
            f"<= 1. Received: threshold={threshold}"
        )
