"""The Keras 2 guide "Working with RNNs", run with `import kengine as keras`.

Built-in LSTM/GRU/SimpleRNN layers in Sequential models, returned states fed
to a decoder as `initial_state`, stateful layers and `reset_states`,
`Bidirectional`, the fused `LSTM` against `RNN(LSTMCell)` with the same
weights, and the guide's custom cell with nested (tuple) inputs and states.
"""

import numpy as np
import tensorflow as tf

import kengine as keras
from kengine import layers
from tests.programs import _programs


def test_sequential_recurrent_stacks():
    model = keras.Sequential(
        [
            layers.Embedding(input_dim=100, output_dim=8),
            layers.LSTM(16),
            layers.Dense(3),
        ]
    )
    tokens = _programs.int_like((2, 7), 100)
    assert model(tokens).shape == (2, 3)
    assert model.count_params() == 100 * 8 + 4 * (8 * 16 + 16 * 16 + 16) + 16 * 3 + 3
    model = keras.Sequential(
        [
            layers.Embedding(input_dim=100, output_dim=8),
            layers.GRU(6, return_sequences=True),
            layers.SimpleRNN(5),
            layers.Dense(3),
        ]
    )
    assert model(tokens).shape == (2, 3)
    assert [tuple(w.shape) for w in model.layers[1].weights] == [
        (8, 18),
        (6, 18),
        (2, 18),
    ]


def test_encoder_states_initialize_decoder():
    encoder_input = layers.Input(shape=(None,))
    encoder_embedded = layers.Embedding(input_dim=50, output_dim=8)(encoder_input)
    output, state_h, state_c = layers.LSTM(8, return_state=True, name="encoder")(
        encoder_embedded
    )
    decoder_input = layers.Input(shape=(None,))
    decoder_embedded = layers.Embedding(input_dim=60, output_dim=8)(decoder_input)
    decoder = layers.LSTM(8, name="decoder")
    decoder_output = decoder(decoder_embedded, initial_state=[state_h, state_c])
    model = keras.Model(
        [encoder_input, decoder_input], layers.Dense(10)(decoder_output)
    )
    assert output.shape.as_list() == state_h.shape.as_list() == [None, 8]
    assert [lyr.name for lyr in model.layers if "coder" in lyr.name] == [
        "encoder",
        "decoder",
    ]
    # The decoder node has three inputs: its sequence and the two states.
    assert len(tf.nest.flatten(decoder.inbound_nodes[0].input_tensors)) == 3
    src = _programs.int_like((2, 5), 50)
    tgt = _programs.int_like((2, 6), 60, 1.0)
    assert model([src, tgt]).shape == (2, 10)


def test_stateful_lstm_and_reset_states():
    paragraphs = [_programs.range_like((4, 3, 5), 1.0, float(i)) for i in range(3)]
    lstm_layer = layers.LSTM(6, stateful=True)
    for paragraph in paragraphs:
        output = lstm_layer(paragraph)
    # State carried over three calls equals one pass over the joined sequence.
    whole = layers.LSTM(6)
    whole(paragraphs[0])
    whole.set_weights(lstm_layer.get_weights())
    np.testing.assert_allclose(
        output, whole(np.concatenate(paragraphs, axis=1)), rtol=1e-5, atol=1e-6
    )
    existing_state = lstm_layer.states
    assert len(existing_state) == 2 and existing_state[0].shape == (4, 6)
    new_lstm_layer = layers.LSTM(6)
    new_lstm_layer(paragraphs[0])
    new_lstm_layer.set_weights(lstm_layer.get_weights())
    new_output = new_lstm_layer(paragraphs[2], initial_state=existing_state)
    # Starting from the carried state is the same as a fourth stateful call.
    np.testing.assert_allclose(new_output, lstm_layer(paragraphs[2]), rtol=1e-5)
    lstm_layer.reset_states()
    assert all(not s.numpy().any() for s in lstm_layer.states)


