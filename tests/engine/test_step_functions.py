"""The step functions (engine/step_functions.py): trace counts, eager/XLA/distributed.

"Trace once" (ARCHITECTURE.md): `fit` traces `train_function` exactly once, the
partial last batch included, because `prepare_for_trace` creates every variable
before the first trace and the iterator's batch dimension is `None`. Numbers are
checked against the tf_keras goldens of tools/goldens/training.py in every
execution mode: graph, `run_eagerly`, `jit_compile`, `steps_per_execution > 1`,
and `MirroredStrategy` on the two logical CPUs tests/conftest.py creates.
"""

import numpy as np
import pytest
import tensorflow as tf

import kengine as keras
from kengine.engine import step_functions
from tests.engine import _training_cases as cases
from tests.engine.test_training import FIT, SCCE, assert_history, assert_weights
from tests.goldens import load_json, load_npz

X70 = cases.range_like((70, 4), 1.0, offset=5.0)  # 70 = 4 * 16 + 6: partial batch
Y70 = (X70[:, 0] > 0).astype("int32")


def traces(model) -> dict:
    return {
        name: getattr(model, name).experimental_get_tracing_count()
        for name in ("train_function", "test_function", "predict_function")
        if getattr(model, name) is not None
    }


def _adam_mlp(**compile_kwargs):
    model = cases.mlp(keras)
    model.compile(
        keras.optimizers.Adam(0.01), SCCE, metrics=["accuracy"], **compile_kwargs
    )
    return model


# ---------------------------------------------------------------- trace counts
def test_fit_traces_train_and_test_functions_once_with_partial_batches():
    model = _adam_mlp()
    model.fit(
        X70,
        Y70,
        batch_size=16,
        epochs=2,
        validation_data=(X70[:20], Y70[:20]),
        verbose=0,
    )
    assert traces(model) == {"train_function": 1, "test_function": 1}
    model.fit(X70, Y70, batch_size=10, epochs=1, verbose=0)  # other sizes: no retrace
    assert traces(model) == {"train_function": 1, "test_function": 1}


def test_evaluate_and_predict_trace_once():
    model = _adam_mlp()
    model.evaluate(X70, Y70, batch_size=16, verbose=0)
    model.evaluate(X70, Y70, batch_size=32, verbose=0)
    model.predict(X70, batch_size=16, verbose=0)
    model.predict(X70, batch_size=32, verbose=0)
    assert traces(model) == {"test_function": 1, "predict_function": 1}


def test_subclassed_model_built_by_fit_traces_once():
    class Classifier(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = keras.layers.Dense(8, activation="relu")
            self.out = keras.layers.Dense(2, activation="softmax")

        def call(self, inputs):
            return self.out(self.hidden(inputs))

    model = Classifier()
    model.compile("adam", SCCE, metrics=["accuracy"])
    history = model.fit(X70, Y70, batch_size=16, epochs=2, verbose=0)
    assert traces(model) == {"train_function": 1}
    assert history.history["loss"][1] < history.history["loss"][0]


def test_steps_per_execution_does_not_retrace_and_keeps_the_numbers():
    model = _adam_mlp(steps_per_execution=3)
    # 4 steps per epoch: one call runs 3 steps, the next the remaining 1.
    history = model.fit(cases.X, cases.Y, **FIT)
    assert traces(model) == {"train_function": 1}
    assert_history(history, "opt_adam")
    assert_weights(model, "opt_adam")
    assert int(model._steps_per_execution.numpy()) == 3  # restored after truncating
    model.evaluate(X70, Y70, batch_size=16, verbose=0)
    assert traces(model) == {"train_function": 1, "test_function": 1}


def test_prepare_for_trace_creates_every_variable_first():
    model = cases.mlp(keras)
    model.compile(keras.optimizers.Adam(0.01), SCCE, metrics=["accuracy"])
    spec = (tf.TensorSpec((None, 4), tf.float32), tf.TensorSpec((None,), tf.int32))
    assert not model.optimizer.variables or len(model.optimizer.variables) == 1
    step_functions.prepare_for_trace(model, spec, build_optimizer=True)
    # iterations + m and v for each of the 4 weights
    assert len(model.optimizer.variables) == 1 + 2 * 4
    assert model.metrics_names == ["loss", "accuracy"]
    metric_variables = [v for m in model.metrics for v in m.variables]
    step_functions.prepare_for_trace(model, spec, build_optimizer=False)  # idempotent
    assert [v for m in model.metrics for v in m.variables] == metric_variables


def test_seed_001_a_tf_function_that_creates_variables_traces_twice():
    # The mechanism behind Keras 2's double trace (seed 001): a first trace that
    # creates a variable is followed by a second, variable-free one. fit avoids
    # it by creating its variables before tracing (see the tests above).
    traced, created = [], []

    def f(a, b):
        traced.append(1)
        if not created:
            created.append(tf.Variable(0))
        return a + b

    tf.function(f)(1, 2)
    assert len(traced) == 2
    traced.clear()
    tf.function(lambda a, b: (traced.append(1), a + b)[1])(1, 2)
    assert len(traced) == 1


# ------------------------------------------------------------- single batches
def test_on_batch_calls_trace_at_most_twice_and_match_tf_keras():
    golden = load_json("training", "on_batch.json")
    model = cases.mlp(keras)
    model.compile(keras.optimizers.SGD(0.1), SCCE, metrics=["accuracy"])
    results = [
        model.train_on_batch(cases.X[:n], cases.Y[:n]) for n in cases.ON_BATCH_SIZES
    ]
    # The first call traces for its exact shape; reduce_retracing relaxes the
    # batch dimension to None on the second distinct shape, and that is all.
    assert traces(model)["train_function"] <= 2
    np.testing.assert_allclose(results, golden["train_on_batch"], rtol=1e-5)
    for got, expected in zip(
        [
            model.train_on_batch(
                cases.X[:16], cases.Y[:16], reset_metrics=False, return_dict=True
            )
            for _ in range(3)
        ],
        golden["train_on_batch_no_reset"],
    ):
        assert got == pytest.approx(expected, rel=1e-5)
    logs = model.test_on_batch(cases.X[:24], cases.Y[:24], return_dict=True)
    assert logs == pytest.approx(golden["test_on_batch"], rel=1e-5)
    arrays = load_npz("training", "on_batch.npz")
    np.testing.assert_allclose(
        model.predict_on_batch(cases.X_VAL),
        arrays["predict_on_batch"],
        rtol=1e-5,
        atol=1e-7,
    )
    weights = np.concatenate([w.ravel() for w in model.get_weights()])
    np.testing.assert_allclose(weights, arrays["weights"], rtol=1e-5, atol=1e-7)


# ------------------------------------------------------------ execution modes
def test_run_eagerly_gives_the_graph_numbers():
    model = _adam_mlp(run_eagerly=True)
    history = model.fit(cases.X, cases.Y, **FIT)
    assert not hasattr(model.train_function, "experimental_get_tracing_count")
    assert_history(history, "opt_adam")
    assert_weights(model, "opt_adam")


def test_jit_compile_gives_the_graph_numbers():
    model = _adam_mlp(jit_compile=True)
    history = model.fit(cases.X, cases.Y, **FIT)
    # XLA may fuse and reorder float operations: agree to float32 round-off.
    assert_history(history, "opt_adam", rtol=1e-4)
    assert_weights(model, "opt_adam", rtol=1e-4)


# ------------------------------------------------------------------ MirroredStrategy
def _mirrored():
    return tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])


