"""Losses a layer adds while it runs, and its regularization losses.

Mirrors `add_loss`, `losses` and the activity-regularizer plumbing of Keras 2's
`engine/base_layer.py`.

A tensor passed to `add_loss` inside `call` counts for that forward pass only:
the outermost `Layer.__call__` clears the tensors of every nested layer before
running, so `losses` never accumulates across calls (the seed's
`ActivityRegularization` example). A zero-argument callable (weight
regularizers, `add_loss(lambda: ...)`) is kept and evaluated each time `losses`
is read, so it always reflects the current weights. Losses computed while only
inferring shapes in a scratch graph are dropped.
"""

import tensorflow as tf

from kengine import backend, regularizers
from kengine.engine import base_layer_utils as utils
from kengine.engine import keras_tensor

__all__ = ["LossesMixin"]


class LossesMixin:
    """Adds `add_loss`, `losses` and `activity_regularizer` to `Layer`."""

    def add_loss(self, losses, **kwargs) -> None:
        """Adds loss tensor(s) or zero-argument callables to this layer.

        A tensor added inside `call` counts for the current forward pass only; a
        callable is kept and evaluated whenever `losses` is read.

        Raises:
            ValueError: for a concrete tensor added outside a layer call.
        """
        del kwargs
        ctx = utils.call_context()
        for loss in tf.nest.flatten(losses):
            if loss is None:
                continue
            if callable(loss):
                self._callable_losses.append(loss)
            elif isinstance(loss, keras_tensor.KerasTensor):
                self._add_symbolic_loss(loss)
            elif ctx.symbolic:
                continue  # shape inference in a scratch graph: not a real pass
            elif not ctx.in_call and not tf.inside_function():
                raise ValueError(
                    "Expected a symbolic Tensor or a callable for the loss value. Please "
                    "wrap your loss computation in a zero argument `lambda`."
                )
            else:
                self._call_losses.append(tf.convert_to_tensor(loss, backend.floatx()))

    def _add_symbolic_loss(self, loss) -> None:
        raise ValueError(
            f"Layer {self.name} cannot record the symbolic loss {loss!r}: only a "
            "functional Model can take `add_loss` of a KerasTensor."
        )

    @property
    def losses(self) -> list:
        """Losses of the last forward pass plus regularization, this layer and nested."""
        collected = []
        for layer in self._flatten_layers():
            collected.extend(layer._call_losses)
            for fn in layer._callable_losses:
                value = fn()
                if value is not None:
                    collected.append(value)
        return collected

    def _clear_losses(self) -> None:
        for layer in self._flatten_layers():
            layer._call_losses = []

    @property
    def activity_regularizer(self):
        """Regularizer applied to the layer's outputs (divided by the batch size)."""
        return self._activity_regularizer

    @activity_regularizer.setter
    def activity_regularizer(self, value) -> None:
        self._activity_regularizer = regularizers.get(value)
