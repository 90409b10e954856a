"""The fit/evaluate/predict loops (engine/trainer.py): inputs, outputs, errors.

Numbers are compared with tf_keras goldens (tools/goldens/training.py) for the
same models, weights and data (tests/engine/_training_cases.py).
"""

import math

import numpy as np
import pytest
import tensorflow as tf

import kengine as keras
from tests.engine import _training_cases as cases
from tests.engine.test_training import FIT, SCCE, assert_history, assert_weights
from tests.goldens import load_json, load_npz

OUTPUTS = load_json("training", "outputs.json")


def _rmsprop_mlp():
    model = cases.mlp(keras)
    model.compile(keras.optimizers.RMSprop(0.01), SCCE, metrics=["accuracy"])
    return model


# ------------------------------------------------------------------- inputs
def test_tf_data_input_matches_tf_keras():
    model = _rmsprop_mlp()
    dataset = tf.data.Dataset.from_tensor_slices((cases.X, cases.Y)).batch(cases.BATCH)
    assert_history(model.fit(dataset, epochs=cases.EPOCHS, verbose=0), "dataset")
    assert_weights(model, "dataset")


def test_generator_input_matches_tf_keras():
    model = _rmsprop_mlp()
    history = model.fit(
        cases.batches(),
        steps_per_epoch=cases.N // cases.BATCH,
        epochs=cases.EPOCHS,
        verbose=0,
    )
    assert_history(history, "generator")
    assert_weights(model, "generator")


def test_dict_inputs_by_input_name_with_validation_split():
    model = cases.dict_inputs(keras)
    model.compile(keras.optimizers.SGD(0.1), SCCE, metrics=["accuracy"])
    history = model.fit(cases.X_DICT, cases.Y, validation_split=0.25, **FIT)
    assert_history(history, "dict_inputs")
    assert_weights(model, "dict_inputs")


# ------------------------------------------------------- evaluate and predict
def _fitted_adam_mlp():
    model = cases.mlp(keras)
    model.compile(keras.optimizers.Adam(0.01), SCCE, metrics=["accuracy"])
    model.fit(cases.X, cases.Y, **FIT)
    return model


def test_evaluate_and_predict_match_tf_keras():
    model = _fitted_adam_mlp()
    # 64 samples in batches of 24: the partial last batch weighs 16/64.
    result = model.evaluate(cases.X, cases.Y, batch_size=24, verbose=0)
    np.testing.assert_allclose(result, OUTPUTS["mlp_evaluate_b24"], rtol=1e-5)
    assert all(type(v) is float for v in result)
    logs = model.evaluate(cases.X_VAL, cases.Y_VAL, verbose=0, return_dict=True)
    assert sorted(logs) == sorted(OUTPUTS["mlp_evaluate_val"])
    for key, value in OUTPUTS["mlp_evaluate_val"].items():
        assert logs[key] == pytest.approx(value, rel=1e-5)
    assert model.metrics_names == OUTPUTS["mlp_metrics_names"]
    predicted = model.predict(cases.X_VAL, batch_size=5, verbose=0)  # 16 = 3*5 + 1
    expected = load_npz("training", "outputs.npz")["mlp_predict"]
    np.testing.assert_allclose(predicted, expected, rtol=1e-5, atol=1e-7)


def test_two_output_evaluate_and_predict_match_tf_keras():
    model = cases.two_output(keras)
    model.compile("adam", **cases.TWO_OUTPUT_COMPILE)
    model.fit(cases.X, {"cls": cases.Y, "reg": cases.Y_REG}, **FIT)
    logs = model.evaluate(
        cases.X_VAL,
        {"cls": cases.Y_VAL, "reg": cases.Y_REG_VAL},
        verbose=0,
        return_dict=True,
    )
    expected = OUTPUTS["two_output_evaluate"]
    assert sorted(logs) == sorted(expected)
    for key, value in expected.items():
        assert logs[key] == pytest.approx(value, rel=1e-5), key
    assert model.metrics_names == OUTPUTS["two_output_metrics_names"]
    cls, reg = model.predict(cases.X_VAL, batch_size=5, verbose=0)
    golden = load_npz("training", "outputs.npz")
    np.testing.assert_allclose(
        cls, golden["two_output_predict_cls"], rtol=1e-5, atol=1e-7
    )
    np.testing.assert_allclose(
        reg, golden["two_output_predict_reg"], rtol=1e-5, atol=1e-7
    )


