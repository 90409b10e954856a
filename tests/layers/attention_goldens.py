"""Replays the tf_keras goldens of `testdata/layers_attention/` on kengine layers.

`tools/goldens/layers_attention.py` recorded, per case, a layer's constructor
arguments, how it is called (`style`: `layer([q, v])`, `layer(q, v)` or
`layer(x)`; call flags; masks), fixed inputs and weights, and tf_keras's
outputs (attention scores included), gradients of `sum(y_j * probe_j)` with
respect to the inputs and trainable weights, the weights after the call
(SpectralNormalization updates its kernel), the output mask, losses, weight
names/shapes, config and the output shapes of a call on `Input`s. The test
modules of the attention layers, `einsum_dense.py` and the newer normalization
layers parametrize over these cases with the helpers here.
"""

import json

import numpy as np
import tensorflow as tf

import kengine.layers as layers
from kengine.testing import range_like
from tests.goldens import load_json, load_npz

AREA = "layers_attention"
CASES = load_json(AREA, "layers.json")
DATA = load_npz(AREA, "layers.npz")
ERRORS = load_json(AREA, "errors.json")
RTOL, ATOL = 1e-5, 1e-6


def case_ids(*class_names: str) -> list[str]:
    """Ids of the golden cases of the given classes."""
    return sorted(k for k, v in CASES.items() if v["class_name"] in class_names)


def make_layer(case: str):
    """A fresh kengine layer with the case's constructor arguments."""
    meta = CASES[case]
    kwargs = dict(meta["kwargs"])
    if meta["class_name"] == "SpectralNormalization":
        inner = meta["config"]["layer"]
        wrapped = layers.deserialize(
            {"class_name": inner["class_name"], "config": inner["config"]}
        )
        return layers.SpectralNormalization(wrapped, **kwargs)
    return getattr(layers, meta["class_name"])(**kwargs)


def inputs(case: str) -> list:
    """The case's input tensors (fresh ones: masks are attached per call)."""
    return [tf.constant(DATA[f"{case}/x{i}"]) for i in range(CASES[case]["n_inputs"])]


def call(layer, case: str, xs: list, **overrides):
    """Calls `layer` on `xs` the way the golden case did."""
    meta = CASES[case]
    kwargs = {**meta["call"], **overrides}
    masks = meta["input_masks"]
    if meta["attention_mask"] is not None:
        kwargs["attention_mask"] = tf.constant(meta["attention_mask"])
    if meta["style"] == "list":
        if masks:
            kwargs["mask"] = [tf.constant(m) for m in masks]
        return layer(list(xs), **kwargs)
    if meta["style"] == "single":
        if masks:
            kwargs["mask"] = tf.constant(masks[0])
        return layer(xs[0], **kwargs)
    if masks:
        for x, mask in zip(xs, masks):
            x._keras_mask = tf.constant(mask)
    return layer(*xs, **kwargs)


def flat_outputs(outputs) -> list:
    return list(outputs) if isinstance(outputs, tuple) else [outputs]


def golden_weights(case: str) -> list:
    return [DATA[f"{case}/w{i}"] for i in range(len(CASES[case]["weight_names"]))]


def _close(actual, expected, what: str) -> None:
    np.testing.assert_allclose(
        np.asarray(actual), expected, rtol=RTOL, atol=ATOL, err_msg=what
    )


def forward_and_grads(layer, case: str):
    """Outputs and gradients of `sum(y_j * probe_j)` (inputs, trainable weights)."""
    xs = inputs(case)
    with tf.GradientTape() as tape:
        tape.watch(xs)
        flat = flat_outputs(call(layer, case, xs))
        loss = tf.add_n(
            [
                tf.reduce_sum(y * range_like(tuple(y.shape), 1.0, offset=7.0 + j))
                for j, y in enumerate(flat)
            ]
        )
    d_inputs, d_weights = tape.gradient(loss, [xs, layer.trainable_weights])
    return flat, d_inputs, d_weights


