"""`TerminateOnNaN`: stops `fit` at the first batch whose loss is NaN or infinite.

Mirrors Keras 2's `callbacks.py: TerminateOnNaN`. After each training batch it
reads `logs["loss"]` and, if it is not finite, prints
`Batch <i>: Invalid loss, terminating training` and sets
`model.stop_training`, which `fit` checks after the batch hook: the epoch ends
there, `on_epoch_end` still runs, and no further epoch starts.
"""

import numpy as np

from kengine.callbacks.callback import Callback
from kengine.callbacks.logs import logs_to_numbers

__all__ = ["TerminateOnNaN"]


class TerminateOnNaN(Callback):
    """Callback that terminates training when a NaN or infinite loss appears."""

    def __init__(self):
        super().__init__()
        # Only `loss` is read, so the other logs can stay tensors.
        self._supports_tf_logs = True

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = logs_to_numbers(loss)
        if np.isnan(loss) or np.isinf(loss):
            print(f"Batch {batch}: Invalid loss, terminating training", flush=True)
            self.model.stop_training = True
