"""Config round trips for every public class kengine exports (issue 12).

Walks the public namespaces (`kengine.layers` with
`layers.experimental.preprocessing`, `losses`, `metrics`, `optimizers` with
`optimizers.legacy`, `optimizers.schedules`, `initializers`, `regularizers`,
`constraints`) for every class of the family. Each is built from `ARGS` (or
with no arguments), and `get_config -> from_config -> get_config` must give
the same config, also through the family's `serialize`/`deserialize`. A class
that is neither in `ARGS` nor constructible without arguments fails, so a new
class cannot be missed; abstract bases are listed in `SKIPPED` with a reason.
Layers with an entry in `INPUTS` are also built on a fixed input and the copy
(given the same weights) must compute the same outputs; all of them go
through `to_json`/`model_from_json` inside a few grouped models, and
`clone_model` copies a model of several layer families.
"""

import inspect

import numpy as np
import pytest
import tensorflow as tf

from kengine import (
    Input,
    Model,
    constraints,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    regularizers,
)
from kengine.layers.experimental import preprocessing as experimental_preprocessing
from kengine.optimizers import legacy, schedules
from kengine.utils.serialization import register_keras_serializable


@register_keras_serializable(package="kengine_test")
def double(x):
    """A Lambda's function that a config can name (`kengine_test>double`)."""
    return x * 2


# family -> (namespaces, base classes, serialize, deserialize)
FAMILIES = {
    "layers": (
        (layers, experimental_preprocessing),
        (layers.Layer,),
        layers.serialize,
        layers.deserialize,
    ),
    "losses": ((losses,), (losses.Loss,), losses.serialize, losses.deserialize),
    "metrics": ((metrics,), (metrics.Metric,), metrics.serialize, metrics.deserialize),
    "optimizers": (
        (optimizers, legacy),
        (optimizers.Optimizer, legacy.OptimizerV2),
        optimizers.serialize,
        optimizers.deserialize,
    ),
    "schedules": (
        (schedules,),
        (schedules.LearningRateSchedule,),
        schedules.serialize,
        schedules.deserialize,
    ),
    "initializers": (
        (initializers,),
        (initializers.Initializer,),
        initializers.serialize,
        initializers.deserialize,
    ),
    "regularizers": (
        (regularizers,),
        (regularizers.Regularizer,),
        regularizers.serialize,
        regularizers.deserialize,
    ),
    "constraints": (
        (constraints,),
        (constraints.Constraint,),
        constraints.serialize,
        constraints.deserialize,
    ),
}

# Abstract bases: nothing to round-trip until a subclass fills them in.
SKIPPED = {
    ("metrics", "Metric"): "abstract: result/update_state",
    ("metrics", "SensitivitySpecificityBase"): "abstract base of the *At* metrics",
    ("optimizers", "Optimizer"): "abstract base: no update rule",
    ("optimizers", "OptimizerV2"): "abstract base: no update rule",
    ("schedules", "LearningRateSchedule"): "abstract: __call__/get_config",
    ("regularizers", "Regularizer"): "abstract: __call__/get_config",
    ("layers", "AbstractRNNCell"): "abstract: state_size/output_size",
    ("layers", "Wrapper"): "abstract base of TimeDistributed/Bidirectional",
    ("layers", "PreprocessingLayer"): "abstract base: adapt/update_state",
    # Keras 2 does not export it (tf_keras.metrics has no Reduce); its config
    # leaves `reduction` to the subclasses Sum and Mean, which fix it.
    ("metrics", "Reduce"): "base of Sum/Mean; reduction is not in its config",
}

_CONV = {"filters": 2, "kernel_size": 2}
_FACTOR = {"factor": 0.2, "seed": 1}

