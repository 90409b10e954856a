"""The code of the five seed notes (/work/shared/seeds/), run as programs with
`import kengine as keras`.

Seed 000: KerasTensor/Node bookkeeping, Input shapes, a GradientTape loop, loss
reduction, the AUTO-under-a-strategy error, metrics in `train_step`'s return.
Seed 001: metrics reset per epoch, logs reaching callbacks, `fit` tracing once
(kengine's deliberate improvement on "fit traces twice"), `fit_generator` and
`train_on_batch`, Embedding's index range, loss shapes, `ctc_batch_cost`,
duplicate weight names breaking h5 export. Seed 002: the `Linear`, `ComputeSum`,
`MLP` and `ActivityRegularization` layers and the hand-written loops. Seed 003:
the two-output GRU model (numbers checked against tf_keras), merge layers, loss
aliases, optimizers by name, regularizers, callbacks, JSON + weights. Seed 004:
the engine's anatomy (Layer/Model), `get_config`, training mode, `run_eagerly`.

Where a seed's code does not run in any Keras 2.x (it compares a node's
`inbound_layers` with a list, or concatenates 2-D with 3-D tensors), the test
shows what Keras 2 does instead.
"""

import numpy as np
import pytest
import tensorflow as tf

import kengine as keras
from kengine import layers
from tests.programs import _programs
from tests.programs._golden import assert_matches_golden

K = keras.backend


# ------------------------------------------------------------------- seed 000
def test_seed000_keras_tensors_and_nodes():
    a = keras.Input(shape=(32,), name="input_a")
    b = keras.Input(shape=(32,), name="input_b")
    a_layer, a_node_index, a_tensor_index = a._keras_history
    b_layer = b._keras_history[0]
    assert len(a_layer.inbound_nodes) == 1
    assert a_tensor_index == 0
    node = a_layer.inbound_nodes[a_node_index]
    assert node.outbound_layer == a_layer

    dense = layers.Dense(16, name="dense_1")
    a_2 = dense(a)
    b_2 = dense(b)
    assert len(dense.inbound_nodes) == 2
    assert len(dense.outbound_nodes) == 0
    # Keras 2.x returns the single inbound layer/tensor itself, not a list of one.
    assert dense.inbound_nodes[0].inbound_layers is a_layer
    assert dense.inbound_nodes[0].outbound_layer is dense
    assert dense.inbound_nodes[0].input_tensors is a
    assert dense.inbound_nodes[1].inbound_layers is b_layer
    assert dense.inbound_nodes[1].input_tensors is b
    assert (a_2._keras_history[1], b_2._keras_history[1]) == (0, 1)
    keras.Model([a, b], layers.add([a_2, b_2]))
    assert len(dense.outbound_nodes) == 2  # the Add layer consumed both outputs


def test_seed000_input_shape_has_a_batch_dimension():
    assert keras.Input((3, 2, 4)).shape.as_list() == [None, 3, 2, 4]


def test_seed000_gradient_tape_loop():
    model = keras.Sequential(
        [keras.Input((6,)), layers.Dense(8, activation="relu"), layers.Dense(3)]
    )
    _programs.fixed_weights(model)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = keras.optimizers.SGD(learning_rate=0.1)
    x = _programs.range_like((32, 6), 1.0)
    y = (x[:, 0] > 0).astype("int32") + (x[:, 1] > 0.5).astype("int32")
    batch_size = 8
    train_dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size)
    epoch_losses, seen = [], 0
    for _ in range(3):
        losses = []
        for step, (x_batch_train, y_batch_train) in enumerate(train_dataset):
            with tf.GradientTape() as tape:
                logits = model(x_batch_train, training=True)
                loss_value = loss_fn(y_batch_train, logits)
            grads = tape.gradient(loss_value, model.trainable_weights)
            optimizer.apply_gradients(zip(grads, model.trainable_weights))
            losses.append(float(loss_value))
            seen = (step + 1) * batch_size
        epoch_losses.append(np.mean(losses))
    assert seen == 32
    assert int(optimizer.iterations) == 12
    assert epoch_losses[2] < epoch_losses[0]


