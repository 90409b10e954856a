"""Writes kengine's whole-model and weight files for `tools/kengine_to_tf_keras.py`.

    python tools/write_kengine_models.py OUT_DIR

For each model kind of `testdata/saving_models/` this loads tf_keras's `<kind>.h5`
into kengine (trained weights and optimizer state), then writes with kengine:
`<kind>.h5`, `<kind>.keras`, `<kind>.json`, `<kind>_weights.h5`,
`<kind>.weights.h5` (and `<kind>_savedmodel/` for the SavedModel kinds), plus
`<kind>.npz` with the inputs, targets, kengine's predictions and the golden
`unsaved_losses`. Then, where tf_keras is installed:

    python tools/kengine_to_tf_keras.py OUT_DIR \
        --layouts testdata/saving_models/layouts.json \
        --out testdata/saving_models/kengine_in_tf_keras.json

The committed report is checked by `tests/saving/test_cross_load.py`.
"""

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kengine.saving import saving_api  # noqa: E402
from tests.saving import _golden_models as g  # noqa: E402 (registers ScaleLayer)


def write_kind(kind: str, out: Path) -> None:
    data = g.arrays(f"{kind}.npz")
    model = g.model_from_golden_h5(kind)
    saving_api.save_model(model, out / f"{kind}.h5")
    saving_api.save_model(model, out / f"{kind}.keras")
    if kind in g.SAVEDMODEL_KINDS:
        saving_api.save_model(model, out / f"{kind}_savedmodel")
    (out / f"{kind}.json").write_text(model.to_json())
    model.save_weights(out / f"{kind}_weights.h5")
    model.save_weights(out / f"{kind}.weights.h5")
    arrays = {k: v for k, v in data.items() if k[0] == "x" or k.startswith("t_")}
    arrays.update({f"y{i}": y for i, y in enumerate(g.predict(model, data))})
    arrays["unsaved_losses"] = data["unsaved_losses"]
    np.savez(out / f"{kind}.npz", **arrays)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for kind in g.KINDS:
        write_kind(kind, out)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
