"""TrainingState: backups that survive a kill, and where fit continues after one."""

import os

import numpy as np
import pytest
import tensorflow as tf

import kengine
from kengine.callbacks.training_state import (
    TrainingCounters,
    TrainingState,
    maybe_load_initial_counters,
)

LAYOUT = ["checkpoint", "ckpt.data-00000-of-00001", "ckpt.index"]
DEAD_PID = 2**22 + 1  # above Linux's (and macOS's) largest pid: never running


@pytest.mark.parametrize(
    "epoch, batch, batch_level, expected",
    [
        (-1, -1, False, (3, 0)),  # no backup: fit's own initial_epoch
        (1, -1, False, (2, 0)),  # epoch 1 finished: start epoch 2
        (1, 4, True, (1, 5)),  # batch 4 of epoch 1 finished: continue at batch 5
        (1, 9, True, (2, 0)),  # the epoch's last batch finished: next epoch
        (1, -1, True, (3, 0)),  # batch-level backups but none written yet
    ],
)
def test_resume_point(epoch, batch, batch_level, expected):
    counters = TrainingCounters(epoch=epoch, batch=batch)
    assert counters.resume_point(10, 3, batch_level) == expected


def test_no_training_state_means_no_change():
    class Model:
        pass

    assert maybe_load_initial_counters(Model(), 10, 2) == (2, 0)


def _model(units: int = 2, value: float = 0.0):
    model = kengine.Sequential([kengine.Input((3,)), kengine.layers.Dense(units)])
    model.set_weights([np.full(w.shape, value, np.float32) for w in model.weights])
    return model


def _assert_weights(model, value: float) -> None:
    for weight in model.get_weights():
        np.testing.assert_array_equal(weight, np.full(weight.shape, value))


def test_backup_round_trip_leaves_tf_keras_files(tmp_path):
    # A stale temporary of a killed backup is removed by the next backup.
    (tmp_path / "chief").mkdir()
    (tmp_path / "chief" / f"ckpt.kengine-tmp-{DEAD_PID}-0123abcd").mkdir()
    TrainingState(_model(value=1.0), str(tmp_path), True).back_up(epoch=2, batch=5)
    assert sorted(os.listdir(tmp_path / "chief")) == LAYOUT
    model = _model(value=0.0)
    state = TrainingState(model, str(tmp_path), True)
    assert state.restore()
    assert state.counters == TrainingCounters(epoch=2, batch=5)
    _assert_weights(model, 1.0)


def test_a_keras2_backup_restores(tmp_path):
    # Keras 2 keeps `chief/ckpt-<n>` through a tf.train.CheckpointManager.
    source = _model(value=3.0)
    checkpoint = tf.train.Checkpoint(
        model=source,
        ckpt_saved_epoch=tf.Variable(4, dtype=tf.int64),
        ckpt_saved_batch=tf.Variable(-1, dtype=tf.int64),
    )
    manager = tf.train.CheckpointManager(checkpoint, str(tmp_path / "chief"), 1)
    manager.save()
    model = _model(value=0.0)
    state = TrainingState(model, str(tmp_path), False)
    assert state.restore()
    assert state.counters == TrainingCounters(epoch=4, batch=-1)
    _assert_weights(model, 3.0)


def test_a_backup_that_does_not_fit_changes_nothing(tmp_path):
    TrainingState(_model(units=2, value=1.0), str(tmp_path), False).back_up(epoch=1)
    model = _model(units=5, value=0.0)
    state = TrainingState(model, str(tmp_path), False)
    with pytest.raises(
        ValueError, match=r"expects shape \(3, 5\).*holds shape \(3, 2\)"
    ):
        state.restore()
    _assert_weights(model, 0.0)
    assert state.counters == TrainingCounters()


def test_no_backup_restores_nothing(tmp_path):
    assert not TrainingState(_model(), str(tmp_path), False).restore()
