"""Discretization: buckets continuous values by bin boundaries (given or adapted).

Mirrors Keras 2's `layers/preprocessing/discretization.py` (`Discretization`,
`summarize`, `compress`, `merge_summaries`, `get_bin_boundaries`).

`call` maps each value to the index of its bucket (`tf.raw_ops.Bucketize`:
bucket i holds `boundaries[i-1] <= x < boundaries[i]`) and encodes the indices
by `output_mode`. The boundaries are given (`bin_boundaries`) or learned by
`adapt` into `num_bins` buckets of about equal counts, from an approximate
quantile summary kept in the weight `summary` (shape `(2, None)`: sorted
values and their weights):

```
update_state(batch): summarize the batch (every (n*epsilon)-th sorted value,
                     weighted by the values it stands for), merge it with
                     `summary` and compress back to about 1/epsilon points
finalize_state():    compress to num_bins points; their values, but the last,
                     are the boundaries
```

>>> layer = Discretization(bin_boundaries=[0.0, 1.0, 2.0])
>>> layer([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]]).numpy()
array([[0, 2, 3, 1],
       [1, 3, 2, 1]])
>>> layer = Discretization(num_bins=4, epsilon=0.01)
>>> layer.adapt([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]])
>>> layer([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]]).numpy()
array([[0, 2, 3, 2],
       [1, 3, 3, 1]])
"""

import numpy as np
import tensorflow as tf

from kengine import backend
from kengine.layers.preprocessing import preprocessing_utils as utils
from kengine.layers.preprocessing.base_preprocessing_layer import PreprocessingLayer

__all__ = ["Discretization"]

INT = utils.INT
_OUTPUT_MODES = (utils.INT, utils.ONE_HOT, utils.MULTI_HOT, utils.COUNT)


def summarize(values, epsilon: float):
    """A `(2, k)` summary of `values`: every `n * epsilon`-th sorted value, weighted.

    Args:
        values: any shape, flattened.
        epsilon: the summary's resolution (about `1 / epsilon` points).

    Returns:
        A float32 tensor `[values, weights]`.
    """
    values = tf.sort(tf.reshape(values, [-1]))
    count = tf.cast(tf.size(values), tf.float32)
    # count / (1 / epsilon), not count * epsilon: the rounding must be tf_keras's.
    increment = tf.cast(count / (1.0 / epsilon), tf.int32)
    step = tf.maximum(increment, 1)
    points = values[increment::step]
    weights = tf.ones_like(points) * tf.cast(step, tf.float32)
    return tf.stack([points, weights])


def _compress_numpy(summary: np.ndarray, epsilon: float) -> np.ndarray:
    if summary.shape[1] * epsilon < 1:
        return summary  # already at most 1/epsilon points
    # Resample the cumulative weight curve at the quantiles epsilon, 2*epsilon, ...
    quantiles = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    fractions = cumulative / cumulative[-1]
    points = np.interp(quantiles, fractions, summary[0])
    cumulative = np.interp(quantiles, fractions, cumulative)
    weights = cumulative - np.concatenate((np.array([0]), cumulative[:-1]))
    return np.stack((points, weights)).astype(np.float32)


def compress(summary, epsilon: float):
    """Resamples a summary to about `1 / epsilon` points (in NumPy)."""
    return tf.numpy_function(
        lambda s: _compress_numpy(s, epsilon), [summary], tf.float32
    )


def merge_summaries(prev_summary, next_summary, epsilon: float):
    """One compressed summary of the points of both."""
    merged = tf.concat((prev_summary, next_summary), axis=1)
    merged = tf.gather(merged, tf.argsort(merged[0]), axis=1)
    return compress(merged, epsilon)


def get_bin_boundaries(summary, num_bins: int):
    """The `num_bins - 1` boundaries of equal-weight buckets of `summary`."""
    return compress(summary, 1.0 / num_bins)[0, :-1]


