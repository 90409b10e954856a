"""`ModelCheckpoint`: saves the model or its weights during `fit`.

Mirrors Keras 2's `callbacks.py: ModelCheckpoint`. A save happens at each epoch
end (`save_freq="epoch"`) or every `save_freq` training batches, counted across
epoch boundaries. The file name is `filepath.format(epoch=<1-based epoch>,
batch=<1-based batch, batch saves only>, **logs)`, so `"w-{epoch:02d}-
{val_loss:.2f}.h5"` names each file after its epoch and validation loss; its
directory is created when missing. With `save_best_only` a save only happens
when the monitored value beats the best so far (`initial_value_threshold` is
the first "best"), and a warning names the available keys when the monitored
value is missing.

The format follows the path as `Model.save_weights`/`Model.save` choose it:
`.h5`/`.hdf5`/`.keras` HDF5, anything else a TF checkpoint prefix (weights)
or SavedModel directory (full model). With `save_weights_only=False` the whole
model is saved: with `model.save` when the model has one (as tf_keras calls
it), else through `kengine.saving.saving_api.save_model`.
Every save survives a kill (`kengine/saving/atomic_io.py`): weights through
`kengine.saving.weights` (HDF5 files renamed into place, TF checkpoints
switched to by one atomic replacement of the `checkpoint` pointer file), a
full-model file saved under a temporary name beside the target and renamed,
a SavedModel directory written beside the target and swapped in. A run
killed mid-save keeps the previous save loadable; the next save of the same
path removes what the killed one left, and `load_weights_on_restart` never
picks a temporary.

Differences from tf_keras, all on bad input: a `filepath` whose braces do not
parse raises `ValueError` at construction; a key missing from the logs raises
`KeyError` at the first save naming the available keys (Keras 2 raises the
bare `KeyError`); `save_freq=0` or negative raises `ValueError` (Keras 2 then
saves after every batch).
"""

import os
import re
import string

import tensorflow as tf

from kengine.callbacks import _monitor
from kengine.callbacks.callback import Callback
from kengine.callbacks.logs import logs_to_numbers
from kengine.saving import atomic_io, saving_api

__all__ = ["ModelCheckpoint"]


def _check_options(options, save_weights_only: bool, filepath: str):
    """Validates `options` against the kind of save, as Keras 2 does."""
    if save_weights_only:
        if options is None or isinstance(options, tf.train.CheckpointOptions):
            return options or tf.train.CheckpointOptions()
        raise TypeError(
            "If save_weights_only is True, then `options` must be either None or "
            f"a tf.train.CheckpointOptions. Got {options}."
        )
    if filepath.endswith(".keras") and options is not None:
        raise ValueError(
            "The native TF-Keras format does not support the `options` argument. "
            "Please remove the `options` argument, or use the SavedModel format by "
            "removing the `.keras` extension from the model filepath."
        )
    if options is None or isinstance(options, tf.saved_model.SaveOptions):
        return options or tf.saved_model.SaveOptions()
    raise TypeError(
        "If save_weights_only is False, then `options` must be either None or a "
        f"tf.saved_model.SaveOptions. Got {options}."
    )


def _check_save_freq(save_freq):
    if save_freq == "epoch":
        return save_freq
    if not isinstance(save_freq, int) or isinstance(save_freq, bool):
        raise ValueError(
            f"Unrecognized save_freq: {save_freq}. "
            'Expected save_freq are "epoch" or integer'
        )
    if save_freq <= 0:
        raise ValueError(
            'Received an invalid value for save_freq, expected "epoch" or a '
            f"positive integer (a number of batches). Received: save_freq={save_freq}"
        )
    return save_freq


def _check_filepath(filepath: str) -> None:
    """Refuses paths `str.format` cannot parse (before any epoch ran)."""
    try:
        fields = list(string.Formatter().parse(filepath))
        bad = [c for _, _, _, c in fields if c not in (None, "r", "s", "a")]
        if bad:
            raise ValueError(f"unknown conversion !{bad[0]}")
    except ValueError as e:
        raise ValueError(
            "Received an invalid value for filepath, expected a path that "
            "`str.format` accepts, with fields such as {epoch:02d} or "
            f"{{val_loss:.2f}}. Received: filepath={filepath!r} ({e})"
        ) from e


