"""kengine.layers.preprocessing.text_vectorization against tf_keras goldens.

Besides the layer cases, a Functional model fed raw strings trains as tf_keras's
did (same vocabulary, weights, losses and predictions), its weights go through
an h5 file with the vocabulary, and the layer runs in `tf.data` pipelines, in
`tf.function`s and in an exported SavedModel.
"""

import numpy as np
import pytest
import tensorflow as tf

import kengine
from kengine import layers
from kengine.layers.preprocessing.text_vectorization import TextVectorization
from tests.goldens import load_json, load_npz
from tests.layers.preprocessing import _replay

MODELS = load_json("preprocessing", "models.json")
MODEL_DATA = load_npz("preprocessing", "models.npz")
TEXT = ["The cat sat on the mat.", "The dog ate my homework!", "a cat, a dog; a BIRD?"]


@pytest.mark.parametrize("case", _replay.cases("TextVectorization"))
def test_matches_tf_keras(case):
    _replay.check_case(case)


def _text_model(vectorizer):
    inputs = kengine.Input(shape=(1,), dtype="string")
    embedding = layers.Embedding(20, 4)
    dense = layers.Dense(1, activation="sigmoid")
    pooled = layers.GlobalAveragePooling1D()(embedding(vectorizer(inputs)))
    return kengine.Model(inputs, dense(pooled)), embedding, dense


def test_functional_model_on_raw_strings_trains_like_tf_keras(tmp_path):
    vectorizer = TextVectorization(max_tokens=20, output_sequence_length=6)
    vectorizer.adapt([t for t in MODEL_DATA["text/x"][:5, 0]])
    assert vectorizer.get_vocabulary() == MODELS["text"]["vocabulary"]
    model, embedding, dense = _text_model(vectorizer)
    for name, layer in (("embedding", embedding), ("dense", dense)):
        layer.set_weights(
            [
                MODEL_DATA[f"text/{name}/w{i}"]
                for i in range(2 if name == "dense" else 1)
            ]
        )
    model.compile(kengine.optimizers.SGD(0.5), "binary_crossentropy")
    x, y = MODEL_DATA["text/x"].astype(object), MODEL_DATA["text/y"]
    history = model.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(
        history.history["loss"], MODELS["text"]["history"]["loss"], rtol=1e-5
    )
    predictions = model.predict(x, verbose=0)
    np.testing.assert_allclose(
        predictions, MODEL_DATA["text/predict"], rtol=1e-5, atol=1e-6
    )

    # The vocabulary travels in the h5 file: a fresh, unadapted layer gets it.
    model.save_weights(str(tmp_path / "text.h5"))
    fresh = TextVectorization(max_tokens=20, output_sequence_length=6)
    restored, _, _ = _text_model(fresh)
    restored.load_weights(str(tmp_path / "text.h5"))
    assert fresh.get_vocabulary() == MODELS["text"]["vocabulary"]
    np.testing.assert_allclose(restored.predict(x, verbose=0), predictions, rtol=1e-6)


def test_runs_in_tf_data_and_tf_function():
    layer = TextVectorization(output_sequence_length=3)
    layer.adapt(TEXT)
    expected = layer(tf.constant(["the cat ate", "a dog"])).numpy()
    mapped = (
        tf.data.Dataset.from_tensor_slices(["the cat ate", "a dog"]).batch(2).map(layer)
    )
    np.testing.assert_array_equal(next(iter(mapped)).numpy(), expected)
    traced = tf.function(lambda x: layer(x))
    np.testing.assert_array_equal(
        traced(tf.constant(["the cat ate", "a dog"])).numpy(), expected
    )


def test_saved_model_with_text_vectorization_and_string_lookup_reloads(tmp_path):
    vectorizer = TextVectorization(output_mode="tf_idf")
    vectorizer.adapt(TEXT)
    inputs = kengine.Input(shape=(), dtype="string")
    model = kengine.Model(inputs, layers.Dense(2)(vectorizer(inputs)))
    lookup = layers.StringLookup(mask_token="")
    lookup.adapt(tf.strings.split(TEXT))
    strings = tf.constant(["the cat", "a bird on my mat", "nothing"])
    words = tf.strings.split(strings).to_tensor()

    module = tf.Module()
    module.model, module.lookup = model, lookup
    module.serve = tf.function(
        lambda x: model(x), input_signature=[tf.TensorSpec([None], tf.string)]
    )
    module.words = tf.function(
        lambda x: lookup(x), input_signature=[tf.TensorSpec([None, None], tf.string)]
    )
    tf.saved_model.save(module, str(tmp_path / "saved"))
    loaded = tf.saved_model.load(str(tmp_path / "saved"))
    np.testing.assert_allclose(loaded.serve(strings).numpy(), model(strings).numpy())
    np.testing.assert_array_equal(loaded.words(words).numpy(), lookup(words).numpy())
    vocabulary = lookup.get_vocabulary()
    assert loaded.words(words).numpy().tolist()[0] == [
        vocabulary.index("the"),
        vocabulary.index("cat"),
        0,  # the padding of `to_tensor` is the mask token
        0,
        0,
    ]


def test_from_config_rebuilds_the_same_layer():
    layer = TextVectorization(
        max_tokens=10, ngrams=(1, 2), vocabulary=["the", "cat", "the cat"]
    )
    clone = TextVectorization.from_config(layer.get_config())
    inputs = tf.constant(["The cat!", "cat the"])
    np.testing.assert_array_equal(clone(inputs).numpy(), layer(inputs).numpy())
    np.testing.assert_array_equal(layer(inputs).numpy(), [[2, 3, 4], [3, 2, 1]])


def test_callable_standardize_and_split():
    layer = TextVectorization(
        standardize=lambda x: tf.strings.regex_replace(x, "-", " "),
        split=lambda x: tf.strings.split(x, sep=" "),
        vocabulary=["a", "b"],
    )
    np.testing.assert_array_equal(layer(["a-b-c"]).numpy(), [[2, 3, 1]])


@pytest.mark.parametrize("mode", ["multi_hot", "count", "tf_idf"])
def test_output_sequence_length_with_a_non_int_mode_is_refused(mode):
    with pytest.raises(
        ValueError, match=f"output_sequence_length=5 and output_mode='{mode}'"
    ):
        TextVectorization(output_mode=mode, output_sequence_length=5)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"standardize": "upper"}, "`standardize`.*standardize='upper'"),
        ({"split": "comma"}, "`split`.*split='comma'"),
        ({"output_mode": "one_hot"}, "`output_mode`.*output_mode='one_hot'"),
        ({"ngrams": 1.5}, "ngrams=1.5"),
        ({"output_sequence_length": 2.0}, "output_sequence_length=2.0"),
        ({"ragged": True, "output_mode": "count"}, "ragged=True"),
        ({"dtype": "int32"}, "dtype=int32"),
    ],
)
def test_bad_arguments_are_refused_by_name(kwargs, match):
    with pytest.raises(ValueError, match=match):
        TextVectorization(**kwargs)


def test_vocabulary_with_duplicates_is_refused():
    with pytest.raises(ValueError, match=r"repeated terms are \['cat'\].*vocabulary="):
        TextVectorization(vocabulary=["cat", "dog", "cat"])


def test_inputs_wider_than_one_column_are_refused():
    layer = TextVectorization(vocabulary=["a"])
    with pytest.raises(ValueError, match=r"inputs.shape=\(1, 2\)"):
        layer(tf.constant([["a", "b"]]))
