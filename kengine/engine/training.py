"""Model: a Layer that can be compiled, trained, evaluated, saved and summarised.

Mirrors Keras 2's `engine/training.py` (`Model`, `layers`, `get_layer`, `build`,
`summary`, `to_json`, `from_config`, `save_weights`, `load_weights`, the
deprecated `fit_generator` family). `Model` is a `Layer` with a `Trainer`
(`engine/trainer.py`: `compile`, `fit`, `evaluate`, `predict`, the steps and
their `tf.function`s); this module holds what makes it a model of layers (its
structure, summary, config, weight files (`saving/weights.py`) and whole-model
files (`save`, through `saving/saving_api.py`)) and the batch-level API over the trainer's
steps (`train_on_batch`, ...).

`Model(inputs, outputs)` builds a `Functional`. Keras 2 does that by swapping the
class inside `Model.__new__`; here the routing is one visible function,
`_functional_class_for`, called by the metaclass when a Model is instantiated.
"""

import collections.abc
import inspect
import json
import warnings

import tensorflow as tf

from kengine.callbacks.logs import logs_to_list, logs_to_numbers
from kengine.engine import data_adapter, functional_utils
from kengine.engine.base_layer import Layer, _call_spec
from kengine.engine.base_layer_utils import map_shapes, set_untracked
from kengine.engine.keras_tensor import KerasTensor
from kengine.engine.symbolic import infer_outputs
from kengine.engine.trainer import Trainer
from kengine.saving import saved_model, saving_api
from kengine.saving import weights as weight_files
from kengine.utils import layer_utils
from kengine.utils.object_registry import register_builtin

__all__ = ["Model"]


def _functional():
    """The `Functional` class, a subclass of `Model` defined in functional.py."""
    # A Functional is a Model (the cycle Keras has): functional.py imports this module.
    from kengine.engine.functional import Functional

    return Functional


def _looks_functional(args, kwargs) -> bool:
    return (
        len(args) == 2
        or len(args) == 1
        and "outputs" in kwargs
        or "inputs" in kwargs
        and "outputs" in kwargs
    )


def _functional_class_for(cls, args, kwargs):
    """The class to instantiate for `cls(*args, **kwargs)`.

    `Model(inputs, outputs)` is a `Functional`; anything else is `cls` itself. (A
    user subclass whose `__init__` forwards `inputs`/`outputs` to `Model.__init__`
    is handled there, by `_with_functional`.)
    """
    if cls is Model and _looks_functional(args, kwargs):
        return _functional()
    return cls


_FUNCTIONAL_SUBCLASSES: dict = {}


def _with_functional(cls):
    """`cls` with Functional's graph methods mixed in (made once per class)."""
    if cls not in _FUNCTIONAL_SUBCLASSES:
        _FUNCTIONAL_SUBCLASSES[cls] = type(
            cls.__name__, (cls, _functional()), {"__module__": cls.__module__}
        )
    return _FUNCTIONAL_SUBCLASSES[cls]


class _ModelMeta(type(Layer)):
    """Routes `Model(inputs, outputs)` to `Functional` (see `_functional_class_for`)."""

    def __call__(cls, *args, **kwargs):
        target = _functional_class_for(cls, args, kwargs)
        return type.__call__(target, *args, **kwargs)


