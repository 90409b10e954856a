"""The logs helpers (callbacks/logs.py): tensors to numbers, epoch logs, ordering."""

import numpy as np
import pytest
import tensorflow as tf

from kengine.callbacks.logs import epoch_logs, logs_to_list, logs_to_numbers


def test_logs_to_numbers_converts_scalars_and_keeps_arrays():
    logs = {
        "loss": tf.constant(0.5),
        "acc": np.float32(0.25),
        "outputs": tf.constant([[1.0, 2.0]]),
        "var": tf.Variable(3),
        "name": "x",
    }
    out = logs_to_numbers(logs)
    assert out["loss"] == 0.5 and type(out["loss"]) is float
    assert out["acc"] == 0.25 and type(out["acc"]) is float
    assert isinstance(out["outputs"], np.ndarray)
    np.testing.assert_array_equal(out["outputs"], [[1.0, 2.0]])
    assert out["var"] == 3 and type(out["var"]) is int
    assert out["name"] == "x"


@pytest.mark.parametrize(
    "results, step_logs, expected",
    [
        # the step reported the metrics: the metric state wins
        ({"loss": tf.constant(0.25)}, {"loss": tf.constant(9.0)}, {"loss": 0.25}),
        # a custom step reporting other keys keeps its own logs
        ({"loss": tf.constant(0.25)}, {"d_loss": 1.0}, {"d_loss": 1.0}),
        ({}, {}, {}),
    ],
)
def test_epoch_logs_read_metric_state_when_the_step_reported_it(
    results, step_logs, expected
):
    assert epoch_logs(results, step_logs) == expected


def test_logs_to_list_follows_metrics_names():
    logs = {"accuracy": 0.5, "loss": 1.0, "extra": 2.0}
    assert logs_to_list(logs, ["loss", "accuracy"]) == [1.0, 0.5, 2.0]
    assert logs_to_list({"loss": 1.0}, ["loss"]) == 1.0
