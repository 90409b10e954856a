"""`Model` (engine/training.py) and what it inherits from `Trainer` (engine/trainer.py).

Compile, fit numbers against tf_keras, train_step; the structure of subclassed
models (layers, get_layer, build, JSON); the batch-level API and the deprecated
generator aliases.

The goldens come from `tools/goldens/training.py`, which runs the same models,
data and procedures (tests/engine/_training_cases.py) in tf_keras with the same
`range_like` weights and `shuffle=False`.
"""

import json

import numpy as np
import pytest
import tensorflow as tf

import kengine
import kengine as keras
from tests.engine import _training_cases as cases
from tests.goldens import load_json, load_npz

HISTORIES = load_json("training", "histories.json")
WEIGHTS = load_npz("training", "weights.npz")
FIT = {
    "batch_size": cases.BATCH,
    "epochs": cases.EPOCHS,
    "shuffle": False,
    "verbose": 0,
}
SCCE = "sparse_categorical_crossentropy"


def assert_history(history, case: str, rtol: float = 1e-5) -> None:
    expected = HISTORIES[case]
    assert sorted(history.history) == sorted(expected)
    for key, values in expected.items():
        got = history.history[key]
        assert all(type(v) is float for v in got), (key, got)  # Python floats
        np.testing.assert_allclose(got, values, rtol=rtol, atol=1e-7, err_msg=key)


def assert_weights(model, case: str, rtol: float = 1e-5) -> None:
    got = model.get_weights()
    expected = [WEIGHTS[f"{case}/{i}"] for i in range(len(got))]
    assert f"{case}/{len(got)}" not in WEIGHTS
    for i, (g, e) in enumerate(zip(got, expected)):
        np.testing.assert_allclose(g, e, rtol=rtol, atol=1e-6, err_msg=f"weight {i}")


# ------------------------------------------------------------------- optimizers
@pytest.mark.parametrize("name", list(cases.OPTIMIZERS))
def test_fit_history_and_weights_match_tf_keras_for_each_optimizer(name):
    model = cases.mlp(keras)
    model.compile(cases.make_optimizer(keras, name), SCCE, metrics=["accuracy"])
    history = model.fit(cases.X, cases.Y, **FIT)
    assert_history(history, f"opt_{name}")
    assert_weights(model, f"opt_{name}")
    assert history.epoch == [0, 1, 2]
    assert history.history["loss"][-1] < history.history["loss"][0]


@pytest.mark.parametrize("name", list(cases.OPTIMIZERS))
def test_weights_after_clipped_scheduled_steps_match_tf_keras(name):
    # ExponentialDecay(decay_steps=2, rate=0.5) and one of clipnorm / clipvalue /
    # global_clipnorm, over the 4 steps of one epoch.
    model = cases.mlp(keras)
    model.compile(cases.make_optimizer(keras, name, clipped=True), SCCE)
    history = model.fit(cases.X, cases.Y, **dict(FIT, epochs=1))
    assert_history(history, f"clip_{name}")
    assert_weights(model, f"clip_{name}")
    assert int(model.optimizer.iterations) == 4


# --------------------------------------------------------- losses and weighting
def test_two_output_model_with_loss_dict_weights_metrics_and_validation():
    model = cases.two_output(keras)
    model.compile("adam", **cases.TWO_OUTPUT_COMPILE)
    history = model.fit(
        cases.X,
        {"cls": cases.Y, "reg": cases.Y_REG},
        validation_data=(cases.X_VAL, {"cls": cases.Y_VAL, "reg": cases.Y_REG_VAL}),
        **FIT,
    )
    assert_history(history, "two_output")
    assert_weights(model, "two_output")
    # The total is the weighted sum of the outputs' losses plus the l2 penalty.
    logs = {k: v[-1] for k, v in history.history.items()}
    penalty = logs["loss"] - logs["cls_loss"] - 0.5 * logs["reg_loss"]
    assert 0 < penalty < 0.05


@pytest.mark.parametrize(
    "case, extra",
    [
        ("class_weight", {"class_weight": cases.CLASS_WEIGHT}),
        ("sample_weight", {"sample_weight": cases.SAMPLE_WEIGHT}),
    ],
)
def test_class_and_sample_weights_match_tf_keras(case, extra):
    model = cases.mlp(keras)
    model.compile(
        keras.optimizers.SGD(0.1),
        SCCE,
        metrics=["accuracy"],
        weighted_metrics=["accuracy"],
    )
    history = model.fit(cases.X, cases.Y, **extra, **FIT)
    assert_history(history, case)
    assert_weights(model, case)
    assert model.metrics_names == ["loss", "accuracy", "weighted_accuracy"]


