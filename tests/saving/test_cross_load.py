"""Files written by kengine, opened by tf_keras: the committed report of
`tools/kengine_to_tf_keras.py` (written from `tools/write_kengine_models.py`'s files).

Regenerate where tf_keras is installed (see `tools/write_kengine_models.py`).
"""

import pytest

from tests.goldens import load_json
from tests.saving import _golden_models as g

REPORT = load_json(g.AREA, "kengine_in_tf_keras.json")
# Known gaps, each with its cause (see the issue 12 report):
KNOWN_GAPS = {
    # tf_keras rebuilds a Keras model from a SavedModel only through its
    # keras_metadata.pb object graph, which kengine does not write (serving works).
    ("mlp", "mlp_savedmodel/"),
    ("multi_io", "multi_io_savedmodel/"),
    ("custom", "custom_savedmodel/"),
}


def _entries():
    return [
        (case, name, entry)
        for case, files in sorted(REPORT["cases"].items())
        for name, entry in sorted(files.items())
    ]


@pytest.mark.parametrize("case, name, entry", _entries(), ids=lambda v: str(v)[:40])
def test_tf_keras_opens_kengine_files_with_the_same_predictions(case, name, entry):
    if (case, name) in KNOWN_GAPS:
        assert not entry["ok"]  # fixed? then remove it from KNOWN_GAPS
        return
    assert entry["ok"], entry
    assert entry.get("max_abs_diff", 0.0) <= 1e-5
    assert entry.get("continue_max_abs_diff", 0.0) <= 1e-5


def test_every_kind_and_format_was_checked():
    names = {name for files in REPORT["cases"].values() for name in files}
    for kind in g.KINDS:
        for suffix in (".h5", ".keras", ".json", "_weights.h5", ".weights.h5"):
            assert f"{kind}{suffix}" in names
    for kind in g.SAVEDMODEL_KINDS:
        assert f"{kind}_savedmodel/:serving_default" in names


@pytest.mark.parametrize("kind", g.KINDS)
def test_kengine_h5_files_have_tf_keras_layout_exactly(kind):
    # model_config included: the older config style tf_keras writes into h5.
    assert REPORT["cases"][kind][f"{kind}.h5"]["layout_matches"]
