"""The Keras 2 HDF5 layout: kengine writes tf_keras's files and reads them back."""

import logging

import h5py
import numpy as np
import pytest
import tensorflow as tf

import kengine
from kengine.saving import hdf5_format
from tests.goldens import path
from tests.saving._models import (
    BUILDERS,
    GOLDEN,
    bn,
    inputs,
    mlp,
    set_golden_weights,
)


def _layout(group) -> dict:
    """Every attribute (value and HDF5 string type) and dataset of a file."""
    out = {}
    for name, value in group.attrs.items():
        string_type = h5py.check_string_dtype(group.attrs.get_id(name).dtype)
        value = value.tolist() if isinstance(value, np.ndarray) else value
        out["@" + name] = (value, repr(string_type))
    for name, item in group.items():
        if isinstance(item, h5py.Group):
            out[name + "/"] = _layout(item)
        else:
            out[name] = (item.shape, str(item.dtype), np.asarray(item).tolist())
    return out


@pytest.mark.parametrize("case", ["mlp", "bn"])
def test_written_file_is_the_tf_keras_file(case, tmp_path):
    model = BUILDERS[case]()
    set_golden_weights(model, case)
    model.save_weights(tmp_path / "w.h5")
    with (
        h5py.File(tmp_path / "w.h5") as mine,
        h5py.File(path("saving", f"{case}.h5")) as ref,
    ):
        assert _layout(mine) == _layout(ref)


def test_batch_norm_weights_are_stored_trainable_first(tmp_path):
    model = bn()
    model.save_weights(tmp_path / "w.h5")
    with h5py.File(tmp_path / "w.h5") as f:
        names = hdf5_format.load_attributes_from_hdf5_group(
            f["batch_normalization"], "weight_names"
        )
    assert [n.split("/")[-1] for n in names] == [
        "gamma:0",
        "beta:0",
        "moving_mean:0",
        "moving_variance:0",
    ]


@pytest.mark.parametrize("case", sorted(BUILDERS))
def test_tf_keras_file_loads_with_identical_predictions(case):
    model = BUILDERS[case]()
    model.load_weights(path("saving", f"{case}.h5"))
    # The weights load bit for bit; predictions may differ by an ulp where this
    # machine's CPU kernels sum in another order than the one that wrote goldens.
    np.testing.assert_allclose(
        model.predict(inputs(case), verbose=0), GOLDEN[f"{case}_y"], rtol=1e-6
    )


def test_keras3_weights_file_loads_with_identical_predictions():
    model = mlp()
    model.load_weights(path("saving", "mlp_keras3.weights.h5"))
    np.testing.assert_allclose(
        model.predict(inputs("mlp"), verbose=0), GOLDEN["mlp_y"], rtol=1e-6
    )


def test_keras3_names_number_layers_by_class():
    class Dense:
        pass

    class BatchNormalization:
        pass

    layers = [Dense(), BatchNormalization(), Dense(), Dense()]
    assert hdf5_format.keras3_names(layers) == [
        "dense",
        "batch_normalization",
        "dense_1",
        "dense_2",
    ]


def test_long_attributes_are_chunked_and_read_back(tmp_path):
    names = [f"layer_with_a_long_name_{i:05d}".encode() for i in range(4000)]
    with h5py.File(tmp_path / "a.h5", "w") as f:
        hdf5_format.save_attributes_to_hdf5_group(f, "layer_names", names)
        assert "layer_names" not in f.attrs and "layer_names0" in f.attrs
        assert "layer_names1" in f.attrs and "layer_names2" not in f.attrs
        loaded = hdf5_format.load_attributes_from_hdf5_group(f, "layer_names")
    assert loaded == [n.decode() for n in names]


def test_an_attribute_item_over_the_header_limit_is_refused(tmp_path):
    with h5py.File(tmp_path / "a.h5", "w") as f, pytest.raises(RuntimeError):
        hdf5_format.save_attributes_to_hdf5_group(f, "x", [b"a" * 70000])


def test_duplicate_weight_names_raise_a_clear_error(tmp_path):
    # The seed notes' "h5 export fails with duplicate variable names".
    class Layer:
        name = "twins"

    with tf.name_scope("twins"):
        weights = [tf.Variable(1.0, name="w"), tf.Variable(2.0, name="w")]
    with h5py.File(tmp_path / "a.h5", "w") as f:
        with pytest.raises(ValueError, match=r"'twins'.*\['twins/w:0'\] appear more"):
            hdf5_format.save_subset_weights_to_hdf5_group(
                f.create_group("g"), weights, "twins"
            )


def test_layer_count_mismatch_names_both_sides():
    model = bn()
    with pytest.raises(
        ValueError, match="Model expected 3 layers, found 2 saved layers"
    ):
        model.load_weights(path("saving", "mlp.h5"))