def test_cnn_with_batch_normalization_matches_tf_keras():
    model = cases.cnn(keras)
    model.compile(keras.optimizers.SGD(0.1, momentum=0.9), SCCE, metrics=["accuracy"])
    assert_history(model.fit(cases.X_IMG, cases.Y, **FIT), "cnn")
    assert_weights(model, "cnn")  # moving mean/variance included


# ----------------------------------------------------------- custom train_step
def test_custom_train_step_override_matches_tf_keras():
    model = cases.custom_train_step_model(keras)
    model.compile(keras.optimizers.SGD(0.05), "mse", metrics=["mae"])
    history = model.fit(cases.X, cases.Y_REG, **FIT)
    assert_history(history, "custom_train_step")
    assert_weights(model, "custom_train_step")


def test_train_step_with_own_trackers_and_no_compiled_loss():
    model = cases.tracker_train_step_model(keras)
    model.compile(keras.optimizers.SGD(0.05))
    history = model.fit(cases.X, cases.Y_REG, **FIT)
    assert_history(history, "tracker_train_step")
    assert_weights(model, "tracker_train_step")


def test_default_train_step_by_hand_equals_one_fit_step():
    model = cases.mlp(keras)
    model.compile(keras.optimizers.SGD(0.1), SCCE, metrics=["accuracy"])
    x, y = tf.constant(cases.X[:16]), tf.constant(cases.Y[:16])
    logs = model.train_step((x, y))
    # compute_loss is the compiled loss on a forward pass: recompute it by hand.
    probs = cases.mlp(keras)(x)
    expected = keras.losses.SparseCategoricalCrossentropy()(y, probs)
    assert float(logs["loss"]) == pytest.approx(float(expected), rel=1e-6)
    assert int(model.optimizer.iterations) == 1


# ----------------------------------------------------------- seed custom loops
@pytest.mark.parametrize("name", list(cases.SEED_LOOPS))
def test_seed_002_custom_training_loops_match_tf_keras(name):
    # GradientTape + apply_gradients on a custom Linear; the same with add_loss
    # (SparseMLP); a @tf.function train_on_batch on a Sequential.
    losses, weights = cases.run_seed_loop(keras, name)
    expected = load_json("training", "seed_loops.json")[name]
    np.testing.assert_allclose(losses, expected, rtol=1e-5)
    golden = load_npz("training", "seed_loops.npz")
    for i, w in enumerate(weights):
        np.testing.assert_allclose(w, golden[f"{name}/{i}"], rtol=1e-5, atol=1e-6)
    assert losses[-1] < losses[0]


def test_seed_002_add_loss_losses_are_from_the_last_forward_pass():
    mlp = cases.seed_sparse_mlp(keras)
    x = tf.ones((10, 4))
    mlp(x)
    assert len(mlp.losses) == 1
    mlp(x)
    assert len(mlp.losses) == 1  # no accumulation
    hidden = tf.nn.relu(tf.matmul(x, mlp.linear_1.w) + mlp.linear_1.b)
    np.testing.assert_allclose(
        float(mlp.losses[0]), 1e-2 * float(tf.reduce_sum(hidden)), rtol=1e-6
    )


# ---------------------------------------------------------------- compile
def test_fit_before_compile_is_a_runtime_error():
    model = cases.mlp(keras)
    with pytest.raises(RuntimeError, match="You must compile your model before"):
        model.fit(cases.X, cases.Y, verbose=0)
    with pytest.raises(RuntimeError, match="You must compile your model before"):
        model.evaluate(cases.X, cases.Y, verbose=0)


def test_unknown_optimizer_name():
    with pytest.raises(ValueError, match="Unknown optimizer: 'foo'"):
        cases.mlp(keras).compile("foo", "mse")


def test_compile_rejects_eager_with_jit_and_unknown_arguments():
    model = cases.mlp(keras)
    with pytest.raises(ValueError, match="`run_eagerly` and `jit_compile`"):
        model.compile("sgd", "mse", run_eagerly=True, jit_compile=True)
    with pytest.raises(TypeError, match="bogus"):
        model.compile("sgd", "mse", bogus=1)


def test_compile_by_names_resolves_objects():
    model = cases.mlp(keras)
    model.compile("adam", SCCE, metrics=["accuracy"])
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert model.loss == SCCE
    model.fit(cases.X[:16], cases.Y[:16], verbose=0)
    assert model.metrics_names == ["loss", "accuracy"]


