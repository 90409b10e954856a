"""Golden data for the attention layers, EinsumDense and the newer normalization layers.

Runs tf_keras (Keras 2) on fixed inputs (`range_like`) and fixed weights and
records, for `Attention`, `AdditiveAttention`, `MultiHeadAttention`,
`EinsumDense`, `UnitNormalization`, `GroupNormalization`,
`SpectralNormalization` and `AlphaDropout`:

Files written to `testdata/layers_attention/`:
    layers.npz / layers.json    per case: inputs, masks, fixed weights, outputs
                                (and attention scores), gradients of
                                `sum(output * probe)` w.r.t. inputs and
                                weights, weights after the call, weight names
                                and shapes, get_config(), losses, output mask,
                                the output shapes of a call on `Input`s
    errors.json                 tf_keras's error type and message for bad arguments
    transformer.json / .npz     the keras-io text-classification transformer and
                                an Embedding(mask_zero=True) -> MHA model: layer and
                                weight names, h5 layout, predictions, losses of
                                5 `train_on_batch` SGD steps (see
                                `goldens/_attention_models.py`)
    transformer_initial.h5,     their fixed initial weights, written by tf_keras's
    masked_mha_initial.h5       `save_weights`
"""

import json
from pathlib import Path

import numpy as np
import tensorflow as tf
import tf_keras as keras

from goldens import _attention_models
from goldens._common import fixed_weights, range_like, write_json, write_npz

# Masks (literal, so the kengine tests read them from the json as well).
_QMASK = [[True, True, False], [True, False, True]]
_VMASK = [[True, True, True, False, False], [True, False, True, True, True]]
_QMASK4 = [[True, True, True, False], [True, False, True, True]]
_VMASK6 = [
    [True, True, False, True, True, False],
    [True, True, True, True, False, True],
]
_ATT_MASK = (np.arange(2 * 4 * 6).reshape(2, 4, 6) % 3 != 1).tolist()
_GROUP_MASK = (np.arange(2 * 5).reshape(2, 5, 1) % 4 != 3).tolist()

