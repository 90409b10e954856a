"""Tests of `kengine.metrics.iou_metrics`: the IoU family against tf_keras."""

import numpy as np
import pytest
import tensorflow as tf

from kengine import metrics
from tests.metrics import extra_goldens

IDS = extra_goldens.case_ids(["iou", "mean_iou", "binary_iou", "one_hot"])


@pytest.mark.parametrize("case_id", IDS)
def test_results_over_three_batches_match_tf_keras(case_id):
    extra_goldens.assert_case(case_id)


@pytest.mark.parametrize("case_id", IDS)
def test_names_config_and_reset_match_tf_keras(case_id):
    extra_goldens.assert_conformance(case_id)


def test_result_skips_classes_that_never_occur():
    m = metrics.MeanIoU(num_classes=3)
    m.update_state([0, 0, 1], [0, 1, 1])
    # Class 2 appears nowhere: the mean is over classes 0 and 1 only.
    np.testing.assert_allclose(float(m.result()), (1 / 2 + 1 / 2) / 2)


def test_works_inside_tf_function_with_ignore_class():
    m = metrics.IoU(num_classes=3, target_class_ids=[1, 2], ignore_class=0)
    update = tf.function(m.update_state)
    update(tf.constant([0, 1, 2, 2]), tf.constant([1, 1, 2, 0]))
    np.testing.assert_allclose(float(m.result()), (1.0 + 0.5) / 2)


def test_target_class_out_of_range_raises():
    with pytest.raises(
        ValueError, match=r"Target class id 3 is out of range.*\[0, 3\)"
    ):
        metrics.IoU(num_classes=3, target_class_ids=[0, 3])


@pytest.mark.parametrize(
    "name", ["IoU", "MeanIoU", "BinaryIoU", "OneHotIoU", "OneHotMeanIoU"]
)
def test_config_round_trip(name):
    kwargs = {
        "IoU": {"num_classes": 3, "target_class_ids": [1]},
        "MeanIoU": {"num_classes": 3, "ignore_class": 2},
        "BinaryIoU": {"threshold": 0.2},
        "OneHotIoU": {"num_classes": 3, "target_class_ids": [0, 2]},
        "OneHotMeanIoU": {"num_classes": 3, "axis": 1},
    }[name]
    m = getattr(metrics, name)(**kwargs)
    clone = metrics.deserialize(metrics.serialize(m))
    assert type(clone) is type(m) and clone.get_config() == m.get_config()
