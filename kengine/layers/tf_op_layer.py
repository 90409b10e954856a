"""TFOpLambda: a TensorFlow op applied to KerasTensors, recorded as a layer.

Mirrors Keras 2's `layers/core/tf_op_layer.py` (`TFOpLambda`, `SlicingOpLambda`,
`KerasOpDispatcher`). `_KerasOpDispatcher`, registered with TensorFlow when this
module is imported, creates one whenever a dispatch-enabled TF op
(`tf.concat`, `tf.math.multiply` behind `*`, `tf.__operators__.getitem` behind
slicing, ...) receives a KerasTensor. The layer's name and config carry the op's
public TF name (`tf.concat`, `"function": "concat"`), so a model using ops still
serializes and loads; the op is looked up again by that name on load, never
stored as code. Python `slice` objects in the call arguments are written to the
config as dicts, as tf_keras does, and a constant first argument (`1.0 + x` saves
1.0 as the input) becomes a tensor when called, as Keras 2's `Layer.__call__`
converts Python numbers.

Loading an op by name is loading a function a file chose, and a node input
marked constant lets the file choose its arguments too. So a name from a config
is resolved only if it is one of the pure tensor ops Keras 2 wraps (the
allow-list below); anything else (`io.write_file`, `io.gfile.remove`, `print`,
`py_function`, `load_op_library`, private attributes such as `_os.system`) is
refused with a `ValueError` naming the op, in safe mode and out of it. A caller
who trusts a file passes the function in `custom_objects` under the config's name.

The allow-list, in TensorFlow's public names. `compat.v1.<name>`, which Keras 2
writes where a TF 2 op dispatches through its v1 function (`compat.v1.gather`,
`compat.v1.pad`, `compat.v1.floor_div` behind `//`), follows the same rules, plus
the v1-only array ops of `_V1_TOP_LEVEL` (`to_float`, `div`, ...):

* whole namespaces of pure tensor functions: `__operators__`, `math`,
  `math.special`, `linalg`, `signal`, `bitwise`, `nn`, `nn.experimental`,
  `image`, `sparse`, `ragged`, `strings`, `sets`, `dtypes`, `random`, except
  the functions of `_REFUSED` (global seeds and generators, image codecs, v1
  RNN drivers that call Python cells);
* the array and math ops of the top-level `tf` namespace named in `_TOP_LEVEL`
  (`concat`, `reshape`, `gather`, `where`, ...). Everything else there is left
  out: I/O and printing, Python hooks (`py_function`, `numpy_function`), control
  flow taking callables, graph and device plumbing, library loading, XLA, RPC
  and TPU ops, debugging asserts, and global registrations.

Namespaces never allowed include `io`, `gfile`, `summary`, `saved_model`,
`data`, `distribute`, `config`, `debugging`, `raw_ops`, `experimental`,
`__internal__`, `train`, `lookup` and `audio`. Classes (`linalg.LinearOperator`,
`random.Generator`) are never ops.
"""

import inspect

import numpy as np
import tensorflow as tf
from tensorflow.python.util import tf_export  # the op registry tf_keras also uses

from kengine import backend
from kengine.engine.base_layer import Layer
from kengine.engine.keras_tensor import any_keras_tensors
from kengine.utils import serialization

__all__ = ["TFOpLambda", "SlicingOpLambda", "layer_for_op", "resolve_op"]

