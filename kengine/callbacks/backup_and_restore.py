"""`BackupAndRestore`: resumes an interrupted `fit` from its last backup.

Mirrors Keras 2's `callbacks.py: BackupAndRestore`. During `fit` it backs up
the model (weights and optimizer state) and the training counters
(`kengine/callbacks/training_state.py`) at every epoch end, or every
`save_freq` batches. When the same `fit` is run again after the process died,
`on_train_begin` restores the last backup and `fit` (through
`maybe_load_initial_counters`) continues from the epoch (and batch) after
it, so it ends with the weights an uninterrupted run would have; its `History`
holds the epochs run after the restart. A `fit` that finishes deletes the
backup (unless `delete_checkpoint=False`), so the next `fit` starts fresh.
A process killed while writing a backup leaves the previous backup readable
(see `training_state.py`), and the next backup removes the killed write's
temporaries.

The backup directory belongs to this callback: do not share it with another
run or with `ModelCheckpoint`.
"""

from kengine.callbacks._monitor import logger
from kengine.callbacks.callback import Callback
from kengine.callbacks.training_state import TrainingState

__all__ = ["BackupAndRestore"]


class BackupAndRestore(Callback):
    """Callback to back up and restore the training state.

    Args:
        backup_dir: Directory of the backup files.
        save_freq: `"epoch"` or a positive number of batches between backups.
        delete_checkpoint: Whether to delete the backup when `fit` finishes.
        save_before_preemption: Accepted for Keras 2 compatibility; preemption
            checkpointing (multi-worker on Borg/GCP) is not supported.

    Raises:
        ValueError: if `save_freq` is falsy, or neither `"epoch"` nor a
            positive integer.
    """

    def __init__(
        self,
        backup_dir,
        save_freq="epoch",
        delete_checkpoint: bool = True,
        save_before_preemption: bool = False,
    ):
        super().__init__()
        self._supports_tf_logs = True
        self.backup_dir = str(backup_dir)
        if not save_freq and not save_before_preemption:
            raise ValueError(
                "Either `save_freq` or `save_before_preemption` must be set."
            )
        if save_freq != "epoch" and (
            not isinstance(save_freq, int)
            or isinstance(save_freq, bool)
            or save_freq < 1
        ):
            raise ValueError(
                'Received an invalid value for save_freq, expected "epoch" or a '
                f"positive integer. Received: save_freq={save_freq!r}"
            )
        if save_before_preemption:
            logger.warning(
                "`save_before_preemption` is not supported by kengine and is ignored."
            )
        self.save_freq = save_freq
        self.delete_checkpoint = delete_checkpoint
        self.save_before_preemption = save_before_preemption
        self._batches_count = 0
        self._current_epoch = 0
        self._chief_worker_only = False
        self._training_state: TrainingState | None = None

    def on_train_begin(self, logs=None):
        model = self.model
        if getattr(model, "built", True):
            optimizer = getattr(model, "optimizer", None)
            # Slots must exist before the restore so their values are read now.
            if optimizer is not None and not getattr(optimizer, "_built", True):
                optimizer.build(model.trainable_variables)
        else:
            logger.warning(
                "To use the BackupAndRestore callback, your model must be built "
                f"before you call `fit()`. Model {model} is unbuilt. You can build "
                "it beforehand by calling it on a batch of data."
            )
        self._training_state = TrainingState(
            model, self.backup_dir, batch_level=self.save_freq != "epoch"
        )
        self._training_state.restore()
        model._training_state = self._training_state
        self._batches_count = 0

    def _implements_train_batch_hooks(self) -> bool:
        return self.save_freq != "epoch"

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_count += 1
        if self._batches_count >= self.save_freq:
            self._batches_count = 0
            self._training_state.back_up(epoch=self._current_epoch, batch=batch)

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._training_state.back_up(epoch=epoch)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint:
            self._training_state.delete_backup()
        self._training_state = None
        if hasattr(self.model, "_training_state"):
            self.model._training_state = None
