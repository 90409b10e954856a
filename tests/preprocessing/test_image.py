"""Tests for kengine/preprocessing/image.py (ImageDataGenerator) against
tf_keras goldens: fixed transforms in every fill mode, seeded random
parameters, `fit` statistics and `standardize`."""

import numpy as np
import pytest

import kengine.utils
from kengine.preprocessing import image
from tests.goldens import load_json, load_npz

META = load_json("data_utils", "image_generator.json")
ARRAYS = load_npz("data_utils", "image_generator.npz")
X = ARRAYS["x"]


@pytest.mark.parametrize("fill_mode", ["nearest", "constant", "reflect", "wrap"])
@pytest.mark.parametrize("index", range(len(META["fixed_params"])))
def test_apply_transform_matches_tf_keras(fill_mode, index):
    gen = image.ImageDataGenerator(fill_mode=fill_mode, cval=-1.0)
    out = gen.apply_transform(X.copy(), META["fixed_params"][index])
    np.testing.assert_array_equal(out, ARRAYS[f"fixed_{fill_mode}_{index}"])


@pytest.mark.parametrize("index", range(4))
def test_apply_transform_channels_first(index):
    gen = image.ImageDataGenerator(data_format="channels_first")
    out = gen.apply_transform(X.transpose(2, 0, 1).copy(), META["fixed_params"][index])
    np.testing.assert_array_equal(out, ARRAYS[f"fixed_cf_{index}"])


def test_get_random_transform_matches_tf_keras():
    kwargs = META["generator_kwargs"]
    gen = image.ImageDataGenerator(brightness_range=(0.5, 1.5), **kwargs)
    params = [gen.get_random_transform(X.shape, seed=s) for s in (0, 1, 2)]
    int_shift = image.ImageDataGenerator(width_shift_range=2, height_shift_range=3.0)
    params += [int_shift.get_random_transform(X.shape, seed=s) for s in (3, 4)]
    got = [{k: (None if v is None else float(v)) for k, v in p.items()} for p in params]
    assert got == META["random_params"]


def test_random_transform_is_get_then_apply():
    gen = image.ImageDataGenerator(rotation_range=40, horizontal_flip=True)
    expected = gen.apply_transform(X, gen.get_random_transform(X.shape, seed=5))
    np.testing.assert_array_equal(gen.random_transform(X, seed=5), expected)


FIT_CASES = {
    "feature": {"featurewise_center": True, "featurewise_std_normalization": True},
    "sample": {"samplewise_center": True, "samplewise_std_normalization": True},
    "zca": {"zca_whitening": True, "rescale": 0.1},
    "augment": {"featurewise_center": True, "rotation_range": 10},
}


@pytest.mark.parametrize("name", FIT_CASES)
def test_fit_and_standardize_match_tf_keras(name):
    kwargs = FIT_CASES[name]
    if name == "zca":
        with pytest.warns(UserWarning, match="`zca_whitening`, which overrides"):
            gen = image.ImageDataGenerator(**kwargs)
    else:
        gen = image.ImageDataGenerator(**kwargs)
    x_batch = ARRAYS["x_batch"]
    gen.fit(x_batch, augment=name == "augment", rounds=2, seed=8)
    for stat in ("mean", "std", "zca"):
        key = f"fit_{name}_{stat}"
        value = gen.zca_whitening_matrix if stat == "zca" else getattr(gen, stat)
        if key in ARRAYS:
            np.testing.assert_array_equal(value, ARRAYS[key])
        else:
            assert value is None
    np.testing.assert_array_equal(
        gen.standardize(x_batch[:2].copy()),
        ARRAYS[f"fit_{name}_standardized"],
    )


def test_standardize_order_and_unfitted_warning():
    gen = image.ImageDataGenerator(
        preprocessing_function=lambda x: x + 1.0, rescale=2.0, featurewise_center=True
    )
    with pytest.warns(UserWarning, match="hasn't been fit on any training data"):
        out = gen.standardize(np.full((1, 1, 1), 3.0))
    assert out.tolist() == [[[8.0]]]  # (3 + 1) * 2, the mean not subtracted yet


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"data_format": "nhwc"}, r"Received: data_format='nhwc'"),
        ({"validation_split": 1.0}, r"Received: validation_split=1.0"),
        ({"zoom_range": [0.5]}, r"Received: zoom_range=\[0.5\]"),
        ({"brightness_range": 0.5}, r"Received: brightness_range=0.5"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        image.ImageDataGenerator(**kwargs)


def test_fit_needs_rank_4_and_dataframes_are_refused():
    gen = image.ImageDataGenerator(featurewise_center=True)
    with pytest.raises(ValueError, match=r"rank 4. Received: shape=\(6, 5, 3\)"):
        gen.fit(X)
    with pytest.raises(
        NotImplementedError, match="flow_from_dataframe is not supported"
    ):
        gen.flow_from_dataframe(None)


def test_zoom_range_float_becomes_an_interval():
    assert image.ImageDataGenerator(zoom_range=0.25).zoom_range == [0.75, 1.25]


def test_file_helpers_are_the_utils_ones():
    for name in ("load_img", "img_to_array", "array_to_img", "save_img"):
        assert getattr(image, name) is getattr(kengine.utils, name)
