"""The resumable training counters `BackupAndRestore` saves, and how `fit` reads them.

Mirrors Keras 2's `distribute/worker_training_state.py: WorkerTrainingState`
and `engine/training.py: Model._maybe_load_initial_counters_from_ckpt`.

`TrainingCounters` is the whole resumable state besides the variables: the
epoch of the last backup and the last batch finished in it. A backup is one
`tf.train.Checkpoint` of the model (weights, and the optimizer with its slots
and `iterations`, which the model tracks), the model's train step counter when it
has one, and the two counters as int64 variables, written to the prefix
`<backup_dir>/chief/ckpt` by `kengine/saving/tf_checkpoint.py`: a process
killed mid-backup leaves the previous backup readable (Keras 2's
`tf.train.CheckpointManager` did too, but left the killed write's files, as
large as the model, behind for good), and the next backup removes what the
killed one left. Restoring reads whatever `chief/checkpoint` names, so
backups written by Keras 2 (`chief/ckpt-<n>`) restore as well; the saved
shapes are checked before any variable is assigned.

The contract with `Model.fit` (what `fit` must do):

```
callbacks.on_train_begin()          # BackupAndRestore restores here and sets
                                    # model._training_state = <TrainingState>
initial_epoch, initial_step = maybe_load_initial_counters(
    model, steps_per_epoch, initial_epoch)
for epoch in range(initial_epoch, epochs):
    steps = range(initial_step if epoch == initial_epoch else 0, steps_per_epoch)
    # advance the epoch's iterator past the first `initial_step` batches so
    # the resumed steps see the same data as an uninterrupted run
    ...
```

`maybe_load_initial_counters` returns `(initial_epoch, 0)` when no backup
state is attached, so `fit` can call it unconditionally.
"""

import dataclasses
import os

import tensorflow as tf

from kengine.saving import tf_checkpoint

__all__ = ["TrainingCounters", "TrainingState", "maybe_load_initial_counters"]


@dataclasses.dataclass
class TrainingCounters:
    """Where training was at the last backup.

    Attributes:
        epoch: The epoch (0-based) during or after which the backup was
            written; -1 when there is no backup.
        batch: The last batch (0-based) finished in `epoch` for batch-level
            backups; -1 for epoch-level backups (the epoch finished).
    """

    epoch: int = -1
    batch: int = -1

    def resume_point(
        self, steps_per_epoch: int | None, initial_epoch: int, batch_level: bool
    ) -> tuple[int, int]:
        """The `(epoch, step)` at which `fit` continues after this backup.

        Args:
            steps_per_epoch: Batches per epoch (None when unknown).
            initial_epoch: The `initial_epoch` given to `fit`, used when
                there is no backup.
            batch_level: Whether backups were written every N batches.

        Returns:
            `(initial_epoch, 0)` without a backup; the next epoch after an
            epoch-level backup; the next batch after a batch-level one (the
            next epoch when that batch was the epoch's last).
        """
        if self.epoch < 0:
            return initial_epoch, 0
        if not batch_level:
            return self.epoch + 1, 0
        if self.batch < 0:
            return initial_epoch, 0
        if steps_per_epoch is not None and self.batch == steps_per_epoch - 1:
            return self.epoch + 1, 0
        return self.epoch, self.batch + 1


class TrainingState:
    """Backs up and restores a model with its `TrainingCounters`.

    Args:
        model: The model being trained.
        backup_dir: Directory of the backups (`<backup_dir>/chief`).
        batch_level: Whether backups happen every N batches (vs. per epoch).
    """

    def __init__(self, model, backup_dir: str, batch_level: bool):
        self.counters = TrainingCounters()
        self.batch_level = batch_level
        self._epoch = tf.Variable(-1, dtype=tf.int64, name="ckpt_saved_epoch")
        self._batch = tf.Variable(-1, dtype=tf.int64, name="ckpt_saved_batch")
        tracked = {
            "model": model,
            "ckpt_saved_epoch": self._epoch,
            "ckpt_saved_batch": self._batch,
        }
        counters = getattr(model, "_step_counters", None)
        if counters is not None:
            tracked["train_counter"] = counters.train
        self.directory = os.path.join(backup_dir, "chief")
        self._checkpoint = tf.train.Checkpoint(**tracked)

    def back_up(self, epoch: int, batch: int = -1) -> None:
        """Writes a backup of the model at `(epoch, batch)`."""
        self.counters = TrainingCounters(epoch, batch)
        self._epoch.assign(epoch)
        self._batch.assign(batch)
        tf_checkpoint.write_checkpoint(
            self._checkpoint, os.path.join(self.directory, "ckpt")
        )

    def restore(self) -> bool:
        """Restores the latest backup, if any; returns whether there was one.

        Raises:
            ValueError: if the backup's weights do not fit the model (no
                variable is changed then).
        """
        latest = tf.train.latest_checkpoint(self.directory)
        if latest is None:
            return False
        tf_checkpoint.check_checkpoint_fits(self._checkpoint, latest)
        # Values of objects not created yet (optimizer slots of an unbuilt
        # optimizer) are restored when they are created.
        self._checkpoint.read(latest).expect_partial()
        self.counters = TrainingCounters(
            int(self._epoch.numpy()), int(self._batch.numpy())
        )
        return True

    def delete_backup(self) -> None:
        """Removes the backup directory (after a `fit` that finished)."""
        if tf.io.gfile.exists(self.directory):
            tf.io.gfile.rmtree(self.directory)

    def maybe_load_initial_epoch(self, initial_epoch: int) -> int:
        """The epoch to start from (for loops that resume at epoch boundaries)."""
        return self.resume_point(None, initial_epoch)[0]

    def resume_point(self, steps_per_epoch, initial_epoch: int) -> tuple[int, int]:
        """See `TrainingCounters.resume_point`."""
        return self.counters.resume_point(
            steps_per_epoch, initial_epoch, self.batch_level
        )


def maybe_load_initial_counters(
    model, steps_per_epoch: int | None, initial_epoch: int
) -> tuple[int, int]:
    """The `(initial_epoch, initial_step)` `fit` should start from.

    Args:
        model: The model in `fit`; `model._training_state` is set by
            `BackupAndRestore.on_train_begin` when a backup is in use.
        steps_per_epoch: Batches per epoch (None when unknown).
        initial_epoch: The `initial_epoch` argument of `fit`.

    Returns:
        `(initial_epoch, 0)`, or where the restored backup says to resume.
    """
    state = getattr(model, "_training_state", None)
    if state is None:
        return initial_epoch, 0
    return state.resume_point(steps_per_epoch, initial_epoch)