_PURE_NAMESPACES = frozenset(
    "__operators__ math math.special linalg signal bitwise nn nn.experimental image "
    "sparse ragged strings sets dtypes random".split()
)
_REFUSED = frozenset(
    """
    random.set_seed random.set_global_generator random.get_global_generator
    random.set_random_seed random.get_seed
    nn.bidirectional_dynamic_rnn nn.dynamic_rnn nn.raw_rnn nn.static_bidirectional_rnn
    nn.static_rnn nn.static_state_saving_rnn
    image.decode_and_crop_jpeg image.decode_bmp image.decode_gif image.decode_image
    image.decode_jpeg image.decode_jxl image.decode_png image.decode_webp
    image.encode_jpeg image.encode_png image.extract_jpeg_shape image.is_jpeg
    """.split()
)
_TOP_LEVEL = frozenset(
    """
    abs acos acosh add add_n approx_top_k argmax argmin argsort as_string asin asinh
    atan atan2 atanh batch_to_space bitcast boolean_mask broadcast_dynamic_shape
    broadcast_static_shape broadcast_to cast clip_by_global_norm clip_by_norm
    clip_by_value complex concat constant conv cos cosh cumsum divide
    dynamic_partition dynamic_stitch edit_distance eig eigvals einsum ensure_shape
    equal exp expand_dims extract_volume_patches eye fftnd fill fingerprint floor
    gather gather_nd greater greater_equal histogram_fixed_width
    histogram_fixed_width_bins identity identity_n ifftnd irfftnd less less_equal
    linspace logical_and logical_not logical_or matmul matrix_square_root maximum
    meshgrid minimum multiply negative norm not_equal one_hot ones ones_like pad
    parallel_stack pow range rank realdiv repeat required_space_to_batch_paddings
    reshape reverse reverse_sequence rfftnd roll round saturate_cast scalar_mul
    scatter_nd searchsorted sequence_mask shape shape_n sigmoid sign sin sinh size
    slice sort space_to_batch space_to_batch_nd split sqrt square squeeze stack
    stop_gradient strided_slice subtract tan tanh tensor_scatter_nd_add
    tensor_scatter_nd_max tensor_scatter_nd_min tensor_scatter_nd_sub
    tensor_scatter_nd_update tensordot tile transpose truediv truncatediv
    truncatemod unique unique_with_counts unravel_index unstack where zeros
    zeros_like
    """.split()
)
# v1-only array ops a TF 2 op may dispatch through (tf_keras writes `compat.v1.<name>`).
_V1_TOP_LEVEL = _TOP_LEVEL | frozenset(
    """
    arg_max arg_min batch_gather batch_to_space_nd clip_by_average_norm div floor_div
    setdiff1d sparse_to_dense substr to_bfloat16 to_complex128 to_complex64 to_double
    to_float to_int32 to_int64
    """.split()
)
_V1_PREFIX = "compat.v1."


def _public_name(fn) -> str | None:
    """The op's name in the `tf` namespace (`math.multiply`, `concat`), or None.

    v1-only symbols get the `compat.v1.` prefix, as tf_keras writes them.
    """
    return tf_export.get_canonical_name_for_symbol(
        fn, api_name="tensorflow", add_prefix_to_v1_names=True
    )


def _is_allowed(name: str) -> bool:
    """Whether `name` is on the allow-list of the module docstring."""
    tail = name.removeprefix(_V1_PREFIX)
    if tail in _REFUSED or tf_export.get_symbol_from_name(name) is None:
        return False  # refused, or not a name TensorFlow exports at all
    namespace, _, short = tail.rpartition(".")
    if namespace:
        return namespace in _PURE_NAMESPACES
    return short in (_V1_TOP_LEVEL if tail != name else _TOP_LEVEL)


def _refused(name: str) -> ValueError:
    return ValueError(
        f"Refusing to load the TensorFlow op '{name}' of a TFOpLambda layer: only "
        "pure tensor ops (math, array, nn, linalg, ... functions of the public `tf` "
        "API; no I/O, file system, printing or Python hooks) are loaded by name. "
        "If you trust this file, pass the function as "
        f"custom_objects={{'{name}': ...}}."
    )


def resolve_op(name, custom_objects: dict | None = None):
    """The TF op a config names, if it is allowed (or given by the caller).

    Args:
        name: the op's public name without `tf.`, as configs write it
            (`"concat"`, `"math.multiply"`, `"__operators__.getitem"`).
        custom_objects: the caller's functions by name; they take precedence
            over, and are not limited by, the allow-list.

    Returns:
        The function.

    Raises:
        TypeError: if `name` is not a string.
        ValueError: if `name` is not an allowed pure tensor op.

    >>> resolve_op("math.multiply") is tf.math.multiply
    True
    """
    if not isinstance(name, str):
        raise TypeError(
            "A TFOpLambda config names its op with a string. Received: "
            f"function={name!r}"[:300]
        )
    given = serialization.get_registered_object(name, custom_objects)
    if given is not None:
        return given
    if not _is_allowed(name):
        raise _refused(name)
    fn = tf
    for part in name.split("."):  # every part is public: checked just above
        fn = getattr(fn, part, None)
    if fn is None or inspect.isclass(fn) or not callable(fn):
        raise _refused(name)  # `linalg.LinearOperator`, `random.Generator`
    return fn