# case: class_name, kwargs, input shapes, style ("list": layer([a, b]); "args":
# layer(a, b); "single": layer(a)), and optional "call" kwargs, "input_masks"
# (the mask argument, or `_keras_mask`s for style "args") and "attention_mask".
_CASES = {
    "attention_dot": ("Attention", {}, [(2, 3, 4), (2, 5, 4)], "list"),
    "attention_scale_key": (
        "Attention",
        {"use_scale": True},
        [(2, 3, 4), (2, 5, 4), (2, 5, 4)],
        "list",
    ),
    "attention_concat": (
        "Attention",
        {"score_mode": "concat"},
        [(2, 3, 4), (2, 5, 4)],
        "list",
    ),
    "attention_concat_scale": (
        "Attention",
        {"score_mode": "concat", "use_scale": True},
        [(2, 3, 4), (2, 5, 4)],
        "list",
    ),
    "attention_masks": (
        "Attention",
        {"use_scale": True},
        [(2, 3, 4), (2, 5, 4)],
        "list",
        {"call": {"return_attention_scores": True}, "input_masks": [_QMASK, _VMASK]},
    ),
    "attention_causal": (
        "Attention",
        {},
        [(2, 4, 3), (2, 4, 3)],
        "list",
        {"call": {"return_attention_scores": True, "use_causal_mask": True}},
    ),
    "attention_causal_ctor": (
        "Attention",
        {"causal": True},
        [(2, 4, 3), (2, 4, 3)],
        "list",
    ),
    "attention_dropout_inference": (
        "Attention",
        {"dropout": 0.5},
        [(2, 3, 4), (2, 5, 4)],
        "list",
        {"call": {"training": False}},
    ),
    "additive": ("AdditiveAttention", {}, [(2, 3, 4), (2, 5, 4)], "list"),
    "additive_noscale_key": (
        "AdditiveAttention",
        {"use_scale": False},
        [(2, 3, 4), (2, 5, 4), (2, 5, 4)],
        "list",
        {"call": {"return_attention_scores": True}, "input_masks": [_QMASK, _VMASK]},
    ),
    "additive_causal": (
        "AdditiveAttention",
        {"dropout": 0.2},
        [(2, 4, 3), (2, 4, 3)],
        "list",
        {"call": {"use_causal_mask": True}},
    ),
    "mha_self": (
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 3},
        [(2, 4, 5), (2, 4, 5)],
        "args",
    ),
    "mha_cross": (
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 3, "value_dim": 4, "output_shape": 6},
        [(2, 4, 5), (2, 6, 5)],
        "args",
        {"call": {"return_attention_scores": True}},
    ),
    "mha_key": (
        "MultiHeadAttention",
        {"num_heads": 3, "key_dim": 2, "use_bias": False},
        [(2, 4, 5), (2, 6, 5), (2, 6, 3)],
        "args",
    ),
    "mha_attention_mask": (
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 3},
        [(2, 4, 5), (2, 6, 5)],
        "args",
        {"call": {"return_attention_scores": True}, "attention_mask": _ATT_MASK},
    ),
    "mha_robust_masking": (
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 3, "softmax_robust_masking": True},
        [(2, 4, 5), (2, 6, 5)],
        "args",
        {"attention_mask": _ATT_MASK},
    ),
    "mha_causal": (
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 2},
        [(2, 4, 5), (2, 4, 5)],
        "args",
        {"call": {"return_attention_scores": True, "use_causal_mask": True}},
    ),
    "mha_input_masks": (
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 3},
        [(2, 4, 5), (2, 6, 5)],
        "args",
        {
            "call": {"return_attention_scores": True, "use_causal_mask": True},
            "input_masks": [_QMASK4, _VMASK6],
            "attention_mask": _ATT_MASK,
        },
    ),
    "mha_axes_2d": (
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 2, "attention_axes": (1, 2)},
        [(2, 2, 3, 4), (2, 2, 3, 4)],
        "args",
        {"call": {"return_attention_scores": True}},
    ),
    "mha_axes_int": (
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 2, "attention_axes": 2, "output_shape": (2, 3)},
        [(2, 2, 3, 4), (2, 2, 3, 4)],
        "args",
    ),
    "mha_regularized": (
        "MultiHeadAttention",
        {
            "num_heads": 2,
            "key_dim": 2,
            "dropout": 0.3,
            "kernel_regularizer": "l2",
            "bias_regularizer": "l1",
            "activity_regularizer": "l2",
            "kernel_constraint": "max_norm",
            "kernel_initializer": "he_normal",
            "bias_initializer": "ones",
        },
        [(2, 3, 4), (2, 3, 4)],
        "args",
        {"call": {"training": False}},
    ),
    "einsum_dense": (
        "EinsumDense",
        {"equation": "ab,bc->ac", "output_shape": 4, "bias_axes": "c"},
        [(2, 3)],
        "single",
    ),
    "einsum_3d": (
        "EinsumDense",
        {"equation": "abc,cde->abde", "output_shape": [None, 4, 2], "bias_axes": "de"},
        [(2, 5, 3)],
        "single",
    ),
    "einsum_bias_inner": (
        "EinsumDense",
        {"equation": "abc,cde->abde", "output_shape": [5, 4, 2], "bias_axes": "d"},
        [(2, 5, 3)],
        "single",
    ),
    "einsum_left_ellipsis": (
        "EinsumDense",
        {
            "equation": "...b,bc->...c",
            "output_shape": 4,
            "bias_axes": "c",
            "activation": "relu",
        },
        [(2, 3, 5)],
        "single",
    ),
    "einsum_right_ellipsis": (
        "EinsumDense",
        {"equation": "ab...,bc->ac...", "output_shape": 4, "bias_axes": "c"},
        [(2, 3, 5)],
        "single",
    ),
    "einsum_nobias_reg": (
        "EinsumDense",
        {
            "equation": "abc,cd->abd",
            "output_shape": [None, 4],
            "kernel_regularizer": "l2",
            "activity_regularizer": "l1",
        },
        [(2, 5, 3)],
        "single",
    ),
    "unit_norm": ("UnitNormalization", {}, [(2, 3, 4)], "single"),
    "unit_norm_axes": ("UnitNormalization", {"axis": [1, 2]}, [(2, 3, 4)], "single"),
    "group_norm": ("GroupNormalization", {"groups": 2}, [(2, 5, 4)], "single"),
    "group_norm_instance": (
        "GroupNormalization",
        {"groups": -1, "epsilon": 0.01},
        [(2, 5, 4)],
        "single",
    ),
    "group_norm_channels_first": (
        "GroupNormalization",
        {"groups": 2, "axis": 1, "center": False},
        [(2, 4, 3, 3)],
        "single",
    ),
    "group_norm_4d": (
        "GroupNormalization",
        {
            "groups": 3,
            "scale": False,
            "gamma_regularizer": "l2",
            "beta_regularizer": "l1",
        },
        [(2, 3, 2, 6)],
        "single",
    ),
    "group_norm_mask": (
        "GroupNormalization",
        {"groups": 2},
        [(2, 5, 4)],
        "single",
        {"input_masks": [_GROUP_MASK]},
    ),
    "alpha_dropout_inference": (
        "AlphaDropout",
        {"rate": 0.3, "seed": 3},
        [(2, 5)],
        "single",
    ),
    "alpha_dropout_noise_shape": (
        "AlphaDropout",
        {"rate": 0.3, "noise_shape": [2, 1]},
        [(2, 5)],
        "single",
        {"call": {"training": False}},
    ),
}

