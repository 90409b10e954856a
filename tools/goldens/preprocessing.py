"""Golden data for the preprocessing layers (`kengine/layers/preprocessing/`).

Runs tf_keras on the cases of `_preprocessing_cases.py` and records what the
tests compare:

Files written to `testdata/preprocessing/`:
    layers.json     per layer case: constructor kwargs, the adapt data, the call
                    inputs, tf_keras's outputs (sparse as dense, ragged as lists),
                    vocabulary, get_weights(), weight names, config, is_adapted
    images.npz      inputs, outputs of the image layers, and of the seeded random
                    layers: two training calls and one inference call
    images.json     their configs and output dtypes
    models.npz      fixed weights, data and predictions of small Functional
                    models (text and images) after a short `fit`
    models.json     their `History.history`
    numeric_model.h5  `save_weights` of an adapted Normalization + Discretization
                    model with a tf_idf StringLookup, written by tf_keras
"""

import json
from pathlib import Path

import numpy as np
import tensorflow as tf
import tf_keras as keras

from goldens._common import range_like, write_json, write_npz
from goldens._preprocessing_cases import IMAGE_CASES, LAYER_CASES, RANDOM_CASES, TEXT

L = keras.layers


def _jsonable(obj):
    """Tuples as lists, NumPy scalars as numbers, bytes as text."""

    def default(o):
        if isinstance(o, bytes):
            return o.decode("utf-8")
        if hasattr(o, "tolist"):
            return o.tolist()
        return str(o)

    return json.loads(json.dumps(obj, default=default))


def _tuple_keys(kwargs: dict) -> list:
    return sorted(k for k, v in kwargs.items() if isinstance(v, tuple))


def _tensor(kind: str, dtype: str, data):
    if kind == "ragged":
        return tf.ragged.constant(data, dtype=dtype)
    return tf.constant(data, dtype=dtype)


def _call_inputs(call):
    kind, dtype, data = call[:3]
    if kind == "features":
        inputs = [tf.constant(d, dtype=t) for d, t in zip(data, dtype)]
    else:
        inputs = _tensor(kind, dtype, data)
    kwargs = {}
    if len(call) > 3:
        name, extra_dtype, extra = call[3]
        kwargs[name] = tf.constant(extra, dtype=extra_dtype)
    return inputs, kwargs


def _adapt_data(kind: str, data, kwargs: dict):
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


def _output(value) -> dict:
    if isinstance(value, tf.SparseTensor):
        return {
            "kind": "sparse",
            "dtype": value.dtype.name,
            "value": _jsonable(tf.sparse.to_dense(value).numpy()),
        }
    if isinstance(value, tf.RaggedTensor):
        return {
            "kind": "ragged",
            "dtype": value.dtype.name,
            "value": _jsonable(value.to_list()),
        }
    return {
        "kind": "dense",
        "dtype": value.dtype.name,
        "shape": list(value.shape),
        "value": _jsonable(value.numpy()),
    }


def _weights(layer) -> list:
    return [
        {"dtype": str(np.asarray(w).dtype), "value": _jsonable(np.asarray(w))}
        for w in layer.get_weights()
    ]


def _weight_names(layer) -> list:
    return [getattr(w, "name", None) for w in layer.weights]


def _layer_case(name, spec) -> dict:
    class_name, kwargs, adapt, call = spec
    layer = getattr(L, class_name)(**kwargs)
    if adapt is not None:
        data, adapt_kwargs = _adapt_data(*adapt)
        layer.adapt(data, **adapt_kwargs)
    inputs, call_kwargs = _call_inputs(call)
    outputs = layer(inputs, **call_kwargs)
    record = {
        "class_name": class_name,
        "kwargs": _jsonable(kwargs),
        "tuple_kwargs": _tuple_keys(kwargs),
        "adapt": _jsonable(adapt),
        "call": _jsonable(call),
        "output": _output(outputs),
        "config": _jsonable(layer.get_config()),
        "weights": _weights(layer),
        "weight_names": _weight_names(layer),
        "is_adapted": bool(getattr(layer, "is_adapted", False)),
    }
    if hasattr(layer, "get_vocabulary"):
        record["vocabulary"] = _jsonable(layer.get_vocabulary())
        record["vocabulary_size"] = int(layer.vocabulary_size())
    if class_name == "Discretization":
        record["bin_boundaries"] = _jsonable(list(layer.bin_boundaries))
    return record


def _layers(out_dir: Path) -> None:
    meta = {name: _layer_case(name, spec) for name, spec in LAYER_CASES.items()}
    write_json(out_dir, "layers.json", meta)


def _image_inputs() -> dict:
    batch = range_like((2, 6, 8, 3), scale=120.0) + 128.0
    return {
        "batch": batch,
        "single": batch[0],
        "uint8": batch.astype(np.uint8),
        "unit": batch / 255.0,
    }


