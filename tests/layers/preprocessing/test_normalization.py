"""kengine.layers.preprocessing.normalization against tf_keras goldens.

Also: an h5 weight file tf_keras wrote for a model with adapted Normalization
and Discretization layers and a tf_idf StringLookup loads into the same model
built (unadapted) in kengine, with tf_keras's predictions.
"""

import numpy as np
import pytest
import tensorflow as tf

import kengine
from kengine import layers
from kengine.layers.preprocessing.normalization import Normalization
from tests.goldens import load_npz, path
from tests.layers.preprocessing import _replay

MODEL_DATA = load_npz("preprocessing", "models.npz")


@pytest.mark.parametrize("case", _replay.cases("Normalization"))
def test_matches_tf_keras(case):
    _replay.check_case(case)


def _numeric_model():
    features = kengine.Input(shape=(3,), name="features")
    amount = kengine.Input(shape=(1,), name="amount")
    words = kengine.Input(shape=(None,), dtype="string", name="words")
    lookup = layers.StringLookup(
        vocabulary=["a", "b", "c"], idf_weights=[0.1, 0.1, 0.1], output_mode="tf_idf"
    )
    bins = layers.CategoryEncoding(4, output_mode="one_hot")(
        layers.Discretization(num_bins=4)(amount)
    )
    merged = layers.Concatenate()([Normalization()(features), bins, lookup(words)])
    return kengine.Model([features, amount, words], layers.Dense(2)(merged))


def test_tf_keras_h5_weights_bring_the_adapted_state():
    model = _numeric_model()
    model.load_weights(str(path("preprocessing", "numeric_model.h5")))
    inputs = {
        "features": MODEL_DATA["numeric/features"],
        "amount": MODEL_DATA["numeric/amount"],
        "words": MODEL_DATA["numeric/words"].astype(object),
    }
    np.testing.assert_allclose(
        model.predict(inputs, verbose=0),
        MODEL_DATA["numeric/predict"],
        rtol=1e-5,
        atol=1e-6,
    )


def test_h5_round_trip_keeps_adapted_statistics(tmp_path):
    inputs = kengine.Input(shape=(2,))
    layer = Normalization()
    model = kengine.Model(inputs, layer(inputs))
    layer.adapt(np.array([[0.0, 10.0], [2.0, 30.0]]))
    model.save_weights(str(tmp_path / "norm.h5"))
    fresh_inputs = kengine.Input(shape=(2,))
    fresh = kengine.Model(fresh_inputs, Normalization()(fresh_inputs))
    fresh.load_weights(str(tmp_path / "norm.h5"))
    np.testing.assert_allclose(
        fresh.predict(np.array([[1.0, 20.0]]), verbose=0), [[0.0, 0.0]]
    )
    np.testing.assert_allclose(
        fresh.predict(np.array([[2.0, 40.0]]), verbose=0), [[1.0, 2.0]], rtol=1e-6
    )


def test_adapt_again_changes_the_statistics_and_mean_reads_as_an_attribute():
    layer = Normalization(axis=None)
    layer.adapt([0.0, 2.0])
    np.testing.assert_allclose(layer([0.0, 1.0, 2.0]).numpy(), [-1.0, 0.0, 1.0])
    layer.adapt([-1.0, 1.0])
    np.testing.assert_allclose(layer([0.0, 1.0, 2.0]).numpy(), [0.0, 1.0, 2.0])
    assert layer.mean.numpy().tolist() == [0.0] and layer.variance.numpy().tolist() == [
        1.0
    ]
    assert layer.is_adapted
    mapped = tf.data.Dataset.range(3).map(lambda x: layer(tf.cast(x, tf.float32)))
    assert [v.numpy().tolist() for v in mapped] == [[0.0], [1.0], [2.0]]  # as tf_keras


def test_invert_undoes_normalization():
    data = np.array([[1.0, 4.0], [3.0, 8.0]])
    forward, backward = Normalization(), Normalization(invert=True)
    forward.adapt(data)
    backward.adapt(data)
    np.testing.assert_allclose(backward(forward(data)).numpy(), data, rtol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"mean": 1.0}, "both `mean` and `variance`"),
        ({"mean": tf.Variable(1.0), "variance": 1.0}, "Received: mean="),
    ],
)
def test_bad_statistics_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Normalization(**kwargs)


def test_given_statistics_cannot_be_adapted_and_axes_must_be_known():
    with pytest.raises(ValueError, match="Cannot `adapt`.*mean 1.0"):
        Normalization(axis=None, mean=1.0, variance=1.0).adapt([1.0, 2.0])
    with pytest.raises(ValueError, match="unknown axis at index: 1"):
        Normalization().build(tf.TensorShape([None, None]))
    with pytest.raises(ValueError, match=r"Found ndim: `2`, axis: \(3,\)"):
        Normalization(axis=3).build(tf.TensorShape([None, 2]))