def test_seed000_loss_reduction():
    y_true = np.array([[0.0, 1.0], [1.0, 1.0]])
    y_pred = np.array([[1.0, 1.0], [1.0, 0.0]])
    per_sample = [0.5, 0.5]
    none = keras.losses.MeanSquaredError(reduction=keras.losses.Reduction.NONE)
    np.testing.assert_allclose(none(y_true, y_pred), per_sample)
    auto = keras.losses.MeanSquaredError()
    assert float(auto(y_true, y_pred)) == pytest.approx(0.5)
    total = keras.losses.MeanSquaredError(reduction="sum")
    weighted = total(y_true, y_pred, sample_weight=[0.5, 2.0])
    assert float(weighted) == pytest.approx(0.5 * 0.5 + 0.5 * 2.0)
    # (num_target, batch, 1) targets: per-sample losses of shape (num_target, batch).
    y3 = np.ones((3, 4, 1), "float32")
    p3 = np.full((3, 4, 1), 0.5, "float32")
    assert keras.losses.binary_crossentropy(y3, p3).shape == (3, 4)
    bce = keras.losses.BinaryCrossentropy(reduction="none")
    assert bce(y3, p3).shape == (3, 4)
    assert keras.losses.BinaryCrossentropy()(y3, p3).shape == ()


def test_seed000_auto_reduction_under_a_strategy_raises():
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    y_true, y_pred = [[0.0, 1.0]], [[0.4, 0.6]]
    with strategy.scope():
        with pytest.raises(ValueError, match="Reduction.SUM"):
            keras.losses.CategoricalCrossentropy()(y_true, y_pred)
        summed = keras.losses.CategoricalCrossentropy(reduction="sum")
        assert float(summed(y_true, y_pred)) == pytest.approx(-np.log(0.6), rel=1e-6)


