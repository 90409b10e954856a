"""Replays the preprocessing golden cases (`testdata/preprocessing/layers.json`).

Each case holds a layer's constructor kwargs, the data tf_keras adapted it on,
the call inputs, and what tf_keras produced: the output, vocabulary, weights,
weight names and config. `check_case` rebuilds the layer in kengine from the
same recipe and asserts each of those matches. The recipe's data kinds are
those of `tools/goldens/_preprocessing_cases.py`.
"""

import json

import numpy as np
import tensorflow as tf

import kengine.layers as layers
from tests.goldens import load_json

AREA = "preprocessing"
META = load_json(AREA, "layers.json")
RTOL, ATOL = 1e-5, 1e-6


def cases(*class_names: str) -> list[str]:
    """The case names whose layer is one of `class_names`."""
    return sorted(k for k, v in META.items() if v["class_name"] in class_names)


def kwargs_of(meta: dict) -> dict:
    """Constructor kwargs, with the tuples JSON turned into lists restored."""
    kwargs = dict(meta["kwargs"])
    for key in meta["tuple_kwargs"]:
        kwargs[key] = tuple(kwargs[key])
    return kwargs


def adapt_data(kind: str, data, kwargs: dict):
    """The object `adapt` was given, and its kwargs."""
    kwargs = dict(kwargs)
    if kind == "array":
        return np.array(data), kwargs
    if kind == "ragged":
        return tf.ragged.constant(data), kwargs
    if kind == "dataset":
        batch = kwargs.pop("dataset_batch")
        dataset = tf.data.Dataset.from_tensor_slices(data)
        return (dataset.batch(batch) if batch else dataset), kwargs
    return data, kwargs


def call_inputs(call):
    """The call's inputs (a tensor or a list of them) and extra kwargs."""
    kind, dtype, data = call[:3]
    if kind == "features":
        inputs = [tf.constant(d, dtype=t) for d, t in zip(data, dtype)]
    elif kind == "ragged":
        inputs = tf.ragged.constant(data, dtype=dtype)
    else:
        inputs = tf.constant(data, dtype=dtype)
    kwargs = {}
    if len(call) > 3:
        name, extra_dtype, extra = call[3]
        kwargs[name] = tf.constant(extra, dtype=extra_dtype)
    return inputs, kwargs


def plain(value):
    """Arrays, bytes and NumPy scalars as the JSON the goldens hold."""

    def default(o):
        if isinstance(o, bytes):
            return o.decode("utf-8")
        if hasattr(o, "tolist"):
            return o.tolist()
        raise TypeError(type(o))

    return json.loads(json.dumps(value, default=default))


def describe_output(value) -> dict:
    """`{kind, dtype, value}` of a dense, ragged or sparse output."""
    if isinstance(value, tf.SparseTensor):
        return {
            "kind": "sparse",
            "dtype": value.dtype.name,
            "value": plain(tf.sparse.to_dense(value).numpy()),
        }
    if isinstance(value, tf.RaggedTensor):
        return {
            "kind": "ragged",
            "dtype": value.dtype.name,
            "value": plain(value.to_list()),
        }
    return {
        "kind": "dense",
        "dtype": value.dtype.name,
        "shape": list(value.shape),
        "value": plain(value.numpy()),
    }


def assert_same_values(actual, expected) -> None:
    """Numbers to float tolerance, strings and structure exactly."""
    if isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_same_values(a, e)
    elif isinstance(expected, float):
        np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL)
    else:
        assert actual == expected


def build(case: str):
    """The kengine layer of a case, adapted as tf_keras's was, and its output."""
    meta = META[case]
    layer = getattr(layers, meta["class_name"])(**kwargs_of(meta))
    if meta["adapt"] is not None:
        data, kwargs = adapt_data(*meta["adapt"])
        layer.adapt(data, **kwargs)
    inputs, kwargs = call_inputs(meta["call"])
    return layer, layer(inputs, **kwargs)


def without_name(config: dict) -> dict:
    """A config minus `name` (tf_keras numbered its layers in one session)."""
    return {k: v for k, v in plain(config).items() if k != "name"}


def check_case(case: str) -> None:
    """Asserts the kengine layer reproduces every recorded part of a case."""
    meta = META[case]
    layer, outputs = build(case)
    got = describe_output(outputs)
    expected = meta["output"]
    assert {k: got[k] for k in ("kind", "dtype")} == {
        k: expected[k] for k in ("kind", "dtype")
    }
    assert got.get("shape") == expected.get("shape")
    assert_same_values(got["value"], expected["value"])
    assert without_name(layer.get_config()) == without_name(meta["config"])
    assert getattr(layer, "is_adapted", False) == meta["is_adapted"]
    weights = [{"dtype": str(w.dtype), "value": plain(w)} for w in layer.get_weights()]
    assert [w["dtype"] for w in weights] == [w["dtype"] for w in meta["weights"]]
    assert_same_values(
        [w["value"] for w in weights], [w["value"] for w in meta["weights"]]
    )
    # tf_keras names a lookup's vocabulary nothing and its tf_idf state
    # "Variable:0" twice; kengine names them (h5 needs unique names).
    for ours, theirs in zip([w.name for w in layer.weights], meta["weight_names"]):
        if theirs not in (None, "Variable:0"):
            assert ours == theirs
    if "vocabulary" in meta:
        assert plain(layer.get_vocabulary()) == meta["vocabulary"]
        assert layer.vocabulary_size() == meta["vocabulary_size"]
    if "bin_boundaries" in meta:
        assert_same_values(list(layer.bin_boundaries), meta["bin_boundaries"])
    check_config_rebuilds(case)


def check_config_rebuilds(case: str) -> None:
    """tf_keras's config deserializes into the same layer (same output unadapted)."""
    meta = META[case]
    clone = layers.deserialize(
        {"class_name": meta["class_name"], "config": meta["config"]}
    )
    config = plain(clone.get_config())
    if meta["adapt"] is not None:  # the adapted size is state, not configuration
        config.pop("vocabulary_size", None)
        expected = {k: v for k, v in meta["config"].items() if k != "vocabulary_size"}
        assert config == expected
        return
    assert config == meta["config"]
    inputs, kwargs = call_inputs(meta["call"])
    assert_same_values(
        describe_output(clone(inputs, **kwargs))["value"], meta["output"]["value"]
    )
