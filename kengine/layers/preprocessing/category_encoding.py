"""CategoryEncoding: integer categories to one-hot, multi-hot or count vectors.

Mirrors Keras 2's `layers/preprocessing/category_encoding.py`. Inputs are
integer indices in `[0, num_tokens)`; an index outside raises (a
`tf.debugging.Assert`, so also inside graphs). `output_mode`:

```
"one_hot"    one row per index (a trailing axis of size 1 is replaced)
"multi_hot"  one row per sample, 1 for each index present (the default)
"count"      one row per sample, the count of each index, or the sum of the
             `count_weights` given to `call`
```

>>> CategoryEncoding(num_tokens=4, output_mode="multi_hot")([[0, 1], [0, 0]]).numpy()
array([[1., 1., 0., 0.],
       [1., 0., 0., 0.]], dtype=float32)
"""

import tensorflow as tf

from kengine import backend
from kengine.engine.base_layer import Layer
from kengine.layers.preprocessing import preprocessing_utils as utils

__all__ = ["CategoryEncoding"]

COUNT, ONE_HOT, MULTI_HOT = utils.COUNT, utils.ONE_HOT, utils.MULTI_HOT


class CategoryEncoding(Layer):
    """Encodes integer features as one-hot, multi-hot or count vectors.

    Args:
        num_tokens: the number of categories (inputs lie in `[0, num_tokens)`).
        output_mode: `"one_hot"`, `"multi_hot"` (default) or `"count"`.
        sparse: return a `tf.SparseTensor`.
        **kwargs: base layer arguments; `max_tokens` is the old name of
            `num_tokens`.

    Raises:
        ValueError: for a missing or non-positive `num_tokens`, or a bad
            `output_mode`.
    """

    def __init__(
        self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs
    ):
        if "max_tokens" in kwargs:  # the argument's name in older tf_keras
            num_tokens = kwargs.pop("max_tokens")
        kwargs.setdefault("dtype", backend.floatx())
        super().__init__(**kwargs)
        output_mode = MULTI_HOT if output_mode == "binary" else output_mode
        utils.validate_string_arg(
            output_mode, (COUNT, ONE_HOT, MULTI_HOT), "CategoryEncoding", "output_mode"
        )
        if num_tokens is None:
            raise ValueError(
                "num_tokens must be set to use this layer. If the number of tokens "
                "is not known beforehand, use the IntegerLookup layer instead. "
                "Received: num_tokens=None"
            )
        if num_tokens < 1:
            raise ValueError(
                f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}."
            )
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse

    def call(self, inputs, count_weights=None):
        inputs = utils.ensure_tensor(inputs)
        if count_weights is not None:
            if self.output_mode != COUNT:
                raise ValueError(
                    "`count_weights` is not used when `output_mode` is not "
                    f"`'count'`. Received `count_weights={count_weights}`."
                )
            count_weights = utils.ensure_tensor(count_weights, self.dtype)
        values = inputs.values if isinstance(inputs, tf.SparseTensor) else inputs
        in_range = tf.logical_and(
            tf.greater(tf.cast(self.num_tokens, values.dtype), tf.reduce_max(values)),
            tf.greater_equal(tf.reduce_min(values), tf.cast(0, values.dtype)),
        )
        check = tf.debugging.Assert(
            in_range,
            [
                "Input values must be in the range 0 <= values < num_tokens with "
                f"num_tokens={self.num_tokens}"
            ],
        )
        with tf.control_dependencies([check]):
            return utils.encode_categorical_inputs(
                inputs,
                output_mode=self.output_mode,
                depth=self.num_tokens,
                dtype=self.dtype,
                sparse=self.sparse,
                count_weights=count_weights,
            )

    def compute_output_shape(self, input_shape):
        return utils.compute_shape_for_encode_categorical(
            tf.TensorShape(input_shape).as_list(), self.output_mode, self.num_tokens
        )

    def get_config(self) -> dict:
        config = {
            "num_tokens": self.num_tokens,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
        }
        return {**super().get_config(), **config}