# SpectralNormalization wraps a layer, so its cases build the wrapped one first.
_SPECTRAL_CASES = {
    "spectral_dense_train": (lambda: keras.layers.Dense(3), {}, (2, 4), True),
    "spectral_dense_infer": (lambda: keras.layers.Dense(3), {}, (2, 4), False),
    "spectral_conv_iters": (
        lambda: keras.layers.Conv2D(2, 2, use_bias=False),
        {"power_iterations": 3},
        (2, 4, 4, 3),
        True,
    ),
}


def _jsonable(obj):
    """tf_keras's JSON form: TensorShapes as lists, NumPy scalars as numbers."""

    def default(o):
        if isinstance(o, tf.TensorShape):
            return o.as_list()
        if hasattr(o, "item"):
            return o.item()
        if isinstance(o, tuple | list) or type(o).__name__ == "ListWrapper":
            return list(o)
        return str(o)

    return json.loads(json.dumps(obj, default=default))


def _probe(shape, j=0):
    return range_like(tuple(shape), scale=1.0, offset=7.0 + j)


def _call(layer, style, xs, extra):
    """Calls the layer the way the case says, with its masks and call kwargs."""
    kwargs = dict(extra.get("call", {}))
    masks = extra.get("input_masks")
    if extra.get("attention_mask") is not None:
        kwargs["attention_mask"] = tf.constant(extra["attention_mask"])
    if style == "list":
        if masks:
            kwargs["mask"] = [tf.constant(m) for m in masks]
        return layer(list(xs), **kwargs)
    if style == "single":
        if masks:
            kwargs["mask"] = tf.constant(masks[0])
        return layer(xs[0], **kwargs)
    if masks:
        for x, m in zip(xs, masks):
            x._keras_mask = tf.constant(m)
    return layer(*xs, **kwargs)


def _record(case, layer, style, x, extra, arrays, meta):
    """Fixes the weights, runs forward and backward, writes the case's goldens."""
    xs = [tf.constant(v) for v in x]
    _call(layer, style, xs, extra)  # builds under the layer's name scope
    weights = fixed_weights(layer, scale=0.5)
    xs = [tf.constant(v) for v in x]
    with tf.GradientTape() as tape:
        tape.watch(xs)
        outputs = _call(layer, style, xs, extra)
        flat = list(outputs) if isinstance(outputs, tuple) else [outputs]
        loss = tf.add_n(
            [tf.reduce_sum(y * _probe(y.shape, j)) for j, y in enumerate(flat)]
        )
    dxs, dws = tape.gradient(loss, [xs, layer.trainable_weights])
    for i, v in enumerate(x):
        arrays[f"{case}/x{i}"] = v
        arrays[f"{case}/dx{i}"] = dxs[i].numpy()
    for i, w in enumerate(weights):
        arrays[f"{case}/w{i}"] = w
    for i, g in enumerate(dws):
        arrays[f"{case}/dw{i}"] = g.numpy()
    for i, w in enumerate(layer.weights):
        arrays[f"{case}/after{i}"] = w.numpy()
    for j, y in enumerate(flat):
        arrays[f"{case}/y{j}"] = y.numpy()
    mask = getattr(flat[0], "_keras_mask", None)
    if mask is not None:
        arrays[f"{case}/mask"] = mask.numpy()
    meta[case] = {
        "style": style,
        "n_inputs": len(x),
        "n_outputs": len(flat),
        "call": extra.get("call", {}),
        "input_masks": extra.get("input_masks"),
        "attention_mask": extra.get("attention_mask"),
        "weight_names": [w.name for w in layer.weights],
        "weight_shapes": [list(w.shape) for w in layer.weights],
        "trainable": [w.trainable for w in layer.weights],
        "config": layer.get_config(),
        "losses": [float(v) for v in layer.losses],
    }
    meta[case]["symbolic_shapes"] = _symbolic_shapes(layer, style, x, extra)