def _images(out_dir: Path) -> None:
    inputs = _image_inputs()
    arrays = {f"input/{k}": v for k, v in inputs.items()}
    meta = {}
    for case, (class_name, kwargs, input_name) in IMAGE_CASES.items():
        layer = getattr(L, class_name)(**kwargs)
        y = layer(inputs[input_name])
        arrays[f"{case}/y"] = y.numpy()
        meta[case] = {
            "class_name": class_name,
            "kwargs": _jsonable(kwargs),
            "tuple_kwargs": _tuple_keys(kwargs),
            "input": input_name,
            "dtype": y.dtype.name,
            "config": _jsonable(layer.get_config()),
        }
    for case, (class_name, kwargs, input_name) in RANDOM_CASES.items():
        layer = getattr(L, class_name)(**kwargs)
        x = inputs[input_name]
        arrays[f"{case}/train1"] = layer(x, training=True).numpy()
        arrays[f"{case}/train2"] = layer(x, training=True).numpy()
        arrays[f"{case}/infer"] = layer(x, training=False).numpy()
        meta[case] = {
            "class_name": class_name,
            "kwargs": _jsonable(kwargs),
            "tuple_kwargs": _tuple_keys(kwargs),
            "input": input_name,
            "random": True,
            "config": _jsonable(layer.get_config()),
        }
    write_npz(out_dir, "images.npz", **arrays)
    write_json(out_dir, "images.json", meta)


# ---------------------------------------------------------------------- models
def _fix(layer, offset: float) -> list:
    values = [
        range_like(tuple(w.shape), 0.3, offset + i) for i, w in enumerate(layer.weights)
    ]
    layer.set_weights(values)
    return values


def _text_model(arrays: dict, meta: dict) -> None:
    vectorizer = L.TextVectorization(max_tokens=20, output_sequence_length=6)
    vectorizer.adapt(TEXT)
    inputs = keras.Input(shape=(1,), dtype="string")
    embedding = L.Embedding(20, 4)
    dense = L.Dense(1, activation="sigmoid")
    outputs = dense(L.GlobalAveragePooling1D()(embedding(vectorizer(inputs))))
    model = keras.Model(inputs, outputs)
    for name, layer in (("embedding", embedding), ("dense", dense)):
        for i, value in enumerate(_fix(layer, len(name))):
            arrays[f"text/{name}/w{i}"] = value
    x = np.array([[t] for t in TEXT * 2])
    y = np.array([[1.0], [0.0], [1.0], [0.0], [1.0]] * 2, np.float32)
    model.compile(keras.optimizers.SGD(0.5), "binary_crossentropy")
    history = model.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0)
    arrays["text/x"], arrays["text/y"] = x.astype(str), y
    arrays["text/predict"] = model.predict(x, verbose=0)
    meta["text"] = {
        "history": history.history,
        "vocabulary": vectorizer.get_vocabulary(),
    }


def _image_model(arrays: dict, meta: dict) -> None:
    inputs = keras.Input(shape=(8, 8, 3))
    x = L.Rescaling(1.0 / 255)(inputs)
    x = L.RandomFlip("horizontal", seed=7)(x)
    x = L.RandomRotation(0.1, seed=8)(x)
    x = L.Resizing(6, 6)(x)
    conv = L.Conv2D(2, 3)
    dense = L.Dense(1)
    outputs = dense(L.Flatten()(conv(x)))
    model = keras.Model(inputs, outputs)
    for name, layer in (("conv", conv), ("dense", dense)):
        for i, value in enumerate(_fix(layer, len(name))):
            arrays[f"image/{name}/w{i}"] = value
    images = range_like((6, 8, 8, 3), scale=120.0) + 128.0
    targets = range_like((6, 1), scale=1.0, offset=3.0)
    model.compile(keras.optimizers.SGD(0.05), "mse")
    history = model.fit(
        images, targets, batch_size=3, epochs=2, shuffle=False, verbose=0
    )
    arrays["image/x"], arrays["image/y"] = images, targets
    arrays["image/predict"] = model.predict(images, verbose=0)
    meta["image"] = {"history": history.history}


def _numeric_model(out_dir: Path, arrays: dict) -> None:
    features = keras.Input(shape=(3,), name="features")
    amount = keras.Input(shape=(1,), name="amount")
    words = keras.Input(shape=(None,), dtype="string", name="words")
    normalization = L.Normalization()
    normalization.adapt(range_like((20, 3), scale=5.0))
    discretization = L.Discretization(num_bins=4)
    discretization.adapt(range_like((50, 1), scale=3.0, offset=1.0))
    lookup = L.StringLookup(
        vocabulary=["a", "b", "c"], idf_weights=[0.5, 1.0, 2.0], output_mode="tf_idf"
    )
    bins = L.CategoryEncoding(4, output_mode="one_hot")(discretization(amount))
    merged = L.Concatenate()([normalization(features), bins, lookup(words)])
    model = keras.Model([features, amount, words], L.Dense(2)(merged))
    inputs = {
        "features": range_like((4, 3), scale=6.0, offset=2.0),
        "amount": range_like((4, 1), scale=3.0, offset=5.0),
        "words": np.array([["a", "b"], ["c", "c"], ["z", "a"], ["b", "b"]]),
    }
    arrays.update(
        {
            f"numeric/{k}": v.astype(str) if k == "words" else v
            for k, v in inputs.items()
        }
    )
    arrays["numeric/predict"] = model.predict(inputs, verbose=0)
    model.save_weights(str(out_dir / "numeric_model.h5"))


def _models(out_dir: Path) -> None:
    arrays, meta = {}, {}
    _text_model(arrays, meta)
    _image_model(arrays, meta)
    _numeric_model(out_dir, arrays)
    write_npz(out_dir, "models.npz", **arrays)
    write_json(out_dir, "models.json", _jsonable(meta))


def generate(out_dir: Path) -> None:
    """Writes every preprocessing golden file into `out_dir`."""
    _layers(out_dir)
    _images(out_dir)
    _models(out_dir)