def test_mirrored_fit_equals_one_device():
    # Global batch 16 -> 8 per replica; gradients are summed across replicas and
    # each replica's mean loss is scaled by 1/2, so the update is the 1-device one
    # (the goldens are 1-device tf_keras numbers, which kengine matches exactly).
    strategy = _mirrored()
    with strategy.scope():
        model = _adam_mlp()
    history = model.fit(cases.X, cases.Y, **FIT)
    assert model.distribute_strategy is strategy
    assert isinstance(model.weights[0], tf.distribute.DistributedValues)
    assert_history(history, "opt_adam")
    assert_weights(model, "opt_adam")
    predicted = model.predict(cases.X_VAL, batch_size=5, verbose=0)  # replica order
    expected = load_npz("training", "outputs.npz")["mlp_predict"]
    np.testing.assert_allclose(predicted, expected, rtol=1e-5, atol=1e-7)
    result = model.evaluate(cases.X, cases.Y, batch_size=24, verbose=0)
    np.testing.assert_allclose(
        result, load_json("training", "outputs.json")["mlp_evaluate_b24"], rtol=1e-5
    )


def test_mirrored_two_output_with_regularization_equals_one_device():
    # Compiled and fitted inside the scope; the l2 penalty is added once per
    # replica, scaled by 1/2 like the mean losses, so the sum is the 1-device one.
    with _mirrored().scope():
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


def test_reduce_per_replica():
    strategy = _mirrored()

    def per_replica():
        ctx = tf.distribute.get_replica_context()
        return tf.fill([2], tf.cast(ctx.replica_id_in_sync_group, tf.float32))

    values = strategy.run(per_replica)
    first = step_functions.reduce_per_replica(values, strategy, "first")
    joined = step_functions.reduce_per_replica(values, strategy, "concat")
    np.testing.assert_array_equal(first, [0.0, 0.0])
    np.testing.assert_array_equal(joined, [0.0, 0.0, 1.0, 1.0])
    plain = tf.constant(3.0)
    assert step_functions.reduce_per_replica(plain, strategy, "first") is plain


def _spec(*shape):
    return tf.TensorSpec(shape, tf.float32)


def test_check_data_compares_x_and_y_with_the_model():
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(4,))], name="net")
    model.compile("sgd", "mse")
    step_functions.prepare_for_trace(
        model, (_spec(None, 4), _spec(None, 1)), build_optimizer=True
    )
    step_functions.check_data(model, (_spec(None, 4), _spec(None)), check_targets=True)
    with pytest.raises(ValueError, match=r'layer "net".*found shape=\(None, 3, 4\)'):
        step_functions.check_data(model, _spec(None, 3, 4), check_targets=False)
    with pytest.raises(ValueError, match=r"Target `y` .* \(None, 2\)"):
        step_functions.check_data(
            model, (_spec(None, 4), _spec(None, 2)), check_targets=True
        )
    # predict ignores targets; dtypes are cast by the call, not checked here.
    int_spec = tf.TensorSpec([None, 4], tf.int32)
    step_functions.check_data(model, (int_spec, _spec(None, 2)), check_targets=False)


def test_data_checks_leave_custom_steps_alone():
    class OwnStep(keras.Sequential):
        def train_step(self, data):  # reads its data its own way
            return {}

    model = OwnStep([keras.layers.Dense(1, input_shape=(4,))])
    model.compile("sgd", "mse")
    assert model.train_on_batch(np.ones((2, 3, 4)), np.ones((2, 9))) == []
    with pytest.raises(ValueError, match=r"found shape=\(2, 3, 4\)"):
        model.predict_on_batch(np.ones((2, 3, 4)))