def _number_to_tensor(value):
    if isinstance(value, int | float | np.ndarray):
        return tf.convert_to_tensor(value)
    return value


class TFOpLambda(Layer):
    """Wraps a TF op so that calling it on KerasTensors adds a graph node.

    Args:
        function: the TF op, or its public name (resolved by `resolve_op`).
        **kwargs: base `Layer` arguments.
    """

    _serialized_module = "tf_keras.src.layers.core.tf_op_layer"
    _serialized_registered_name = "TFOpLambda"
    # A single tensor argument is written as one entry, not a list of one.
    _preserve_input_structure_in_config = True

    def __init__(self, function, **kwargs):
        if isinstance(function, str):
            symbol, function = function, resolve_op(function)
        else:
            symbol = _public_name(function) or getattr(function, "__name__", "op")
        kwargs.setdefault("name", backend.unique_object_name("tf." + symbol))
        kwargs.setdefault("autocast", False)
        super().__init__(**kwargs)
        self.symbol = symbol
        self.function = function

    def _call_kwargs(self, spec, inputs, kwargs) -> tuple[dict, None]:
        # A TF op takes neither `training` nor an implicit `mask`: pass its
        # arguments untouched, except an explicit `training`, which Keras 2
        # drops for a layer whose call does not take it.
        return {k: v for k, v in kwargs.items() if k != "training"}, None

    def _split_inputs(self, spec, args, kwargs):
        if not args:
            # Ops generated from op definitions (`tf.square`, `tf.nn.relu`) dispatch
            # every argument by keyword: the op's first parameter is the input.
            first = next(iter(inspect.signature(self.function).parameters), None)
            if first in kwargs:
                return kwargs.pop(first), ()
        return super()._split_inputs(spec, args, kwargs)

    def call(self, *args, **kwargs):
        """Runs the wrapped TF op."""
        if args:
            # A constant first argument (`1.0 + x` saves 1.0 as the input) becomes a
            # tensor, as Keras 2's `Layer.__call__` converts Python numbers.
            args = (tf.nest.map_structure(_number_to_tensor, args[0]), *args[1:])
        return self.function(*args, **kwargs)

    def _call_arg_names(self) -> list:
        # Arguments after the first are written to configs by the op's own names.
        return list(inspect.signature(self.function).parameters)

    def get_config(self) -> dict:
        """Name, trainable, dtype and the op's public name."""
        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": self.dtype,
            "function": self.symbol,
        }
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None):
        """Rebuilds the layer, resolving the op by name (see `resolve_op`).

        Raises:
            ValueError: if the op is missing or not an allowed pure tensor op.
        """
        config = dict(config)
        if "function" not in config:
            raise ValueError(
                f"A {cls.__name__} config needs 'function', the op's name. "
                f"Received keys: {sorted(config)}"
            )
        name = config.pop("function")
        layer = cls(resolve_op(name, custom_objects), **config)
        layer.symbol = name  # a caller's function is saved under the file's name
        return layer


class SlicingOpLambda(TFOpLambda):
    """`TFOpLambda` for `tensor[...]` slicing (kept as its own class, as tf_keras)."""

    _serialized_module = "tf_keras.src.layers.core.tf_op_layer"
    _serialized_registered_name = "SlicingOpLambda"


def layer_for_op(op) -> TFOpLambda:
    """The wrapper layer for a TF op: `SlicingOpLambda` for `[]`, else `TFOpLambda`.

    Raises:
        ValueError: if the op has no public TensorFlow name to be saved under.
    """
    symbol = _public_name(op)
    if symbol is None:
        raise ValueError(f"Could not find the public TensorFlow name of {op!r}.")
    cls = SlicingOpLambda if symbol == "__operators__.getitem" else TFOpLambda
    return cls(op)


class _KerasOpDispatcher(tf.__internal__.dispatch.GlobalOpDispatcher):
    """Turns a TF op called on KerasTensors into a `TFOpLambda` layer call."""

    def handle(self, op, args, kwargs):
        if any_keras_tensors((args, kwargs)):
            return layer_for_op(op)(*args, **kwargs)
        return self.NOT_SUPPORTED


# Metaprogramming: TensorFlow asks every registered global dispatcher about an op
# whose arguments it cannot convert; this one is how `tf.concat([x, y], -1)` on
# KerasTensors becomes a layer. Registered once, when kengine is imported.
_KerasOpDispatcher().register()