# Constructor arguments, by family and class name (a callable for objects
# that must be fresh per use, such as a wrapped layer).
ARGS = {
    "layers": {
        "AlphaDropout": {"rate": 0.1},
        "MultiHeadAttention": {"num_heads": 2, "key_dim": 2},
        "ConvLSTM1D": _CONV,
        "ConvLSTM2D": _CONV,
        "ConvLSTM3D": _CONV,
        "Conv1D": _CONV,
        "Conv2D": _CONV,
        "Conv3D": _CONV,
        "DepthwiseConv1D": {"kernel_size": 2},
        "DepthwiseConv2D": {"kernel_size": 2},
        "SeparableConv1D": _CONV,
        "SeparableConv2D": _CONV,
        "Conv1DTranspose": _CONV,
        "Conv2DTranspose": _CONV,
        "Conv3DTranspose": _CONV,
        "Dense": {"units": 3},
        "Activation": {"activation": "relu"},
        "Reshape": {"target_shape": (2, 2)},
        "Permute": {"dims": (2, 1)},
        "RepeatVector": {"n": 2},
        "EinsumDense": {"equation": "ab,bc->ac", "output_shape": 3},
        "Embedding": {"input_dim": 10, "output_dim": 3},
        "Lambda": {"function": double},
        "GroupNormalization": {"groups": 2},
        "Dot": {"axes": 1},
        "CategoryEncoding": {"num_tokens": 4},
        "CenterCrop": {"height": 2, "width": 2},
        "HashedCrossing": {"num_bins": 5},
        "Hashing": {"num_bins": 5},
        "RandomBrightness": _FACTOR,
        "RandomContrast": _FACTOR,
        "RandomCrop": {"height": 2, "width": 2, "seed": 1},
        "RandomHeight": _FACTOR,
        "RandomRotation": _FACTOR,
        "RandomTranslation": {"height_factor": 0.2, "width_factor": 0.2},
        "RandomWidth": _FACTOR,
        "RandomZoom": {"height_factor": 0.2},
        "Rescaling": {"scale": 0.5, "offset": 1.0},
        "Resizing": {"height": 3, "width": 3},
        "RNN": lambda: {"cell": layers.SimpleRNNCell(2)},
        "StackedRNNCells": lambda: {
            "cells": [layers.SimpleRNNCell(2), layers.LSTMCell(3)]
        },
        "SimpleRNNCell": {"units": 2},
        "SimpleRNN": {"units": 2},
        "GRUCell": {"units": 2},
        "GRU": {"units": 2},
        "LSTMCell": {"units": 2},
        "LSTM": {"units": 2},
        "Dropout": {"rate": 0.1},
        "SpatialDropout1D": {"rate": 0.1},
        "SpatialDropout2D": {"rate": 0.1},
        "SpatialDropout3D": {"rate": 0.1},
        "GaussianNoise": {"stddev": 0.1},
        "GaussianDropout": {"rate": 0.1},
        "SpectralNormalization": lambda: {"layer": layers.Dense(3)},
        "TFOpLambda": {"function": tf.math.sin},
        "SlicingOpLambda": {"function": tf.__operators__.getitem},
        "TimeDistributed": lambda: {"layer": layers.Dense(3)},
        "Bidirectional": lambda: {"layer": layers.GRU(2, return_sequences=True)},
        "Normalization": {"mean": 0.5, "variance": 2.0},
        "Discretization": {"bin_boundaries": [0.0, 1.0]},
        "IntegerLookup": {"vocabulary": [1, 2, 3]},
        "StringLookup": {"vocabulary": ["a", "b"]},
        "TextVectorization": {"vocabulary": ["a", "b"]},
    },
    "losses": {"LossFunctionWrapper": {"fn": losses.mean_squared_error}},
    "metrics": {
        "MeanMetricWrapper": {"fn": metrics.binary_accuracy},
        "SensitivityAtSpecificity": {"specificity": 0.5},
        "SpecificityAtSensitivity": {"sensitivity": 0.5},
        "PrecisionAtRecall": {"recall": 0.5},
        "RecallAtPrecision": {"precision": 0.5},
        "IoU": {"num_classes": 3, "target_class_ids": [0, 2]},
        "MeanIoU": {"num_classes": 3},
        "OneHotIoU": {"num_classes": 3, "target_class_ids": [1]},
        "OneHotMeanIoU": {"num_classes": 3},
        "MeanRelativeError": {"normalizer": [1.0, 2.0]},
    },
    "schedules": {
        "ExponentialDecay": {
            "initial_learning_rate": 0.1,
            "decay_steps": 10,
            "decay_rate": 0.9,
        },
        "PiecewiseConstantDecay": {"boundaries": [5], "values": [0.1, 0.01]},
        "PolynomialDecay": {"initial_learning_rate": 0.1, "decay_steps": 10},
        "InverseTimeDecay": {
            "initial_learning_rate": 0.1,
            "decay_steps": 10,
            "decay_rate": 0.5,
        },
        "CosineDecay": {"initial_learning_rate": 0.1, "decay_steps": 10},
        "CosineDecayRestarts": {
            "initial_learning_rate": 0.1,
            "first_decay_steps": 10,
        },
    },
}