def test_evaluate_with_one_metric_returns_a_scalar():
    model = cases.mlp(keras)
    model.compile("sgd", SCCE)
    loss = model.evaluate(cases.X, cases.Y, verbose=0)
    assert type(loss) is float
    probs = model.predict(cases.X, verbose=0)
    expected = -np.mean(np.log(probs[np.arange(cases.N), cases.Y]))
    assert loss == pytest.approx(expected, rel=1e-5)


def test_validation_freq_skips_epochs():
    model = _rmsprop_mlp()
    history = model.fit(
        cases.X,
        cases.Y,
        validation_data=(cases.X_VAL, cases.Y_VAL),
        validation_freq=2,
        **FIT,
    )
    assert "val_loss" in history.history
    # History holds only the epochs that had the key: epoch 2 (1-based) validated.
    assert len(history.history["val_loss"]) == 1
    assert len(history.history["loss"]) == 3


# ---------------------------------------------------------------- bad input
def test_x_and_y_of_different_lengths():
    model = _rmsprop_mlp()
    with pytest.raises(ValueError, match=r"(?s)x sizes: 64.*y sizes: 60"):
        model.fit(cases.X, cases.Y[:60], verbose=0)


def test_dict_input_missing_an_input_name():
    model = cases.dict_inputs(keras)
    model.compile("sgd", SCCE)
    with pytest.raises(ValueError, match=r"Missing data for input \"right\"") as info:
        model.fit({"left": cases.X[:, :2]}, cases.Y, verbose=0)
    message = str(info.value)
    assert "['left']" in message and "['left', 'right']" in message


def test_validation_split_with_a_dataset():
    model = _rmsprop_mlp()
    dataset = tf.data.Dataset.from_tensor_slices((cases.X, cases.Y)).batch(16)
    with pytest.raises(ValueError, match="`validation_split` is only supported for"):
        model.fit(dataset, validation_split=0.2, verbose=0)


def test_data_with_nan_trains_and_reports_nan():
    # A NaN target makes the mse NaN; training goes on and the logs say `nan`.
    # (A NaN *input* behind relu is not a reliable probe: fused MatMul+Relu
    # kernels may turn it into 0, differently in different graphs.)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.1), "mse")
    y = cases.Y_REG.copy()
    y[3, 0] = np.nan
    history = model.fit(cases.X, y, epochs=2, batch_size=16, verbose=0)
    assert all(math.isnan(v) for v in history.history["loss"])
    assert math.isnan(model.evaluate(cases.X, cases.Y_REG, verbose=0))
    assert np.isnan(model.get_weights()[0]).all()


def test_empty_dataset():
    model = _rmsprop_mlp()
    empty = tf.data.Dataset.from_tensor_slices((cases.X, cases.Y)).take(0).batch(16)
    with pytest.raises(ValueError, match="Expected input data to be non-empty"):
        model.fit(empty, verbose=0)


# ------------------------------------------- bad input that used to pass silently
X4 = np.arange(32, dtype="float32").reshape(8, 4) / 32
Y1 = np.arange(8, dtype="float32").reshape(8, 1) / 8


class _Linear(keras.Model):
    """A subclassed Dense(1), with or without an InputSpec."""

    def __init__(self, input_spec=None):
        super().__init__()
        self.dense = keras.layers.Dense(1)
        if input_spec is not None:
            self.input_spec = input_spec

    def call(self, inputs):
        return self.dense(inputs)


