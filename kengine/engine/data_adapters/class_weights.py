"""`class_weight` as sample weights: a `tf.data` map over `(x, y[, sample_weight])`.

`fit(class_weight={0: 1.0, 1: 5.0})` does not reach the loss as a separate
argument. The data handler maps every batch through the function built here,
which looks up each sample's class in `class_weight` and returns the weight as
that sample's `sample_weight` (multiplied into a `sample_weight` the user gave).
The class of a sample is read from `y`: an integer label for rank-1 `y` or a
`(n, 1)` column, the argmax of a one-hot (or probability) row otherwise.

Mirrors tf_keras/src/engine/data_adapter.py: `_make_class_weight_map_fn`.
"""

import tensorflow as tf

from kengine.backend import common as backend
from kengine.utils.packing import unpack_x_y_sample_weight

__all__ = ["make_class_weight_map_fn"]


def _as_labels(y: tf.Tensor) -> tf.Tensor:
    # Float labels such as 1.0 (or 0.9999) round to their class; integer labels
    # (uint8 included, which `tf.round` does not take) are cast directly.
    if not y.dtype.is_integer:
        y = tf.round(y)
    return tf.cast(y, tf.int64)


def _class_ids(y: tf.Tensor) -> tf.Tensor:
    """The integer class of each sample in a batch of targets `y`."""
    if y.shape.rank is not None and y.shape.rank < 2:
        # Rank 0/1 targets can only be sparse labels.
        return _as_labels(y)

    def from_one_hot():
        return tf.argmax(y, axis=-1)

    def from_column():
        return _as_labels(tf.squeeze(y, axis=-1))

    width = y.shape[-1]
    if width is not None:
        return from_one_hot() if width > 1 else from_column()
    # Width unknown until run time (e.g. a generator's rank-only spec).
    return tf.cond(tf.shape(y)[-1] > 1, from_one_hot, from_column)


def make_class_weight_map_fn(class_weight: dict):
    """Builds the `Dataset.map` function that turns `class_weight` into weights.

    Args:
        class_weight: Dict from class index (`0` to `num_classes - 1`, every index
            present) to the weight of that class's samples.

    Returns:
        A function of a batch `(x, y)` or `(x, y, sample_weight)` that returns
        `(x, y, sample_weight)`.

    Raises:
        ValueError: if the keys are not exactly `0 .. num_classes - 1`; and, when
            the map is traced, if `y` holds more than one output.

    >>> fn = make_class_weight_map_fn({0: 1.0, 1: 3.0})
    >>> _, _, sw = fn(tf.zeros((3, 2)), tf.constant([0, 1, 1]))
    >>> sw.numpy().tolist()
    [1.0, 3.0, 3.0]
    """
    class_ids = sorted(class_weight.keys())
    if class_ids != list(range(len(class_ids))):
        raise ValueError(
            "Expected `class_weight` to be a dict with keys from 0 to one less "
            f"than the number of classes, found {class_weight}"
        )
    # Keras 2 keeps the Python values' dtype (int weights gave int32 sample
    # weights); floatx is what every loss casts them to anyway.
    weights = tf.constant(
        [float(class_weight[c]) for c in class_ids], dtype=backend.floatx()
    )

    # Plain Python control flow on static shapes only, so no AutoGraph: errors
    # raised while `Dataset.map` traces it then reach the user unwrapped.
    @tf.autograph.experimental.do_not_convert
    def class_weights_map_fn(*data):
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        if tf.nest.is_nested(y):
            raise ValueError(
                "`class_weight` is only supported for Models with a single output."
            )
        weight = tf.gather(weights, _class_ids(y))
        if sample_weight is not None:
            weight = tf.cast(weight, sample_weight.dtype)
            # Temporal class weights (rank > sample_weight's) need trailing axes
            # on sample_weight to broadcast; the two multiply.
            extra_axes = weight.shape.rank - sample_weight.shape.rank
            if extra_axes > 0:
                sample_weight = tf.reshape(
                    sample_weight,
                    tf.concat([tf.shape(sample_weight), [1] * extra_axes], axis=0),
                )
            weight = sample_weight * weight
        return x, y, weight

    return class_weights_map_fn