def test_recompiling_after_changing_trainable_takes_effect():
    # Seed 001: "change trainable, then compile again before training".
    model = cases.mlp(keras)
    model.compile(keras.optimizers.SGD(0.1), SCCE)
    hidden, probs = model.get_layer("hidden"), model.get_layer("probs")
    hidden.trainable = False
    before = hidden.get_weights()[0].copy()
    model.fit(cases.X, cases.Y, batch_size=16, verbose=0)
    # Not recompiled: fit keeps the trainable state seen by compile (tf_keras).
    assert not np.allclose(hidden.get_weights()[0], before)
    assert hidden.trainable is False  # and the flag itself is left as set
    model.compile(keras.optimizers.SGD(0.1), SCCE)
    before, before_probs = hidden.get_weights()[0].copy(), probs.get_weights()[0].copy()
    model.fit(cases.X, cases.Y, batch_size=16, verbose=0)
    np.testing.assert_array_equal(hidden.get_weights()[0], before)
    assert not np.allclose(probs.get_weights()[0], before_probs)


# ----------------------------------------------------------------- metrics
def test_metrics_reset_each_epoch_and_logs_read_the_same_state():
    seen = {}

    class Recorder(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            seen[("begin", epoch)] = [float(m.result()) for m in self.model.metrics]

        def on_epoch_end(self, epoch, logs=None):
            seen[("end", epoch)] = dict(logs)

    model = cases.mlp(keras)
    model.compile(keras.optimizers.RMSprop(0.01), SCCE, metrics=["accuracy"])
    history = model.fit(cases.X, cases.Y, callbacks=[Recorder()], **FIT)
    for epoch in range(cases.EPOCHS):
        assert seen[("begin", epoch)] == [0.0, 0.0]  # reset before the epoch
        assert seen[("end", epoch)] == {k: v[epoch] for k, v in history.history.items()}
    # The final epoch logs are the metric objects' state at the end of fit.
    assert [float(m.result()) for m in model.metrics] == [
        history.history["loss"][-1],
        history.history["accuracy"][-1],
    ]
    # evaluate resets first, and returns exactly what the metrics then hold.
    result = model.evaluate(cases.X_VAL, cases.Y_VAL, verbose=0)
    assert result == [float(m.result()) for m in model.metrics]


# ------------------------------------------------- structure of a subclassed model
class TwoLayers(kengine.Model):
    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = kengine.layers.Dense(4, name="hidden")
        self.out = kengine.layers.Dense(units, name="out")

    def call(self, inputs, training=None):
        return self.out(self.hidden(inputs))


def test_subclassed_layers_and_get_layer():
    model = TwoLayers()
    assert [layer.name for layer in model.layers] == ["hidden", "out"]
    assert model.get_layer("out") is model.out
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match="Provide only a layer name or a layer index"):
        model.get_layer("out", 0)
    with pytest.raises(ValueError, match="model only has 2 layers"):
        model.get_layer(index=5)


def test_build_from_shape_then_summary():
    model = TwoLayers(name="two")
    model.build((None, 5))
    assert [w.name for w in model.weights][:1] == ["two/hidden/kernel:0"]
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[0] == 'Model: "two"' and "multiple" in lines[4]
    assert model(np.ones((2, 5))).shape == (2, 3)


def test_to_json_of_subclassed_model_records_its_arguments():
    data = json.loads(TwoLayers(units=7, name="t").to_json())
    assert data["class_name"] == "TwoLayers" and data["config"]["units"] == 7
    assert data["keras_version"] and data["backend"] == "tensorflow"


def test_call_must_be_implemented():
    with pytest.raises(NotImplementedError, match="does not have a `call\\(\\)`"):
        kengine.Model()(np.ones((1, 2)))


def test_model_weights_are_listed_layer_by_layer():
    model = kengine.Sequential(
        [
            kengine.layers.Dense(2, input_shape=(3,), name="d"),
            kengine.layers.BatchNormalization(name="bn"),
            kengine.layers.Dense(1, name="out"),
        ]
    )
    assert [w.name for w in model.weights] == [
        "d/kernel:0",
        "d/bias:0",
        "bn/gamma:0",
        "bn/beta:0",
        "bn/moving_mean:0",
        "bn/moving_variance:0",
        "out/kernel:0",
        "out/bias:0",
    ]
    # while the split lists keep Keras 2's trainable-first order
    assert [w.name for w in model.non_trainable_weights] == [
        "bn/moving_mean:0",
        "bn/moving_variance:0",
    ]
    assert len(model.get_weights()) == 8


