"""kengine.layers.preprocessing.index_lookup: the machinery both lookups share.

The order of an adapted vocabulary, where its state lives (the `vocabulary`
weight, so h5 files and `set_weights` carry it), `set_vocabulary`'s checks,
and the errors of inconsistent arguments. Exercised through `StringLookup`
and `IntegerLookup`, the two public faces of `IndexLookup`.
"""

import numpy as np
import pytest
import tensorflow as tf

import kengine
from kengine.layers.preprocessing.integer_lookup import IntegerLookup
from kengine.layers.preprocessing.string_lookup import StringLookup


def test_adapted_order_is_frequency_then_descending_token():
    layer = StringLookup()
    layer.adapt(["b", "a", "c", "a", "d", "c", "e", "e", "e"])
    # e: 3; a, c: 2 (c > a); b, d: 1 (d > b), as tf_keras's np.lexsort order.
    assert layer.get_vocabulary() == ["[UNK]", "e", "c", "a", "d", "b"]
    assert layer.get_vocabulary(include_special_tokens=False) == [
        "e",
        "c",
        "a",
        "d",
        "b",
    ]


def test_max_tokens_keeps_the_most_frequent_and_drops_reserved_tokens():
    layer = IntegerLookup(max_tokens=4, mask_token=0, oov_token=-1)
    layer.adapt(np.array([0, 0, 0, -1, -1, 5, 5, 6, 6, 6, 7]))
    assert layer.get_vocabulary() == [0, -1, 6, 5]


def test_adapted_vocabulary_is_a_weight():
    layer = StringLookup()
    layer.adapt([["x", "y", "y"]])
    (vocabulary,) = layer.get_weights()
    assert vocabulary.tolist() == [b"y", b"x"]
    assert [w.name for w in layer.weights] == ["vocabulary:0"]
    assert not layer.trainable_weights
    fresh = StringLookup()
    fresh.set_weights(layer.get_weights())
    assert fresh.get_vocabulary() == ["[UNK]", "y", "x"]
    assert fresh(tf.constant(["x", "q"])).numpy().tolist() == [2, 0]
    assert fresh.count_params() == 0  # an unknown length counts as 0, as in tf_keras


def test_a_given_vocabulary_lives_in_the_config_not_in_weights():
    layer = IntegerLookup(vocabulary=[7, 8])
    assert layer.weights == [] and layer.get_config()["vocabulary"] == [7, 8]


@pytest.mark.parametrize("save_format", ["h5", "tf"])
def test_saved_weights_restore_an_adapted_lookup(tmp_path, save_format):
    def model():
        inputs = kengine.Input(shape=(None,), dtype="int64")
        lookup = IntegerLookup(
            output_mode="count", pad_to_max_tokens=True, max_tokens=6
        )
        return kengine.Model(inputs, lookup(inputs)), lookup

    original, lookup = model()
    lookup.adapt(np.array([[4, 4, 9], [2, 9, 9]]))
    filepath = str(tmp_path / ("w.h5" if save_format == "h5" else "ckpt"))
    original.save_weights(filepath)
    restored, fresh = model()
    restored.load_weights(filepath)
    assert fresh.get_vocabulary() == lookup.get_vocabulary() == [-1, 9, 4, 2]
    data = np.array([[9, 9, 2, 3]])
    np.testing.assert_array_equal(
        restored.predict(data, verbose=0), [[1, 2, 0, 1, 0, 0]]
    )


def test_graphs_traced_before_a_new_vocabulary_see_it():
    layer = StringLookup(vocabulary=["a", "b"])
    traced = tf.function(lambda x: layer(x))
    assert traced(tf.constant(["b"])).numpy().tolist() == [2]
    layer.set_vocabulary(["b", "a"])
    assert traced(tf.constant(["b"])).numpy().tolist() == [1]


def test_vocabulary_files(tmp_path):
    (tmp_path / "words.txt").write_text("cat\ndog\n")
    (tmp_path / "ints.txt").write_text("10\n20\n")
    words = StringLookup(vocabulary=str(tmp_path / "words.txt"), mask_token="")
    assert words.get_vocabulary() == ["", "[UNK]", "cat", "dog"]
    assert words.get_config()["vocabulary"] == str(tmp_path / "words.txt")
    ints = IntegerLookup(vocabulary=str(tmp_path / "ints.txt"), invert=True)
    assert ints(tf.constant([2, 1, 0])).numpy().tolist() == [20, 10, -1]
    with pytest.raises(ValueError, match="does not exist"):
        StringLookup(vocabulary=str(tmp_path / "missing.txt"))