def _linear(kind: str):
    """A Dense(1) model for (None, 4) inputs, compiled with mse."""
    if kind == "functional":
        inputs = keras.Input((4,))
        model = keras.Model(inputs, keras.layers.Dense(1)(inputs), name="net")
    elif kind == "sequential":
        model = keras.Sequential([keras.layers.Dense(1, input_shape=(4,))], name="net")
    elif kind == "deferred_sequential":
        model = keras.Sequential([keras.layers.Dense(1)], name="net")
    elif kind == "subclass":
        model = _Linear()
    else:
        model = _Linear(keras.layers.InputSpec(shape=(None, 4)))
    model.compile(keras.optimizers.SGD(0.1), "mse")
    return model


@pytest.mark.parametrize("kind", ["functional", "sequential"])
@pytest.mark.parametrize("method", ["predict", "fit", "evaluate"])
def test_input_of_another_rank_raises_naming_the_model(kind, method):
    # tf_keras raises too; kengine used to return a (2, 3, 1) result.
    model = _linear(kind)
    x = np.zeros((2, 3, 4), "float32")
    args = (x,) if method == "predict" else (x, np.zeros((2, 1), "float32"))
    with pytest.raises(ValueError, match='Input 0 of layer "net"') as info:
        getattr(model, method)(*args, verbose=0)
    assert info.match(r"expected shape=\(None, 4\), found shape=\(None, 3, 4\)")


def test_subclassed_model_input_spec_is_checked():
    model = _linear("subclass_with_spec")
    with pytest.raises(ValueError, match=r"expected ndim=2, found ndim=3") as info:
        model.predict(np.zeros((2, 3, 4), "float32"), verbose=0)
    assert info.match(rf'layer "{model.name}".*Full shape received: \(None, 3, 4\)')


@pytest.mark.parametrize("kind", ["deferred_sequential", "subclass"])
def test_models_without_an_input_spec_take_any_rank_as_in_keras_2(kind):
    # No input shape was given, so nothing says (2, 3, 4) is wrong: tf_keras
    # applies the Dense to the last axis too.
    model = _linear(kind)
    model.fit(X4, Y1, verbose=0)
    assert model.predict(np.zeros((2, 3, 4), "float32"), verbose=0).shape == (2, 3, 1)


def test_a_trailing_axis_of_one_is_squeezed_as_in_keras_2():
    model = _linear("functional")
    predicted = model.predict(X4[:, :, None], verbose=0)
    np.testing.assert_allclose(predicted, model(X4).numpy(), rtol=1e-6)


def test_rank_is_checked_again_after_the_function_was_traced():
    # The second predict retraces with an input of unknown rank, which the traced
    # check cannot judge: the data is checked before the step runs.
    model = _linear("functional")
    model.predict(X4, verbose=0)
    with pytest.raises(ValueError, match=r"found shape=\(None, 3, 4\)"):
        model.predict(np.zeros((2, 3, 4), "float32"), verbose=0)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"batch_size": 2.5}, TypeError, r"`batch_size` must be an integer.*=2\.5"),
        ({"validation_batch_size": 2.5}, TypeError, r"validation_batch_size=2\.5"),
        ({"validation_split": 1.5}, ValueError, r"validation_split=1\.5"),
        ({"validation_split": -0.1}, ValueError, r"validation_split=-0\.1"),
        ({"initial_epoch": 5, "epochs": 2}, ValueError, r"initial_epoch=5, epochs=2"),
        (
            {"validation_data": (X4,)},
            ValueError,
            r"`validation_data` must be `\(x_val, y_val\)`.*loss='mse'.*shape=\(8, 4\)",
        ),
        ({"validation_data": X4}, ValueError, r"validation_data=<ndarray shape"),
        ({"validation_data": (X4, None)}, ValueError, r"`validation_data` must be"),
    ],
)
def test_fit_refuses_bad_arguments_naming_them(kwargs, error, message):
    model = _linear("functional")
    weights = model.get_weights()
    with pytest.raises(error, match=message):
        model.fit(X4, Y1, verbose=0, **kwargs)
    for before, after in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(before, after)  # nothing was trained