class Model(Trainer, Layer, metaclass=_ModelMeta):
    """A layer with training and saving, subclassed or built from inputs/outputs.

    Args:
        inputs: with `outputs`, build a functional model (see `Functional`).
        outputs: the functional model's outputs.
        name: the model's name.
        trainable: whether its weights are trained.
        **kwargs: base `Layer` arguments.
    """

    _is_model = True  # read by the Layer core (layer_weights), which cannot import us
    _serialized_module = "keras"
    _serialized_registered_name = None

    def __init__(self, *args, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            # A subclass calling super().__init__(inputs, outputs): Keras 2 allows it,
            # and the instance becomes a graph network of its own class.
            set_untracked(self, "__class__", _with_functional(type(self)))
            _functional().__init__(self, *args, **kwargs)
            return
        super().__init__(**kwargs)
        self._init_training_state()

    def call(self, inputs, training=None, mask=None):
        """The forward pass of a subclassed model.

        Raises:
            NotImplementedError: when a subclass does not override it.
        """
        raise NotImplementedError(
            f"Model {type(self).__name__} does not have a `call()` method implemented."
        )

    # A flag, not `call is Model.call`, so the trainer below need not import Model:
    # a model keeping this placeholder trains only through its own `train_step`.
    call._is_placeholder = True

    # ------------------------------------------------------------ structure
    @property
    def layers(self) -> list:
        """Direct sublayers (for a subclassed model, in attribute order)."""
        return [
            layer
            for layer in self._sublayers()
            if not getattr(layer, "_is_metric", False)
        ]

    def get_layer(self, name: str | None = None, index: int | None = None):
        """Returns a layer by name or by index in `layers`.

        Raises:
            ValueError: if neither or both are given, or nothing matches.
        """
        if index is not None and name is not None:
            raise ValueError(
                "Provide only a layer name or a layer index. Received: "
                f"index={index}, name={name}."
            )
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only has "
                    f"{len(self.layers)} layers."
                )
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(
                f"No such layer: {name}. Existing layers are: "
                f"{[layer.name for layer in self.layers]}."
            )
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    def build(self, input_shape) -> None:
        """Builds a subclassed model by calling it on placeholders of `input_shape`.

        Raises:
            ValueError: if `input_shape` is None.
        """
        if self.built:
            return
        if input_shape is None:
            raise ValueError(
                "Input shape must be defined when calling `build()` on a `Model` "
                "subclass."
            )
        placeholders = map_shapes(
            lambda s: KerasTensor(tf.TensorSpec(s, self.dtype)), input_shape
        )
        self.built = True  # building happens inside call, per sublayer
        infer_outputs(self, _call_spec(type(self).call), placeholders, (), {})
        self._build_input_shape = input_shape

    def reset_states(self) -> None:
        """Resets the state of every stateful layer (stateful RNNs)."""
        for layer in self._flatten_layers():
            if getattr(layer, "stateful", False) and hasattr(layer, "reset_states"):
                layer.reset_states()

    def summary(
        self,
        line_length=None,
        positions=None,
        print_fn=None,
        expand_nested=False,
        show_trainable=False,
        layer_range=None,
    ) -> None:
        """Prints a table of layers, output shapes and parameter counts.

        Raises:
            ValueError: if the model is not built yet.
        """
        if not self.built:
            raise ValueError(
                "This model has not yet been built. Build the model first by calling "
                "`build()` or by calling the model on a batch of data."
            )
        layer_utils.print_summary(
            self,
            line_length=line_length,
            positions=positions,
            print_fn=print_fn,
            expand_nested=expand_nested,
            show_trainable=show_trainable,
            layer_range=layer_range,
        )

    # -------------------------------------------------------- serialization
    def to_json(self, **kwargs) -> str:
        """The model's architecture as tf_keras's JSON (`class_name`, `config`, ...)."""
        data = {
            "class_name": type(self).__name__,
            "config": self.get_config(),
            # The Keras 2 version whose format this is, so tf_keras reads it as its own.
            "keras_version": "2.21.0",
            "backend": "tensorflow",
        }
        return json.dumps(data, default=_json_default, **kwargs)

    @classmethod
    def from_config(
        cls,
        config: dict,
        custom_objects: dict | None = None,
        safe_mode: bool | None = None,
    ):
        """Creates a model from `get_config()` output (or tf_keras's).

        A graph config (`Model(inputs, outputs).get_config()`) is rebuilt as a
        graph by `Functional` and by classes that take `inputs`/`outputs`
        (`keras.Model.from_config(...)` in the functional API guide); any other
        config goes to `cls(**config)`.

        Args:
            config: the model's `get_config()`.
            custom_objects: user classes and functions by name.
            safe_mode: refuse `Lambda` bytecode; the loaders pass the mode of the
                load in progress, and None means `serialization.in_safe_mode()`.

        Raises:
            ValueError: for a malformed graph config or an unknown layer class.
            TypeError: if `cls(**config)` rejects the config, or for parts of a
                graph config of the wrong type.
        """
        graph_keys = ("name", "layers", "input_layers", "output_layers")
        is_graph = isinstance(config, dict) and all(k in config for k in graph_keys)
        if cls._is_graph_network or is_graph and _takes_inputs_outputs(cls):
            return functional_utils.graph_from_config(
                cls, config, custom_objects, safe_mode
            )
        try:
            return cls(**config)
        except TypeError as err:
            raise TypeError(
                f"Unable to revive model from config. When overriding `get_config()`, "
                f"make sure the returned config contains every argument of the "
                f"constructor of {cls.__name__}, or define a `from_config(cls, config)` "
                f"classmethod.\n\nReceived config={config}\n\nError encountered during "
                f"deserialization: {err}"
            ) from err

    def _trackable_children(self, save_type="checkpoint", **kwargs):
        children = super()._trackable_children(save_type, **kwargs)
        if save_type != "savedmodel":
            return children
        # The cached train/test/predict functions capture metric and optimizer
        # state a SavedModel cannot reach from its root; a served model needs only
        # its forward pass, exported as `serving_default` (TensorFlow looks for a
        # root child of this name when no signatures are given).
        children = {
            name: child
            for name, child in children.items()
            if not isinstance(child, tf.types.experimental.GenericFunction)
        }
        if getattr(self, "inputs", None):
            children["_default_save_signature"] = saved_model.export_module(self).serve
        return children

    def save(
        self,
        filepath,
        overwrite: bool = True,
        save_format=None,
        include_optimizer: bool = True,
        options=None,
        **kwargs,
    ) -> None:
        """Writes the whole model: `.keras` archive, `.h5` file or SavedModel.

        The format follows the path as in tf_keras 2.21 (see
        `kengine/saving/saving_api.py`); every writer is crash-safe.
        """
        saving_api.save_model(
            self,
            filepath,
            overwrite=overwrite,
            save_format=save_format,
            include_optimizer=include_optimizer,
            options=options,
            **kwargs,
        )

    def save_weights(
        self, filepath, overwrite: bool = True, save_format=None, options=None
    ) -> None:
        """Writes the weights: Keras 2 HDF5 for `.h5`, a TF checkpoint otherwise."""
        weight_files.save_weights(
            self,
            filepath,
            overwrite=overwrite,
            save_format=save_format,
            options=options,
        )

    def load_weights(
        self, filepath, skip_mismatch: bool = False, by_name: bool = False, options=None
    ):
        """Reads weights written by `save_weights` (or by tf_keras)."""
        return weight_files.load_weights(
            self,
            filepath,
            skip_mismatch=skip_mismatch,
            by_name=by_name,
            options=options,
        )

    # -------------------------------------------------------- one batch only
    # The batch-level API over the trainer's steps. Each wraps the batch in a one-element (distributed) dataset iterator and calls
    # the cached step function `fit` uses, so later calls with other batch sizes
    # reuse the trace (the iterator's batch dimension is `None`).
    def train_on_batch(
        self,
        x,
        y=None,
        sample_weight=None,
        class_weight=None,
        reset_metrics=True,
        return_dict=False,
    ):
        """Runs one train step on one batch; returns the logs (list or dict)."""
        data_adapter.require_x(x, "train_on_batch")
        self._assert_compiled()
        if reset_metrics:
            # Before the step, as tf_keras does: the logs cover this batch only,
            # and the state stays readable afterwards (`model.metrics`).
            self.reset_metrics()
        with self.distribute_strategy.scope(), self._respect_compiled_trainable_state():
            iterator = data_adapter.single_batch_iterator(
                self.distribute_strategy, x, y, sample_weight, class_weight
            )
            spec = iterator.element_spec
            self._prepare_step(self.train_function, spec, Trainer.train_step)
            logs = logs_to_numbers(self.make_train_function()(iterator))
        return logs if return_dict else logs_to_list(logs, self.metrics_names)

    def test_on_batch(
        self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False
    ):
        """Runs one test step on one batch; returns the logs (list or dict)."""
        data_adapter.require_x(x, "test_on_batch")
        self._assert_compiled()
        if reset_metrics:
            self.reset_metrics()  # before the step, as in train_on_batch
        with self.distribute_strategy.scope(), self._respect_compiled_trainable_state():
            iterator = data_adapter.single_batch_iterator(
                self.distribute_strategy, x, y, sample_weight
            )
            spec = iterator.element_spec
            self._prepare_step(self.test_function, spec, Trainer.test_step)
            logs = logs_to_numbers(self.make_test_function()(iterator))
        return logs if return_dict else logs_to_list(logs, self.metrics_names)

    def predict_on_batch(self, x):
        """Returns the outputs for one batch, as NumPy."""
        data_adapter.require_x(x, "predict_on_batch")
        with self.distribute_strategy.scope():
            iterator = data_adapter.single_batch_iterator(self.distribute_strategy, x)
            spec = iterator.element_spec
            self._prepare_step(self.predict_function, spec, Trainer.predict_step)
            outputs = self.make_predict_function()(iterator)
        return tf.nest.map_structure(lambda t: t.numpy(), outputs)

    # ------------------------------------------- deprecated generator names
    def fit_generator(
        self,
        generator,
        steps_per_epoch=None,
        epochs=1,
        verbose=1,
        callbacks=None,
        validation_data=None,
        validation_steps=None,
        validation_freq=1,
        class_weight=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        shuffle=True,
        initial_epoch=0,
    ):
        """Deprecated: `fit` accepts generators. Keras 2's signature and order."""
        warnings.warn(
            "`Model.fit_generator` is deprecated; use `Model.fit`, which "
            "supports generators.",
            UserWarning,
            stacklevel=2,
        )
        return self.fit(
            generator,
            steps_per_epoch=steps_per_epoch,
            epochs=epochs,
            verbose=verbose,
            callbacks=callbacks,
            validation_data=validation_data,
            validation_steps=validation_steps,
            validation_freq=validation_freq,
            class_weight=class_weight,
            max_queue_size=max_queue_size,
            workers=workers,
            use_multiprocessing=use_multiprocessing,
            shuffle=shuffle,
            initial_epoch=initial_epoch,
        )

    def evaluate_generator(
        self,
        generator,
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        verbose=0,
    ):
        """Deprecated: `evaluate` accepts generators. Keras 2's signature and order."""
        warnings.warn(
            "`Model.evaluate_generator` is deprecated; use `Model.evaluate`.",
            UserWarning,
            stacklevel=2,
        )
        return self.evaluate(
            generator,
            steps=steps,
            callbacks=callbacks,
            max_queue_size=max_queue_size,
            workers=workers,
            use_multiprocessing=use_multiprocessing,
            verbose=verbose,
        )

    def predict_generator(
        self,
        generator,
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        verbose=0,
    ):
        """Deprecated: `predict` accepts generators. Keras 2's signature and order."""
        warnings.warn(
            "`Model.predict_generator` is deprecated; use `Model.predict`.",
            UserWarning,
            stacklevel=2,
        )
        return self.predict(
            generator,
            steps=steps,
            callbacks=callbacks,
            max_queue_size=max_queue_size,
            workers=workers,
            use_multiprocessing=use_multiprocessing,
            verbose=verbose,
        )


def _takes_inputs_outputs(cls) -> bool:
    """Whether `cls(inputs=..., outputs=..., name=...)` builds a graph model."""
    if cls is Model:
        return True
    params = inspect.signature(cls.__init__).parameters
    names = [p for p in params if p != "self"]
    kinds = {p.kind for p in params.values()}
    # Functional's own signature, or a subclass forwarding *args/**kwargs to it.
    return (
        names[:2] == ["inputs", "outputs"]
        or {
            inspect.Parameter.VAR_POSITIONAL,
            inspect.Parameter.VAR_KEYWORD,
        }
        <= kinds
    )


def _json_default(obj):
    if isinstance(obj, tf.TensorShape):
        return obj.as_list()
    # Lists and dicts assigned to layer attributes come back as tracking wrappers.
    if isinstance(obj, collections.abc.Mapping):
        return dict(obj)
    if isinstance(obj, collections.abc.Sequence):
        return list(obj)
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if isinstance(obj, tf.DType):
        return obj.name
    raise TypeError(f"Not JSON Serializable: {obj!r}")


# Found by name by `layers.deserialize` (layer 4), which cannot import this module.
register_builtin("layer", Model)
