"""Tests for kengine/engine/compile_utils.py: LossesContainer and MetricsContainer.

The golden cases replay `tools/goldens/metrics.py`'s two-output setups, which ran
tf_keras's own `compile_utils` containers on the same data.
"""

import numpy as np
import pytest
import tensorflow as tf

from kengine import losses, metrics
from kengine.engine import compile_utils
from tests.goldens import load_json, load_npz

B, N_BATCHES, NAMES = 6, 3, ["out1", "out2"]

CASES = {
    "dict_weights_reg": dict(
        losses=lambda: {"out1": "mse", "out2": "binary_crossentropy"},
        loss_weights={"out1": 0.5, "out2": 2.0},
        metrics=lambda: {"out1": ["mae"], "out2": ["accuracy", "ce"]},
        weighted=lambda: {"out2": ["accuracy"]},
        reg=(0.25, 0.125),
    ),
    "list_no_sw": dict(
        losses=lambda: ["mae", losses.BinaryCrossentropy()],
        loss_weights=[1.0, 0.3],
        metrics=lambda: [["mse"], ["acc", metrics.AUC(num_thresholds=20)]],
        weighted=lambda: None,
        use_sw=False,
    ),
    "broadcast_loss": dict(
        losses=lambda: "mse",
        metrics=lambda: ["mae"],
        weighted=lambda: ["mse"],
    ),
    "sum_reduction": dict(
        losses=lambda: [losses.MeanSquaredError(reduction="sum"), None],
        metrics=lambda: None,
        weighted=lambda: None,
        reg=(0.5,),
    ),
    "masked": dict(
        losses=lambda: {"out1": "mse", "out2": "binary_crossentropy"},
        metrics=lambda: {"out1": ["mae"]},
        weighted=lambda: {"out1": ["mse"]},
        mask=True,
    ),
}


def _batch(data, i, mask=False):
    y_true = [
        tf.constant(data[f"data/y1_true/{i}"]),
        tf.constant(data[f"data/y2_true/{i}"]),
    ]
    y_pred = [
        tf.constant(data[f"data/y1_pred/{i}"]),
        tf.constant(data[f"data/y2_pred/{i}"]),
    ]
    if mask:
        y_pred[0]._keras_mask = tf.constant(np.arange(B) % 3 != 1)
    return y_true, y_pred, tf.constant(data[f"data/sw/{i}"])


