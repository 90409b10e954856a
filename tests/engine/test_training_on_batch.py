"""train_on_batch / test_on_batch / predict_on_batch and the deprecated generator aliases."""

import numpy as np
import pytest

import kengine


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