def test_validation_data_without_targets_is_fine_without_a_compiled_loss():
    # A model trained on its add_loss terms (the Keras VAE example) has no targets.
    inputs = keras.Input((4,))
    outputs = keras.layers.Dense(1, kernel_initializer="ones")(inputs)
    model = keras.Model(inputs, outputs)
    model.add_loss(tf.reduce_mean(outputs))
    model.compile(keras.optimizers.SGD(0.0))
    history = model.fit(X4, validation_data=(X4,), verbose=0)
    expected = float(np.mean(X4.sum(axis=1)))
    assert history.history["val_loss"][0] == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("shape", [(8, 3, 1), (8, 3)])
@pytest.mark.parametrize("kind", ["functional", "subclass"])
def test_targets_the_loss_would_broadcast_raise(shape, kind):
    # mse of (8, 3) targets and an (8, 1) output is a number, and meaningless.
    model = _linear(kind)
    message = rf"Target `y` for output .* has shape \(None, {shape[1]}"
    with pytest.raises(ValueError, match=message) as info:
        model.fit(X4, np.zeros(shape, "float32"), verbose=0)
    assert info.match(r"but the output has shape \(None, 1\)")


def test_targets_are_checked_again_after_the_function_was_traced():
    # A retrace generalises the targets to (None, None), which matches (None, 1).
    model = _linear("functional")
    model.fit(X4, Y1, verbose=0)
    with pytest.raises(ValueError, match=r"Target `y` .* \(None, 3\)"):
        model.fit(X4, np.zeros((8, 3), "float32"), verbose=0)
    with pytest.raises(ValueError, match=r"Target `y` .* \(None, 3\)"):
        model.evaluate(X4, np.zeros((8, 3), "float32"), verbose=0)


def _sequence_classifier():
    inputs = keras.Input((5, 4))
    outputs = keras.layers.Dense(3)(
        keras.layers.SimpleRNN(2, return_sequences=True)(inputs)
    )
    return keras.Model(inputs, outputs)


@pytest.mark.parametrize(
    "make, x, y, loss",
    [
        (lambda: cases.mlp(keras), cases.X, cases.Y, SCCE),  # (N,) class ids
        (lambda: cases.mlp(keras), cases.X, cases.Y[:, None], SCCE),  # (N, 1)
        (lambda: _linear("functional"), X4, Y1[:, 0], "mse"),  # (N,) for (N, 1)
        (_sequence_classifier, np.zeros((8, 5, 4)), np.zeros((8, 5), "int32"), SCCE),
    ],
)
def test_label_shapes_keras_2_lines_up_still_train(make, x, y, loss):
    model = make()
    model.compile(keras.optimizers.SGD(0.0), loss)
    history = model.fit(x, y, verbose=0)
    assert history.history["loss"][0] == pytest.approx(
        model.evaluate(x, y, verbose=0), rel=1e-5
    )


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_missing_x_is_named(method):
    model = _linear("functional")
    args = (None,) if method == "predict" else (None, Y1)
    with pytest.raises(ValueError, match=rf"`x` is missing: `Model\.{method}\(\)`"):
        getattr(model, method)(*args, verbose=0)


def test_validation_targets_are_checked_before_training():
    model = _linear("functional")
    weights = model.get_weights()
    bad = (X4, np.zeros((8, 3), "float32"))
    with pytest.raises(ValueError, match=r"Target `y` .* \(None, 3\)"):
        model.fit(X4, Y1, validation_data=bad, verbose=0)
    for before, after in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(before, after)  # no epoch ran first
    with pytest.raises(ValueError, match=r"found shape=\(None, 2, 4\)"):
        model.fit(X4, Y1, validation_data=(X4.reshape(4, 2, 4), Y1[:4]), verbose=0)
