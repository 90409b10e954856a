"""Helpers for the whole-model goldens of `testdata/saving_models/`.

`tools/goldens/saving_models.py` wrote, with tf_keras 2.21 (and Keras 3), eight
model kinds as h5, `.keras`, SavedModel and weight files, with their inputs,
targets, predictions and the losses of training continued after a reload.
Importing this module registers `kengine_test>ScaleLayer`, the custom layer of
the `custom` kind, under the name tf_keras recorded.
"""

import numpy as np
import tensorflow as tf

import kengine
from kengine.saving import hdf5_model
from kengine.utils.serialization import register_keras_serializable
from tests.goldens import load_json, load_npz
from tests.goldens import path as golden_path

AREA = "saving_models"
KINDS = ("mlp", "multi_io", "nested", "shared", "rnn", "conv", "tfop", "custom")
SAVEDMODEL_KINDS = ("mlp", "multi_io", "custom")
KERAS3_KINDS = ("mlp", "multi_io")
META = load_json(AREA, "saving_models.json")
LAYOUTS = load_json(AREA, "layouts.json")


@register_keras_serializable(package="kengine_test", name="ScaleLayer")
class ScaleLayer(kengine.layers.Layer):
    """Multiplies its input by a learned vector `gain` and a constant `scale`."""

    def __init__(self, scale: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def build(self, input_shape):
        self.gain = self.add_weight(
            name="gain", shape=(input_shape[-1],), initializer="ones"
        )
        super().build(input_shape)

    def call(self, inputs):
        return inputs * self.gain * self.scale

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


def path(name: str):
    return golden_path(AREA, name)


def arrays(name: str) -> dict:
    return load_npz(AREA, name)


def inputs(model, data: dict):
    xs = [data[f"x{i}"] for i in range(len(model.inputs))]
    return xs[0] if len(xs) == 1 else xs


def targets(model, data: dict):
    names = model.output_names
    if len(names) == 1:
        return data[f"t_{names[0]}"]
    return {name: data[f"t_{name}"] for name in names}


def predict(model, data: dict) -> list:
    """The model's outputs (inference mode) on the golden inputs, flattened."""
    outputs = model(inputs(model, data), training=False)
    return [np.asarray(o) for o in tf.nest.flatten(outputs)]


def assert_predictions(model, data: dict, rtol: float = 1e-5) -> None:
    for i, got in enumerate(predict(model, data)):
        np.testing.assert_allclose(got, data[f"y{i}"], rtol=rtol, atol=1e-6)


def continue_training(model, data: dict, steps: int = 2) -> np.ndarray:
    """`steps` of `train_on_batch` on the golden batch: one row of results each."""
    x, y = inputs(model, data), targets(model, data)
    rows = [np.atleast_1d(model.train_on_batch(x, y)) for _ in range(steps)]
    return np.asarray(rows, np.float64)


def model_from_golden_h5(kind: str):
    """A kengine model holding the trained golden weights of `kind`."""
    return hdf5_model.load_model_from_hdf5(path(f"{kind}.h5"))