class Discretization(PreprocessingLayer):
    """Buckets continuous features into integer bins.

    Args:
        bin_boundaries: sorted boundaries; None to learn them with `adapt`.
        num_bins: the number of bins `adapt` learns (not with
            `bin_boundaries`).
        epsilon: the resolution of the quantile summary `adapt` keeps.
        output_mode: `"int"`, `"one_hot"`, `"multi_hot"` or `"count"`.
        sparse: return a `tf.SparseTensor` in the non-int modes.
        **kwargs: base layer arguments; `bins` is the old name of
            `bin_boundaries` (a list) or `num_bins` (an int).

    Raises:
        ValueError: for both or a negative `num_bins`, a bad `output_mode`
            or `dtype`, or `sparse=True` in `"int"` mode.
    """

    def __init__(
        self,
        bin_boundaries=None,
        num_bins=None,
        epsilon=0.01,
        output_mode="int",
        sparse=False,
        **kwargs,
    ):
        if "bins" in kwargs:  # the argument's name in older tf_keras
            bins = kwargs.pop("bins")
            if isinstance(bins, int) and num_bins is None:
                num_bins = bins
            elif bin_boundaries is None:
                bin_boundaries = bins
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == INT else backend.floatx()
        elif output_mode == INT and not tf.as_dtype(kwargs["dtype"]).is_integer:
            kwargs["dtype"] = "int64"  # bucket indices are integers
        super().__init__(**kwargs)
        utils.validate_string_arg(
            output_mode, _OUTPUT_MODES, "Discretization", "output_mode"
        )
        _check_arguments(bin_boundaries, num_bins, output_mode, sparse)
        bin_boundaries = utils.listify_tensors(bin_boundaries)
        self.input_bin_boundaries = bin_boundaries
        self.bin_boundaries = bin_boundaries if bin_boundaries is not None else []
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse

    def build(self, input_shape) -> None:
        super().build(input_shape)
        if self.input_bin_boundaries is not None:
            return
        with tf.init_scope():
            self.summary = tf.Variable(
                tf.zeros((2, 0), tf.float32),
                shape=tf.TensorShape([2, None]),
                trainable=False,
                name="summary",
            )

    def adapt(self, data, batch_size: int | None = None, steps: int | None = None):
        """Learns `num_bins` bins of about equal counts from `data`.

        Args:
            data: numbers: an array, list, tensor or `tf.data.Dataset`.
            batch_size: samples per batch for non-Dataset data (default 32).
            steps: the most batches to read.
        """
        super().adapt(data, batch_size=batch_size, steps=steps)

    def update_state(self, data) -> None:
        """Merges a summary of one batch into `summary`.

        Raises:
            ValueError: if the layer was given `bin_boundaries`.
            RuntimeError: if the layer is not built.
        """
        if self.input_bin_boundaries is not None:
            raise ValueError(
                "Cannot adapt a Discretization layer that has been initialized with "
                "`bin_boundaries`, use `num_bins` instead. You passed "
                f"`bin_boundaries={list(self.input_bin_boundaries)}`."
            )
        if not self.built:
            raise RuntimeError("`build` must be called before `update_state`.")
        data = tf.cast(tf.convert_to_tensor(data), tf.float32)
        batch_summary = summarize(data, self.epsilon)
        self.summary.assign(merge_summaries(batch_summary, self.summary, self.epsilon))

    def finalize_state(self) -> None:
        """Computes `bin_boundaries` from `summary` (also after loading weights)."""
        if self.input_bin_boundaries is not None or not self.built:
            return
        self.bin_boundaries = utils.listify_tensors(
            get_bin_boundaries(self.summary, self.num_bins)
        )

    def reset_state(self) -> None:
        """Empties `summary`."""
        if self.input_bin_boundaries is not None or not self.built:
            return
        self.summary.assign(tf.zeros((2, 0), tf.float32))

    def call(self, inputs):
        def bucketize(values):
            return tf.raw_ops.Bucketize(input=values, boundaries=self.bin_boundaries)

        if isinstance(inputs, tf.RaggedTensor):
            indices = tf.ragged.map_flat_values(bucketize, inputs)
        elif isinstance(inputs, tf.SparseTensor):
            indices = tf.SparseTensor(
                inputs.indices, bucketize(inputs.values), inputs.dense_shape
            )
        else:
            indices = bucketize(utils.ensure_tensor(inputs))
        return utils.encode_categorical_inputs(
            indices,
            output_mode=self.output_mode,
            depth=len(self.bin_boundaries) + 1,
            sparse=self.sparse,
            dtype=self.dtype,
        )

    def compute_output_shape(self, input_shape):
        return tf.TensorShape(input_shape)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "bin_boundaries": self.input_bin_boundaries,
            "num_bins": self.num_bins,
            "epsilon": self.epsilon,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
        }


def _check_arguments(bin_boundaries, num_bins, output_mode, sparse) -> None:
    if sparse and output_mode == INT:
        raise ValueError(
            "`sparse` may only be true if `output_mode` is `'one_hot'`, "
            f"`'multi_hot'`, or `'count'`. Received: sparse={sparse} and "
            f"output_mode={output_mode}"
        )
    if num_bins is not None and num_bins < 0:
        raise ValueError(
            "`num_bins` must be greater than or equal to 0. "
            f"You passed `num_bins={num_bins}`"
        )
    if num_bins is not None and bin_boundaries is not None:
        raise ValueError(
            "Both `num_bins` and `bin_boundaries` should not be set. You passed "
            f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`"
        )
