"""kengine.layers.experimental.preprocessing: the old names of the layers."""

import pytest

import kengine
from kengine.layers.experimental import preprocessing

NAMES = [
    "CategoryEncoding",
    "CenterCrop",
    "Discretization",
    "HashedCrossing",
    "Hashing",
    "IntegerLookup",
    "Normalization",
    "RandomContrast",
    "RandomCrop",
    "RandomFlip",
    "RandomHeight",
    "RandomRotation",
    "RandomTranslation",
    "RandomWidth",
    "RandomZoom",
    "Rescaling",
    "Resizing",
    "StringLookup",
    "TextVectorization",
]


@pytest.mark.parametrize("name", NAMES)
def test_old_names_are_the_same_classes(name):
    assert getattr(preprocessing, name) is getattr(kengine.layers, name)


def test_the_namespace_as_old_code_reaches_it():
    assert kengine.layers.experimental.preprocessing is preprocessing
    assert sorted(preprocessing.__all__) == sorted([*NAMES, "PreprocessingLayer"])
    layer = preprocessing.Normalization(axis=None)
    layer.adapt([1.0, 3.0])
    assert isinstance(layer, preprocessing.PreprocessingLayer)
    assert not hasattr(kengine.layers, "PreprocessingLayer")  # as in tf_keras
