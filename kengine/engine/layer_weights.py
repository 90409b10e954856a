"""The weight lists of a layer, in Keras 2's order, and reading/writing their values.

Mirrors the weight properties of Keras 2's `engine/base_layer.py`
(`trainable_weights`, `non_trainable_weights`, `weights`, `get_weights`,
`set_weights`, `count_params`).

The order is the contract of `get_weights`/`set_weights` and of weight files:
a layer's own trainable weights (in creation order), then each nested layer's
trainable weights (in attribute-assignment order, recursively); then the
non-trainable weights the same way. A frozen layer (`trainable=False`) reports
all of its weights, nested ones included, as non-trainable. Each variable
appears once even when reachable twice.
"""

import numpy as np
import tensorflow as tf

from kengine.engine import base_layer_utils as utils

__all__ = ["WeightsMixin"]


class WeightsMixin:
    """Adds the weight properties to `Layer` (which provides `_sublayers`)."""

    def _gather_children(self, attr: str) -> list:
        # Metrics a plain layer holds are not its state (tf_keras's
        # `_flatten_modules` skips them, so they stay out of weight files); a
        # model's and a metric's own metrics are.
        keep_metrics = self._is_model or getattr(self, "_is_metric", False)
        out = []
        for layer in self._sublayers():
            if keep_metrics or not getattr(layer, "_is_metric", False):
                out.extend(getattr(layer, attr))
        return out

    @property
    def trainable_weights(self) -> list:
        """Weights updated by training: own first, then nested layers'."""
        if not self.trainable:
            return []
        return utils.dedup(
            self._trainable_weights + self._gather_children("trainable_weights")
        )

    @property
    def non_trainable_weights(self) -> list:
        """Weights not updated by training (all of them when frozen)."""
        if self.trainable:
            found = self._non_trainable_weights + self._gather_children(
                "non_trainable_weights"
            )
        else:
            found = (
                self._trainable_weights
                + self._non_trainable_weights
                + self._gather_children("weights")
            )
        return utils.dedup(found)

    @property
    def weights(self) -> list:
        """All weights, in the order of `get_weights` and weight files.

        A layer lists its trainable weights, then its non-trainable ones. A model
        (`_is_model`) lists them layer by layer, each layer's trainable then
        non-trainable, as Keras 2's `Model.weights` does; an unbuilt model whose
        class has its own `build` raises instead of answering `[]`.

        Raises:
            ValueError: for a model whose weights are not created yet.
        """
        if self._is_model:
            return self._weights_layer_by_layer()
        return utils.dedup(self.trainable_weights + self.non_trainable_weights)

    def _weights_layer_by_layer(self) -> list:
        if not self.built and "build" in type(self).__dict__ and not self.dynamic:
            # A Sequential without an input shape (or a subclass with its own
            # `build`) has no weights yet: say so, as tf_keras does, not `[]`.
            raise ValueError(
                f"Weights for model '{self.name}' have not yet been created. Weights "
                "are created when the model is first called on inputs or `build()` is "
                "called with an `input_shape`."
            )
        found = []
        for layer in self._sublayers():
            found += layer.weights
        return utils.dedup(
            found + self._trainable_weights + self._non_trainable_weights
        )

    @property
    def variables(self) -> list:
        """Same as `weights` (tf.Module's name)."""
        return self.weights

    @property
    def trainable_variables(self) -> list:
        """Same as `trainable_weights`."""
        return self.trainable_weights

    @property
    def non_trainable_variables(self) -> list:
        """Same as `non_trainable_weights`."""
        return self.non_trainable_weights

    def get_weights(self) -> list:
        """Returns the weights' values as NumPy arrays, in `weights` order."""
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights: list) -> None:
        """Assigns NumPy values to the weights, in `weights` order.

        Raises:
            ValueError: on a wrong number of arrays or an incompatible shape.
        """
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(
                f'You called `set_weights(weights)` on layer "{self.name}" with a weight '
                f"list of length {len(weights)}, but the layer was expecting "
                f"{len(params)} weights. Provided weights: {str(weights)[:50]}..."
            )
        for param, value in zip(params, weights):
            value = np.asarray(value)
            if not tf.TensorShape(param.shape).is_compatible_with(value.shape):
                raise ValueError(
                    f"Layer {self.name} weight shape {tuple(param.shape)} is not "
                    f"compatible with provided weight shape {value.shape}."
                )
            # An unknown axis (an adapted vocabulary's length) takes any size.
            if param.shape.is_fully_defined():
                value = value.reshape(param.shape)
            param.assign(value.astype(param.dtype.as_numpy_dtype))
        # State kept outside the variables (a lookup table) follows them, as in Keras 2.
        for layer in self._flatten_layers():
            finalize = getattr(layer, "finalize_state", None)
            if callable(finalize):
                finalize()

    def count_params(self) -> int:
        """Total number of scalars in the weights.

        Raises:
            ValueError: if the layer is not built yet.
        """
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer {self.name}, but the layer "
                "isn't built. You can build it manually via: "
                f"`{self.name}.build(batch_input_shape)`."
            )
        return int(sum(np.prod(w.shape.as_list()) for w in self.weights))
