"""`CallbackList`: one object that forwards each hook to a list of callbacks.

Mirrors Keras 2's `callbacks.py: CallbackList`. The training loops talk only to
a `CallbackList`; it

- appends a `History` (`add_history=True`) and a `ProgbarLogger`
  (`add_progbar=True`) when the user did not pass one, after the user's
  callbacks, and points `model.history` at the `History`;
- converts tensor logs to Python floats/numpy once per hook, and not at all
  when every callback receiving them declares `_supports_tf_logs`;
- skips the per-batch hooks of a mode entirely when no callback overrides them
  (`_should_call_train_batch_hooks` etc.): when one does, every callback's hook
  is called, exactly as in Keras 2 (some built-ins only write batch summaries
  because of this);
- times the batch hooks of user callbacks over the first few batches and logs a
  warning when they are slower than the step itself.

>>> from kengine.callbacks.callback import Callback
>>> class Spy(Callback):
...     def on_epoch_end(self, epoch, logs=None):
...         print(epoch, logs)
>>> cbs = CallbackList([Spy()], add_history=True)
>>> [type(c).__name__ for c in cbs], cbs._should_call_train_batch_hooks
(['Spy', 'History'], False)
>>> import tensorflow as tf
>>> cbs.on_epoch_end(0, {"loss": tf.constant(0.5)})
0 {'loss': 0.5}
"""

import time

import tensorflow as tf

from kengine.callbacks._monitor import logger as _logger
from kengine.callbacks.callback import Callback
from kengine.callbacks.history import History
from kengine.callbacks.logs import logs_to_numbers
from kengine.callbacks.progbar_logger import ProgbarLogger
from kengine.utils.progbar import resolve_verbosity

__all__ = ["CallbackList", "configure_callbacks"]


class _BatchHookTimer:
    """Measures user batch hooks against the step time over the first batches."""

    NUM_BATCHES = 5

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.hook_times: dict[str, list[float]] = {}
        self.batch_times: list[float] = []
        self.batch_start: float | None = None

    def record_hook(self, hook_name: str, seconds: float) -> None:
        self.hook_times.setdefault(hook_name, []).append(seconds)

    def batch_begun(self) -> None:
        self.batch_start = time.time()

    def batch_ended(self, batch: int) -> None:
        # Batch 0 includes tracing, so it is left out of the step time.
        if batch >= 1 and self.batch_start is not None:
            self.batch_times.append(time.time() - self.batch_start)

    def maybe_warn(self, mode: str) -> None:
        if len(self.batch_times) < self.NUM_BATCHES:
            return
        step_time = sum(self.batch_times) / len(self.batch_times)
        for hook_name in (f"on_{mode}_batch_begin", f"on_{mode}_batch_end"):
            times = self.hook_times.get(hook_name) or [0.0]
            hook_time = sum(times) / len(times)
            if hook_time > step_time:
                _logger.warning(
                    f"Callback method `{hook_name}` is slow compared to the "
                    f"batch time (batch time: {step_time:.4f}s vs `{hook_name}` "
                    f"time: {hook_time:.4f}s). Check your callbacks."
                )
        self.enabled = False


