"""Hashing: maps values (strings or integers) to a fixed number of bins.

Mirrors Keras 2's `layers/preprocessing/hashing.py`. A value is hashed with
FarmHash64 (`tf.strings.to_hash_bucket_fast`), or with SipHash64 keyed by
`salt` (`to_hash_bucket_strong`); integers are hashed as their decimal
strings. With `mask_value`, that value goes to bin 0 and the others share the
remaining `num_bins - 1` bins. The bins are then encoded by `output_mode`
(`"int"`, `"one_hot"`, `"multi_hot"`, `"count"`; see `preprocessing_utils`).

>>> Hashing(num_bins=3)([["A"], ["B"], ["C"], ["D"], ["E"]]).numpy()
array([[1],
       [0],
       [1],
       [1],
       [2]])
"""

import tensorflow as tf

from kengine import backend
from kengine.engine.base_layer import Layer
from kengine.layers.preprocessing import preprocessing_utils as utils

__all__ = ["Hashing"]

INT = utils.INT
_OUTPUT_MODES = (utils.INT, utils.ONE_HOT, utils.MULTI_HOT, utils.COUNT)


def _salt_pair(salt):
    """The two 64-bit keys of the strong hash, from an int or a pair."""
    if salt is None:
        return None
    if isinstance(salt, tuple | list) and len(salt) == 2:
        return list(salt)
    if isinstance(salt, int):
        return [salt, salt]
    raise ValueError(
        "The `salt` argument for `Hashing` can only be a tuple of size 2 "
        f"integers, or a single integer. Received: salt={salt}."
    )


class Hashing(Layer):
    """Hashes each input value into one of `num_bins` bins.

    Args:
        num_bins: the number of bins, mask bin included.
        mask_value: a value mapped to bin 0 (None: no mask bin).
        salt: an int or a pair of ints keying a strong (SipHash) hash; None
            uses the fast FarmHash.
        output_mode: `"int"`, `"one_hot"`, `"multi_hot"` or `"count"`.
        sparse: return a `tf.SparseTensor` in the non-int modes.
        **kwargs: base layer arguments (`dtype` is the output's).

    Raises:
        ValueError: for a non-positive `num_bins`, a bad `salt`, `output_mode`
            or `dtype`, or `sparse=True` in `"int"` mode.
    """

    def __init__(
        self,
        num_bins,
        mask_value=None,
        salt=None,
        output_mode="int",
        sparse=False,
        **kwargs,
    ):
        if num_bins is None or num_bins <= 0:
            raise ValueError(
                "The `num_bins` for `Hashing` cannot be `None` or non-positive "
                f"values. Received: num_bins={num_bins}."
            )
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == INT else backend.floatx()
        elif output_mode == INT and not tf.as_dtype(kwargs["dtype"]).is_integer:
            kwargs["dtype"] = "int64"  # indices are integers whatever was asked
        super().__init__(**kwargs)
        utils.validate_string_arg(output_mode, _OUTPUT_MODES, "Hashing", "output_mode")
        if sparse and output_mode == INT:
            raise ValueError(
                "`sparse` may only be true if `output_mode` is `'one_hot'`, "
                f"`'multi_hot'`, or `'count'`. Received: sparse={sparse} and "
                f"output_mode={output_mode}"
            )
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.strong_hash = salt is not None
        self.salt = _salt_pair(salt)
        self.output_mode = output_mode
        self.sparse = sparse

    def call(self, inputs):
        inputs = utils.ensure_tensor(inputs)
        if isinstance(inputs, tf.SparseTensor):
            bins = tf.SparseTensor(
                inputs.indices,
                self._hash_values_to_bins(inputs.values),
                inputs.dense_shape,
            )
        elif isinstance(inputs, tf.RaggedTensor):
            bins = tf.ragged.map_flat_values(self._hash_values_to_bins, inputs)
        else:
            bins = self._hash_values_to_bins(inputs)
        return utils.encode_categorical_inputs(
            bins,
            output_mode=self.output_mode,
            depth=self.num_bins,
            sparse=self.sparse,
            dtype=self.dtype,
        )

    def _hash_values_to_bins(self, values):
        """Bin indices of a dense tensor of values (mask value -> bin 0)."""
        bins, mask = self.num_bins, None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = tf.equal(values, self.mask_value)
        if values.dtype.is_integer:
            values = tf.as_string(values)
        if self.strong_hash:
            hashed = tf.strings.to_hash_bucket_strong(values, bins, key=self.salt)
        else:
            hashed = tf.strings.to_hash_bucket_fast(values, bins)
        if mask is not None:
            hashed = tf.where(mask, tf.zeros_like(hashed), hashed + 1)
        return hashed

    def compute_output_shape(self, input_shape):
        return utils.compute_shape_for_encode_categorical(
            tf.TensorShape(input_shape).as_list(), self.output_mode, self.num_bins
        )

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_bins": self.num_bins,
            "salt": self.salt,
            "mask_value": self.mask_value,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
        }
