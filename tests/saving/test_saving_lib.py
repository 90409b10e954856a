"""The v3 formats (`kengine/saving/saving_lib.py`): `.keras` and `.weights.h5`."""

import json
import zipfile

import h5py
import numpy as np
import pytest

from kengine.saving import saving_lib
from tests.saving import _golden_models as g


def h5_entries(f) -> dict:
    """`{path/: {} for groups, path: "dtype [shape]" for datasets}` as layouts.json."""
    entries = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            entries[name] = f"{obj.dtype} {list(obj.shape)}"
        else:
            entries[name + "/"] = {}

    f.visititems(visit)
    return entries


def _model_part(layout: dict) -> dict:
    """The weights and optimizer entries (metrics differ by compile history)."""
    return {
        k: v
        for k, v in layout.items()
        if k.startswith(("layers/", "vars/", "optimizer/"))
    }


@pytest.mark.parametrize("kind", g.KINDS)
def test_tf_keras_archive_loads_and_continues_training_like_tf_keras(kind):
    data = g.arrays(f"{kind}.npz")
    model = saving_lib.load_model(g.path(f"{kind}.keras"))
    g.assert_predictions(model, data)
    np.testing.assert_allclose(
        g.continue_training(model, data), data["keras_losses"], rtol=1e-5
    )


@pytest.mark.parametrize("kind", g.KINDS)
def test_kengine_weights_h5_has_tf_keras_layout(tmp_path, kind):
    model = g.model_from_golden_h5(kind)
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5") as f:
        got = h5_entries(f)
    want = g.LAYOUTS[kind][f"{kind}.weights.h5"]
    assert _model_part(got) == _model_part(want)


@pytest.mark.parametrize("kind", g.KINDS)
def test_tf_keras_weights_h5_loads(kind):
    data = g.arrays(f"{kind}.npz")
    model = g.model_from_golden_h5(kind)
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    model.load_weights(g.path(f"{kind}.weights.h5"))
    g.assert_predictions(model, data)


@pytest.mark.parametrize("kind", g.KERAS3_KINDS)
def test_keras3_archive_and_weights_load(kind):
    data = g.arrays(f"{kind}_keras3.npz")
    g.assert_predictions(saving_lib.load_model(g.path(f"{kind}_keras3.keras")), data)
    model = g.model_from_golden_h5(kind)
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    model.load_weights(g.path(f"{kind}_keras3.weights.h5"))
    g.assert_predictions(model, data)


@pytest.mark.parametrize("kind", ["mlp", "multi_io", "nested", "custom"])
def test_kengine_archive_round_trip(tmp_path, kind):
    data = g.arrays(f"{kind}.npz")
    model = g.model_from_golden_h5(kind)
    saving_lib.save_model(model, tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        assert archive.namelist() == [
            "metadata.json",
            "config.json",
            "model.weights.h5",
        ]
        config = json.loads(archive.read("config.json"))
    assert {"class_name", "config", "build_config", "compile_config"} <= set(config)
    reloaded = saving_lib.load_model(tmp_path / "m.keras")
    for got, want in zip(g.predict(reloaded, data), g.predict(model, data)):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    np.testing.assert_allclose(
        g.continue_training(reloaded, data), data["unsaved_losses"], rtol=1e-5
    )


def test_weights_of_another_model_leave_the_model_unchanged():
    model = g.model_from_golden_h5("mlp")
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"conv\.weights\.h5"):
        model.load_weights(g.path("conv.weights.h5"))
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, want)


def test_shape_mismatch_names_layer_and_file(tmp_path):
    target = tmp_path / "w.weights.h5"
    target.write_bytes(g.path("mlp.weights.h5").read_bytes())
    with h5py.File(target, "a") as f:
        del f["layers/dense_1/vars/0"]
        f["layers/dense_1/vars"].create_dataset("0", data=np.zeros((8, 4), "f4"))
    model = g.model_from_golden_h5("mlp")
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"Shape mismatch in layer dense_1 .*\(8, 4\)"):
        model.load_weights(target)
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(got, want)


def test_archive_without_config_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "m.keras", "w") as archive:
        archive.writestr("model.weights.h5", b"")
    with pytest.raises(ValueError, match=r"m\.keras.*no config\.json"):
        saving_lib.load_model(tmp_path / "m.keras")