_RNG = np.random.default_rng(0)
_VEC = _RNG.uniform(-1, 1, (2, 4)).astype("float32")
_SEQ = _RNG.uniform(-1, 1, (2, 5, 4)).astype("float32")
_IMG = _RNG.uniform(0, 1, (2, 6, 6, 2)).astype("float32")
_VOL = _RNG.uniform(-1, 1, (2, 4, 4, 4, 2)).astype("float32")
_IDS = np.array([[1, 2, 3, 0, 4], [5, 6, 0, 0, 9]], dtype="int32")
_ONE, _LIST, _ARGS = "x", "[x, x]", "(x, x)"  # how a layer is called

# Layer class name -> (a fixed input batch, how the layer takes it).
INPUTS = {
    **dict.fromkeys(
        [
            "Dense",
            "Activation",
            "ActivityRegularization",
            "AlphaDropout",
            "BatchNormalization",
            "Dropout",
            "ELU",
            "EinsumDense",
            "GaussianDropout",
            "GaussianNoise",
            "Identity",
            "Lambda",
            "LayerNormalization",
            "LeakyReLU",
            "Masking",
            "PReLU",
            "ReLU",
            "RepeatVector",
            "Reshape",
            "Softmax",
            "ThresholdedReLU",
            "UnitNormalization",
            "Flatten",
            "Normalization",
            "Discretization",
            "Rescaling",
            "SpectralNormalization",
            "TFOpLambda",
            "GroupNormalization",
        ],
        (_VEC, _ONE),
    ),
    **dict.fromkeys(
        [
            "Add",
            "Average",
            "Concatenate",
            "Maximum",
            "Minimum",
            "Multiply",
            "Subtract",
            "Dot",
        ],
        (_VEC, _LIST),
    ),
    **dict.fromkeys(["Attention", "AdditiveAttention"], (_SEQ, _LIST)),
    "MultiHeadAttention": (_SEQ, _ARGS),
    **dict.fromkeys(
        [
            "Conv1D",
            "Conv1DTranspose",
            "DepthwiseConv1D",
            "SeparableConv1D",
            "AveragePooling1D",
            "MaxPooling1D",
            "GlobalAveragePooling1D",
            "GlobalMaxPooling1D",
            "Cropping1D",
            "UpSampling1D",
            "ZeroPadding1D",
            "SpatialDropout1D",
            "Permute",
            "RNN",
            "SimpleRNN",
            "GRU",
            "LSTM",
            "Bidirectional",
            "TimeDistributed",
        ],
        (_SEQ, _ONE),
    ),
    **dict.fromkeys(
        [
            "Conv2D",
            "Conv2DTranspose",
            "DepthwiseConv2D",
            "SeparableConv2D",
            "AveragePooling2D",
            "MaxPooling2D",
            "GlobalAveragePooling2D",
            "GlobalMaxPooling2D",
            "Cropping2D",
            "UpSampling2D",
            "ZeroPadding2D",
            "SpatialDropout2D",
            "CenterCrop",
            "RandomBrightness",
            "RandomContrast",
            "RandomCrop",
            "RandomFlip",
            "RandomHeight",
            "RandomRotation",
            "RandomTranslation",
            "RandomWidth",
            "RandomZoom",
            "Resizing",
            "ConvLSTM1D",
        ],
        (_IMG, _ONE),
    ),
    **dict.fromkeys(
        [
            "Conv3D",
            "Conv3DTranspose",
            "AveragePooling3D",
            "MaxPooling3D",
            "GlobalAveragePooling3D",
            "GlobalMaxPooling3D",
            "Cropping3D",
            "UpSampling3D",
            "ZeroPadding3D",
            "SpatialDropout3D",
            "ConvLSTM2D",
        ],
        (_VOL, _ONE),
    ),
    **dict.fromkeys(["Embedding", "IntegerLookup", "Hashing"], (_IDS, _ONE)),
    "CategoryEncoding": (np.array([[0, 1], [3, 3]], dtype="int32"), _ONE),
}


def _public_classes(family: str) -> dict:
    """`{class name: class}` of every public class of the family (aliases once)."""
    namespaces, bases = FAMILIES[family][:2]
    found = {}
    for namespace in namespaces:
        for name, value in vars(namespace).items():
            if name.startswith("_") or not inspect.isclass(value):
                continue
            if issubclass(value, bases):
                found.setdefault(value.__name__, value)
    return found


def _cases():
    return [
        pytest.param(family, name, cls, id=f"{family}-{name}")
        for family in FAMILIES
        for name, cls in sorted(_public_classes(family).items())
    ]