def _symbolic_shapes(layer, style, x, extra):
    """Output shapes of a call on `Input`s (batch unknown; masks left out)."""
    inputs = [keras.Input(shape=v.shape[1:]) for v in x]
    call = {k: v for k, v in extra.get("call", {}).items() if k != "training"}
    if style == "list":
        outputs = layer(inputs, **call)
    elif style == "single":
        outputs = layer(inputs[0], **call)
    else:
        outputs = layer(*inputs, **call)
    flat = list(outputs) if isinstance(outputs, tuple) else [outputs]
    return [t.shape.as_list() for t in flat]


def _layers(out_dir: Path) -> None:
    arrays, meta = {}, {}
    for case, spec in _CASES.items():
        cls_name, kwargs, shapes, style = spec[:4]
        extra = spec[4] if len(spec) > 4 else {}
        keras.backend.clear_session()
        layer = getattr(keras.layers, cls_name)(**kwargs)
        x = [range_like(s, scale=1.5, offset=3.0 * i) for i, s in enumerate(shapes)]
        _record(case, layer, style, x, extra, arrays, meta)
        meta[case].update({"class_name": cls_name, "kwargs": kwargs})
    for case, (make, kwargs, shape, training) in _SPECTRAL_CASES.items():
        keras.backend.clear_session()
        layer = keras.layers.SpectralNormalization(make(), **kwargs)
        extra = {"call": {"training": training}}
        _record(
            case, layer, "single", [range_like(shape, scale=1.5)], extra, arrays, meta
        )
        meta[case].update({"class_name": "SpectralNormalization", "kwargs": kwargs})
    write_npz(out_dir, "layers.npz", **arrays)
    write_json(out_dir, "layers.json", _jsonable(meta))


# ---------------------------------------------------------------------- errors
def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - we record whatever tf_keras raises
        return [type(e).__name__, str(e)]
    return None


def _errors(out_dir: Path) -> None:
    L = keras.layers
    x3, x5 = tf.zeros((2, 3, 4)), tf.zeros((2, 5, 4))
    cases = {
        "einsum_form": lambda: L.EinsumDense("ab->b", 3)(tf.zeros((2, 3))),
        "einsum_bias_axis": lambda: L.EinsumDense("ab,bc->ac", 3, bias_axes="x")(
            tf.zeros((2, 3))
        ),
        "einsum_weight_dim": lambda: L.EinsumDense("ab,bcd->ac", 3)(tf.zeros((2, 3))),
        "einsum_output_dim": lambda: L.EinsumDense("ab,bc->ad", 3)(tf.zeros((2, 3))),
        "einsum_shared_dim": lambda: L.EinsumDense("abc,cd->abd", [7, 2])(
            tf.zeros((2, 5, 3))
        ),
        "attention_score_mode": lambda: L.Attention(score_mode="add"),
        "attention_not_list": lambda: L.Attention()(x3),
        "attention_one_input": lambda: L.Attention()([x3]),
        "attention_mask_length": lambda: L.Attention()(
            [x3, x5], mask=[tf.ones((2, 3), tf.bool)] * 3
        ),
        "mha_output_shape_dims": lambda: L.MultiHeadAttention(
            2, 2
        ).compute_output_shape((None, 3, 4), (None, 5, 6)),
        "mha_output_shape_key": lambda: L.MultiHeadAttention(2, 2).compute_output_shape(
            (None, 3, 4), (None, 5, 4), (None, 6, 4)
        ),
        "unit_norm_axis_type": lambda: L.UnitNormalization(axis="x"),
        "unit_norm_axis_range": lambda: L.UnitNormalization(axis=3)(x3),
        "group_norm_too_many": lambda: L.GroupNormalization(groups=8)(x3),
        "group_norm_not_multiple": lambda: L.GroupNormalization(groups=3)(x3),
        "group_norm_undefined": lambda: L.GroupNormalization(groups=2).build(
            tf.TensorShape((None, 3, None))
        ),
        "spectral_iterations": lambda: L.SpectralNormalization(
            L.Dense(2), power_iterations=0
        ),
        "spectral_no_kernel": lambda: L.SpectralNormalization(L.Flatten())(x3),
        "spectral_not_layer": lambda: L.SpectralNormalization("dense"),
    }
    write_json(out_dir, "errors.json", {k: _error(fn) for k, fn in cases.items()})


def generate(out_dir: Path) -> None:
    """Writes every layers_attention golden file into `out_dir`."""
    _layers(out_dir)
    _errors(out_dir)
    _attention_models.generate(out_dir)
