"""Helpers the preprocessing layers share: output modes, argument checks, encoding.

Mirrors Keras 2's `layers/preprocessing/preprocessing_utils.py`
(`ensure_tensor`, `listify_tensors`, `encode_categorical_inputs`,
`compute_shape_for_encode_categorical`) and `utils/layer_utils.py`
(`validate_string_arg`).

The categorical layers (lookups, `Hashing`, `CategoryEncoding`,
`Discretization`) first turn values into integer indices, then
`encode_categorical_inputs` turns indices into the requested output:

```
"int"        the indices themselves
"one_hot"    one row of `depth` per index (a trailing axis of size 1 is replaced)
"multi_hot"  one row of `depth` per sample: 1 where an index occurs
"count"      one row of `depth` per sample: how often each index occurs
"tf_idf"     "count" times a weight per index (inverse document frequency)
```

>>> import tensorflow as tf
>>> encode_categorical_inputs(tf.constant([[0, 2, 2]]), "count", depth=4).numpy()
array([[1., 0., 2., 0.]], dtype=float32)
"""

import numpy as np
import tensorflow as tf

__all__ = [
    "INT",
    "ONE_HOT",
    "MULTI_HOT",
    "COUNT",
    "TF_IDF",
    "ensure_tensor",
    "listify_tensors",
    "validate_string_arg",
    "encode_categorical_inputs",
]

INT = "int"
ONE_HOT = "one_hot"
MULTI_HOT = "multi_hot"
COUNT = "count"
TF_IDF = "tf_idf"

_TENSOR_TYPES = (tf.Tensor, tf.RaggedTensor, tf.SparseTensor)


def ensure_tensor(inputs, dtype=None):
    """Converts `inputs` to a (dense, ragged or sparse) tensor of `dtype`.

    Args:
        inputs: a tensor, NumPy array, list or scalar.
        dtype: the dtype to convert or cast to; None keeps the inferred one.

    Returns:
        A `tf.Tensor`, `tf.RaggedTensor` or `tf.SparseTensor`.
    """
    if not isinstance(inputs, _TENSOR_TYPES):
        inputs = tf.convert_to_tensor(inputs, dtype)
    if dtype is not None and inputs.dtype != dtype:
        inputs = tf.cast(inputs, dtype)
    return inputs


def listify_tensors(x):
    """Tensors and arrays as (nested) Python lists, so configs are plain JSON."""
    if tf.is_tensor(x):
        x = x.numpy()
    if isinstance(x, np.ndarray):
        x = x.tolist()
    return x


def validate_string_arg(
    value,
    allowed: tuple,
    layer_name: str,
    arg_name: str,
    allow_none: bool = False,
    allow_callables: bool = False,
) -> None:
    """Checks a string-valued argument against its allowed values.

    Args:
        value: the value received.
        allowed: the strings accepted.
        layer_name: the layer's class name, for the message.
        arg_name: the argument's name, for the message.
        allow_none: whether None is accepted.
        allow_callables: whether a callable is accepted.

    Raises:
        ValueError: naming the argument, the accepted values and `value`.
    """
    if (allow_none and value is None) or (allow_callables and callable(value)):
        return
    if isinstance(value, str) and value in allowed:
        return
    accepted = "`None`, " if allow_none else ""
    accepted += "a `Callable`, " if allow_callables else ""
    accepted += f"or one of the following values: {allowed}"
    raise ValueError(
        f"Unknown value for `{arg_name}` argument of layer {layer_name}. "
        f"Allowed values are: {accepted}. Received: {arg_name}={value!r}"
    )


def expand_dims(inputs, axis: int):
    """`tf.expand_dims` that also accepts a `tf.SparseTensor`."""
    if isinstance(inputs, tf.SparseTensor):
        return tf.sparse.expand_dims(inputs, axis)
    return tf.expand_dims(inputs, axis)


def _bincount(inputs, depth: int, binary: bool, dtype, sparse: bool, weights):
    """Counts per sample (last axis) of the indices in `inputs`, `depth` wide."""
    if sparse:
        counts = tf.sparse.bincount(
            inputs,
            weights=weights,
            minlength=depth,
            maxlength=depth,
            axis=-1,
            binary_output=binary,
        )
        counts = tf.cast(counts, dtype)
        batch = (
            [tf.shape(counts, out_type=tf.int64)[0]] if inputs.shape.rank > 1 else []
        )
        return tf.SparseTensor(counts.indices, counts.values, batch + [depth])
    counts = tf.math.bincount(
        inputs,
        weights=weights,
        minlength=depth,
        maxlength=depth,
        dtype=dtype,
        axis=-1,
        binary_output=binary,
    )
    batch = [inputs.shape[0]] if inputs.shape.rank > 1 else []
    counts.set_shape(batch + [depth])
    return counts


def encode_categorical_inputs(
    inputs,
    output_mode: str,
    depth: int,
    dtype="float32",
    sparse: bool = False,
    count_weights=None,
    idf_weights=None,
):
    """Encodes integer indices as `output_mode` asks (see the module docstring).

    Args:
        inputs: integer indices, dense, ragged or sparse, of rank <= 2 (rank 2
            is `(batch, values)`; `one_hot` also accepts `(batch,)`).
        output_mode: one of `"int"`, `"one_hot"`, `"multi_hot"`, `"count"`,
            `"tf_idf"`.
        depth: the number of distinct indices (the output's last axis).
        dtype: the output dtype.
        sparse: whether to return a `tf.SparseTensor`.
        count_weights: per-value weights summed instead of counted (`"count"`).
        idf_weights: per-index weights of `"tf_idf"`, shape `(depth,)`.

    Returns:
        The encoded tensor.

    Raises:
        ValueError: for inputs whose output would have rank > 2, or `"tf_idf"`
            without `idf_weights`.
    """
    if output_mode == INT:
        return tf.identity(tf.cast(inputs, dtype))
    original_shape = inputs.shape
    if inputs.shape.rank == 0:
        inputs = expand_dims(inputs, -1)
    if output_mode == ONE_HOT and inputs.shape[-1] != 1:
        inputs = expand_dims(inputs, -1)
    if inputs.shape.rank > 2:
        raise ValueError(
            "When output_mode is not `'int'`, maximum supported output rank is 2. "
            f"Received output_mode {output_mode} and input shape {original_shape}, "
            f"which would result in output rank {inputs.shape.rank}."
        )
    binary = output_mode in (MULTI_HOT, ONE_HOT)
    counts = _bincount(inputs, depth, binary, dtype, sparse, count_weights)
    if output_mode != TF_IDF:
        return counts
    if idf_weights is None:
        raise ValueError(
            "When output mode is `'tf_idf'`, idf_weights must be provided. "
            f"Received: output_mode={output_mode} and idf_weights={idf_weights}"
        )
    if sparse:
        weights = tf.gather(idf_weights, counts.indices[:, -1])
        return tf.SparseTensor(
            counts.indices, weights * counts.values, counts.dense_shape
        )
    return tf.multiply(counts, idf_weights)


def compute_shape_for_encode_categorical(shape, output_mode: str, depth: int):
    """The static output shape of `encode_categorical_inputs` for input `shape`."""
    shape = list(shape)
    if output_mode == INT:
        return tf.TensorShape(shape)
    if not shape:
        return tf.TensorShape([depth])
    if output_mode == ONE_HOT and shape[-1] != 1:
        return tf.TensorShape([*shape, depth])
    return tf.TensorShape([*shape[:-1], depth])
