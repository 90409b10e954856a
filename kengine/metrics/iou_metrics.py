"""Intersection-over-union metrics for segmentation: `IoU`, `MeanIoU`, `BinaryIoU`,
`OneHotIoU`, `OneHotMeanIoU`.

Mirrors Keras 2's `metrics/iou_metrics.py`. Every one keeps a running confusion
matrix `total_confusion_matrix` of shape `(num_classes, num_classes)` (rows:
true class, columns: predicted class, weighted by `sample_weight`); per class

    IoU = TP / (TP + FP + FN) = cm[c, c] / (row_sum[c] + col_sum[c] - cm[c, c])

and the result is the mean over `target_class_ids`, counting only classes that
occur at all (a zero denominator is skipped, not counted as 0).

- `IoU(num_classes, target_class_ids)`: integer class ids on both sides by
  default; `sparse_y_true=False` / `sparse_y_pred=False` take class scores and
  use their argmax along `axis`; `ignore_class` drops those pixels.
- `MeanIoU(num_classes)`: the mean over every class.
- `BinaryIoU(target_class_ids, threshold)`: two classes, predictions are
  probabilities thresholded at `threshold`.
- `OneHotIoU` / `OneHotMeanIoU`: one-hot labels and score predictions.

>>> m = MeanIoU(num_classes=2)
>>> _ = m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
>>> round(float(m.result()), 4)   # each class: 1 / (2 + 2 - 1)
0.3333
"""

import tensorflow as tf

from kengine.metrics.base_metric import Metric

__all__ = ["IoU", "MeanIoU", "BinaryIoU", "OneHotIoU", "OneHotMeanIoU"]