def _args(family: str, name: str) -> dict:
    args = ARGS.get(family, {}).get(name, {})
    return args() if callable(args) else dict(args)


def make(family: str, name: str, cls):
    """The object of `ARGS`, failing the test for a class the table misses."""
    try:
        return cls(**_args(family, name))
    except TypeError as err:
        pytest.fail(
            f"{family}.{name} cannot be built without arguments ({err}): "
            "add it to ARGS (or to SKIPPED with a reason)."
        )


def _normalized(config):
    """The config as plain JSON-like values (tuples as lists, arrays as lists)."""
    if isinstance(config, dict):
        return {k: _normalized(v) for k, v in config.items()}
    if isinstance(config, list | tuple):
        return [_normalized(v) for v in config]
    if isinstance(config, np.ndarray | np.generic):
        return config.tolist()
    return config


def _call(layer, x, how: str):
    # training=False: random augmentation layers default to training=True.
    if how == _ARGS:
        return layer(x, x, training=False)
    return layer([x, x] if how == _LIST else x, training=False)


def _assert_same_outputs(layer, copy, name: str) -> None:
    x, how = INPUTS[name]
    want = _call(layer, x, how)
    _call(copy, x, how)
    copy.set_weights(layer.get_weights())
    for got, expected in zip(
        tf.nest.flatten(_call(copy, x, how)), tf.nest.flatten(want)
    ):
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)


@pytest.mark.parametrize("family, name, cls", _cases())
def test_config_round_trip(family, name, cls):
    if (family, name) in SKIPPED:
        pytest.skip(SKIPPED[family, name])
    obj = make(family, name, cls)
    config = _normalized(obj.get_config())
    copy = cls.from_config(obj.get_config())
    assert _normalized(copy.get_config()) == config
    serialize, deserialize = FAMILIES[family][2:]
    again = deserialize(serialize(obj))
    assert type(again) is cls
    assert _normalized(again.get_config()) == config
    if family == "layers" and name in INPUTS:
        _assert_same_outputs(obj, copy, name)


def test_skipped_and_tabled_classes_still_exist():
    for family, name in SKIPPED:
        assert name in _public_classes(family), (family, name)
    for family, table in ARGS.items():
        missing = set(table) - set(_public_classes(family))
        assert not missing, (family, missing)


def _grouped_model(names: list, x, how: str):
    """One functional model applying each named layer to the same input."""
    inputs = Input(shape=x.shape[1:], dtype=x.dtype.name)
    classes = _public_classes("layers")
    outputs = [
        _call(make("layers", name, classes[name]), inputs, how) for name in names
    ]
    return Model(inputs, tf.nest.flatten(outputs))


def _groups() -> dict:
    groups = {}
    for name, (x, how) in INPUTS.items():
        groups.setdefault((id(x), how), (x, how, []))[2].append(name)
    return {f"{v[2][0]}_{len(v[2])}": v for v in groups.values()}


@pytest.mark.parametrize("group", sorted(_groups()))
def test_every_model_layer_survives_to_json(group):
    x, how, names = _groups()[group]
    model = _grouped_model(names, x, how)
    copy = models.model_from_json(model.to_json())
    assert [type(layer).__name__ for layer in copy.layers[1:]] == names
    assert _normalized(copy.get_config()) == _normalized(model.get_config())
    copy.set_weights(model.get_weights())
    for got, want in zip(copy(x, training=False), model(x, training=False)):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


def test_every_layer_with_an_input_is_in_a_model_group():
    in_groups = {name for _, _, names in _groups().values() for name in names}
    assert in_groups == set(INPUTS)


def test_clone_model_copies_several_layer_families():
    inputs = Input(shape=(5, 4))
    x = layers.Conv1D(3, 2, kernel_regularizer=regularizers.L2(0.1))(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.Bidirectional(layers.LSTM(2, return_sequences=True))(x)
    x = layers.MultiHeadAttention(2, 2)(x, x)
    x = layers.GlobalAveragePooling1D()(x)
    outputs = layers.Dense(
        3, kernel_constraint=constraints.MaxNorm(2.0), activation="softmax"
    )(x)
    model = Model(inputs, outputs)
    clone = models.clone_model(model)
    assert [type(v).__name__ for v in clone.layers] == [
        type(v).__name__ for v in model.layers
    ]
    assert _normalized(clone.get_config()) == _normalized(model.get_config())
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone(_SEQ).numpy(), model(_SEQ).numpy(), rtol=1e-6)
