"""`Callback`: the base class of everything `fit`, `evaluate` and `predict` call.

Mirrors Keras 2's `callbacks.py: Callback`. The loops call hooks in this order
(epochs and batches are 0-based; `logs` is a dict of Python floats):

```
fit:      on_train_begin
            on_epoch_begin(epoch)
              on_train_batch_begin(batch) / on_train_batch_end(batch, logs)  (per step)
              [validation: on_test_begin, on_test_batch_*, on_test_end]
            on_epoch_end(epoch, logs)      # logs hold loss/metrics and val_*
          on_train_end(logs)
evaluate: on_test_begin, on_test_batch_begin/end per step, on_test_end(logs)
predict:  on_predict_begin, on_predict_batch_begin/end per step, on_predict_end
```

`on_batch_begin`/`on_batch_end` are the Keras 1 names of the train-batch hooks:
the default `on_train_batch_*` forward to them. Every batch hook is marked as a
default with `_default_hook`; `_implements_train_batch_hooks()` and friends look
for overrides so `CallbackList` can skip per-batch Python calls entirely when no
callback wants them (a per-step cost on small models). A callback whose hooks
accept TensorFlow tensors in `logs` sets `_supports_tf_logs = True`, which lets
`CallbackList` skip converting logs to numpy for it.

>>> class Count(Callback):
...     def on_train_batch_end(self, batch, logs=None):
...         pass
>>> Count()._implements_train_batch_hooks(), Callback()._implements_train_batch_hooks()
(True, False)
"""

from typing import Any

__all__ = ["Callback"]


def _default_hook(method):
    """Marks a hook as the do-nothing default, so overrides can be detected."""
    method._is_default = True
    return method


def _is_default(method) -> bool:
    return getattr(method, "_is_default", False)


class Callback:
    """Base class for callbacks: override the hooks you need.

    Attributes:
        model: The `Model` being trained, evaluated or used for prediction
            (set by `set_model` before the first hook).
        params: Dict of loop parameters, e.g. `{"verbose": 1, "epochs": 2,
            "steps": 10}` (set by `set_params`).
    """

    def __init__(self):
        self.validation_data = None
        self.model = None
        self.params: dict[str, Any] = {}
        # Whether hooks accept tf.Tensor values in `logs` (no numpy sync).
        self._supports_tf_logs = False
        # Multi-worker: whether only the chief should run this callback.
        self._chief_worker_only = None

    def set_params(self, params: dict) -> None:
        """Stores the loop parameters (`verbose`, `epochs`, `steps`)."""
        self.params = params

    def set_model(self, model) -> None:
        """Stores the model the callback acts on."""
        self.model = model

    @_default_hook
    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Keras 1 name of `on_train_batch_begin`, kept for old callbacks."""

    @_default_hook
    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Keras 1 name of `on_train_batch_end`, kept for old callbacks."""

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the start of epoch `epoch` (0-based) of `fit`."""

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the end of an epoch of `fit`.

        Args:
            epoch: Index of the epoch (0-based).
            logs: Metric results of the epoch; validation results, when
                validation ran, are included with a `val_` prefix. Callbacks
                may add keys (e.g. `lr`) that later callbacks and `History`
                see.
        """

    @_default_hook
    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before training step `batch` (0-based within the epoch)."""
        self.on_batch_begin(batch, logs=logs)

    @_default_hook
    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after a training step with the running metric results."""
        self.on_batch_end(batch, logs=logs)

    @_default_hook
    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before an `evaluate` (or validation) step."""

    @_default_hook
    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after an `evaluate` (or validation) step."""

    @_default_hook
    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before a `predict` step."""

    @_default_hook
    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after a `predict` step; `logs["outputs"]` holds the batch."""

    def on_train_begin(self, logs: dict | None = None) -> None:
        """Called once at the start of `fit`."""

    def on_train_end(self, logs: dict | None = None) -> None:
        """Called once at the end of `fit` with the last epoch's logs."""

    def on_test_begin(self, logs: dict | None = None) -> None:
        """Called at the start of `evaluate` or of a validation run."""

    def on_test_end(self, logs: dict | None = None) -> None:
        """Called at the end of `evaluate` or of a validation run."""

    def on_predict_begin(self, logs: dict | None = None) -> None:
        """Called at the start of `predict`."""

    def on_predict_end(self, logs: dict | None = None) -> None:
        """Called at the end of `predict`."""

    def _implements_train_batch_hooks(self) -> bool:
        """Whether any train-batch hook (or its Keras 1 alias) is overridden."""
        return not all(
            _is_default(hook)
            for hook in (
                self.on_batch_begin,
                self.on_batch_end,
                self.on_train_batch_begin,
                self.on_train_batch_end,
            )
        )

    def _implements_test_batch_hooks(self) -> bool:
        """Whether `on_test_batch_begin` or `on_test_batch_end` is overridden."""
        return not (
            _is_default(self.on_test_batch_begin)
            and _is_default(self.on_test_batch_end)
        )

    def _implements_predict_batch_hooks(self) -> bool:
        """Whether a predict-batch hook is overridden."""
        return not (
            _is_default(self.on_predict_batch_begin)
            and _is_default(self.on_predict_batch_end)
        )
