"""Keras 2 preprocessing layers, one family per module; this file only re-exports them."""

from kengine.layers.preprocessing.base_preprocessing_layer import PreprocessingLayer
from kengine.layers.preprocessing.category_encoding import CategoryEncoding
from kengine.layers.preprocessing.discretization import Discretization
from kengine.layers.preprocessing.hashed_crossing import HashedCrossing
from kengine.layers.preprocessing.hashing import Hashing
from kengine.layers.preprocessing.image_augmentation import (
    RandomBrightness,
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomHeight,
    RandomWidth,
)
from kengine.layers.preprocessing.image_preprocessing import (
    CenterCrop,
    Rescaling,
    Resizing,
)
from kengine.layers.preprocessing.image_transforms import (
    RandomRotation,
    RandomTranslation,
    RandomZoom,
)
from kengine.layers.preprocessing.integer_lookup import IntegerLookup
from kengine.layers.preprocessing.normalization import Normalization
from kengine.layers.preprocessing.string_lookup import StringLookup
from kengine.layers.preprocessing.text_vectorization import TextVectorization

# What `keras.layers` exports (tf_keras keeps `PreprocessingLayer` under
# `keras.layers.experimental.preprocessing` only).
__all__ = [
    "CategoryEncoding",
    "CenterCrop",
    "Discretization",
    "HashedCrossing",
    "Hashing",
    "IntegerLookup",
    "Normalization",
    "RandomBrightness",
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
