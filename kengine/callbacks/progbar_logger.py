"""`ProgbarLogger`: prints a `Progbar` per epoch of `fit`, `evaluate` and `predict`.

Mirrors Keras 2's `callbacks.py: ProgbarLogger`. `fit` adds one when
`verbose != 0`. With `verbose=1` the bar is redrawn after every batch (so this
callback asks for batch hooks); with `verbose=2` it only prints the finished
line at the end of each epoch and asks for no batch hooks at all. Validation
inside `fit` is silent: `on_train_begin` marks the logger as running in `fit`,
and the test hooks then do nothing. `verbose="auto"` is resolved by
`kengine.utils.progbar.resolve_verbosity` (1 on a terminal, 2 otherwise).

When the number of steps is unknown (a generator without `steps`), the bar
shows `Unknown` until the end of the first epoch, then uses the model's step
counters (`model._step_counters`, Keras 2's `_train_counter` and friends,
when the model has them) or the number of batches seen as the target.

Differs from tf_keras in one default: `count_mode="steps"` (what `fit` uses)
instead of `"samples"`, which only worked with the TF1 loops that put a batch
`size` into the logs.
"""

import copy

from kengine.callbacks.callback import Callback
from kengine.callbacks.logs import logs_to_numbers
from kengine.utils.progbar import Progbar, resolve_verbosity

__all__ = ["ProgbarLogger"]


class ProgbarLogger(Callback):
    """Callback that prints metrics to stdout.

    Args:
        count_mode: `"steps"` or `"samples"`: whether the bar counts batches or
            samples (the latter needs a `size` entry in the batch logs).
        stateful_metrics: Names of metrics shown as given instead of averaged
            over the batches; the model's metrics are added automatically.

    Raises:
        ValueError: for an unknown `count_mode`.
    """

    def __init__(self, count_mode: str = "steps", stateful_metrics=None):
        super().__init__()
        self._supports_tf_logs = True
        if count_mode not in ("samples", "steps"):
            raise ValueError(
                f"Unknown `count_mode`: {count_mode}. "
                'Expected values are ["samples", "steps"]'
            )
        self.use_steps = count_mode == "steps"
        self.stateful_metrics = set(stateful_metrics or ())
        self.seen = 0
        self.progbar: Progbar | None = None
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._train_step = self._test_step = self._predict_step = None
        self._call_batch_hooks = True
        self._called_in_fit = False

    def set_params(self, params: dict) -> None:
        super().set_params(params)
        self.verbose = resolve_verbosity(params.get("verbose", 1))
        self.epochs = params.get("epochs", 1)
        key = "steps" if self.use_steps else "samples"
        # None until the end of the first epoch when the size is unknown.
        self.target = params.get(key)
        self._call_batch_hooks = self.verbose == 1
        if self.target is None:
            counters = getattr(self.model, "_step_counters", None)
            if counters is None:
                # Without step counters the final count comes from the hooks.
                self._call_batch_hooks = True
                self._train_step = self._test_step = self._predict_step = None
            else:
                self._train_step = counters.train
                self._test_step = counters.test
                self._predict_step = counters.predict

    def on_train_begin(self, logs=None):
        # Validation inside fit must not print its own bar.
        self._called_in_fit = True

    def on_test_begin(self, logs=None):
        if not self._called_in_fit:
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_predict_begin(self, logs=None):
        self._reset_progbar()
        self._maybe_init_progbar()

    def on_epoch_begin(self, epoch, logs=None):
        self._reset_progbar()
        self._maybe_init_progbar()
        if self.verbose and self.epochs > 1:
            print(f"Epoch {epoch + 1}/{self.epochs}", flush=True)

    def on_train_batch_end(self, batch, logs=None):
        self._batch_update_progbar(batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        if not self._called_in_fit:
            self._batch_update_progbar(batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        # The batch outputs are not metrics: show progress only.
        self._batch_update_progbar(batch, None)

    def on_epoch_end(self, epoch, logs=None):
        self._finalize_progbar(logs, self._train_step)

    def on_test_end(self, logs=None):
        if not self._called_in_fit:
            self._finalize_progbar(logs, self._test_step)

    def on_predict_end(self, logs=None):
        self._finalize_progbar(logs, self._predict_step)

    def _implements_train_batch_hooks(self):
        return self._call_batch_hooks

    def _implements_test_batch_hooks(self):
        return self._call_batch_hooks

    def _implements_predict_batch_hooks(self):
        return self._call_batch_hooks

    def _reset_progbar(self) -> None:
        self.seen = 0
        self.progbar = None

    def _maybe_init_progbar(self) -> None:
        # The model's metrics exist only after the first step built the
        # compiled metrics, so the stateful set is refreshed every time.
        if self.model is not None:
            names = {m.name for m in getattr(self.model, "metrics", [])}
            self.stateful_metrics = self.stateful_metrics | names
        if self.progbar is None:
            self.progbar = Progbar(
                target=self.target,
                verbose=self.verbose,
                stateful_metrics=self.stateful_metrics,
                unit_name="step" if self.use_steps else "sample",
            )
        self.progbar._update_stateful_metrics(self.stateful_metrics)

    def _batch_update_progbar(self, batch: int, logs=None) -> None:
        logs = logs or {}
        self._maybe_init_progbar()
        if self.use_steps:
            self.seen = batch + 1  # batch is 0-based, the bar counts from 1
        else:
            logs = copy.copy(logs)
            batch_size = logs.pop("size", 0)
            num_steps = logs.pop("num_steps", 1)
            logs.pop("batch", None)
            self.seen += num_steps * batch_size
        if self.verbose == 1:
            # Only a live bar needs the values now (this syncs the device).
            logs = logs_to_numbers(logs)
            self.progbar.update(self.seen, list(logs.items()), finalize=False)

    def _finalize_progbar(self, logs, counter) -> None:
        logs = logs_to_numbers(logs or {})
        if self.target is None:
            if counter is not None:
                counter = int(counter.numpy())
                if not self.use_steps:
                    counter *= logs.get("size", 1)
            self.target = counter or self.seen
            self.progbar.target = self.target
        self.progbar.update(self.target, list(logs.items()), finalize=True)
