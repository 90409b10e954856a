"""`R2Score`: the coefficient of determination of a regression.

Mirrors `R2Score` of Keras 2's `metrics/regression_metrics.py`. Inputs are
`(batch, outputs)`. The state holds, per output column, the weighted sums of
`y`, of `y**2` and of the squared residuals, and the weights' total (plus
`num_samples`, the number of label *entries* seen); then

    R2 = 1 - sum((y - y_pred)**2) / sum((y - mean(y))**2)

per column (`class_aggregation=None`), their mean (`"uniform_average"`), or
their mean weighted by each column's variance (`"variance_weighted_average"`).
With `num_regressors = p > 0` the adjusted score `1 - (1 - R2) (n - 1) / (n - p
- 1)` is returned, `n` being `num_samples`, unless `p >= n - 1` (then the plain
score, with a warning).

>>> m = R2Score()
>>> _ = m.update_state([[1.0], [2.0], [3.0]], [[1.0], [2.0], [4.0]])
>>> round(float(m.result()), 4)
0.5
"""

import warnings

import tensorflow as tf

from kengine.metrics.base_metric import Metric
from kengine.metrics.metrics_utils import broadcast_weights

__all__ = ["R2Score"]

_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


class R2Score(Metric):
    """The R2 score (coefficient of determination), optionally adjusted.

    Args:
        class_aggregation: None (one score per output column),
            "uniform_average" or "variance_weighted_average".
        num_regressors: number of independent variables, for the adjusted
            score; 0 gives the plain score.
        name: the metric's name.
        dtype: dtype of the state and result.

    Raises:
        ValueError: for an unknown `class_aggregation` or a negative
            `num_regressors`.
    """

    def __init__(
        self,
        class_aggregation="uniform_average",
        num_regressors=0,
        name="r2_score",
        dtype=None,
    ):
        super().__init__(name=name, dtype=dtype)
        if class_aggregation not in _AGGREGATIONS:
            raise ValueError(
                "Invalid value for argument `class_aggregation`. Expected one of "
                f"{_AGGREGATIONS}. Received: class_aggregation={class_aggregation}"
            )
        if num_regressors < 0:
            raise ValueError(
                "Invalid value for argument `num_regressors`. Expected a value >= "
                f"0. Received: num_regressors={num_regressors}"
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_weight("num_samples", dtype="int32")
        self._state_built = False

    def _build_from_shapes(self, y_true_shape, y_pred_shape) -> None:
        if self._state_built:
            return
        y_true_shape = tf.TensorShape(y_true_shape)
        y_pred_shape = tf.TensorShape(y_pred_shape)
        if y_pred_shape.rank != 2 or y_true_shape.rank != 2:
            raise ValueError(
                "R2Score expects 2D inputs with shape (batch_size, output_dim). "
                f"Received input shapes: y_pred.shape={y_pred_shape} and "
                f"y_true.shape={y_true_shape}."
            )
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError(
                "R2Score expects 2D inputs with shape (batch_size, output_dim), "
                "with output_dim fully defined (not None). Received input shapes: "
                f"y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}."
            )
        columns = [y_pred_shape[-1]]
        self.squared_sum = self.add_weight("squared_sum", columns, initializer="zeros")
        self.sum = self.add_weight("sum", columns, initializer="zeros")
        self.total_mse = self.add_weight("residual", columns, initializer="zeros")
        self.count = self.add_weight("count", columns, initializer="zeros")
        self._state_built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds one batch.

        Args:
            y_true: targets `(batch, outputs)`.
            y_pred: predictions `(batch, outputs)`.
            sample_weight: None, a scalar, per-sample `(batch,)`, or the
                targets' shape.
        """
        y_true = tf.convert_to_tensor(y_true, dtype=self._dtype)
        y_pred = tf.convert_to_tensor(y_pred, dtype=self._dtype)
        self._build_from_shapes(y_true.shape, y_pred.shape)
        weights = tf.convert_to_tensor(
            1 if sample_weight is None else sample_weight, dtype=self._dtype
        )
        if weights.shape.rank == 1:
            weights = tf.expand_dims(weights, axis=1)
        weights = broadcast_weights(weights, y_true)
        weighted = y_true * weights
        self.sum.assign_add(tf.reduce_sum(weighted, axis=0))
        self.squared_sum.assign_add(tf.reduce_sum(y_true * weighted, axis=0))
        self.total_mse.assign_add(
            tf.reduce_sum((y_true - y_pred) ** 2 * weights, axis=0)
        )
        self.count.assign_add(tf.reduce_sum(weights, axis=0))
        self.num_samples.assign_add(tf.size(y_true))

    def result(self):
        """The score (a vector per column with `class_aggregation=None`)."""
        mean = self.sum / self.count
        total = self.squared_sum - self.sum * mean
        raw = 1 - self.total_mse / total
        raw = tf.where(tf.math.is_inf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            score = tf.reduce_mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = tf.reduce_sum(total * raw) / tf.reduce_sum(total)
        else:
            score = raw
        if self.num_regressors == 0:
            return score
        return self._adjusted(score)

    def _adjusted(self, score):
        n = tf.cast(self.num_samples, tf.float32)
        p = tf.cast(self.num_regressors, tf.float32)
        adjusted = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
        # Too few samples for p regressors: the plain score (Keras 2 warns).
        usable = self.num_regressors < self.num_samples - 1
        if tf.executing_eagerly() and not bool(usable):
            problem = (
                "More independent predictors than datapoints"
                if self.num_regressors > self.num_samples - 1
                else "Division by zero"
            )
            warnings.warn(
                f"{problem} in adjusted R2 score. Falling back to standard R2 score.",
                stacklevel=3,
            )
        return tf.where(usable, adjusted, score)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "class_aggregation": self.class_aggregation,
            "num_regressors": self.num_regressors,
        }
