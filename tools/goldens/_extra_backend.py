"""`K.*` cases of the `library_extra` goldens (see `library_extra.py`).

Each case calls one `tf_keras.backend` function on fixed inputs. Array
arguments are stored in `backend.npz` as `<case>/arg<i>` (and passed as
tensors), other arguments in `backend.json`; the result is `<case>/out`.
"""

from pathlib import Path

import numpy as np
import tensorflow as tf
import tf_keras as keras

from goldens._common import range_like, write_json, write_npz


def _a(*shape, scale=1.0, offset=0.0):
    return range_like(shape, scale, offset)


# case id -> (function name, positional args, keyword args)
CASES = {
    "one_hot": ("one_hot", [np.array([[0, 2], [1, 3]], np.int32)], {"num_classes": 4}),
    "eye": ("eye", [3], {}),
    "arange": ("arange", [2, 9, 3], {}),
    "arange_negative_start": ("arange", [-3], {}),
    "arange_float": ("arange", [1, 4], {"dtype": "float32"}),
    "gather": ("gather", [_a(4, 3), np.array([2, 0, 2], np.int32)], {}),
    "tile": ("tile", [_a(2, 3), [2, 1]], {}),
    "repeat": ("repeat", [_a(2, 3), 3], {}),
    "repeat_elements": ("repeat_elements", [_a(2, 3, 2), 2], {"axis": 1}),
    "permute_dimensions": ("permute_dimensions", [_a(2, 3, 4), [2, 0, 1]], {}),
    "reverse": ("reverse", [_a(2, 3, 4), [0, 2]], {}),
    "batch_flatten": ("batch_flatten", [_a(2, 3, 4)], {}),
    "temporal_padding": ("temporal_padding", [_a(2, 3, 2), [1, 2]], {}),
    "spatial_2d_padding_cf": (
        "spatial_2d_padding",
        [_a(1, 2, 3, 3), [[1, 0], [2, 1]]],
        {"data_format": "channels_first"},
    ),
    "spatial_3d_padding": (
        "spatial_3d_padding",
        [_a(1, 2, 2, 2, 1), [[1, 0], [0, 1], [1, 1]]],
        {},
    ),
    "cumsum": ("cumsum", [_a(3, 4)], {"axis": 1}),
    "cumprod": ("cumprod", [_a(3, 4, offset=1.0) + 1.0], {}),
    "l2_normalize": ("l2_normalize", [_a(3, 4)], {"axis": -1}),
    "l2_normalize_all": ("l2_normalize", [_a(3, 4)], {}),
    "in_top_k": ("in_top_k", [_a(4, 5), np.array([0, 1, 2, 3], np.int32), 2], {}),
    "elu_alpha": ("elu", [_a(3, 4, scale=3.0)], {"alpha": 0.5}),
    "hard_sigmoid": ("hard_sigmoid", [_a(3, 4, scale=5.0)], {}),
    "softsign": ("softsign", [_a(3, 4, scale=3.0)], {}),
    "cos": ("cos", [_a(3, 4, scale=3.0)], {}),
    "sin": ("sin", [_a(3, 4, scale=3.0)], {}),
    "stop_gradient": ("stop_gradient", [_a(2, 2)], {}),
    "bias_add_cf_4d": (
        "bias_add",
        [_a(2, 3, 2, 2), _a(3)],
        {"data_format": "channels_first"},
    ),
    "bias_add_cf_3d": (
        "bias_add",
        [_a(2, 3, 4), _a(3)],
        {"data_format": "channels_first"},
    ),
    "bias_add_full": ("bias_add", [_a(2, 3, 4), _a(3, 4)], {}),
    "switch_scalar": ("switch", [np.array(False), _a(2, 2), _a(2, 2, offset=1.0)], {}),
    "switch_rank2": ("switch", [_a(2, 3) > 0, _a(2, 3, 2), -_a(2, 3, 2)], {}),
    "switch_same_rank": ("switch", [_a(2, 3) > 0, _a(2, 3), -_a(2, 3)], {}),
    "in_train_phase_tensor": (
        "in_train_phase",
        [_a(2), _a(2, offset=1.0)],
        {"training": np.array(True)},
    ),
    "in_test_phase": ("in_test_phase", [_a(2), _a(2, offset=1.0)], {"training": 1}),
    "batch_dot_axes": ("batch_dot", [_a(2, 3, 4), _a(2, 4, 5)], {"axes": [2, 1]}),
    "batch_dot_2d": ("batch_dot", [_a(2, 3), _a(2, 3, offset=1.0)], {"axes": 1}),
}


def _encode(case: str, position, value, arrays: dict):
    if isinstance(value, np.ndarray):
        arrays[f"{case}/arg{position}"] = value
        return {"array": f"{case}/arg{position}"}
    return {"value": value}


def _call(name: str, args: list, kwargs: dict):
    args = [tf.constant(a) if isinstance(a, np.ndarray) else a for a in args]
    kwargs = {
        k: tf.constant(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()
    }
    return getattr(keras.backend, name)(*args, **kwargs)


def generate(out_dir: Path) -> None:
    """Writes `backend.json` and `backend.npz` into `out_dir`."""
    arrays, meta = {}, {}
    for case, (name, args, kwargs) in CASES.items():
        out = _call(name, args, kwargs)
        arrays[f"{case}/out"] = np.asarray(out)
        meta[case] = {
            "function": name,
            "args": [_encode(case, i, a, arrays) for i, a in enumerate(args)],
            "kwargs": {k: _encode(case, k, v, arrays) for k, v in kwargs.items()},
        }
    write_npz(out_dir, "backend.npz", **arrays)
    write_json(out_dir, "backend.json", meta)