class ModelCheckpoint(Callback):
    """Callback to save the model or model weights at some frequency.

    Args:
        filepath: Path, possibly with `str.format` fields (`epoch`, `batch`
            and any log key).
        monitor: Log key compared for `save_best_only`.
        verbose: 1 prints a message at each (skipped) save.
        save_best_only: Only save when `monitor` improves.
        save_weights_only: Save `model.save_weights` instead of `model.save`.
        mode: `"auto"`, `"min"` or `"max"`; unknown values warn and become
            `"auto"` (max when the monitor contains `acc` or starts with
            `fmeasure`).
        save_freq: `"epoch"` or a positive number of batches.
        options: `tf.train.CheckpointOptions` (weights) or
            `tf.saved_model.SaveOptions` (full model).
        initial_value_threshold: Initial "best" value for `save_best_only`.
        **kwargs: Keras 2's deprecated `period` and `load_weights_on_restart`.

    Raises:
        ValueError: for a bad `save_freq` or an unparsable `filepath`.
        TypeError: for `options` of the wrong type.
    """

    def __init__(
        self,
        filepath,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq="epoch",
        options=None,
        initial_value_threshold: float | None = None,
        **kwargs,
    ):
        super().__init__()
        self._supports_tf_logs = True
        self.monitor = monitor
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        _check_filepath(self.filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = _check_save_freq(save_freq)
        self._options = _check_options(options, save_weights_only, self.filepath)
        self.epochs_since_last_save = 0
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = -1
        self._current_epoch = 0
        self.load_weights_on_restart = kwargs.pop("load_weights_on_restart", False)
        self.period = kwargs.pop("period", 1)
        if self.load_weights_on_restart or self.period != 1:
            _monitor.logger.warning(
                "`period` and `load_weights_on_restart` are deprecated: use "
                "`save_freq`, and `model.load_weights()` before `fit()`."
            )
        mode = _monitor.check_mode(mode, "ModelCheckpoint")
        if mode == "auto":
            maximize = _monitor.greater_is_better_for_checkpoint(monitor)
        else:
            maximize = mode == "max"
        self.monitor_op = (lambda a, b: a > b) if maximize else (lambda a, b: a < b)
        self.best = (
            initial_value_threshold
            if initial_value_threshold is not None
            else _monitor.worst_value(maximize)
        )

    def on_train_begin(self, logs=None):
        if self.load_weights_on_restart:
            self._load_latest_weights()

    def _implements_train_batch_hooks(self) -> bool:
        return self.save_freq != "epoch"

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model(epoch=self._current_epoch, batch=batch, logs=logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        self.epochs_since_last_save += 1
        if self.save_freq == "epoch":
            self._save_model(epoch=epoch, batch=None, logs=logs)

    def _should_save_on_batch(self, batch: int) -> bool:
        """Counts batches across epochs (and `steps_per_execution` jumps)."""
        if self.save_freq == "epoch":
            return False
        if batch <= self._last_batch_seen:  # a new epoch started
            added = batch + 1
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _save_model(self, epoch: int, batch: int | None, logs) -> None:
        if self.save_freq == "epoch" and self.epochs_since_last_save < self.period:
            return
        logs = logs_to_numbers(dict(logs or {}))
        self.epochs_since_last_save = 0
        filepath = self._get_file_path(epoch, batch, logs)
        dirname = os.path.dirname(filepath)
        if dirname and "://" not in dirname and not tf.io.gfile.exists(dirname):
            tf.io.gfile.makedirs(dirname)
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {filepath}", flush=True)
            self._save_handler(filepath)
            return
        current = logs.get(self.monitor)
        if current is None:
            _monitor.logger.warning(
                f"Can save best model only with {self.monitor} available, skipping. "
                f"Available keys are: {', '.join(logs.keys())}"
            )
        elif self.monitor_op(current, self.best):
            if self.verbose > 0:
                print(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from "
                    f"{self.best:.5f} to {current:.5f}, saving model to {filepath}",
                    flush=True,
                )
            self.best = current
            self._save_handler(filepath)
        elif self.verbose > 0:
            print(
                f"\nEpoch {epoch + 1}: {self.monitor} did not improve from "
                f"{self.best:.5f}",
                flush=True,
            )

    def _get_file_path(self, epoch: int, batch: int | None, logs: dict) -> str:
        """Formats `filepath`; a missing key names the keys that exist."""
        fields = dict(logs)
        fields["epoch"] = epoch + 1
        if batch is not None and "batch" not in logs:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as e:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". '
                f"Reason: {e} is not available. Available keys: "
                f"{', '.join(sorted(fields))}"
            ) from e
        except (ValueError, IndexError) as e:
            raise ValueError(
                f'Failed to format this callback filepath: "{self.filepath}" with '
                f"{fields}. Reason: {e}"
            ) from e

    def _save_handler(self, filepath: str) -> None:
        try:
            if self.save_weights_only:
                options = None if filepath.endswith(".weights.h5") else self._options
                self.model.save_weights(filepath, overwrite=True, options=options)
            elif hasattr(self.model, "save"):
                self._save_full_model(filepath)
            else:
                options = (
                    None
                    if filepath.endswith((".keras", ".h5", ".hdf5"))
                    else (self._options)
                )
                saving_api.save_model(
                    self.model, filepath, overwrite=True, options=options
                )
        except IsADirectoryError as e:
            raise OSError(
                "Please specify a non-directory filepath for ModelCheckpoint. "
                f"Filepath used is an existing directory: {filepath}"
            ) from e

    def _save_full_model(self, filepath: str) -> None:
        options = None if filepath.endswith(".keras") else self._options
        kwargs = {"overwrite": True}
        if options is not None:
            kwargs["options"] = options
        if os.path.isdir(filepath) or not os.path.splitext(filepath)[1]:
            # A SavedModel directory: written beside the target, swapped in.
            with atomic_io.atomic_write_directory(filepath) as temp_path:
                self.model.save(temp_path, **kwargs)
            return
        # The temporary keeps the extension, so `save` picks the same format.
        with atomic_io.atomic_write_path(filepath) as temp_path:
            self.model.save(temp_path, **kwargs)

    def _load_latest_weights(self) -> None:
        """Keras 2's `load_weights_on_restart`: load the newest matching file.

        The newest is the directory's TF checkpoint when its name matches the
        pattern, else the most recently modified matching file (the largest
        name among equally recent ones).
        """
        directory = os.path.dirname(self.filepath) or "."
        latest = tf.train.latest_checkpoint(directory)
        if latest is None or not _matches(self.filepath, os.path.basename(latest)):
            candidates = _matching_files(self.filepath)
            latest = None
            if candidates:
                latest = max(candidates, key=lambda p: (os.path.getmtime(p), p))
        if latest is not None:
            try:
                self.model.load_weights(latest)
            except (OSError, ValueError) as e:
                raise ValueError(
                    f"Error loading file from {latest}. Reason: {e}"
                ) from e


def _matches(pattern: str, name: str) -> bool:
    """Whether `name` fits the basename of `pattern`, fields matching anything."""
    regex = "^" + re.sub(r"{.*}", r".*", os.path.basename(pattern)) + "$"
    return re.match(regex, name) is not None


def _matching_files(pattern: str) -> list[str]:
    """Files in `pattern`'s directory whose names fit its format fields.

    Temporaries of interrupted saves are skipped: they may be incomplete.
    """
    directory = os.path.dirname(pattern) or "."
    if not os.path.isdir(directory):
        return []
    return [
        os.path.join(directory, name)
        for name in sorted(os.listdir(directory))
        if _matches(pattern, name) and not atomic_io.is_temporary_name(name)
    ]