def check_structure(layer, case: str) -> None:
    """Weight names, shapes, trainability and config equal tf_keras's."""
    meta = CASES[case]
    assert [w.name for w in layer.weights] == meta["weight_names"]
    assert [list(w.shape) for w in layer.weights] == meta["weight_shapes"]
    assert [w.trainable for w in layer.weights] == meta["trainable"]
    config = json.loads(json.dumps(layer.get_config()))
    assert sorted(config) == sorted(meta["config"]), set(config) ^ set(meta["config"])
    assert config == meta["config"]


def check_case(case: str) -> None:
    """Outputs, gradients, masks, losses, weights and config equal tf_keras's."""
    layer = make_layer(case)
    call(layer, case, inputs(case))  # builds, as the first call did there
    layer.set_weights(golden_weights(case))
    flat, d_inputs, d_weights = forward_and_grads(layer, case)
    assert len(flat) == CASES[case]["n_outputs"]
    for j, y in enumerate(flat):
        _close(y, DATA[f"{case}/y{j}"], f"{case}: output {j}")
    for i, grad in enumerate(d_inputs):
        _close(grad, DATA[f"{case}/dx{i}"], f"{case}: input gradient {i}")
    for i, grad in enumerate(d_weights):
        _close(grad, DATA[f"{case}/dw{i}"], f"{case}: weight gradient {i}")
    for i, weight in enumerate(layer.weights):
        _close(weight, DATA[f"{case}/after{i}"], f"{case}: weight {i} after the call")
    mask = getattr(flat[0], "_keras_mask", None)
    if f"{case}/mask" in DATA:
        np.testing.assert_array_equal(mask.numpy(), DATA[f"{case}/mask"])
    else:
        assert mask is None
    _close(
        sorted(float(v) for v in layer.losses),
        sorted(CASES[case]["losses"]),
        f"{case}: losses",
    )
    check_structure(layer, case)


def check_symbolic(case: str) -> None:
    """A call on `Input`s gives tf_keras's output shapes (batch unknown)."""
    meta = CASES[case]
    layer = make_layer(case)
    xs = [
        layers.Input(shape=DATA[f"{case}/x{i}"].shape[1:])
        for i in range(meta["n_inputs"])
    ]
    flags = {k: v for k, v in meta["call"].items() if k != "training"}
    if meta["style"] == "list":
        outputs = layer(xs, **flags)
    elif meta["style"] == "single":
        outputs = layer(xs[0], **flags)
    else:
        outputs = layer(*xs, **flags)
    shapes = [t.shape.as_list() for t in flat_outputs(outputs)]
    assert shapes == meta["symbolic_shapes"]


def check_graph_modes(case: str) -> None:
    """`tf.function` and XLA give the eager (golden) outputs."""
    layer = make_layer(case)
    call(layer, case, inputs(case))
    for jit in (False, True):
        layer.set_weights(golden_weights(case))
        fn = tf.function(lambda *xs: call(layer, case, list(xs)), jit_compile=jit)
        for j, y in enumerate(flat_outputs(fn(*inputs(case)))):
            _close(y, DATA[f"{case}/y{j}"], f"{case}: output {j}, jit_compile={jit}")


def check_config_round_trip(case: str) -> None:
    """`from_config(get_config())` has the same config and, with the same
    weights, the same outputs."""
    layer = make_layer(case)
    call(layer, case, inputs(case))
    config = layer.get_config()
    clone = type(layer).from_config(json.loads(json.dumps(config)))
    call(clone, case, inputs(case))
    assert json.loads(json.dumps(clone.get_config())) == json.loads(json.dumps(config))
    clone.set_weights(golden_weights(case))
    for j, y in enumerate(flat_outputs(call(clone, case, inputs(case)))):
        _close(y, DATA[f"{case}/y{j}"], f"{case}: output {j} after from_config")


def error_message(case: str) -> str:
    """tf_keras's message for an error case, without its call-context wrapping."""
    _, message = ERRORS[case]
    if message.startswith("Exception encountered when calling layer"):
        message = message.split("\n\n", 1)[1]
        message = message.split("\n\nCall arguments received by layer")[0]
    return message
