"""Whole models in HDF5 (`kengine/saving/hdf5_model.py`): tf_keras's files and ours."""

import json

import h5py
import numpy as np
import pytest

import kengine
from kengine.saving import hdf5_model
from tests.saving import _golden_models as g


@pytest.mark.parametrize("kind", g.KINDS)
def test_tf_keras_h5_loads_and_continues_training_like_tf_keras(kind):
    data = g.arrays(f"{kind}.npz")
    model = hdf5_model.load_model_from_hdf5(g.path(f"{kind}.h5"))
    g.assert_predictions(model, data)
    # The optimizer state came back: the next steps match tf_keras's reload,
    # which matched the model that was never saved.
    losses = g.continue_training(model, data)
    np.testing.assert_allclose(losses, data["h5_losses"], rtol=1e-5)
    np.testing.assert_allclose(losses, data["unsaved_losses"], rtol=1e-5)


@pytest.mark.parametrize("kind", ["mlp", "multi_io", "rnn", "conv"])
def test_kengine_h5_round_trip_continues_training_exactly(tmp_path, kind):
    data = g.arrays(f"{kind}.npz")
    model = g.model_from_golden_h5(kind)
    hdf5_model.save_model_to_hdf5(model, tmp_path / "m.h5")
    reloaded = hdf5_model.load_model_from_hdf5(tmp_path / "m.h5")
    for got, want in zip(g.predict(reloaded, data), g.predict(model, data)):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    np.testing.assert_allclose(
        g.continue_training(reloaded, data), data["unsaved_losses"], rtol=1e-5
    )


def dataset_shapes(f) -> dict:
    """`{path: shape}` of every dataset in an open HDF5 file."""
    shapes = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            shapes[name] = list(obj.shape)

    f.visititems(visit)
    return shapes


@pytest.mark.parametrize("kind", ["mlp", "conv", "rnn"])
def test_kengine_h5_has_tf_keras_layout(tmp_path, kind):
    model = g.model_from_golden_h5(kind)
    hdf5_model.save_model_to_hdf5(model, tmp_path / "m.h5")
    want = g.LAYOUTS[kind][f"{kind}.h5"]
    with h5py.File(tmp_path / "m.h5") as f:
        assert sorted(f.attrs) == sorted(want["/"])
        config = json.loads(f.attrs["training_config"])
        assert sorted(config) == sorted(want["/"]["training_config"])
        names = [
            str(n, "utf8") if isinstance(n, bytes) else n
            for n in f["optimizer_weights"].attrs["weight_names"]
        ]
        assert names == want["optimizer_weights/"]["weight_names"]
        datasets = dataset_shapes(f)
    expected = {
        key: json.loads(value.split(" ", 1)[1])
        for key, value in want.items()
        if isinstance(value, str) and value.startswith(("float32", "int64"))
    }
    assert datasets == expected


def test_compile_false_gives_an_uncompiled_model():
    model = hdf5_model.load_model_from_hdf5(g.path("mlp.h5"), compile=False)
    assert not getattr(model, "_is_compiled", False)
    g.assert_predictions(model, g.arrays("mlp.npz"))


def test_uncompiled_model_writes_no_training_config(tmp_path):
    model = kengine.Sequential([kengine.Input((2,)), kengine.layers.Dense(1)])
    hdf5_model.save_model_to_hdf5(model, tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5") as f:
        assert "training_config" not in f.attrs
        assert "optimizer_weights" not in f
    reloaded = hdf5_model.load_model_from_hdf5(tmp_path / "m.h5")
    np.testing.assert_array_equal(reloaded.get_weights()[0], model.get_weights()[0])


def test_weights_only_file_is_refused_naming_the_attribute():
    with pytest.raises(ValueError, match=r"mlp_weights\.h5.*no 'model_config'"):
        hdf5_model.load_model_from_hdf5(g.path("mlp_weights.h5"))


def test_custom_layer_needs_registration_or_custom_objects(tmp_path):
    with h5py.File(g.path("custom.h5")) as f:
        text = f.attrs["model_config"].replace("ScaleLayer", "NotRegistered")
    with h5py.File(tmp_path / "m.h5", "w") as f:
        f.attrs["model_config"] = text
    with pytest.raises(ValueError, match="NotRegistered"):
        hdf5_model.load_model_from_hdf5(tmp_path / "m.h5")


@pytest.mark.parametrize("kind", g.KINDS)
def test_kengine_h5_model_config_is_tf_keras_h5_model_config(tmp_path, kind):
    # The older style tf_keras writes (and needs for a registered custom
    # layer: class_name "kengine_test>ScaleLayer"), field for field.
    data = g.arrays(f"{kind}.npz")
    model = g.model_from_golden_h5(kind)
    hdf5_model.save_model_to_hdf5(model, tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5") as f, h5py.File(g.path(f"{kind}.h5")) as ref:
        assert json.loads(f.attrs["model_config"]) == json.loads(
            ref.attrs["model_config"]
        )
    g.assert_predictions(hdf5_model.load_model_from_hdf5(tmp_path / "m.h5"), data)


def test_reader_also_accepts_the_newer_to_json_style(tmp_path):
    data = g.arrays("custom.npz")
    model = g.model_from_golden_h5("custom")
    hdf5_model.save_model_to_hdf5(model, tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "r+") as f:
        f.attrs["model_config"] = model.to_json()
    g.assert_predictions(hdf5_model.load_model_from_hdf5(tmp_path / "m.h5"), data)


def test_legacy_model_config_rewrites_nested_models_only_at_layer_entries():
    newer = {
        "class_name": "Functional",
        "keras_version": "2.21.0",
        "backend": "tensorflow",
        "config": {
            "name": "outer",
            "layers": [
                {
                    "module": "keras",
                    "class_name": "Sequential",
                    "registered_name": None,
                    "build_config": {"input_shape": [None, 2]},
                    "config": {
                        "name": "inner",
                        "layers": [
                            {
                                "module": "pkg.mod",
                                "class_name": "Scale",
                                "registered_name": "pkg>Scale",
                                "config": {"init": {"module": "m", "class_name": "I"}},
                            }
                        ],
                    },
                }
            ],
        },
    }
    scale = {
        "class_name": "pkg>Scale",
        "config": {"init": {"module": "m", "class_name": "I"}},
    }
    assert hdf5_model.legacy_model_config(newer) == {
        "class_name": "Functional",
        "config": {
            "name": "outer",
            "layers": [
                {
                    "class_name": "Sequential",
                    "config": {"name": "inner", "layers": [scale]},
                }
            ],
        },
    }
    assert newer["keras_version"] == "2.21.0"  # the argument is not changed