def test_integer_tokens_of_any_integer_dtype():
    # tf_keras cannot build an int32 vocabulary (no int32 -> int64 hash table).
    layer = IntegerLookup(vocabulary=[4, 8, 15], vocabulary_dtype="int32")
    assert layer(tf.constant([[15, 16, 4]], tf.int32)).numpy().tolist() == [[3, 0, 1]]
    inverse = IntegerLookup(vocabulary=[4, 8], vocabulary_dtype="int32", invert=True)
    assert inverse(tf.constant([2])).dtype == tf.int32


def test_sparse_inputs_keep_their_structure():
    layer = StringLookup(vocabulary=["a", "b"])
    sparse = tf.SparseTensor([[0, 0], [1, 2]], ["b", "z"], [2, 3])
    out = layer(sparse)
    assert isinstance(out, tf.SparseTensor)
    assert out.values.numpy().tolist() == [2, 0]


def test_no_oov_indices_makes_unknown_tokens_an_error():
    layer = StringLookup(vocabulary=["a"], num_oov_indices=0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_oov_indices=0"):
        layer(tf.constant(["a", "zzz"]))


def test_encoded_modes_need_a_vocabulary_and_keep_its_size():
    with pytest.raises(RuntimeError, match="must set the layer's vocabulary"):
        StringLookup(output_mode="multi_hot")(tf.constant([["a"]]))
    layer = StringLookup(output_mode="multi_hot")
    layer.adapt(["a", "b"])
    with pytest.raises(RuntimeError, match="Old vocab size is 3, new vocab size is 4"):
        layer.adapt(["a", "b", "c"])


def test_a_given_vocabulary_cannot_be_adapted():
    with pytest.raises(ValueError, match="Cannot adapt StringLookup"):
        StringLookup(vocabulary=["a"]).adapt(["b"])


@pytest.mark.parametrize(
    ("vocabulary", "match"),
    [
        (
            ["a", "b", "a"],
            r"repeated terms are \['a'\]. Received: vocabulary=\['a', 'b', 'a'\]",
        ),
        (["a", "[UNK]"], None),
        (["a", "", "b"], r"mask_token='' at vocabulary index 1"),
        ([], r"empty vocabulary. Received: vocabulary=\[\]"),
        (["a", "b", "c", "d"], "Passed vocab size is 6, max vocab size is 5"),
    ],
)
def test_set_vocabulary_checks(vocabulary, match):
    layer = StringLookup(mask_token="", max_tokens=5)
    if match is None:  # the OOV token among the tokens is only an error with invert
        layer.set_vocabulary(vocabulary)
        assert layer.get_vocabulary() == ["", "[UNK]", "a", "[UNK]"]
        return
    with pytest.raises(ValueError, match=match):
        layer.set_vocabulary(vocabulary)


def test_idf_weights_are_checked_against_the_vocabulary():
    with pytest.raises(ValueError, match="`idf_weights` must be set"):
        StringLookup(vocabulary=["a"], output_mode="tf_idf")
    with pytest.raises(
        ValueError, match="len\\(idf_weights\\) is 1, len\\(vocabulary\\) is 2"
    ):
        StringLookup(vocabulary=["a", "b"], idf_weights=[1.0], output_mode="tf_idf")
    layer = StringLookup(
        vocabulary=["a", "b"], idf_weights=[1.0, 3.0], output_mode="tf_idf"
    )
    # The OOV index gets the average weight; counts are multiplied by the weights.
    assert layer(tf.constant([["b", "b", "q"]])).numpy().tolist() == [[2.0, 0.0, 6.0]]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_tokens": 1}, "max_tokens=1"),
        ({"num_oov_indices": -1}, "num_oov_indices=-1"),
        ({"output_mode": "binary_count"}, "output_mode='binary_count'"),
        ({"invert": True, "output_mode": "count"}, "output_mode=count"),
        ({"sparse": True}, "sparse=True and output_mode=int"),
        ({"idf_weights": [1.0]}, "idf_weights=\\[1.0\\] and output_mode=int"),
        ({"pad_to_max_tokens": True}, "max_tokens=None"),
        ({"dtype": "float32"}, "dtype=float32"),
    ],
)
def test_inconsistent_arguments_are_refused_by_name(kwargs, match):
    with pytest.raises(ValueError, match=match):
        StringLookup(**kwargs)


def test_integer_lookup_refuses_a_float_vocabulary_dtype():
    with pytest.raises(ValueError, match="vocabulary_dtype=float32"):
        IntegerLookup(vocabulary_dtype="float32")


def test_model_set_weights_carries_the_vocabulary():
    def model():
        inputs = kengine.Input(shape=(None,), dtype="string")
        lookup = StringLookup()
        return kengine.Model(inputs, lookup(inputs)), lookup

    source, lookup = model()
    lookup.adapt([["p", "q", "q"]])
    target, fresh = model()
    target.set_weights(source.get_weights())
    assert fresh.get_vocabulary() == ["[UNK]", "q", "p"]
    np.testing.assert_array_equal(target(tf.constant([["p", "z"]])).numpy(), [[2, 0]])
