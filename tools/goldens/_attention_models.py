"""tf_keras runs of two small attention models, for `layers_attention` goldens.

`transformer`: the keras-io "Text classification with Transformer" model, shrunk:
    Input(maxlen) -> TokenAndPositionEmbedding -> TransformerBlock (MHA + residual
    + LayerNormalization + feed-forward Sequential) -> GlobalAveragePooling1D ->
    Dropout -> Dense(relu) -> Dropout -> Dense(2, softmax)
`masked_mha`: Input(int32) -> Embedding(mask_zero=True) -> MultiHeadAttention
    (self-attention; the padding mask rides on the tensors) ->
    GlobalAveragePooling1D (mask-aware) -> Dense(2, softmax)

Dropout rates are 0 so training is deterministic and comparable step by step.
Each model gets `range_like` weights, is saved with tf_keras's `save_weights`
(`<name>_initial.h5`), then trains 5 `train_on_batch` SGD steps; predictions
before and after, the losses, and the weight and layer names go to
`transformer.json` / `transformer.npz`. The kengine test
(`tests/layers/attention/test_transformer_block.py`) defines the same classes.
"""

from pathlib import Path

import numpy as np
import tensorflow as tf
import tf_keras as keras

from goldens._common import fixed_weights, write_json, write_npz

L = keras.layers
VOCAB, MAXLEN, EMBED, HEADS, FF, BATCH = 20, 6, 8, 2, 16, 8
STEPS, LEARNING_RATE = 5, 0.1


class TransformerBlock(L.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.att = L.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential(
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
    return keras.Model(inputs=inputs, outputs=outputs)


def masked_mha():
    inputs = L.Input(shape=(MAXLEN,), dtype="int32")
    x = L.Embedding(VOCAB, EMBED, mask_zero=True)(inputs)
    x = L.MultiHeadAttention(num_heads=HEADS, key_dim=4)(x, x)
    x = L.GlobalAveragePooling1D()(x)
    outputs = L.Dense(2, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


def data(masked: bool):
    """Token ids (padding zeros at the ends of some rows when `masked`), labels."""
    x = (np.arange(BATCH * MAXLEN).reshape(BATCH, MAXLEN) * 7 + 3) % VOCAB
    x = np.where(x == 0, 1, x)
    if masked:
        for row, length in enumerate([6, 4, 2, 5, 3, 6, 1, 4]):
            x[row, length:] = 0
    y = np.arange(BATCH) % 2
    return x.astype("int32" if masked else "float32"), y.astype("int32")


def _run(name: str, build, masked: bool, out_dir: Path, arrays: dict) -> dict:
    keras.backend.clear_session()
    model = build()
    fixed_weights(model, scale=0.3)
    model.save_weights(str(out_dir / f"{name}_initial.h5"))
    x, y = data(masked)
    arrays[f"{name}/x"], arrays[f"{name}/y"] = x, y
    arrays[f"{name}/predict_initial"] = model.predict(x, verbose=0)
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=LEARNING_RATE),
        loss="sparse_categorical_crossentropy",
    )
    losses = [float(model.train_on_batch(x, y)) for _ in range(STEPS)]
    arrays[f"{name}/predict_trained"] = model.predict(x, verbose=0)
    return {
        "layer_names": [layer.name for layer in model.layers],
        "weight_names": [w.name for w in model.weights],
        "losses": losses,
    }


def generate(out_dir: Path) -> None:
    """Writes transformer.json/.npz and the two `<name>_initial.h5` files."""
    arrays = {}
    meta = {
        "transformer": _run("transformer", transformer, False, out_dir, arrays),
        "masked_mha": _run("masked_mha", masked_mha, True, out_dir, arrays),
    }
    write_json(out_dir, "transformer.json", meta)
    write_npz(out_dir, "transformer.npz", **arrays)