def test_seed000_metrics_come_back_from_train_step():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
    model.compile(
        optimizer="sgd",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    assert model.metrics_names == []
    logs = model.train_on_batch(np.ones((2, 4)), np.array([0, 1]), return_dict=True)
    assert sorted(logs) == ["accuracy", "loss"]
    assert model.metrics_names == ["loss", "accuracy"]
    # One input twice: the same prediction cannot match both labels.
    assert logs["accuracy"] in (0.0, 0.5)


# ------------------------------------------------------------------- seed 001
def _small_classifier():
    model = keras.Sequential([keras.Input((4,)), layers.Dense(3)])
    model.compile(
        optimizer="sgd",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def test_seed001_metrics_reset_and_logs_reach_callbacks():
    class Recorder(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.at_begin, self.epoch_logs = [], []

        def on_epoch_begin(self, epoch, logs=None):
            self.at_begin.append([float(m.result()) for m in self.model.metrics])

        def on_epoch_end(self, epoch, logs=None):
            self.epoch_logs.append(dict(logs))

    model = _small_classifier()
    recorder = Recorder()
    x, y = _programs.range_like((8, 4), 1.0), _programs.int_like((8,), 3)
    history = model.fit(
        x, y, epochs=2, batch_size=4, validation_data=(x, y), callbacks=[recorder]
    )
    # Metrics are reset before every epoch (the first epoch builds them).
    assert recorder.at_begin[1] == [0.0, 0.0]
    assert sorted(recorder.epoch_logs[0]) == [
        "accuracy",
        "loss",
        "val_accuracy",
        "val_loss",
    ]
    assert history.history["loss"] == [logs["loss"] for logs in recorder.epoch_logs]


def test_seed001_fit_traces_train_function_once():
    model = _small_classifier()
    x, y = _programs.range_like((10, 4), 1.0), _programs.int_like((10,), 3)
    model.fit(x, y, batch_size=4, epochs=2, verbose=0)  # the last batch is partial
    # Keras 2 traces twice on the first call; kengine builds slots and metrics first.
    assert model.train_function.experimental_get_tracing_count() == 1


def test_seed001_fit_generator_and_train_on_batch():
    model = _small_classifier()

    def gen():
        while True:
            yield np.ones((2, 4), "float32"), np.array([0, 1])

    with pytest.warns(UserWarning, match="fit_generator"):
        history = model.fit_generator(gen(), steps_per_epoch=3, epochs=2, verbose=0)
    assert history.params == {"verbose": 0, "epochs": 2, "steps": 3}
    loss, acc = model.train_on_batch(np.ones((2, 4)), np.array([0, 1]))
    assert isinstance(loss, float) and acc in (0.0, 0.5)


def test_seed001_dict_targets_from_a_generator():
    image_input = keras.Input((6,), name="image_input")
    x = layers.Dense(5, activation="relu")(image_input)
    output1 = layers.Dense(1, name="output1")(x)
    output2 = layers.Dense(1, name="output2")(x)
    model = keras.Model(inputs=image_input, outputs=[output1, output2])
    model.compile(
        optimizer="adam",
        loss={"output1": "mean_squared_error", "output2": "mean_squared_error"},
    )

    def batch_generator(batch_size):
        i = 0
        while True:
            i += 1
            yield (
                _programs.range_like((batch_size, 6), 1.0, i),
                {
                    "output1": _programs.range_like((batch_size, 1), 1.0, i + 1),
                    "output2": _programs.range_like((batch_size, 1), 1.0, i + 2),
                },
            )

    history = model.fit(batch_generator(4), steps_per_epoch=2, epochs=1, verbose=0)
    assert sorted(history.history) == ["loss", "output1_loss", "output2_loss"]
    h = history.history
    assert h["loss"][0] == pytest.approx(h["output1_loss"][0] + h["output2_loss"][0])


def test_seed001_embedding_ids_must_be_below_input_dim():
    emb = layers.Embedding(5, 2)
    assert emb(np.array([[0, 4]])).shape == (1, 2, 2)
    with pytest.raises(tf.errors.InvalidArgumentError):
        emb(np.array([[5]]))


def test_seed001_ctc_batch_cost_shapes():
    y_true = np.array([[1, 2], [2, 1]])
    y_pred = tf.nn.softmax(tf.constant(_programs.range_like((2, 5, 4), 1.0)))
    cost = K.ctc_batch_cost(y_true, y_pred, np.array([[5], [5]]), np.array([[2], [2]]))
    assert cost.shape == (2, 1)
    assert np.all(np.asarray(cost) > 0)


def test_seed001_duplicate_weight_names_break_h5_export(tmp_path):
    class Duplicated(layers.Layer):
        def build(self, input_shape):
            self.a = self.add_weight(name="w", shape=(2,))
            self.b = self.add_weight(name="w", shape=(2,))

        def call(self, x):
            return x * self.a * self.b

    inputs = keras.Input((2,))
    model = keras.Model(inputs, Duplicated()(inputs))
    names = [w.name for w in model.weights]  # the seed's debugging loop
    assert names == ["duplicated/w:0", "duplicated/w:0"]
    with pytest.raises(ValueError):
        model.save_weights(str(tmp_path / "dup.h5"))
    model.save_weights(str(tmp_path / "dup_ckpt"))  # TF format tracks by object


# ------------------------------------------------------------------- seed 002
class Linear(keras.layers.Layer):
    """y = w.x + b"""

    def __init__(self, units=32, input_dim=32):
        super(Linear, self).__init__()  # noqa: UP008 (the seed's spelling)
        w_init = tf.random_normal_initializer()
        self.w = tf.Variable(
            initial_value=w_init(shape=(input_dim, units), dtype="float32"),
            trainable=True,
        )
        b_init = tf.zeros_initializer()
        self.b = tf.Variable(
            initial_value=b_init(shape=(units,), dtype="float32"), trainable=True
        )

    def call(self, inputs):
        return tf.matmul(inputs, self.w) + self.b


class LazyLinear(keras.layers.Layer):
    def __init__(self, units=32):
        super().__init__()
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(
            shape=(input_shape[-1], self.units), initializer="random_normal"
        )
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal")

    def call(self, inputs):
        return tf.matmul(inputs, self.w) + self.b


class ActivityRegularization(keras.layers.Layer):
    def __init__(self, rate=1e-2):
        super().__init__()
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * tf.reduce_sum(inputs))
        return inputs


class SparseMLP(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.linear_1 = LazyLinear(32)
        self.regularization = ActivityRegularization(1e-2)
        self.linear_3 = LazyLinear(10)

    def call(self, inputs):
        x = tf.nn.relu(self.linear_1(inputs))
        return self.linear_3(self.regularization(x))


def test_seed002_linear_layers():
    linear_layer = Linear(units=4, input_dim=2)
    y = linear_layer(tf.ones((2, 2)))
    assert y.shape == (2, 4)
    assert linear_layer.weights == [linear_layer.w, linear_layer.b]
    lazy = LazyLinear(4)
    assert lazy(tf.ones((2, 2))).shape == (2, 4)
    assert [tuple(w.shape) for w in lazy.weights] == [(2, 4), (4,)]


def test_seed002_sparse_mlp_losses_and_loop():
    mlp = SparseMLP()
    mlp(tf.ones((10, 10)))
    assert len(mlp.losses) == 1
    mlp(tf.ones((10, 10)))
    assert len(mlp.losses) == 1  # no accumulation

    x = _programs.range_like((64, 10), 1.0)
    y = _programs.int_like((64,), 10)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = keras.optimizers.SGD(learning_rate=1e-2)
    losses = []
    for _ in range(3):
        for x_batch, y_batch in dataset:
            with tf.GradientTape() as tape:
                logits = mlp(x_batch)
                loss = loss_fn(y_batch, logits) + sum(mlp.losses)
            gradients = tape.gradient(loss, mlp.trainable_weights)
            optimizer.apply_gradients(zip(gradients, mlp.trainable_weights))
            losses.append(float(loss))
    assert len(mlp.trainable_weights) == 4
    assert np.mean(losses[-4:]) < np.mean(losses[:4])


def test_seed002_compiled_train_step():
    model = keras.Sequential(
        [
            keras.layers.Dense(8, activation=tf.nn.relu),
            keras.layers.Dense(8, activation=tf.nn.relu),
            keras.layers.Dense(10),
        ]
    )
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = keras.optimizers.Adam(learning_rate=1e-2)

    @tf.function
    def train_on_batch(x, y):
        with tf.GradientTape() as tape:
            logits = model(x)
            loss = loss_fn(y, logits)
            gradients = tape.gradient(loss, model.trainable_weights)
        optimizer.apply_gradients(zip(gradients, model.trainable_weights))
        return loss

    x = _programs.range_like((64, 6), 1.0)
    y = _programs.int_like((64,), 10, 2.0)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    losses = [float(train_on_batch(xb, yb)) for _ in range(5) for xb, yb in dataset]
    assert len(model.weights) == 6
    assert np.mean(losses[-4:]) < np.mean(losses[:4])


# ------------------------------------------------------------------- seed 003
def test_seed003_two_output_gru_model_matches_tf_keras():
    assert_matches_golden("rnnoise", _programs.run_rnnoise(keras))


def test_seed003_model_as_written_fails_to_concatenate():
    model_input = keras.Input(shape=(None, 42), name="model_input")
    x = layers.Dense(24, activation="tanh")(model_input)
    vad_gru = layers.GRU(24)(x)
    assert x.shape.as_list() == [None, None, 24]
    assert vad_gru.shape.as_list() == [None, 24]
    with pytest.raises(ValueError, match="Concatenate"):
        layers.concatenate([x, vad_gru, model_input])


def test_seed003_merge_layers():
    x = tf.constant([[1, 2], [3, 4]])
    y = tf.constant([[5, -1], [7, 3]])
    np.testing.assert_array_equal(layers.add([x, y]), [[6, 1], [10, 7]])
    np.testing.assert_array_equal(layers.Add()([x, y]), [[6, 1], [10, 7]])


@pytest.mark.parametrize(
    "alias, name",
    [
        ("mse", "mean_squared_error"),
        ("MSE", "mean_squared_error"),
        ("mae", "mean_absolute_error"),
        ("MAE", "mean_absolute_error"),
        ("mape", "mean_absolute_percentage_error"),
        ("msle", "mean_squared_logarithmic_error"),
        ("kld", "kl_divergence"),
        ("KLD", "kl_divergence"),
    ],
)
def test_seed003_loss_aliases(alias, name):
    assert keras.losses.get(alias).__name__ == name


def test_seed003_backend_losses_and_optimizers_by_name():
    y_true = np.array([[1.0, 0.0]])
    y_pred = np.array([[2.0, 0.0]])
    assert float(K.mean(K.square(y_pred - y_true), axis=-1)[0]) == 0.5
    np.testing.assert_allclose(keras.losses.mean_squared_error(y_true, y_pred), [0.5])
    np.testing.assert_allclose(keras.losses.hinge([[1.0]], [[0.25]]), [0.75])
    names = ["sgd", "rmsprop", "adagrad", "adadelta", "adam", "adamax", "nadam"]
    classes = [type(keras.optimizers.get(n)).__name__ for n in names]
    assert classes == [
        "SGD",
        "RMSprop",
        "Adagrad",
        "Adadelta",
        "Adam",
        "Adamax",
        "Nadam",
    ]


def test_seed003_regularizers():
    weights = tf.constant([[1.0, -2.0]])
    assert float(keras.regularizers.l1_l2(l1=0.01, l2=0.02)(weights)) == pytest.approx(
        0.01 * 3 + 0.02 * 5
    )
    assert float(keras.regularizers.l1(0.1)(weights)) == pytest.approx(0.3)
    assert float(keras.regularizers.l2(0.1)(weights)) == pytest.approx(0.5)


def test_seed003_lambda_callback_and_early_stopping_arguments():
    events = []
    callback = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: events.append(("epoch_begin", epoch)),
        on_batch_end=lambda batch, logs: events.append(("batch_end", batch)),
        on_train_begin=lambda logs: events.append("train_begin"),
    )
    model = keras.Sequential([keras.Input((2,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 2)), np.ones((4, 1)), batch_size=2, callbacks=[callback])
    assert events == [
        "train_begin",
        ("epoch_begin", 0),
        ("batch_end", 0),
        ("batch_end", 1),
    ]
    stopper = keras.callbacks.EarlyStopping(
        monitor="val_loss", min_delta=0, patience=20, mode="min"
    )
    assert (stopper.monitor, stopper.patience, stopper.min_delta) == ("val_loss", 20, 0)


def test_seed003_json_and_weights(tmp_path):
    model = _programs.rnnoise_model(keras)
    (tmp_path / "model.json").write_text(model.to_json())
    model.save_weights(str(tmp_path / "model.h5"))
    loaded = keras.models.model_from_json((tmp_path / "model.json").read_text())
    loaded.load_weights(str(tmp_path / "model.h5"))
    for a, b in zip(
        loaded.predict(_programs.RNNOISE_X, verbose=0),
        model.predict(_programs.RNNOISE_X, verbose=0),
    ):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_seed003_whole_model_h5(tmp_path):
    model = _small_classifier()
    model.save(str(tmp_path / "m.h5"))
    loaded = keras.models.load_model(str(tmp_path / "m.h5"))
    assert loaded.count_params() == 15
    for ours, theirs in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(ours, theirs)


# ------------------------------------------------------------------- seed 004
class MLP(keras.layers.Layer):
    def __init__(self, units=4, reg=1e-3):
        super().__init__()
        self.linear = LazyLinear(units)
        self.reg = reg

    def call(self, inputs):
        x = tf.nn.relu(self.linear(inputs))
        self.add_loss(tf.reduce_sum(x**2) * self.reg)
        return x

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.linear.units, "reg": self.reg})
        return config


def test_seed004_layer_tracks_state_and_losses():
    mlp_layer = MLP(4)
    y = mlp_layer(tf.ones((2, 3)))
    assert len(mlp_layer.trainable_weights) == 2
    assert float(mlp_layer.losses[0]) == pytest.approx(
        1e-3 * float(tf.reduce_sum(y**2)), rel=1e-6
    )
    config = mlp_layer.get_config()
    assert (config["units"], config["reg"]) == (4, 1e-3)


def test_seed004_training_mode():
    class Noisy(keras.layers.Layer):
        def call(self, x, training=True):
            return x + 1.0 if training else x

    layer = Noisy()
    x = tf.zeros((1, 2))
    np.testing.assert_array_equal(layer(x), [[1.0, 1.0]])  # the call default
    np.testing.assert_array_equal(layer(x, training=False), [[0.0, 0.0]])


def test_seed004_model_runs_eagerly_when_asked():
    class Model(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)
            self.eager = []

        def call(self, x):
            self.eager.append(tf.executing_eagerly())
            return self.dense(x)

    model = Model()
    model.compile(
        optimizer=keras.optimizers.Adam(),
        loss=keras.losses.MeanSquaredError(),
        run_eagerly=True,
    )
    assert model.run_eagerly
    history = model.fit(np.ones((4, 3)), np.ones((4, 2)), batch_size=2, verbose=0)
    assert list(history.history) == ["loss"]
    assert model.eager[-2:] == [True, True]
