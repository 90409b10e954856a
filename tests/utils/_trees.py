"""Rebuilds the file trees the data-utility goldens were made from.

`tools/goldens/data_utils.py` wrote every file of its text, image and audio
trees into `testdata/data_utils/trees.json` (base64); writing them back gives
byte-identical trees, so kengine reads exactly what tf_keras read.
"""

import base64
from pathlib import Path

from tests.goldens import load_json

AREA = "data_utils"


def write_tree(kind: str, root: Path) -> Path:
    """Writes the `kind` tree ("text", "image" or "audio") under `root/kind`."""
    base = root / kind
    for name, data in load_json(AREA, "trees.json")[kind].items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
    return base


def kwargs_of(case: dict) -> dict:
    """A golden case's keyword arguments, JSON lists turned back into tuples
    where the utilities expect them."""
    kwargs = dict(case)
    for key in ("image_size",):
        if key in kwargs:
            kwargs[key] = tuple(kwargs[key])
    return kwargs
