"""Metric cases of the `library_extra` goldens (see `library_extra.py`).

Same data and layout as the `metrics` area (`goldens.metrics._batch` and
`_weights`): for each case, the result after each of 3 batches without sample
weights and with each listed kind of weights, the result after `reset_state`,
the variable names and the serialized config.
"""

from pathlib import Path

import numpy as np
import tf_keras as keras

from goldens._common import write_json, write_npz
from goldens.metrics import N_BATCHES, _batch, _weights

M = keras.metrics

# case id -> (factory, data kind, sample-weight kinds)
CASES = {
    "r2_score": (lambda: M.R2Score(), "regression", ["vec", "col", "full"]),
    "r2_score_raw": (lambda: M.R2Score(class_aggregation=None), "regression", ["vec"]),
    "r2_score_variance_weighted": (
        lambda: M.R2Score(class_aggregation="variance_weighted_average"),
        "regression",
        ["col"],
    ),
    "r2_score_adjusted": (lambda: M.R2Score(num_regressors=2), "regression", ["vec"]),
    "f1_score": (lambda: M.F1Score(), "binary", ["vec"]),
    "f1_score_micro_threshold": (
        lambda: M.F1Score(average="micro", threshold=0.5),
        "binary",
        ["vec"],
    ),
    "fbeta_score_macro": (
        lambda: M.FBetaScore(average="macro", beta=2.0, threshold=0.4),
        "binary",
        ["vec"],
    ),
    "fbeta_score_weighted": (
        lambda: M.FBetaScore(average="weighted", beta=0.5),
        "categorical",
        ["vec"],
    ),
    "iou": (
        lambda: M.IoU(num_classes=4, target_class_ids=[0, 2]),
        "classes",
        ["vec", "col"],
    ),
    "iou_ignore_class": (
        lambda: M.IoU(num_classes=4, target_class_ids=[1, 3], ignore_class=0),
        "classes",
        ["vec"],
    ),
    "mean_iou": (lambda: M.MeanIoU(num_classes=4), "classes", ["vec"]),
    "mean_iou_score_predictions": (
        lambda: M.MeanIoU(num_classes=4, sparse_y_pred=False),
        "sparse",
        ["vec"],
    ),
    "binary_iou": (lambda: M.BinaryIoU(), "binary", ["full"]),
    "binary_iou_threshold": (
        lambda: M.BinaryIoU(target_class_ids=[1], threshold=0.3),
        "binary",
        ["full"],
    ),
    "one_hot_iou": (
        lambda: M.OneHotIoU(num_classes=4, target_class_ids=[0, 2]),
        "categorical",
        ["vec"],
    ),
    "one_hot_mean_iou": (
        lambda: M.OneHotMeanIoU(num_classes=4),
        "categorical",
        ["vec"],
    ),
}


def _update(metric, y_true, y_pred, sw) -> np.ndarray:
    metric.update_state(y_true, y_pred, sample_weight=sw)
    return np.asarray(metric.result())


def _run_case(case_id: str, arrays: dict) -> dict:
    factory, kind, sw_kinds = CASES[case_id]
    batches = [_batch(kind, i) for i in range(N_BATCHES)]
    for i, (y_true, y_pred) in enumerate(batches):
        arrays[f"inputs/{kind}/y_true/{i}"] = y_true
        arrays[f"inputs/{kind}/y_pred/{i}"] = y_pred
    metric = factory()
    arrays[f"{case_id}/result/none"] = np.stack(
        [_update(metric, yt, yp, None) for yt, yp in batches]
    )
    metric.reset_state()
    arrays[f"{case_id}/after_reset"] = np.asarray(metric.result())
    for sw_kind in sw_kinds:
        weighted = factory()
        results = []
        for i, (y_true, y_pred) in enumerate(batches):
            sw = _weights(sw_kind, i, y_true.shape)
            arrays[f"sw/{kind}/{sw_kind}/{i}"] = sw
            results.append(_update(weighted, y_true, y_pred, sw))
        arrays[f"{case_id}/result/{sw_kind}"] = np.stack(results)
    return {
        "kind": kind,
        "sample_weights": sw_kinds,
        "class_name": type(metric).__name__,
        "variable_names": [v.name for v in metric.variables],
        "config": keras.metrics.serialize(factory()),
    }


def generate(out_dir: Path) -> None:
    """Writes `metrics.json` and `metrics.npz` into `out_dir`."""
    arrays, meta = {}, {}
    for case_id in CASES:
        keras.backend.clear_session()
        meta[case_id] = _run_case(case_id, arrays)
    write_npz(out_dir, "metrics.npz", **arrays)
    write_json(out_dir, "metrics.json", meta)
