"""Replays the `K.*` goldens of `testdata/library_extra/backend.*` on kengine.

Each case names a `tf_keras.backend` function, its arguments (arrays stored in
the npz, passed as tensors; other values from the JSON) and its output.
"""

import numpy as np
import tensorflow as tf

from kengine import backend as K
from tests.goldens import load_json, load_npz

META = load_json("library_extra", "backend.json")
ARRAYS = load_npz("library_extra", "backend.npz")


def cases_of(*functions: str) -> list[str]:
    """Case ids calling one of `functions`."""
    return [c for c, m in META.items() if m["function"] in functions]


def _decode(spec):
    if "array" in spec:
        return tf.constant(ARRAYS[spec["array"]])
    return spec["value"]


def check_case(case: str) -> None:
    """kengine's `K.<function>` on the stored inputs gives tf_keras's output."""
    meta = META[case]
    args = [_decode(a) for a in meta["args"]]
    kwargs = {k: _decode(v) for k, v in meta["kwargs"].items()}
    out = getattr(K, meta["function"])(*args, **kwargs)
    expected = ARRAYS[f"{case}/out"]
    out = np.asarray(out)
    assert out.dtype == expected.dtype, (out.dtype, expected.dtype)
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-7)