def test_bidirectional_summary():
    model = keras.Sequential()
    model.add(
        layers.Bidirectional(
            layers.LSTM(64, return_sequences=True), input_shape=(5, 10)
        )
    )
    model.add(layers.Bidirectional(layers.LSTM(32)))
    model.add(layers.Dense(10))
    assert model.output_shape == (None, 10)
    assert [lyr.count_params() for lyr in model.layers] == [38400, 41216, 650]
    lines = []
    model.summary(print_fn=lines.append)
    assert any("Total params: 80266" in line for line in lines)


def test_lstm_equals_rnn_over_lstm_cell():
    def build_model(fused):
        if fused:
            lstm_layer = keras.layers.LSTM(8, input_shape=(None, 6))
        else:
            lstm_layer = keras.layers.RNN(
                keras.layers.LSTMCell(8), input_shape=(None, 6)
            )
        return keras.models.Sequential(
            [lstm_layer, keras.layers.BatchNormalization(), keras.layers.Dense(3)]
        )

    x = _programs.range_like((16, 5, 6), 1.0)
    y = _programs.int_like((16,), 3)
    model = build_model(fused=True)
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer="sgd",
        metrics=["accuracy"],
    )
    history = model.fit(x, y, validation_data=(x[:4], y[:4]), batch_size=8, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    cell_model = build_model(fused=False)
    cell_model.set_weights(model.get_weights())
    np.testing.assert_allclose(
        cell_model.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5
    )


class NestedCell(keras.layers.Layer):
    def __init__(self, unit_1, unit_2, unit_3, **kwargs):
        self.unit_1 = unit_1
        self.unit_2 = unit_2
        self.unit_3 = unit_3
        self.state_size = [tf.TensorShape([unit_1]), tf.TensorShape([unit_2, unit_3])]
        self.output_size = [tf.TensorShape([unit_1]), tf.TensorShape([unit_2, unit_3])]
        super().__init__(**kwargs)

    def build(self, input_shapes):
        i1 = input_shapes[0][1]
        i2, i3 = input_shapes[1][1], input_shapes[1][2]
        self.kernel_1 = self.add_weight(
            shape=(i1, self.unit_1), initializer="uniform", name="kernel_1"
        )
        self.kernel_2_3 = self.add_weight(
            shape=(i2, i3, self.unit_2, self.unit_3),
            initializer="uniform",
            name="kernel_2_3",
        )

    def call(self, inputs, states):
        input_1, input_2 = tf.nest.flatten(inputs)
        s1, s2 = states
        output_1 = tf.matmul(input_1, self.kernel_1)
        output_2_3 = tf.einsum("bij,ijkl->bkl", input_2, self.kernel_2_3)
        return (output_1, output_2_3), (s1 + output_1, s2 + output_2_3)


def test_nested_cell_sets_sizes_before_super_init():
    cell = NestedCell(2, 3, 4)
    assert cell.unit_1 == 2 and len(cell.state_size) == 2


def test_rnn_with_nested_inputs():
    rnn = keras.layers.RNN(NestedCell(2, 3, 4))
    input_1 = keras.Input((None, 5))
    input_2 = keras.Input((None, 6, 7))
    outputs = rnn((input_1, input_2))
    model = keras.models.Model([input_1, input_2], outputs)
    assert [o.shape.as_list() for o in model.outputs] == [[None, 2], [None, 3, 4]]
    model.compile(optimizer="adam", loss="mse", metrics=["accuracy"])
    x1 = _programs.range_like((4, 3, 5), 1.0)
    x2 = _programs.range_like((4, 3, 6, 7), 1.0)
    y1, y2 = np.zeros((4, 2), "float32"), np.zeros((4, 3, 4), "float32")
    logs = model.train_on_batch([x1, x2], [y1, y2], return_dict=True)
    assert list(logs) == [
        "loss",
        "rnn_loss",
        "rnn_1_loss",
        "rnn_accuracy",
        "rnn_1_accuracy",
    ]
    np.testing.assert_allclose(logs["loss"], logs["rnn_loss"] + logs["rnn_1_loss"])
