"""The kengine side of `tools/goldens/_extra_metrics.py` (area `library_extra`).

`CASES` maps each golden case id to a factory building the kengine metric the
generator built with tf_keras. `assert_case` replays the three stored batches,
unweighted and with each stored kind of sample weight, and compares the result
after every batch; `assert_conformance` checks class, variable names, config
and `reset_state`. The batches and weights are the `metrics` area's
(`metric_goldens.batches` reads them the same way).
"""

import functools

import numpy as np

from kengine import metrics as M
from tests.goldens import load_json, load_npz
from tests.metrics import metric_goldens

AREA = "library_extra"

CASES = {
    "r2_score": lambda: M.R2Score(),
    "r2_score_raw": lambda: M.R2Score(class_aggregation=None),
    "r2_score_variance_weighted": lambda: M.R2Score(
        class_aggregation="variance_weighted_average"
    ),
    "r2_score_adjusted": lambda: M.R2Score(num_regressors=2),
    "f1_score": lambda: M.F1Score(),
    "f1_score_micro_threshold": lambda: M.F1Score(average="micro", threshold=0.5),
    "fbeta_score_macro": lambda: M.FBetaScore(average="macro", beta=2.0, threshold=0.4),
    "fbeta_score_weighted": lambda: M.FBetaScore(average="weighted", beta=0.5),
    "iou": lambda: M.IoU(num_classes=4, target_class_ids=[0, 2]),
    "iou_ignore_class": lambda: M.IoU(
        num_classes=4, target_class_ids=[1, 3], ignore_class=0
    ),
    "mean_iou": lambda: M.MeanIoU(num_classes=4),
    "mean_iou_score_predictions": lambda: M.MeanIoU(num_classes=4, sparse_y_pred=False),
    "binary_iou": lambda: M.BinaryIoU(),
    "binary_iou_threshold": lambda: M.BinaryIoU(target_class_ids=[1], threshold=0.3),
    "one_hot_iou": lambda: M.OneHotIoU(num_classes=4, target_class_ids=[0, 2]),
    "one_hot_mean_iou": lambda: M.OneHotMeanIoU(num_classes=4),
}


@functools.cache
def golden_meta() -> dict:
    """Per case: data kind, weight kinds, class, variable names, config."""
    return load_json(AREA, "metrics.json")


@functools.cache
def golden_arrays() -> dict:
    """Inputs, sample weights and results tf_keras recorded."""
    return load_npz(AREA, "metrics.npz")


def case_ids(prefixes) -> list:
    """Case ids starting with one of `prefixes`."""
    return [c for c in CASES if c.startswith(tuple(prefixes))]


def assert_case(case_id: str, rtol=1e-5, atol=1e-6) -> None:
    """kengine's result after each of 3 batches equals tf_keras's, per weight kind."""
    meta, arrays = golden_meta()[case_id], golden_arrays()
    data = metric_goldens.batches(arrays, meta["kind"])
    for sw_kind in [None, *meta["sample_weights"]]:
        metric = CASES[case_id]()
        results = []
        for i, (y_true, y_pred) in enumerate(data):
            sw = None if sw_kind is None else arrays[f"sw/{meta['kind']}/{sw_kind}/{i}"]
            results.append(metric_goldens.update(metric, y_true, y_pred, sw))
        np.testing.assert_allclose(
            np.stack(results),
            arrays[f"{case_id}/result/{sw_kind or 'none'}"],
            rtol=rtol,
            atol=atol,
            err_msg=f"case {case_id!r}, sample weights {sw_kind!r}",
        )


def assert_conformance(case_id: str) -> None:
    """Class, variable names, serialized config and `reset_state` match tf_keras."""
    meta, arrays = golden_meta()[case_id], golden_arrays()
    data = metric_goldens.batches(arrays, meta["kind"])
    metric = CASES[case_id]()
    expected = metric_goldens.comparable_config(meta["config"])
    assert metric_goldens.comparable_config(M.serialize(metric)) == expected
    metric_goldens.update(metric, *data[0])
    assert type(metric).__name__ == meta["class_name"]
    assert [v.name for v in metric.variables] == meta["variable_names"]
    metric.reset_state()
    assert all(not np.any(v.numpy()) for v in metric.variables)
    fresh = CASES[case_id]()
    np.testing.assert_allclose(
        metric_goldens.update(metric, *data[1]),
        metric_goldens.update(fresh, *data[1]),
        rtol=1e-6,
        atol=1e-7,
    )
