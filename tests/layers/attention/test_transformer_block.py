"""A transformer encoder block and a masked self-attention model, against tf_keras.

The programs are the ones `tools/goldens/_attention_models.py` ran with tf_keras
(the keras-io "Text classification with Transformer" model, shrunk, with dropout
rates of 0 so training is deterministic; and Embedding(mask_zero=True) ->
MultiHeadAttention -> GlobalAveragePooling1D -> Dense). The same classes are
written here against kengine. tf_keras wrote each model's fixed initial weights
with `save_weights` (`<name>_initial.h5`); kengine loads that file, predicts,
trains 5 `train_on_batch` SGD steps, and must reproduce tf_keras's layer and
weight names, predictions and losses, and write an h5 file of the same layout.
"""

import h5py
import numpy as np
import pytest
import tensorflow as tf

import kengine
from kengine import layers as L
from kengine.optimizers import SGD
from tests.goldens import load_json, load_npz, path

AREA = "layers_attention"
META = load_json(AREA, "transformer.json")
DATA = load_npz(AREA, "transformer.npz")
VOCAB, MAXLEN, EMBED, HEADS, FF = 20, 6, 8, 2, 16
LEARNING_RATE = 0.1


class TransformerBlock(L.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.att = L.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = kengine.Sequential(
            [L.Dense(ff_dim, activation="relu"), L.Dense(embed_dim)]
        )
        self.layernorm1 = L.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = L.LayerNormalization(epsilon=1e-6)
        self.dropout1 = L.Dropout(rate)
        self.dropout2 = L.Dropout(rate)

    def call(self, inputs, training):
        attn_output = self.att(inputs, inputs)
        attn_output = self.dropout1(attn_output, training=training)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.ffn(out1)
        ffn_output = self.dropout2(ffn_output, training=training)
        return self.layernorm2(out1 + ffn_output)


class TokenAndPositionEmbedding(L.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_emb = L.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = L.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        maxlen = tf.shape(x)[-1]
        positions = tf.range(start=0, limit=maxlen, delta=1)
        positions = self.pos_emb(positions)
        x = self.token_emb(x)
        return x + positions


def transformer():
    inputs = L.Input(shape=(MAXLEN,))
    x = TokenAndPositionEmbedding(MAXLEN, VOCAB, EMBED)(inputs)
    x = TransformerBlock(EMBED, HEADS, FF, rate=0.0)(x)
    x = L.GlobalAveragePooling1D()(x)
    x = L.Dropout(0.0)(x)
    x = L.Dense(20, activation="relu")(x)
    x = L.Dropout(0.0)(x)
    outputs = L.Dense(2, activation="softmax")(x)
    return kengine.Model(inputs=inputs, outputs=outputs)


def masked_mha():
    inputs = L.Input(shape=(MAXLEN,), dtype="int32")
    x = L.Embedding(VOCAB, EMBED, mask_zero=True)(inputs)
    x = L.MultiHeadAttention(num_heads=HEADS, key_dim=4)(x, x)
    x = L.GlobalAveragePooling1D()(x)
    outputs = L.Dense(2, activation="softmax")(x)
    return kengine.Model(inputs=inputs, outputs=outputs)


PROGRAMS = {"transformer": transformer, "masked_mha": masked_mha}


def _strings(values) -> list[str]:
    return [v.decode() if isinstance(v, bytes) else str(v) for v in np.ravel(values)]


def _h5_layout(filename) -> dict:
    """Every group's name lists and every dataset's shape and dtype, by path."""
    layout = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            layout[name] = ("dataset", obj.shape, str(obj.dtype))
        else:
            layout[name] = ("group", _strings(obj.attrs.get("weight_names", [])))

    with h5py.File(filename, "r") as f:
        f.visititems(visit)
        layout["/"] = ("file", _strings(f.attrs["layer_names"]))
    return layout


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_names_predictions_and_sgd_losses_match_tf_keras(name):
    model = PROGRAMS[name]()
    assert [layer.name for layer in model.layers] == META[name]["layer_names"]
    assert [w.name for w in model.weights] == META[name]["weight_names"]
    model.load_weights(str(path(AREA, f"{name}_initial.h5")))
    x, y = DATA[f"{name}/x"], DATA[f"{name}/y"]
    np.testing.assert_allclose(
        model.predict(x, verbose=0),
        DATA[f"{name}/predict_initial"],
        rtol=1e-5,
        atol=1e-6,
    )
    model.compile(
        optimizer=SGD(learning_rate=LEARNING_RATE),
        loss="sparse_categorical_crossentropy",
    )
    losses = [float(model.train_on_batch(x, y)) for _ in range(5)]
    np.testing.assert_allclose(losses, META[name]["losses"], rtol=1e-4)
    np.testing.assert_allclose(
        model.predict(x, verbose=0),
        DATA[f"{name}/predict_trained"],
        rtol=1e-4,
        atol=1e-6,
    )


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_save_weights_writes_tf_keras_h5_layout(name, tmp_path):
    model = PROGRAMS[name]()
    reference = path(AREA, f"{name}_initial.h5")
    model.load_weights(str(reference))
    model.save_weights(str(tmp_path / "w.h5"))
    assert _h5_layout(tmp_path / "w.h5") == _h5_layout(reference)
    with h5py.File(tmp_path / "w.h5", "r") as ours, h5py.File(reference, "r") as theirs:
        for layer in model.layers:
            for weight_name in ours[layer.name].attrs["weight_names"]:
                np.testing.assert_array_equal(
                    ours[layer.name][weight_name], theirs[layer.name][weight_name]
                )


def test_padding_is_masked_out_of_the_attention():
    """Changing a padded token's embedding cannot change the model's output."""
    model = masked_mha()
    model.load_weights(str(path(AREA, "masked_mha_initial.h5")))
    x = DATA["masked_mha/x"]
    before = model.predict(x, verbose=0)
    embeddings = model.layers[1].embeddings
    embeddings.assign(
        tf.tensor_scatter_nd_update(embeddings, [[0]], [tf.ones(EMBED) * 9])
    )
    np.testing.assert_allclose(
        model.predict(x, verbose=0), before, rtol=1e-6, atol=1e-7
    )