class CallbackList:
    """Container that calls every hook on a list of `Callback`s.

    Args:
        callbacks: A `Callback` or a (nested) list of them.
        add_history: Whether to append a `History` if none is in `callbacks`.
        add_progbar: Whether to append a `ProgbarLogger(count_mode="steps")`
            if none is in `callbacks`.
        model: The model; passed to each callback's `set_model`.
        **params: If given, passed to each callback's `set_params`.
    """

    def __init__(
        self,
        callbacks=None,
        add_history: bool = False,
        add_progbar: bool = False,
        model=None,
        **params,
    ):
        self.callbacks: list[Callback] = tf.nest.flatten(callbacks) if callbacks else []
        self.model = None
        self.params: dict = {}
        self._add_default_callbacks(add_history, add_progbar)
        if model:
            self.set_model(model)
        if params:
            self.set_params(params)
        self._refresh_flags()
        custom = any(
            not type(cb).__module__.startswith("kengine.callbacks")
            for cb in self.callbacks
        )
        self._timer = _BatchHookTimer(enabled=custom)

    def _add_default_callbacks(self, add_history: bool, add_progbar: bool) -> None:
        self._history = next(
            (c for c in self.callbacks if isinstance(c, History)), None
        )
        self._progbar = next(
            (c for c in self.callbacks if isinstance(c, ProgbarLogger)), None
        )
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger(count_mode="steps")
            self.callbacks.append(self._progbar)

    def _refresh_flags(self) -> None:
        """Recomputes which batch hooks to call and whether logs need syncing."""
        cbs = self.callbacks
        self._supports_tf_logs = all(
            getattr(c, "_supports_tf_logs", False) for c in cbs
        )
        self._should_call_train_batch_hooks = any(
            c._implements_train_batch_hooks() for c in cbs
        )
        self._should_call_test_batch_hooks = any(
            c._implements_test_batch_hooks() for c in cbs
        )
        self._should_call_predict_batch_hooks = any(
            c._implements_predict_batch_hooks() for c in cbs
        )
        self._batch_hooks_support_tf_logs = all(
            getattr(c, "_supports_tf_logs", False)
            for c in cbs
            if c._implements_train_batch_hooks()
            or c._implements_test_batch_hooks()
            or c._implements_predict_batch_hooks()
        )

    def append(self, callback: Callback) -> None:
        """Adds a callback at the end of the list."""
        self.callbacks.append(callback)
        self._refresh_flags()

    def set_params(self, params: dict) -> None:
        """Passes the loop parameters to every callback."""
        self.params = params
        for callback in self.callbacks:
            callback.set_params(params)
        # ProgbarLogger decides in set_params whether it needs batch hooks.
        self._refresh_flags()

    def set_model(self, model) -> None:
        """Passes the model to every callback; sets `model.history`."""
        self.model = model
        if self._history:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    def __iter__(self):
        return iter(self.callbacks)

    def _process_logs(self, logs, is_batch_hook: bool = False) -> dict:
        if logs is None:
            return {}
        if self._supports_tf_logs or (
            is_batch_hook and self._batch_hooks_support_tf_logs
        ):
            return logs
        return logs_to_numbers(logs)

    def _call_batch_hook(self, mode: str, hook: str, batch: int, logs) -> None:
        hook_name = f"on_{mode}_batch_{hook}"
        timing = self._timer.enabled
        if timing and hook == "end":
            self._timer.batch_ended(batch)
        start = time.time()
        logs = self._process_logs(logs, is_batch_hook=True)
        for callback in self.callbacks:
            getattr(callback, hook_name)(batch, logs)
        if timing:
            self._timer.record_hook(hook_name, time.time() - start)
            if hook == "begin":
                self._timer.batch_begun()
            else:
                self._timer.maybe_warn(mode)

    def _call_hook(self, hook_name: str, *args, logs=None) -> None:
        logs = self._process_logs(logs)
        for callback in self.callbacks:
            getattr(callback, hook_name)(*args, logs)

    # Batch hooks: skipped entirely unless some callback overrides them.
    def on_batch_begin(self, batch: int, logs=None) -> None:
        """Keras 1 alias of `on_train_batch_begin`."""
        self.on_train_batch_begin(batch, logs)

    def on_batch_end(self, batch: int, logs=None) -> None:
        """Keras 1 alias of `on_train_batch_end`."""
        self.on_train_batch_end(batch, logs)

    def on_train_batch_begin(self, batch: int, logs=None) -> None:
        """Calls `on_train_batch_begin` on every callback, if any needs it."""
        if self._should_call_train_batch_hooks:
            self._call_batch_hook("train", "begin", batch, logs)

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        """Calls `on_train_batch_end` on every callback, if any needs it."""
        if self._should_call_train_batch_hooks:
            self._call_batch_hook("train", "end", batch, logs)

    def on_test_batch_begin(self, batch: int, logs=None) -> None:
        """Calls `on_test_batch_begin` on every callback, if any needs it."""
        if self._should_call_test_batch_hooks:
            self._call_batch_hook("test", "begin", batch, logs)

    def on_test_batch_end(self, batch: int, logs=None) -> None:
        """Calls `on_test_batch_end` on every callback, if any needs it."""
        if self._should_call_test_batch_hooks:
            self._call_batch_hook("test", "end", batch, logs)

    def on_predict_batch_begin(self, batch: int, logs=None) -> None:
        """Calls `on_predict_batch_begin` on every callback, if any needs it."""
        if self._should_call_predict_batch_hooks:
            self._call_batch_hook("predict", "begin", batch, logs)

    def on_predict_batch_end(self, batch: int, logs=None) -> None:
        """Calls `on_predict_batch_end` on every callback, if any needs it."""
        if self._should_call_predict_batch_hooks:
            self._call_batch_hook("predict", "end", batch, logs)

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        """Calls `on_epoch_begin` on every callback."""
        self._call_hook("on_epoch_begin", epoch, logs=logs)

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        """Calls `on_epoch_end` on every callback (they may add log keys)."""
        self._call_hook("on_epoch_end", epoch, logs=logs)

    def on_train_begin(self, logs=None) -> None:
        """Calls `on_train_begin` on every callback."""
        self._call_hook("on_train_begin", logs=logs)

    def on_train_end(self, logs=None) -> None:
        """Calls `on_train_end` on every callback."""
        self._call_hook("on_train_end", logs=logs)

    def on_test_begin(self, logs=None) -> None:
        """Calls `on_test_begin` on every callback."""
        self._call_hook("on_test_begin", logs=logs)

    def on_test_end(self, logs=None) -> None:
        """Calls `on_test_end` on every callback."""
        self._call_hook("on_test_end", logs=logs)

    def on_predict_begin(self, logs=None) -> None:
        """Calls `on_predict_begin` on every callback."""
        self._call_hook("on_predict_begin", logs=logs)

    def on_predict_end(self, logs=None) -> None:
        """Calls `on_predict_end` on every callback."""
        self._call_hook("on_predict_end", logs=logs)


def configure_callbacks(
    model, callbacks, verbose, epochs: int, steps: int | None, add_history: bool
) -> CallbackList:
    """The `CallbackList` of one `fit`, `evaluate` or `predict`.

    Args:
        model: the model being trained.
        callbacks: the user's callbacks, or `fit`'s own `CallbackList` (passed on
            to its validation, and returned as is).
        verbose: 0, 1, 2 or "auto"; a progress bar is added unless 0.
        epochs: the epochs of the loop.
        steps: steps per epoch, None when unknown.
        add_history: add a `History` (`fit` and `predict`, as Keras 2).

    Returns:
        The `CallbackList`, with the model and the loop's params set.
    """
    if isinstance(callbacks, CallbackList):
        return callbacks
    verbose = resolve_verbosity(verbose)
    return CallbackList(
        callbacks,
        add_history=add_history,
        add_progbar=verbose != 0,
        model=model,
        verbose=verbose,
        epochs=epochs,
        steps=steps,
    )
