"""Fixed small models for the study-tool tests, every layer named explicitly.

Each function takes no argument and returns a model, so it can be named on the
command line as `tests.tools.models:shared_layer` (the tools' `module:function`).
"""

import numpy as np

import kengine
from kengine import layers


def shared_layer():
    """Two inputs through one shared Dense, concatenated: the shared layer has two nodes."""
    a = layers.Input((3,), name="a")
    b = layers.Input((3,), name="b")
    shared = layers.Dense(2, name="shared")
    merged = layers.Concatenate(name="merge")([shared(a), shared(b)])
    out = layers.Dense(1, name="head")(merged)
    return kengine.Model([a, b], out, name="shared_model")


def nested():
    """A functional model used as one layer of an outer model."""
    x = layers.Input((4,), name="inner_in")
    inner = kengine.Model(x, layers.Dense(3, name="inner_dense")(x), name="inner")
    y = layers.Input((4,), name="outer_in")
    out = layers.Dense(1, name="outer_head")(inner(y))
    return kengine.Model(y, out, name="outer")


def sequential():
    """A Sequential model: its InputLayer is not in `model.layers`."""
    return kengine.Sequential(
        [
            layers.Input((4,), name="seq_in"),
            layers.Dense(3, activation="relu", name="hidden"),
            layers.Dense(2, name="logits"),
        ],
        name="seq",
    )


def two_output_gru():
    """Seed note 003's two-output GRU model (rnnoise) at the seed's sizes.

    As in `tests/programs/_programs.py`, the first GRU returns sequences (the seed
    concatenates its 2-D output with 3-D tensors, which no Keras accepts) and a
    pooling layer turns them into the per-sequence voice-activity output.
    """
    model_input = layers.Input((None, 42), name="model_input")
    x = layers.Dense(24, activation="tanh", name="dense_in")(model_input)
    vad_gru = layers.GRU(24, return_sequences=True, name="vad_gru")(x)
    pooled = layers.GlobalAveragePooling1D(name="vad_pool")(vad_gru)
    vad_out = layers.Dense(1, name="vad_out")(pooled)
    denoise_input = layers.Concatenate(name="denoise_input")([x, vad_gru, model_input])
    denoise_gru = layers.GRU(96, name="denoise_gru")(denoise_input)
    denoise_output = layers.Dense(22, name="denoise_output")(denoise_gru)
    return kengine.Model(model_input, [vad_out, denoise_output], name="rnnoise")


def classifier_with_data():
    """A compiled Sequential classifier and 40 samples (batch 16 leaves a partial batch)."""
    model = sequential()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.sin(np.arange(40 * 4, dtype="float32")).reshape(40, 4)
    y = (x[:, 0] > 0).astype("int32")
    return model, x, y


def regularized_two_output():
    """A compiled two-output model with an l2 penalty, fixed weights and 4 samples."""
    inputs = layers.Input((3,), name="x")
    hidden = layers.Dense(
        4,
        activation="relu",
        kernel_regularizer=kengine.regularizers.l2(0.01),
        name="hidden",
    )(inputs)
    probs = layers.Dense(2, activation="softmax", name="probs")(hidden)
    value = layers.Dense(1, name="value")(hidden)
    model = kengine.Model(inputs, [probs, value], name="walk")
    model.set_weights(
        [
            np.cos(np.arange(np.prod(w.shape)) + i).reshape(w.shape) * 0.5
            for i, w in enumerate(model.weights)
        ]
    )
    model.compile(
        kengine.optimizers.Adam(0.1),
        ["sparse_categorical_crossentropy", "mse"],
        loss_weights=[1.0, 0.5],
        metrics=[["accuracy"], []],
    )
    x = np.sin(np.arange(4 * 3, dtype="float32")).reshape(4, 3)
    y = [
        np.array([0, 1, 1, 0], "int32"),
        np.cos(np.arange(4, dtype="float32"))[:, None],
    ]
    return model, x, y
