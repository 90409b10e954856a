"""A layer's config: `get_config`, `from_config`, and the shape it was built for.

Mirrors the config methods of Keras 2's `engine/base_layer.py` (`get_config`,
`from_config`, `get_build_config`, `build_from_config`) and the automatic config
tf_keras 2.13+ gives custom layers: a custom layer whose constructor arguments
are plain JSON values (remembered by `Layer.__new__`) gets them in its config
without writing `get_config`; one with other arguments must write its own, and
`get_config` says so (`NotImplementedError`, as tf_keras).
"""

import inspect
import json

from kengine.engine import base_layer_utils as utils

__all__ = ["ConfigMixin"]


class ConfigMixin:
    """Adds the config methods to `Layer`."""

    def get_config(self) -> dict:
        """The layer's constructor arguments, JSON-serializable.

        Raises:
            NotImplementedError: for a custom layer with constructor arguments that
                cannot be recorded automatically and no `get_config` of its own.
        """
        config = {"name": self.name, "trainable": self.trainable, "dtype": self._dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = self._batch_input_shape
        if getattr(type(self).get_config, "_is_automatic", False):
            config.update(self._auto_config())
        return config

    # A flag rather than an identity check: only a class that writes no
    # `get_config` of its own gets the constructor arguments recorded for it.
    get_config._is_automatic = True

    def _auto_config(self) -> dict:
        init = type(self).__init__
        if getattr(init, "_is_layer_init", False):  # Layer's own: nothing to record
            return {}
        args, kwargs = self.__dict__.get("_init_args", ((), {}))
        try:
            bound = inspect.signature(init).bind(self, *args, **kwargs)
            extra = {
                k: v for k, v in bound.arguments.items() if k not in ("self", "kwargs")
            }
            json.dumps(extra)
        except (TypeError, ValueError) as err:
            raise NotImplementedError(
                f"Layer {type(self).__name__} was created by passing non-serializable "
                "argument values in `__init__()`, and therefore the layer must override "
                "`get_config()` in order to be serializable. Please implement "
                "`get_config()`."
            ) from err
        return extra

    def get_build_config(self) -> dict | None:
        """`{"input_shape": ...}` once built (written beside the config, as tf_keras)."""
        if not self.built or self._build_input_shape is None:
            return None
        return {"input_shape": utils.shape_to_json(self._build_input_shape)}

    def build_from_config(self, config: dict) -> None:
        """Builds the layer from `get_build_config()` output."""
        if config and config.get("input_shape") is not None and not self.built:
            shape = config["input_shape"]
            self.build(utils.map_shapes(lambda s: s, shape))
            self.built = True

    @classmethod
    def from_config(cls, config: dict):
        """Creates a layer from `get_config()` output."""
        return cls(**config)
