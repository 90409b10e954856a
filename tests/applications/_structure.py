"""Checks an application model against the structure tf_keras recorded for it.

`tools/goldens/applications.py` wrote `testdata/applications/structure.json`:
per case, the constructor and its arguments, and what tf_keras built from them
(layer names and classes, weight names and shapes in order, parameter counts
and, for the cases built on every run, the `summary()` text).
"""

import contextlib
import io
import os

import numpy as np
import pytest

from kengine import applications, backend
from tests.goldens import load_json

STRUCTURES = load_json("applications", "structure.json")
# The largest variants take 10-30 s each to build on two CPU cores; their
# structures are checked when this variable is set (CI nightly, releases).
BIG = pytest.mark.skipif(
    not os.environ.get("KENGINE_BIG_APPLICATIONS"),
    reason="large variant: set KENGINE_BIG_APPLICATIONS=1 to build it",
)


def build(key: str, **overrides):
    """Builds the golden case `key` in kengine, with fresh layer names."""
    case = STRUCTURES[key]
    backend.clear_session()
    kwargs = {
        k: tuple(v) if isinstance(v, list) else v for k, v in case["kwargs"].items()
    }
    kwargs.update(overrides)
    constructor = getattr(getattr(applications, case["module"]), case["ctor"])
    return constructor(weights=None, **kwargs)


def summary_text(model) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        model.summary()
    return buf.getvalue()


def assert_structure(key: str, model) -> None:
    """Names, classes, weight order and shapes, counts and summary equal tf_keras's."""
    golden = STRUCTURES[key]
    assert model.name == golden["name"]
    layers = [[layer.name, type(layer).__name__] for layer in model.layers]
    assert layers == golden["layers"]
    weights = [[w.name, list(w.shape)] for w in model.weights]
    assert weights == golden["weights"]
    assert model.count_params() == golden["params"]
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    assert trainable == golden["trainable"]
    if golden["full"]:
        assert summary_text(model) == golden["summary"]


def keys_of(module: str, full: bool) -> list:
    """The golden cases of one family module, built every run or only when BIG."""
    keys = [
        key
        for key, case in STRUCTURES.items()
        if case["module"] == module and case["full"] == full
    ]
    if not keys:  # An empty parametrize would skip silently.
        raise LookupError(f"structure.json has no {module} case with full={full}")
    return keys
