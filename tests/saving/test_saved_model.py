"""SavedModel directories (`kengine/saving/saved_model.py`)."""

import json
import os

import numpy as np
import pytest
import tensorflow as tf

import kengine
from kengine.saving import saved_model
from tests.saving import _golden_models as g


@pytest.mark.parametrize("kind", g.SAVEDMODEL_KINDS)
def test_tf_keras_savedmodel_loads_with_its_predictions(kind):
    data = g.arrays(f"{kind}.npz")
    model = saved_model.load_model(g.path(f"{kind}_savedmodel"))
    g.assert_predictions(model, data)


@pytest.mark.parametrize("kind", ["mlp", "multi_io"])
def test_round_trip_and_serving_signature_named_like_tf_keras(tmp_path, kind):
    data = g.arrays(f"{kind}.npz")
    model = g.model_from_golden_h5(kind)
    saved_model.save_model(model, tmp_path / "sm")
    assert (
        json.loads((tmp_path / "sm" / saved_model.KENGINE_METADATA).read_text())[
            "model_config"
        ]["class_name"]
        == type(model).__name__
    )
    reloaded = saved_model.load_model(tmp_path / "sm")
    for got, want in zip(g.predict(reloaded, data), g.predict(model, data)):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    serving = tf.saved_model.load(str(tmp_path / "sm")).signatures["serving_default"]
    layout = g.LAYOUTS[kind][f"{kind}_savedmodel/"]
    specs = serving.structured_input_signature[1]
    assert {n: [s.shape.as_list(), s.dtype.name] for n, s in specs.items()} == {
        n: [shape, dtype] for n, (shape, dtype) in layout["serving_inputs"].items()
    }
    assert sorted(serving.structured_outputs) == sorted(layout["serving_outputs"])
    xs = g.inputs(model, data)
    xs = xs if isinstance(xs, list) else [xs]
    served = serving(**{n: tf.constant(x) for n, x in zip(model.input_names, xs)})
    for name, want in zip(model.output_names, g.predict(model, data)):
        np.testing.assert_allclose(served[name].numpy(), want, rtol=1e-6)


def test_plain_tensorflow_savedmodel_is_refused_saying_what_is_missing(tmp_path):
    module = tf.Module()
    module.v = tf.Variable(1.0)
    tf.saved_model.save(module, str(tmp_path / "plain"))
    with pytest.raises(ValueError, match="records no Keras model config"):
        saved_model.load_model(tmp_path / "plain")


def test_not_a_savedmodel_directory(tmp_path):
    with pytest.raises(OSError, match="not a SavedModel directory"):
        saved_model.load_model(tmp_path)


def test_model_without_inputs_cannot_be_exported(tmp_path):
    class Bare(kengine.Model):
        def call(self, x):
            return x

    with pytest.raises(ValueError, match="no known inputs"):
        saved_model.save_model(Bare(), tmp_path / "sm")
    assert not os.path.exists(tmp_path / "sm")


def test_protobuf_reader_refuses_truncated_metadata(tmp_path):
    data = g.path("mlp_savedmodel/keras_metadata.pb").read_bytes()
    (tmp_path / "keras_metadata.pb").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="keras_metadata.pb"):
        saved_model._tf_keras_root_metadata(str(tmp_path / "keras_metadata.pb"))
