"""HashedCrossing: hashes the combination of several categorical features.

Mirrors Keras 2's `layers/preprocessing/hashed_crossing.py`. Called on a list
of two or more features of equal shape (scalars, `(batch,)` or `(batch, 1)`,
integers or strings), it crosses them sample by sample with
`tf.sparse.cross_hashed` into `num_bins` bins, then encodes the bin as an
index (`"int"`) or a one-hot vector (`"one_hot"`).

>>> layer = HashedCrossing(num_bins=5)
>>> layer([tf.constant(["A", "B", "A"]), tf.constant([101, 101, 102])]).numpy()
array([1, 4, 3])
"""

import tensorflow as tf

from kengine import backend
from kengine.engine.base_layer import Layer
from kengine.layers.preprocessing import preprocessing_utils as utils

__all__ = ["HashedCrossing"]

INT, ONE_HOT = utils.INT, utils.ONE_HOT


class HashedCrossing(Layer):
    """Crosses categorical features by hashing their combination into bins.

    Args:
        num_bins: the number of hash bins.
        output_mode: `"int"` (bin indices) or `"one_hot"`.
        sparse: `"one_hot"` only: return a `tf.SparseTensor`.
        **kwargs: base layer arguments (`dtype` is the output's).

    Raises:
        ValueError: for a bad `output_mode`, a non-integer dtype in `"int"`
            mode, or inputs that are not two or more dense features of one
            shape and an integer or string dtype.
    """

    def __init__(self, num_bins, output_mode="int", sparse=False, **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == INT else backend.floatx()
        super().__init__(**kwargs)
        if output_mode == INT and not tf.as_dtype(self.dtype).is_integer:
            raise ValueError(
                "When `output_mode='int'`, `dtype` should be an integer type. "
                f"Received: dtype={kwargs['dtype']}"
            )
        utils.validate_string_arg(
            output_mode, (INT, ONE_HOT), "HashedCrossing", "output_mode"
        )
        self.num_bins = num_bins
        self.output_mode = output_mode
        self.sparse = sparse

    def call(self, inputs):
        _check_at_least_two(inputs)
        inputs = [utils.ensure_tensor(x) for x in inputs]
        _check_shapes_and_types(inputs)
        rank = inputs[0].shape.rank
        # `cross_hashed` wants (batch, 1) features; restore the rank afterwards.
        for _ in range(2 - rank):
            inputs = [tf.expand_dims(x, -1) for x in inputs]
        outputs = tf.sparse.to_dense(tf.sparse.cross_hashed(inputs, self.num_bins))
        outputs = tf.reshape(outputs, {2: [-1, 1], 1: [-1], 0: []}[rank])
        return utils.encode_categorical_inputs(
            outputs,
            output_mode=self.output_mode,
            depth=self.num_bins,
            sparse=self.sparse,
            dtype=self.dtype,
        )

    def compute_output_shape(self, input_shapes):
        _check_at_least_two(input_shapes)
        shape = tf.TensorShape(input_shapes[0]).as_list()
        return utils.compute_shape_for_encode_categorical(
            shape, self.output_mode, self.num_bins
        )

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_bins": self.num_bins,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
        }


def _check_at_least_two(inputs) -> None:
    if not isinstance(inputs, list | tuple):
        raise ValueError(
            "`HashedCrossing` should be called on a list or tuple of inputs. "
            f"Received: inputs={inputs}"
        )
    if len(inputs) < 2:
        raise ValueError(
            "`HashedCrossing` should be called on at least two inputs. "
            f"Received: inputs={inputs}"
        )


def _check_shapes_and_types(inputs) -> None:
    first = inputs[0].shape.as_list()
    if len(first) > 2 or (len(first) == 2 and first[-1] != 1):
        raise ValueError(
            "All `HashedCrossing` inputs should have shape `[]`, `[batch_size]` "
            f"or `[batch_size, 1]`. Received: inputs={inputs}"
        )
    if not all(x.shape.as_list() == first for x in inputs[1:]):
        raise ValueError(
            f"All `HashedCrossing` inputs should have equal shape. Received: inputs={inputs}"
        )
    if any(isinstance(x, tf.RaggedTensor | tf.SparseTensor) for x in inputs):
        raise ValueError(
            f"All `HashedCrossing` inputs should be dense tensors. Received: inputs={inputs}"
        )
    if not all(x.dtype.is_integer or x.dtype == tf.string for x in inputs):
        raise ValueError(
            "All `HashedCrossing` inputs should have an integer or string dtype. "
            f"Received: inputs={inputs}"
        )
