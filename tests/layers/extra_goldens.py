"""Layer checks against the tf_keras goldens in `testdata/library_extra/`.

`tools/goldens/_extra_layers.py` recorded the newer convolution and
convolutional-recurrent layers in the layout of the `layers_conv` area, so
these helpers reuse `conv_goldens`' checks (weight names, shapes and order, the
exact config, outputs and gradients of `sum(y * g)` for fixed weights) on this
area's files.
"""

import numpy as np
import tensorflow as tf

from kengine.testing import run_layer_test
from tests.goldens import load_json, load_npz
from tests.layers import conv_goldens

AREA = "library_extra"
CASES = load_json(AREA, "layers.json")


def case_ids(*class_names: str) -> list[str]:
    """Ids of the golden cases of the given classes."""
    return [k for k, v in CASES.items() if v["class_name"] in class_names]


def load_case(case_id: str) -> tuple[dict, dict]:
    """The case's metadata and arrays."""
    return CASES[case_id], load_npz(AREA, f"layers/{case_id}.npz")


def check_golden_case(case_id: str, layer_cls: type, atol: float = 1e-6) -> None:
    """Builds the case's layer in kengine and compares everything tf_keras recorded."""
    meta, data = load_case(case_id)
    layer = layer_cls(**meta["kwargs"])
    layer.build(tuple(meta["input_shape"]))
    conv_goldens.check_structure(layer, meta)
    layer.set_weights(conv_goldens.golden_weights(meta, data))
    y, grads = conv_goldens.forward_and_grads(
        layer, data["x"], data.get("mask"), training=False
    )
    rtol = conv_goldens.RTOL
    np.testing.assert_allclose(y, data["y_inference"], rtol=rtol, atol=atol)
    np.testing.assert_allclose(grads[0], data["dx_inference"], rtol=rtol, atol=atol)
    for i, grad in enumerate(grads[1:]):
        np.testing.assert_allclose(
            grad, data[f"dw{i}_inference"], rtol=rtol, atol=atol, err_msg=f"dw{i}"
        )
    spec = tf.TensorShape([None, *meta["input_shape"][1:]])
    assert layer.compute_output_shape(spec)[1:] == y.shape[1:]


def run_conformance(case_id: str, layer_cls: type, **overrides) -> np.ndarray:
    """`run_layer_test` on a golden case: fixed weights, golden inference output."""
    meta, data = load_case(case_id)
    return run_layer_test(
        layer_cls,
        meta["kwargs"],
        input_data=data["x"],
        weights=conv_goldens.golden_weights(meta, data),
        expected_output=data["y_inference"],
        expected_output_shape=data["y_inference"].shape,
        expected_num_trainable_weights=meta["num_trainable_weights"],
        **overrides,
    )