def _run(case, build_first=False):
    spec = CASES[case]
    lc = compile_utils.LossesContainer(
        spec["losses"](), spec.get("loss_weights"), NAMES
    )
    mc = compile_utils.MetricsContainer(spec["metrics"](), spec["weighted"](), NAMES)
    data = load_npz("metrics", "containers.npz")
    if build_first:
        y_pred_spec = [tf.TensorSpec([None, 4]), tf.TensorSpec([None, 1])]
        lc.build(y_pred_spec)
        mc.build(y_pred_spec, [tf.TensorShape([None, 4]), tf.TensorShape([None, 1])])
    totals = []
    for i in range(N_BATCHES):
        y_true, y_pred, sw = _batch(data, i, spec.get("mask", False))
        sw = sw if spec.get("use_sw", True) else None
        reg = [tf.constant(r * (i + 1), tf.float32) for r in spec.get("reg", ())]
        totals.append(float(lc(y_true, y_pred, sw, regularization_losses=reg)))
        mc.update_state(y_true, y_pred, sw)
    return lc, mc, np.array(totals), data[f"{case}/totals"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_totals_names_and_results_match_tf_keras(case):
    lc, mc, totals, expected_totals = _run(case)
    expected = load_json("metrics", "containers.json")[case]
    np.testing.assert_allclose(totals, expected_totals, rtol=1e-5)
    all_metrics = lc.metrics + mc.metrics
    assert [m.name for m in all_metrics] == expected["names"]
    for m in all_metrics:
        assert float(m.result()) == pytest.approx(expected["results"][m.name], rel=1e-5)
    assert [m.name for m in mc.unweighted_metrics if m is not None] == expected[
        "unweighted"
    ]
    assert [m.name for m in mc.weighted_metrics if m is not None] == expected[
        "weighted"
    ]
    fns = {
        m.name: getattr(getattr(m, "_fn", None), "__name__", None) for m in mc.metrics
    }
    assert fns == expected["fns"]


def test_building_from_specs_first_gives_the_same_numbers():
    lc, mc, totals, expected_totals = _run("dict_weights_reg", build_first=True)
    np.testing.assert_allclose(totals, expected_totals, rtol=1e-5)
    expected = load_json("metrics", "containers.json")["dict_weights_reg"]
    assert [m.name for m in lc.metrics + mc.metrics] == expected["names"]


@pytest.mark.parametrize(
    ("key", "expected"),
    sorted(load_json("metrics", "containers.json")["resolution"].items()),
)
def test_accuracy_and_crossentropy_resolve_by_shapes_as_tf_keras(key, expected):
    shapes = {
        "binary": ([B, 1], [B, 1]),
        "sparse_rank": ([B], [B, 4]),
        "sparse_col": ([B, 1], [B, 4]),
        "categorical": ([B, 4], [B, 4]),
    }
    kind, name = key.split("/")
    t_shape, p_shape = shapes[kind]
    mc = compile_utils.MetricsContainer([name])
    mc.build(tf.TensorSpec(p_shape), tf.TensorSpec(t_shape))
    m = mc.metrics[0]
    assert (m.name, m._fn.__name__) == (expected["name"], expected["fn"])


def test_no_variables_created_inside_the_trace():
    lc = compile_utils.LossesContainer({"out1": "mse", "out2": "mse"}, None, NAMES)
    mc = compile_utils.MetricsContainer(
        {"out1": ["mae"], "out2": [metrics.AUC(multi_label=True, num_thresholds=5)]},
        ["mse"],
        NAMES,
    )
    specs = [tf.TensorSpec([None, 4]), tf.TensorSpec([None, 3])]
    lc.build(specs)
    mc.build(specs, specs)
    n_vars = sum(len(m.variables) for m in lc.metrics + mc.metrics)
    # 3 loss Means, mae and two weighted mse Means (2 each), 4 AUC cells.
    assert n_vars == 2 * 3 + 2 * 3 + 4
    seen = []
    specs = [tf.TensorSpec([None, 4]), tf.TensorSpec([None, 3])]

    @tf.function(input_signature=[specs, specs, tf.TensorSpec([None])])
    def step(y_true, y_pred, sw):
        with tf.init_scope():
            seen.append(sum(len(m.variables) for m in lc.metrics + mc.metrics))
        loss = lc(y_true, y_pred, sw)
        mc.update_state(y_true, y_pred, sw)
        return loss

    for n in (6, 5):  # a last partial batch must not retrace (unknown batch dim)
        y = [tf.ones([n, 4]), tf.ones([n, 3])]
        step(y, y, tf.ones([n]))
    assert seen == [n_vars]
    assert step.experimental_get_tracing_count() == 1


def test_unknown_metric_name_raises_listing_the_name():
    mc = compile_utils.MetricsContainer(["accuracy", "no_such_metric"])
    with pytest.raises(ValueError, match="no_such_metric"):
        mc.build(tf.TensorSpec([None, 3]), tf.TensorSpec([None, 3]))


def test_unknown_loss_name_raises_listing_the_name():
    lc = compile_utils.LossesContainer("no_such_loss")
    with pytest.raises(ValueError, match="no_such_loss"):
        lc.build(tf.TensorSpec([None, 3]))


def test_loss_dict_key_that_is_no_output_names_key_and_valid_names():
    lc = compile_utils.LossesContainer(
        {"out1": "mse", "out3": "mse"}, output_names=NAMES
    )
    with pytest.raises(ValueError, match=r"\['out3'\].*\['out1', 'out2'\]"):
        lc.build([tf.TensorSpec([None, 1]), tf.TensorSpec([None, 1])])
    mc = compile_utils.MetricsContainer({"outx": ["mae"]}, output_names=NAMES)
    with pytest.raises(ValueError, match="outx"):
        mc.build([tf.TensorSpec([None, 1])] * 2, [tf.TensorSpec([None, 1])] * 2)


def test_incompatible_label_and_prediction_shapes_raise_value_error():
    mc = compile_utils.MetricsContainer([metrics.Precision()])

    @tf.function
    def step(y_true, y_pred):
        mc.update_state(y_true, y_pred)

    with pytest.raises(ValueError):
        step(tf.zeros([4, 3]), tf.zeros([4, 2]))
    lc = compile_utils.LossesContainer("mse")
    with pytest.raises(ValueError):
        tf.function(lambda t, p: lc(t, p))(tf.zeros([4, 3]), tf.zeros([4, 2]))


def test_duplicated_metric_objects_raise():
    m = metrics.Mean()
    with pytest.raises(ValueError, match="duplicated metrics"):
        compile_utils.MetricsContainer([m], [m])


def test_same_metric_twice_gets_weighted_prefix_and_single_output_names():
    mc = compile_utils.MetricsContainer(["mae"], ["mae"])
    mc.build(tf.TensorSpec([None, 2]), tf.TensorSpec([None, 2]))
    assert [m.name for m in mc.metrics] == ["mae", "weighted_mae"]
    lc = compile_utils.LossesContainer("mse")
    lc.build(tf.TensorSpec([None, 2]))
    assert [m.name for m in lc.metrics] == ["loss"]


def test_reset_state_resets_every_tracker():
    lc, mc, _, _ = _run("dict_weights_reg")
    lc.reset_state()
    mc.reset_state()
    for m in lc.metrics + mc.metrics:
        assert float(m.result()) == 0.0


def test_loss_scaled_by_replicas_under_mirrored_strategy():
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        lc = compile_utils.LossesContainer("mse")
        lc.build(tf.TensorSpec([None, 1]))
    y_true = tf.constant([[0.0], [0.0], [1.0], [1.0]])
    y_pred = tf.constant([[1.0], [0.0], [3.0], [1.0]])  # squared errors 1, 0, 4, 0
    ds = tf.data.Dataset.from_tensor_slices((y_true, y_pred)).batch(4)
    batch = next(iter(strategy.experimental_distribute_dataset(ds)))
    per_replica = strategy.run(tf.function(lambda t, p: lc(t, p)), args=batch)
    local = [float(x) for x in strategy.experimental_local_results(per_replica)]
    # Replica means 0.5 and 2.0, each scaled by 1/2: their sum is the global mean.
    assert local == [0.25, 1.0]
    assert sum(local) == pytest.approx(1.25)
    assert float(lc.metrics[0].result()) == pytest.approx(1.25)  # the unscaled mean


def test_dict_outputs_missing_keys_have_no_metrics():
    y_pred = {"b": tf.ones([2, 1]), "a": tf.zeros([2, 1])}
    mc = compile_utils.MetricsContainer({"a": ["mae"]}, output_names=["a", "b"])
    mc.update_state({"a": tf.ones([2, 1]), "b": tf.ones([2, 1])}, y_pred)
    assert [m.name for m in mc.metrics] == ["a_mae"]
    assert float(mc.metrics[0].result()) == 1.0


def test_losses_container_refuses_targets_it_would_broadcast():
    lc = compile_utils.LossesContainer({"b": "mse"}, output_names=["a", "b"])
    preds = [tf.zeros([4, 3]), tf.zeros([4, 1])]
    with pytest.raises(ValueError, match=r'Target `y` for output "b" has shape \(4, 3'):
        lc({"b": tf.zeros([4, 3, 1])}, preds)
    # The eager check on specs says the same before any trace.
    with pytest.raises(ValueError, match=r'output "b" has shape \(None, 3\)'):
        lc.check_target_shapes(
            {"b": tf.TensorSpec([None, 3])},
            [tf.TensorSpec([None, 3]), tf.TensorSpec([None, 1])],
        )
    # Outputs without a loss are not checked; matching targets pass.
    assert float(lc({"a": tf.zeros([4, 7]), "b": tf.ones([4])}, preds)) == 1.0