# ------------------------------------------------------------ the batch-level API
def _model():
    model = kengine.Sequential([kengine.layers.Dense(1, input_shape=(2,))])
    model.set_weights([np.array([[1.0], [2.0]], "float32"), np.array([0.5], "float32")])
    model.compile(optimizer=kengine.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    return model


X = np.array([[1.0, 0.0], [0.0, 1.0]], "float32")
Y = np.array([[1.0], [1.0]], "float32")


def test_train_on_batch_returns_loss_and_metrics_and_updates_weights():
    model = _model()
    # predictions 1.5 and 2.5: mse = (0.25 + 2.25) / 2, mae = (0.5 + 1.5) / 2
    loss, mae = model.train_on_batch(X, Y)
    assert loss == pytest.approx(1.25) and mae == pytest.approx(1.0)
    kernel, bias = model.get_weights()
    # d(mse)/d(out) = (out - y); grad kernel = X^T (out - y) / 1 batch mean
    np.testing.assert_allclose(
        kernel.ravel(), [1.0 - 0.1 * 0.5, 2.0 - 0.1 * 1.5], rtol=1e-6
    )
    np.testing.assert_allclose(bias, [0.5 - 0.1 * 2.0], rtol=1e-6)


def test_return_dict_and_reset_metrics():
    model = _model()
    logs = model.test_on_batch(X, Y, return_dict=True)
    assert set(logs) == {"loss", "mae"}
    model.test_on_batch(X, Y, reset_metrics=False)
    first = model.metrics[0].result().numpy()
    model.test_on_batch(X * 0.0, Y, reset_metrics=False)
    assert model.metrics[0].result().numpy() != first  # accumulated across calls


def test_predict_on_batch_returns_numpy():
    out = _model().predict_on_batch(X)
    assert isinstance(out, np.ndarray)
    np.testing.assert_allclose(out.ravel(), [1.5, 2.5])


def test_on_batch_before_compile_is_a_runtime_error():
    model = kengine.Sequential([kengine.layers.Dense(1, input_shape=(2,))])
    with pytest.raises(RuntimeError, match="must compile your model"):
        model.train_on_batch(X, Y)


def test_generator_aliases_warn_and_delegate():
    model = _model()

    def batches():
        while True:
            yield X, Y

    with pytest.warns(UserWarning, match="fit_generator` is deprecated"):
        history = model.fit_generator(batches(), steps_per_epoch=2, epochs=1, verbose=0)
    assert list(history.history) == ["loss", "mae"]
    with pytest.warns(UserWarning, match="evaluate_generator` is deprecated"):
        model.evaluate_generator(batches(), steps=1, verbose=0)
    with pytest.warns(UserWarning, match="predict_generator` is deprecated"):
        assert model.predict_generator(batches(), steps=1, verbose=0).shape == (2, 1)


@pytest.mark.parametrize(
    "method, args",
    [
        ("train_on_batch", (None, Y)),
        ("test_on_batch", (None, Y)),
        ("predict_on_batch", (None,)),
    ],
)
def test_missing_x_is_named(method, args):
    with pytest.raises(ValueError, match=rf"`x` is missing: `Model\.{method}\(\)`"):
        getattr(_model(), method)(*args)


def test_batch_methods_check_input_rank_and_target_shapes():
    model = _model()
    with pytest.raises(ValueError, match=r"expected shape=\(None, 2\)"):
        model.predict_on_batch(np.zeros((2, 3, 2), "float32"))
    with pytest.raises(ValueError, match=r"Target `y` .* has shape \(2, 3\)"):
        model.train_on_batch(X, np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match=r"Target `y` .* has shape \(2, 3, 1\)"):
        model.test_on_batch(X, np.zeros((2, 3, 1), "float32"))


# Keras 2's positional order: (generator, steps_per_epoch, epochs, verbose,
# callbacks, ...) and (generator, steps, callbacks, ...).
X40 = np.arange(80, dtype="float32").reshape(40, 2) / 80
Y40 = X40.sum(axis=1, keepdims=True)


def _five_batches():
    for start in range(0, 40, 8):
        yield X40[start : start + 8], Y40[start : start + 8]


def _forever():
    while True:
        yield from _five_batches()


def test_fit_generator_binds_positional_arguments_as_keras_2():
    model, batches = _model(), []
    counter = kengine.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: batches.append(batch)
    )
    with pytest.warns(UserWarning, match="fit_generator` is deprecated"):
        history = model.fit_generator(_forever(), 3, 2, 0, [counter])
    assert history.epoch == [0, 1]  # epochs=2
    assert batches == [0, 1, 2, 0, 1, 2]  # steps_per_epoch=3


def test_evaluate_and_predict_generator_bind_steps_positionally():
    model = _model()
    with pytest.warns(UserWarning, match="predict_generator` is deprecated"):
        predicted = model.predict_generator(_five_batches(), 2)
    np.testing.assert_allclose(predicted, model.predict(X40[:16], verbose=0))
    with pytest.warns(UserWarning, match="evaluate_generator` is deprecated"):
        logs = model.evaluate_generator(_five_batches(), 2, None, 10, 1, False, 0)
    expected = model.evaluate(X40[:16], Y40[:16], verbose=0)
    np.testing.assert_allclose(logs, expected, rtol=1e-6)
