"""Seed-note claims that `test_seed_notes.py` does not already prove.

Each test is linked from a row of `docs/seed_claims.md`: the fit-loop functions
shown with an overridden `make_train_function`, the train function built on first
use, loss functions wrapped by `compile`, `loss_weights` summed by the losses
container, the seed's `K.*` recall metric, and h5 save/load with the optimizer.
"""

import numpy as np
import pytest
import tensorflow as tf

import kengine as keras
from kengine import layers
from tests.programs import _programs

K = keras.backend


def _regressor(model_class=keras.Model):
    inputs = keras.Input((3,), name="x")
    outputs = layers.Dense(2, name="out")(inputs)
    model = model_class(inputs, outputs)
    _programs.fixed_weights(model)
    return model


def test_fit_calls_make_train_function_which_runs_train_step():
    calls = []

    class Recording(keras.Model):
        def make_train_function(self, force=False):
            calls.append("make_train_function")
            return super().make_train_function(force)

        def train_step(self, data):
            calls.append("train_step")  # Python runs here only while tracing
            return super().train_step(data)

    model = _regressor(Recording)
    model.compile("sgd", "mse")
    assert model.train_function is None  # built on first use, not by compile
    model.fit(np.ones((4, 3)), np.ones((4, 2)), batch_size=2, epochs=2, verbose=0)
    assert calls == ["make_train_function", "train_step"]
    assert model.train_function is model.make_train_function()
    assert model.train_function.experimental_get_tracing_count() == 1


def test_compile_wraps_a_loss_function_and_allows_auto_under_a_strategy():
    def my_loss(y_true, y_pred):
        return K.mean(K.square(y_true - y_pred), axis=-1)

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        model = _regressor()
        model.compile("sgd", my_loss)
    x, y = _programs.range_like((4, 3), 1.0), _programs.range_like((4, 2), 1.0, 2)
    loss = model.evaluate(x, y, batch_size=4, verbose=0)
    wrapped = model.compiled_loss._losses[0]
    assert isinstance(wrapped, keras.losses.LossFunctionWrapper)
    assert wrapped.name == "my_loss" and wrapped._allow_sum_over_batch_size
    expected = np.mean((y - model.predict(x, verbose=0)) ** 2)
    assert loss == pytest.approx(expected, rel=1e-5)


def test_losses_container_sums_weighted_output_losses():
    inputs = keras.Input((3,))
    a = layers.Dense(1, name="a")(inputs)
    b = layers.Dense(1, name="b")(inputs)
    model = keras.Model(inputs, [a, b])
    _programs.fixed_weights(model)
    model.compile("sgd", ["mse", "mae"], loss_weights=[1.0, 0.5])
    x = _programs.range_like((4, 3), 1.0)
    ya, yb = _programs.range_like((4, 1), 1.0, 2), _programs.range_like((4, 1), 1.0, 3)
    logs = model.evaluate(x, [ya, yb], batch_size=4, verbose=0, return_dict=True)
    pa, pb = model.predict(x, verbose=0)
    assert logs["a_loss"] == pytest.approx(np.mean((ya - pa) ** 2), rel=1e-5)
    assert logs["b_loss"] == pytest.approx(np.mean(np.abs(yb - pb)), rel=1e-5)
    assert logs["loss"] == pytest.approx(
        logs["a_loss"] + 0.5 * logs["b_loss"], rel=1e-5
    )


def _seed_recall(y_true, y_pred):
    # Seed 003's recall over a two-class softmax, written with K.* only.
    true_positive = K.sum(y_pred[:, 1] * y_true[:, 1])
    false_negative = K.sum(y_pred[:, 0] * y_true[:, 1])
    return true_positive / (true_positive + false_negative)


def test_seed_recall_metric_written_with_backend_functions():
    model = keras.Sequential([keras.Input((2,)), layers.Dense(2, activation="softmax")])
    _programs.fixed_weights(model)
    model.compile("sgd", "categorical_crossentropy", metrics=[_seed_recall])
    x = _programs.range_like((8, 2), 1.0)
    y = np.eye(2, dtype="float32")[[1, 0, 1, 1, 0, 1, 0, 0]]
    logs = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    p = model.predict(x, verbose=0)
    tp, fn = np.sum(p[:, 1] * y[:, 1]), np.sum(p[:, 0] * y[:, 1])
    assert logs["_seed_recall"] == pytest.approx(tp / (tp + fn), rel=1e-5)


def test_h5_save_and_load_keeps_the_optimizer_state(tmp_path):
    model = _regressor()
    model.compile(keras.optimizers.Adam(learning_rate=0.01), "mse")
    model.fit(np.ones((4, 3)), np.ones((4, 2)), batch_size=2, verbose=0)
    path = str(tmp_path / "model.h5")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded.optimizer).__name__ == "Adam"
    assert int(loaded.optimizer.iterations) == int(model.optimizer.iterations) == 2
    saved = sorted(v.numpy().sum() for v in model.optimizer.variables())
    restored = sorted(v.numpy().sum() for v in loaded.optimizer.variables())
    np.testing.assert_allclose(restored, saved, rtol=1e-6)
