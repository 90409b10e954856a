"""Small stand-ins for the dataset files, in the real files' format.

`tools/goldens/_data_utils_legacy.py` saved the raw contents it gave tf_keras
in `testdata/data_utils/datasets.json`; `serve` writes the same `.npz`
locally and points the module's `ORIGIN` (a `file://` URL) and `FILE_HASH` at
it, so `load_data` runs its real download, hash check and cache code without
a network.
"""

import hashlib

import numpy as np

from tests.goldens import load_json

GOLDEN = load_json("data_utils", "datasets.json")


def object_array(lists) -> np.ndarray:
    out = np.empty(len(lists), dtype="object")
    out[:] = lists
    return out


def write_npz(path, raw: dict, float_keys=()) -> None:
    """Sequences (`x*`) as object arrays, like the real IMDB/Reuters files."""
    arrays = {}
    for key, value in raw.items():
        if key in float_keys:
            arrays[key] = np.array(value, dtype="float64")
        elif key.startswith("x"):
            arrays[key] = object_array(value)
        else:
            arrays[key] = np.array(value)
    np.savez(path, **arrays)


def serve(module, monkeypatch, tmp_path, name: str, float_keys=()):
    """Writes the fake file for dataset `name`; returns its path."""
    source = tmp_path / "origin" / f"{name}.npz"
    source.parent.mkdir(exist_ok=True)
    write_npz(source, GOLDEN["raw"][name], float_keys)
    monkeypatch.setattr(module, "ORIGIN", source.as_uri())
    monkeypatch.setattr(
        module, "FILE_HASH", hashlib.sha256(source.read_bytes()).hexdigest()
    )
    return source


def as_lists(array) -> list:
    """An object array of sequences (or a numeric array) as plain lists."""
    if array.dtype == object:
        return [list(map(int, x)) for x in array]
    return array.tolist()