class _IoUBase(Metric):
    """The confusion-matrix state and update every IoU metric shares.

    Args:
        num_classes: number of classes (the confusion matrix is square in it).
        name: the metric's name.
        dtype: dtype of the state and result.
        ignore_class: a class id whose pixels are left out, or None.
        sparse_y_true: labels are class ids (False: scores, argmax over `axis`).
        sparse_y_pred: predictions are class ids (False: scores).
        axis: the class axis of non-sparse inputs.
    """

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype=None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ):
        super().__init__(name=name, dtype=dtype)
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_weight(
            "total_confusion_matrix",
            shape=(num_classes, num_classes),
            initializer="zeros",
        )

    def _flat(self, values, sparse: bool):
        """Class ids as a flat vector of the metric's dtype."""
        values = tf.convert_to_tensor(values)
        if not sparse:
            values = tf.argmax(values, axis=self.axis)
        values = tf.cast(values, self._dtype)
        return tf.reshape(values, [-1]) if values.shape.rank > 1 else values

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds this batch to the confusion matrix.

        Args:
            y_true: class ids (or scores with `sparse_y_true=False`).
            y_pred: class ids (or scores with `sparse_y_pred=False`).
            sample_weight: None, or weights of the labels' shape (flattened
                like them).

        Returns:
            The update op.
        """
        y_true = self._flat(y_true, self.sparse_y_true)
        y_pred = self._flat(y_pred, self.sparse_y_pred)
        if sample_weight is not None:
            sample_weight = tf.cast(sample_weight, self._dtype)
            if sample_weight.shape.rank > 1:
                sample_weight = tf.reshape(sample_weight, [-1])
        if self.ignore_class is not None:
            keep = tf.not_equal(y_true, tf.cast(self.ignore_class, y_true.dtype))
            y_true = tf.boolean_mask(y_true, keep)
            y_pred = tf.boolean_mask(y_pred, keep)
            if sample_weight is not None:
                sample_weight = tf.boolean_mask(sample_weight, keep)
        batch_cm = tf.math.confusion_matrix(
            y_true, y_pred, self.num_classes, weights=sample_weight, dtype=self._dtype
        )
        return self.total_cm.assign_add(batch_cm)


class IoU(_IoUBase):
    """Mean intersection-over-union of the classes in `target_class_ids`.

    Args:
        num_classes: number of classes.
        target_class_ids: the class ids to average over.
        name, dtype, ignore_class, sparse_y_true, sparse_y_pred, axis: as for
            the shared base (see the module docstring).

    Raises:
        ValueError: if a target class id is not below `num_classes`.
    """

    def __init__(
        self,
        num_classes: int,
        target_class_ids,
        name: str | None = None,
        dtype=None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ):
        super().__init__(
            name=name,
            num_classes=num_classes,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
            dtype=dtype,
        )
        if max(target_class_ids) >= num_classes:
            raise ValueError(
                f"Target class id {max(target_class_ids)} is out of range, which "
                f"is [0, {num_classes}). Received: target_class_ids="
                f"{target_class_ids}"
            )
        self.target_class_ids = list(target_class_ids)

    def result(self):
        """The mean IoU over the target classes that occur (0 when none do)."""
        cm = self.total_cm
        predicted = tf.cast(tf.reduce_sum(cm, axis=0), self._dtype)
        actual = tf.cast(tf.reduce_sum(cm, axis=1), self._dtype)
        hits = tf.cast(tf.linalg.tensor_diag_part(cm), self._dtype)
        union = predicted + actual - hits
        hits = tf.gather(hits, self.target_class_ids)
        union = tf.gather(union, self.target_class_ids)
        present = tf.reduce_sum(tf.cast(tf.not_equal(union, 0), self._dtype))
        iou = tf.math.divide_no_nan(hits, union)
        return tf.math.divide_no_nan(tf.reduce_sum(iou), present)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


class BinaryIoU(IoU):
    """IoU of a two-class problem whose predictions are probabilities.

    Args:
        target_class_ids: which of the classes 0 and 1 to average over.
        threshold: predictions `>= threshold` count as class 1.
        name: the metric's name.
        dtype: dtype of the state and result.
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(
            num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype
        )
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Thresholds `y_pred` to 0/1, then adds the batch (see `IoU`)."""
        y_pred = tf.cast(y_pred, self._dtype)
        y_pred = tf.cast(y_pred >= self.threshold, self._dtype)
        return super().update_state(y_true, y_pred, sample_weight)

    def get_config(self) -> dict:
        return {
            "target_class_ids": self.target_class_ids,
            "threshold": self.threshold,
            "name": self.name,
            "dtype": self._dtype,
        }


class MeanIoU(IoU):
    """Mean IoU over all `num_classes` classes.

    Args:
        num_classes: number of classes.
        name, dtype, ignore_class, sparse_y_true, sparse_y_pred, axis: as for
            `IoU`.
    """

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype=None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ):
        super().__init__(
            name=name,
            num_classes=num_classes,
            target_class_ids=list(range(num_classes)),
            axis=axis,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
        )

    def get_config(self) -> dict:
        return {
            "num_classes": self.num_classes,
            "name": self.name,
            "dtype": self._dtype,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


class OneHotIoU(IoU):
    """`IoU` for one-hot labels and class-score predictions.

    Args:
        num_classes, target_class_ids, name, dtype, ignore_class, axis: as
            for `IoU`.
        sparse_y_pred: predictions are class ids (default False: scores).
    """

    def __init__(
        self,
        num_classes: int,
        target_class_ids,
        name=None,
        dtype=None,
        ignore_class: int | None = None,
        sparse_y_pred: bool = False,
        axis: int = -1,
    ):
        super().__init__(
            num_classes=num_classes,
            target_class_ids=target_class_ids,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self) -> dict:
        return {
            "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids,
            "name": self.name,
            "dtype": self._dtype,
            "ignore_class": self.ignore_class,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


class OneHotMeanIoU(MeanIoU):
    """`MeanIoU` for one-hot labels and class-score predictions.

    Args:
        num_classes, name, dtype, ignore_class, axis: as for `MeanIoU`.
        sparse_y_pred: predictions are class ids (default False: scores).
    """

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype=None,
        ignore_class: int | None = None,
        sparse_y_pred: bool = False,
        axis: int = -1,
    ):
        super().__init__(
            num_classes=num_classes,
            axis=axis,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
        )

    def get_config(self) -> dict:
        return {
            "num_classes": self.num_classes,
            "name": self.name,
            "dtype": self._dtype,
            "ignore_class": self.ignore_class,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }
