"""Matching losses, metrics, labels and weights to a model's output structure.

Mirrors the helper functions of Keras 2's `engine/compile_utils.py`
(`create_pseudo_output_names`, `create_pseudo_input_names`,
`map_to_output_names`, `map_missing_dict_keys`, `match_dtype_and_rank`,
`get_custom_object_name`) plus the `flatten_up_to` Keras 2 borrows from
`tf.__internal__.nest`. `compile_utils` re-exports them. `check_target_shape`
is Keras 2's `check_loss_and_target_compatibility` (`training_utils_v1.py`),
widened to every built-in loss.

A model's outputs are one tensor, a list, or a dict (possibly nested). What the
user passes to `compile` per output may be one object for every output, a list
in output order, or a dict keyed by output name. These functions bring both to
the same flat order, `tf.nest.flatten`'s (dict keys sorted).

>>> map_to_output_names([1, 2], ["a", "b"], {"b": "mse"})
[None, 'mse']
>>> flatten_up_to([1, 2], [["mae"], None])
[['mae'], None]
"""

import copy

import tensorflow as tf

from kengine import losses as losses_mod
from kengine.engine.base_layer_utils import to_snake_case

__all__ = [
    "create_pseudo_output_names",
    "create_pseudo_input_names",
    "map_to_output_names",
    "map_missing_dict_keys",
    "match_dtype_and_rank",
    "get_custom_object_name",
    "flatten_up_to",
    "check_target_shape",
]

# Built-in losses that compare labels and predictions entry by entry: the labels
# must have the predictions' shape (up to a trailing axis of 1).
_SAME_SHAPE_LOSSES = frozenset(
    {
        losses_mod.mean_squared_error,
        losses_mod.mean_absolute_error,
        losses_mod.mean_absolute_percentage_error,
        losses_mod.mean_squared_logarithmic_error,
        losses_mod.cosine_similarity,
        losses_mod.huber,
        losses_mod.log_cosh,
        losses_mod.hinge,
        losses_mod.squared_hinge,
        losses_mod.categorical_hinge,
        losses_mod.binary_crossentropy,
        losses_mod.binary_focal_crossentropy,
        losses_mod.categorical_crossentropy,
        losses_mod.categorical_focal_crossentropy,
        losses_mod.kl_divergence,
        losses_mod.poisson,
    }
)


def flatten_up_to(shallow, struct) -> list:
    """One item of `struct` per leaf of `shallow` (in `tf.nest.flatten` order).

    Leaves of `struct` below `shallow`'s leaves (a list of metrics for one
    output) stay together; a None `struct` gives None for every leaf.
    """
    if struct is None:
        return [None] * len(tf.nest.flatten(shallow))
    if isinstance(shallow, dict):
        return [
            x for k in sorted(shallow) for x in flatten_up_to(shallow[k], struct.get(k))
        ]
    if isinstance(shallow, list | tuple):
        if not isinstance(struct, list | tuple) or len(struct) != len(shallow):
            raise ValueError(
                f"Expected one entry per model output ({len(shallow)} outputs). "
                f"Received: {struct!r}"
            )
        return [x for s, t in zip(shallow, struct) for x in flatten_up_to(s, t)]
    return [struct]


def create_pseudo_output_names(outputs) -> list:
    """Names for the outputs of a model that has none: `output_1`, `output_2`, ...

    >>> create_pseudo_output_names([1, 2])
    ['output_1', 'output_2']
    >>> create_pseudo_output_names({"a": [1, 2], "b": 3})
    ['a_1', 'a_2', 'b']
    """
    return _create_pseudo_names(outputs, prefix="output_")


def create_pseudo_input_names(inputs) -> list:
    """Names for the inputs of a model that has none: `input_1`, `input_2`, ..."""
    return _create_pseudo_names(inputs, prefix="input_")


def _flat_paths(struct, prefix=()):
    """Paths to the leaves of `struct`, in `tf.nest.flatten` order."""
    if isinstance(struct, dict):
        return [p for k in sorted(struct) for p in _flat_paths(struct[k], (*prefix, k))]
    if isinstance(struct, list | tuple):
        return [p for i, s in enumerate(struct) for p in _flat_paths(s, (*prefix, i))]
    return [prefix]


def _create_pseudo_names(tensors, prefix: str) -> list:
    names = []
    for path in _flat_paths(tensors):
        if not path:
            names.append(prefix + "1")  # a single tensor
            continue
        parts = [str(p + 1) if isinstance(p, int) else str(p) for p in path]
        name = "_".join(parts)
        names.append(prefix + name if isinstance(path[0], int) else name)
    return names


def map_to_output_names(y_pred, output_names, struct):
    """Turns a dict keyed by output name into a list in output order.

    Only applies when the outputs are one tensor or a flat list; anything else
    is returned unchanged.

    Raises:
        ValueError: naming the keys that are not output names, and the valid names.

    >>> map_to_output_names([1, 2], ["a", "b"], {"b": "mse"})
    [None, 'mse']
    """
    single_output = not tf.nest.is_nested(y_pred)
    flat_list = (
        not single_output
        and isinstance(y_pred, list | tuple)
        and not any(tf.nest.is_nested(y_p) for y_p in y_pred)
    )
    if not ((single_output or flat_list) and isinstance(struct, dict)):
        return struct
    output_names = output_names or create_pseudo_output_names(y_pred)
    struct = copy.copy(struct)
    new_struct = [struct.pop(name, None) for name in output_names]
    if struct:
        raise ValueError(
            "Found unexpected losses or metrics that do not correspond to any Model "
            f"output: {list(struct.keys())}. Valid mode output names: {output_names}. "
            f"Received struct is: {struct}."
        )
    return new_struct[0] if len(new_struct) == 1 else new_struct


def map_missing_dict_keys(y_pred, struct):
    """Adds None for the outputs of a dict-output model that `struct` omits."""
    if not isinstance(y_pred, dict) or not isinstance(struct, dict):
        return struct
    struct = copy.copy(struct)
    for k in y_pred:
        struct.setdefault(k, None)
    return struct


def match_dtype_and_rank(y_t, y_p, sw):
    """Lines labels and weights up with predictions before a loss or metric.

    `(batch,)` labels and weights against `(batch, 1)`-style predictions gain an
    axis; labels of the same kind (float/float or int/int) take the prediction
    dtype; weights always do.

    Returns:
        `(y_t, y_p, sw)`.
    """
    if y_t.shape.rank == 1 and y_p.shape.rank == 2:
        y_t = tf.expand_dims(y_t, axis=-1)
    if sw is not None and sw.shape.rank == 1 and y_p.shape.rank == 2:
        sw = tf.expand_dims(sw, axis=-1)
    same_kind = (y_t.dtype.is_floating and y_p.dtype.is_floating) or (
        y_t.dtype.is_integer and y_p.dtype.is_integer
    )
    if same_kind:
        y_t = tf.cast(y_t, y_p.dtype)
    if sw is not None:
        sw = tf.cast(sw, y_p.dtype)
    return y_t, y_p, sw


def get_custom_object_name(obj) -> str | None:
    """The name to give a custom loss or metric: `.name`, `__name__`, or snake_case class.

    >>> get_custom_object_name(lambda y_true, y_pred: y_pred)
    '<lambda>'
    """
    if hasattr(obj, "name"):  # a Loss used as a metric
        return obj.name
    if hasattr(obj, "__name__"):  # a function
        return obj.__name__
    if hasattr(obj, "__class__"):  # an instance of a callable class
        return to_snake_case(obj.__class__.__name__)
    return None


def _label_rule(loss_obj) -> str | None:
    """ "same" or "sparse" for a built-in loss; None for a custom one (not checked)."""
    fn = loss_obj
    if isinstance(loss_obj, losses_mod.LossFunctionWrapper):
        if type(loss_obj).call is not losses_mod.LossFunctionWrapper.call:
            return None  # a subclass computing something of its own
        fn = loss_obj.fn
    if fn is losses_mod.sparse_categorical_crossentropy:
        return "sparse"
    return "same" if fn in _SAME_SHAPE_LOSSES else None


def _expected_label_dims(rule: str, true_dims: list, pred_dims: list):
    """`(label dims, prediction dims)` to compare, or None for a rank mismatch.

    Keras 2 lines the pair up by one trailing axis of 1 at most: `(N,)` labels
    for `(N, 1)` predictions, `(N, 1)` labels for `(N,)`. Sparse labels have
    no class axis, or a class axis of 1.
    """
    if rule == "sparse":
        pred_dims = pred_dims[:-1]
        if len(true_dims) == len(pred_dims) + 1 and true_dims[-1] in (1, None):
            true_dims = true_dims[:-1]
    elif len(true_dims) == len(pred_dims) + 1 and true_dims[-1] in (1, None):
        true_dims = true_dims[:-1]
    elif len(true_dims) + 1 == len(pred_dims) and pred_dims[-1] in (1, None):
        pred_dims = pred_dims[:-1]
    if len(true_dims) != len(pred_dims):
        return None
    return true_dims, pred_dims


def check_target_shape(loss_obj, y_true, y_pred, output_name: str) -> None:
    """Raises when a built-in loss would broadcast the targets against an output.

    `mean_squared_error` of `(N, 3)` targets and an `(N, 1)` output is a number,
    but a meaningless one: every prediction is compared with three labels. The
    element-wise built-in losses need targets of the output's shape, and
    `sparse_categorical_crossentropy` needs it without the class axis. Custom
    losses are not checked (their labels may carry anything). Unknown sizes
    (`None`) match any size.

    Args:
        loss_obj: the output's loss (a `Loss` or a function).
        y_true: the targets: anything with a `shape` (tensor, spec, KerasTensor).
        y_pred: the output: anything with a `shape`.
        output_name: the output's name, for the message.

    Raises:
        ValueError: naming `y`, the targets' shape, the output and its shape.

    >>> check_target_shape("mse", tf.TensorSpec([None, 3]), tf.TensorSpec([None, 1]), "d")
    Traceback (most recent call last):
    ...
    ValueError: Target `y` for output "d" has shape (None, 3), but the output has shape (None, 1): loss mean_squared_error compares them entry by entry and would broadcast them. Pass targets of shape (None, 1) (a trailing axis of 1 may be left out).
    """
    if isinstance(loss_obj, str):
        loss_obj = losses_mod.get(loss_obj)
    rule = _label_rule(loss_obj)
    true_shape = tf.TensorShape(getattr(y_true, "shape", None))
    pred_shape = tf.TensorShape(getattr(y_pred, "shape", None))
    if rule is None or true_shape.rank is None or pred_shape.rank is None:
        return
    if rule == "sparse" and pred_shape.rank == 0:
        return
    dims = _expected_label_dims(rule, true_shape.as_list(), pred_shape.as_list())
    if dims is not None and all(
        t is None or p is None or t == p for t, p in zip(*dims)
    ):
        return
    name = get_custom_object_name(getattr(loss_obj, "fn", loss_obj))
    if rule == "sparse":
        need = "needs one class id per prediction"
        want = f"{_shape_str(pred_shape[:-1])} (or with a trailing axis of 1)"
    else:
        need = "compares them entry by entry and would broadcast them"
        want = f"{_shape_str(pred_shape)} (a trailing axis of 1 may be left out)"
        if true_shape[-1:] == [1] and losses_mod.is_categorical_crossentropy(loss_obj):
            want += "; for integer class ids use sparse_categorical_crossentropy"
    raise ValueError(
        f'Target `y` for output "{output_name}" has shape '
        f"{_shape_str(true_shape)}, but the output has shape "
        f"{_shape_str(pred_shape)}: loss {name} {need}. Pass targets of shape {want}."
    )


def _shape_str(shape: tf.TensorShape) -> str:
    return str(tuple(shape.as_list()))
