"""Functional models: graph wiring, layer order, config round trips, against tf_keras."""

import json

import numpy as np
import pytest
import tensorflow as tf

import kengine
from kengine import layers
from tests.engine._engine_models import MODELS, model_inputs
from tests.goldens import load_json, load_npz


def _normalize(obj):
    """JSON round trip, so tuples and lists compare equal."""
    return json.loads(json.dumps(obj))


def _build(name):
    tf.random.set_seed(0)
    return MODELS[name](kengine)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_weight_names_order_and_layers_match_tf_keras(name):
    golden = load_json("engine", f"{name}.json")
    model = _build(name)
    assert [w.name for w in model.weights] == golden["weight_names"]
    assert [list(w.shape) for w in model.weights] == golden["weight_shapes"]
    assert [w.name for w in model.trainable_weights] == golden["trainable_names"]
    assert [layer.name for layer in model.layers] == golden["layer_names"]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_summary_text_matches_tf_keras(name):
    golden = load_json("engine", f"{name}.json")
    lines = []
    _build(name).summary(print_fn=lines.append)
    assert lines == golden["summary"]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_config_json_matches_tf_keras(name):
    golden = json.loads(load_json("engine", f"{name}.json")["to_json"])
    ours = json.loads(_build(name).to_json())
    assert _normalize(ours["config"]) == _normalize(golden["config"])
    assert ours["class_name"] == golden["class_name"]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_outputs_with_fixed_weights_match_tf_keras(name):
    data = load_npz("engine", f"{name}.npz")
    model = _build(name)
    model.set_weights([data[f"w{i}"] for i in range(len(model.weights))])
    outputs = tf.nest.flatten(model(model_inputs(model), training=False))
    for i, out in enumerate(outputs):
        np.testing.assert_allclose(out.numpy(), data[f"y{i}"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_tf_keras_json_rebuilds_and_computes_the_same(name):
    golden = load_json("engine", f"{name}.json")
    data = load_npz("engine", f"{name}.npz")
    model = kengine.models.model_from_json(golden["to_json"])
    assert [layer.name for layer in model.layers] == golden["layer_names"]
    assert [w.name for w in model.weights] == golden["weight_names"]
    model.set_weights([data[f"w{i}"] for i in range(len(model.weights))])
    outputs = tf.nest.flatten(model(model_inputs(model), training=False))
    for i, out in enumerate(outputs):
        np.testing.assert_allclose(out.numpy(), data[f"y{i}"], rtol=1e-5, atol=1e-6)


def test_multi_output_structure_and_names():
    model = _build("multi_in_out")
    assert model.input_names == ["input_a", "input_b"]
    assert model.output_names == ["out1", "out2"]
    assert model.get_layer("hidden") is model.layers[3]
    assert model.get_layer(index=0).name == "input_a"
    out1, out2 = model([np.ones((5, 4)), np.ones((5, 3))])
    assert out1.shape == (5, 1) and out2.shape == (5, 2)


def test_dict_inputs_by_input_name_and_missing_name():
    model = _build("multi_in_out")
    by_list = model([np.ones((2, 4)), np.zeros((2, 3))])
    by_dict = model({"input_b": np.zeros((2, 3)), "input_a": np.ones((2, 4))})
    np.testing.assert_array_equal(by_list[0].numpy(), by_dict[0].numpy())
    with pytest.raises(ValueError, match=r'Missing data for input "input_b".*input_a'):
        model({"input_a": np.ones((2, 4))})


def test_dict_outputs():
    x = kengine.Input((2,), name="x")
    model = kengine.Model(
        x, {"b": layers.Dense(1, name="b")(x), "a": layers.Dense(3, name="a")(x)}
    )
    out = model(np.ones((4, 2)))
    assert sorted(out) == ["a", "b"] and out["a"].shape == (4, 3)
    assert model.output_names == ["a", "b"]


def test_shared_layer_has_one_node_per_call():
    model = _build("shared_layer")
    shared = model.get_layer("shared")
    assert len(shared.inbound_nodes) == 2
    assert shared.inbound_nodes[0].inbound_layers is model.get_layer("left")
    assert shared.inbound_nodes[1].inbound_layers is model.get_layer("right")
    with pytest.raises(AttributeError, match="multiple inbound nodes"):
        _ = shared.output


def test_model_from_intermediate_tensors():
    x = kengine.Input((3,), name="x")
    h = layers.Dense(4, name="h")(x)
    out = layers.Dense(1, name="o")(h)
    model = kengine.Model(h, out)
    assert [layer.name for layer in model.layers] == ["input_1", "o"]
    assert model(np.ones((2, 4))).shape == (2, 1)
    # Its config is loadable: the intermediate input became a real Input.
    clone = kengine.models.model_from_json(model.to_json())
    assert clone(np.ones((2, 4))).shape == (2, 1)


def test_call_inside_tf_function_and_eagerly_agree():
    model = _build("multi_in_out")
    inputs = [tf.ones((3, 4)), tf.ones((3, 3))]
    eager = model(inputs)
    graph = tf.function(lambda a, b: model([a, b]))(*inputs)
    np.testing.assert_allclose(eager[1].numpy(), graph[1].numpy(), rtol=1e-6)


def test_graph_disconnected_names_the_missing_input():
    a = kengine.Input((3,), name="a")
    b = kengine.Input((3,), name="b")
    out = layers.add([layers.Dense(3)(a), b])
    with pytest.raises(ValueError, match=r"Graph disconnected.*name='b'"):
        kengine.Model(a, out)


def test_duplicate_layer_names_rejected():
    a = kengine.Input((3,), name="a")
    x = layers.Dense(3, name="same")(a)
    x = layers.Dense(3, name="same")(x)
    with pytest.raises(
        ValueError, match='The name "same" is used 2 times in the model'
    ):
        kengine.Model(a, x)


def test_outputs_must_be_keras_tensors():
    a = kengine.Input((3,), name="a")
    with pytest.raises(ValueError, match="must come from `kengine.Input`"):
        kengine.Model(a, tf.ones((1, 3)))


def test_from_config_unknown_class_and_malformed_json():
    golden = json.loads(load_json("engine", "sequential_mlp.json")["to_json"])
    golden["config"]["layers"][1]["class_name"] = "NoSuchLayer"
    with pytest.raises(ValueError, match="Unknown layer: 'NoSuchLayer'"):
        kengine.models.model_from_json(json.dumps(golden))
    with pytest.raises(ValueError, match="Could not parse the model JSON"):
        kengine.models.model_from_json("{not json")
    with pytest.raises(ValueError, match="'class_name' and 'config'"):
        kengine.models.model_from_json("[1, 2]")


def test_routing_model_to_functional_is_explicit():
    from kengine.engine.functional import Functional
    from kengine.engine.training import _functional_class_for

    x = kengine.Input((2,))
    assert _functional_class_for(kengine.Model, (x, x), {}) is Functional
    assert _functional_class_for(kengine.Model, (), {}) is kengine.Model
    assert isinstance(kengine.Model(inputs=x, outputs=layers.Dense(1)(x)), Functional)


def test_subclass_passing_inputs_outputs_is_a_graph_network():
    class Wrapped(kengine.Model):
        def __init__(self):
            x = kengine.Input((2,), name="wx")
            super().__init__(x, layers.Dense(3, name="wd")(x), name="wrapped")

    model = Wrapped()
    assert isinstance(model, Wrapped)
    assert [layer.name for layer in model.layers] == ["wx", "wd"]
    assert model(np.ones((1, 2))).shape == (1, 3)


def test_add_loss_of_a_symbolic_tensor_becomes_a_node():
    x = kengine.Input((3,), name="x")
    h = layers.Dense(2, name="h")(x)
    model = kengine.Model(x, h)
    model.add_loss(tf.reduce_sum(h) * 0.0 + 5.0)
    assert [layer.name for layer in model.layers][-1] == "add_loss"
    model(np.ones((2, 3)))
    assert [float(v) for v in model.losses] == [5.0]
    clone = kengine.models.model_from_json(model.to_json())
    clone(np.ones((2, 3)))
    assert [float(v) for v in clone.losses] == [5.0]


def test_masks_flow_through_a_functional_model_once():
    calls = []

    class Counting(layers.Layer):
        def call(self, x):
            calls.append(1)
            return x * 1.0

    x = kengine.Input((3,), dtype="int32")
    emb = layers.Embedding(5, 2, mask_zero=True)(x)
    model = kengine.Model(x, Counting()(emb))
    calls.clear()
    out = model(np.array([[1, 0, 2]]))
    assert len(calls) == 1
    assert out._keras_mask is None or out._keras_mask.shape == (1, 3)


def _one_hot_sequences() -> np.ndarray:
    """A `(6, 4, 5)` bool one-hot array, as text-generation examples feed LSTMs."""
    x = np.zeros((6, 4, 5), bool)
    for i in range(6):
        for t in range(4):
            x[i, t, (2 * i + 3 * t) % 5] = True
    return x


def _fixed_model(body: str) -> kengine.Model:
    inputs = kengine.Input((4, 5))
    hidden = layers.LSTM(3)(inputs) if body == "lstm" else layers.Flatten()(inputs)
    model = kengine.Model(inputs, layers.Dense(3)(hidden))
    model.set_weights(
        [
            (np.sin(np.arange(w.size) + i) * 0.5).reshape(w.shape).astype("float32")
            for i, w in enumerate(model.get_weights())
        ]
    )
    model.compile("sgd", kengine.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def _train_predict(body: str, x: np.ndarray) -> tuple:
    y = np.arange(6) % 3
    model = _fixed_model(body)
    call_out = model(x)
    assert call_out.dtype == tf.float32
    history = model.fit(x, y, epochs=2, batch_size=3, shuffle=False, verbose=0)
    return (
        history.history["loss"],
        model.evaluate(x, y, verbose=0),
        model.predict(x, verbose=0),
        call_out.numpy(),
    )


@pytest.mark.parametrize(
    "body, dtype",
    [("dense", "bool"), ("dense", "int64"), ("lstm", "bool"), ("lstm", "uint8")],
)
def test_bool_and_int_arrays_are_cast_to_a_float_input(body, dtype):
    # As tf_keras's Functional does: the data is cast to the Input's dtype.
    x = _one_hot_sequences()
    expected = _train_predict(body, x.astype("float32"))
    got = _train_predict(body, x.astype(dtype))
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-6)


def test_float_array_into_an_int_input_is_truncated():
    inputs = kengine.Input((3,), dtype="int32")
    seen = layers.Lambda(lambda t: tf.cast(t, "float32") * 2.0)(inputs)
    model = kengine.Model(inputs, seen)
    x = np.array([[1.7, -2.2, 3.0]], "float32")
    # tf.cast truncates toward zero: [1, -2, 3] (tf_keras gives [[2, -4, 6]]).
    np.testing.assert_array_equal(model(x), [[2.0, -4.0, 6.0]])
    np.testing.assert_array_equal(model.predict(x, verbose=0), [[2.0, -4.0, 6.0]])
    embed = kengine.Sequential(
        [kengine.Input((3,), dtype="int32"), layers.Embedding(5, 1)]
    )
    embed.set_weights([np.arange(5, dtype="float32").reshape(5, 1)])
    np.testing.assert_array_equal(
        embed(np.array([[1.7, 2.2, 4.9]]))[..., 0], [[1, 2, 4]]
    )