def test_shape_mismatch_names_the_layers(tmp_path):
    model = mlp()
    model.save_weights(tmp_path / "w.h5")
    other = BUILDERS["mlp"]()
    other.layers[0].kernel.assign(np.ones((4, 3)))
    with h5py.File(tmp_path / "w.h5", "a") as f:
        name = f["dense_1"].attrs["weight_names"][0]
        del f["dense_1"][name]
        f["dense_1"].create_dataset(name, data=np.zeros((5, 2), np.float32))
    before = other.get_weights()
    with pytest.raises(ValueError, match=r"Shape mismatch in layer #1 \(named dense_"):
        other.load_weights(tmp_path / "w.h5")
    # Nothing was assigned: the checks run before the first assignment.
    for a, b in zip(before, other.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_by_name_loads_matching_layers_and_skips_mismatches(tmp_path, caplog):
    source = mlp()
    source.save_weights(tmp_path / "w.h5")
    target = mlp()  # names dense_2, dropout_1, dense_3: nothing matches
    before = target.get_weights()
    target.load_weights(tmp_path / "w.h5", by_name=True)
    for a, b in zip(before, target.get_weights()):
        np.testing.assert_array_equal(a, b)
    with h5py.File(tmp_path / "w.h5", "a") as f:  # rename a group to match
        f.attrs["layer_names"] = [
            target.layers[0].name.encode(),
            b"dropout",
            b"dense_1",
        ]
        f.move("dense", target.layers[0].name)
    target.load_weights(tmp_path / "w.h5", by_name=True)
    np.testing.assert_array_equal(
        target.layers[0].kernel.numpy(), source.layers[0].kernel.numpy()
    )
    kengine.backend.clear_session()
    wrong = bn()  # dense (3, 4): shape mismatch with the file's dense (4, 3)
    with caplog.at_level(logging.WARNING, logger="kengine"):
        wrong.load_weights(path("saving", "mlp.h5"), by_name=True, skip_mismatch=True)
    assert (
        "Skipping loading weights due to mismatch in layer #0 (named dense)"
        in caplog.text
    )
    with pytest.raises(
        ValueError, match="Shape mismatch in layer #0 \\(named dense\\)"
    ):
        wrong.load_weights(path("saving", "mlp.h5"), by_name=True)


def _replace_dataset(filepath, group: str, name: str, data) -> None:
    with h5py.File(filepath, "a") as f:
        del f[group][name]
        f[group].create_dataset(name, data=data)


def _assert_unchanged(model, before) -> None:
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("by_name", [False, True])
def test_string_kernel_raises_before_any_weight_changes(tmp_path, by_name):
    # The last layer's kernel is corrupt: the first layer must not be loaded
    # (Keras 2 converts while assigning and fails after the first layer).
    model = mlp()
    model.save_weights(tmp_path / "w.h5")
    _replace_dataset(
        tmp_path / "w.h5", "dense_1", "dense_1/kernel:0", np.full((3, 2), b"abc")
    )
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    before = model.get_weights()
    message = (
        r"Dtype mismatch in layer #2 \(named dense_1.* for weight dense_1/kernel:0\. "
        r"Weight expects numbers convertible to float32\. Received saved weight of "
        r"dtype \|S3 \(shape \(3, 2\)\) in '.*w\.h5'"
    )
    if not by_name:
        message = message.replace("#2", "#1")  # counted among layers with weights
    with pytest.raises(ValueError, match=message):
        model.load_weights(tmp_path / "w.h5", by_name=by_name)
    _assert_unchanged(model, before)


def test_string_variable_in_a_keras3_file_changes_nothing(tmp_path):
    target = tmp_path / "w.weights.h5"
    target.write_bytes(path("saving", "mlp_keras3.weights.h5").read_bytes())
    _replace_dataset(target, "layers/dense_1/vars", "0", np.full((3, 2), b"abc"))
    model = mlp()
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"Dtype mismatch in layer dense_1 for weight"):
        model.load_weights(target)
    _assert_unchanged(model, before)


def test_wrong_weight_count_changes_nothing(tmp_path):
    model = mlp()
    model.save_weights(tmp_path / "w.h5")
    with h5py.File(tmp_path / "w.h5", "a") as f:
        f["dense_1"].attrs["weight_names"] = [b"dense_1/kernel:0"]
    before = model.get_weights()
    with pytest.raises(
        ValueError,
        match=r"Weight count mismatch for layer #1 \(named dense_1 in the current "
        r"model, dense_1 in the save file\): mismatch in number of weights\. Expects "
        r"2 weight\(s\)\. Received 1 saved weight\(s\) in '.*w\.h5'",
    ):
        model.load_weights(tmp_path / "w.h5")
    _assert_unchanged(model, before)


def test_a_listed_weight_missing_from_the_file_is_a_value_error(tmp_path):
    model = mlp()
    model.save_weights(tmp_path / "w.h5")
    with h5py.File(tmp_path / "w.h5", "a") as f:
        del f["dense_1"]["dense_1/bias:0"]
    with pytest.raises(
        ValueError, match=r"lists weight 'dense_1/bias:0' in '/dense_1'"
    ):
        model.load_weights(tmp_path / "w.h5")


def test_by_name_with_skip_mismatch_reports_what_loaded_and_what_not(tmp_path):
    source = kengine.Sequential(
        [
            kengine.Input((4,)),
            kengine.layers.Dense(3, name="a"),
            kengine.layers.Dense(5, name="b"),
            kengine.layers.Dense(1, name="gone"),
        ]
    )
    source.save_weights(tmp_path / "w.h5")
    target = kengine.Sequential(
        [
            kengine.Input((4,)),
            kengine.layers.Dense(3, name="a"),
            kengine.layers.Dense(2, name="b"),  # other shape: skipped
            kengine.layers.Dense(1, name="new"),  # not in the file: missing
        ]
    )
    b_before = target.get_layer("b").get_weights()
    report = target.load_weights(tmp_path / "w.h5", by_name=True, skip_mismatch=True)
    assert report.loaded == [("a", "a/kernel:0"), ("a", "a/bias:0")]
    assert [(where, name) for where, name, _ in report.skipped] == [
        ("layer #1 (named b)", "b/kernel:0"),
        ("layer #1 (named b)", "b/bias:0"),
    ]
    assert "(3, 5)" in report.skipped[0][2] and "(3, 2)" in report.skipped[0][2]
    assert report.missing == ["new"]
    assert report.unexpected == ["gone"]
    np.testing.assert_array_equal(
        target.get_layer("a").get_weights()[0], source.get_layer("a").get_weights()[0]
    )
    for got, want in zip(target.get_layer("b").get_weights(), b_before):
        np.testing.assert_array_equal(got, want)
