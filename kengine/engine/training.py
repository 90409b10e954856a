"""Model: a Layer that can be compiled, trained, evaluated, saved and summarised.

Mirrors Keras 2's `engine/training.py` (`Model`, `compile`, `fit`, `evaluate`,
`predict`, `train_step`, `make_train_function`, `summary`, `save_weights`).
`Model` itself stays small by delegating:

* `compile` -> `engine/compile_utils.py` (LossesContainer, MetricsContainer);
* `fit`/`evaluate`/`predict` -> `engine/training_loops.py` (the epoch/step loops,
  callbacks) over `engine/data_adapter.py` (DataHandler);
* the `tf.function` step functions -> `engine/step_functions.py` (see its docstring
  for why kengine traces once where Keras 2 traces twice);
* the batch-level API (`train_on_batch`, ...) -> `engine/training_on_batch.py`;
* `layers`, `get_layer`, `build`, `summary`, `to_json`, weight files ->
  `engine/model_structure.py` (over `utils/layer_utils.py`, `saving/weights.py`).

`Model(inputs, outputs)` builds a `Functional`. Keras 2 does that by swapping the
class inside `Model.__new__`; here the routing is one visible function,
`_functional_class_for`, called by the metaclass when a Model is instantiated.
"""

import tensorflow as tf

from kengine.engine.base_layer import Layer
from kengine.engine.model_structure import ModelStructureMixin
from kengine.engine.training_on_batch import OnBatchMixin

__all__ = ["Model"]


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
    from kengine.engine.functional import Functional

    if cls is Model and _looks_functional(args, kwargs):
        return Functional
    return cls


_FUNCTIONAL_SUBCLASSES: dict = {}


def _with_functional(cls):
    """`cls` with Functional's graph methods mixed in (made once per class)."""
    from kengine.engine.functional import Functional

    if cls not in _FUNCTIONAL_SUBCLASSES:
        _FUNCTIONAL_SUBCLASSES[cls] = type(
            cls.__name__, (cls, Functional), {"__module__": cls.__module__}
        )
    return _FUNCTIONAL_SUBCLASSES[cls]


class _ModelMeta(type(Layer)):
    """Routes `Model(inputs, outputs)` to `Functional` (see `_functional_class_for`)."""

    def __call__(cls, *args, **kwargs):
        target = _functional_class_for(cls, args, kwargs)
        return type.__call__(target, *args, **kwargs)


class Model(ModelStructureMixin, OnBatchMixin, Layer, metaclass=_ModelMeta):
    """A layer with training and saving, subclassed or built from inputs/outputs.

    Args:
        inputs: with `outputs`, build a functional model (see `Functional`).
        outputs: the functional model's outputs.
        name: the model's name.
        trainable: whether its weights are trained.
        **kwargs: base `Layer` arguments.
    """

    _serialized_module = "keras"
    _serialized_registered_name = None

    def __init__(self, *args, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            # A subclass calling super().__init__(inputs, outputs): Keras 2 allows it,
            # and the instance becomes a graph network of its own class.
            from kengine.engine.functional import Functional

            object.__setattr__(self, "__class__", _with_functional(type(self)))
            Functional.__init__(self, *args, **kwargs)
            return
        super().__init__(**kwargs)
        self._init_training_state()

    def _init_training_state(self) -> None:
        """Attributes compile/fit fill in (see `compile`)."""
        for name in (
            "optimizer",
            "compiled_loss",
            "compiled_metrics",
            "train_function",
            "test_function",
            "predict_function",
            "history",
        ):
            object.__setattr__(self, name, None)
        object.__setattr__(self, "stop_training", False)
        object.__setattr__(self, "_is_compiled", False)
        object.__setattr__(self, "_run_eagerly", None)
        object.__setattr__(self, "_steps_per_execution", None)
        object.__setattr__(self, "_jit_compile", None)
        object.__setattr__(
            self,
            "_distribution_strategy",
            tf.distribute.get_strategy() if tf.distribute.has_strategy() else None,
        )

    # -------------------------------------------------------------- compile
    def compile(
        self,
        optimizer="rmsprop",
        loss=None,
        metrics=None,
        loss_weights=None,
        weighted_metrics=None,
        run_eagerly=None,
        steps_per_execution=None,
        jit_compile=None,
        pss_evaluation_shards=0,
        **kwargs,
    ) -> None:
        """Configures the model for training.

        Args:
            optimizer: an optimizer instance or name (`"adam"`).
            loss: a loss (name, function or `Loss`), or a list/dict per output.
            metrics: metrics, as a list, a list per output, or a dict per output.
            loss_weights: scalars weighting each output's loss (list or dict).
            weighted_metrics: metrics that take `sample_weight` into account.
            run_eagerly: run the steps eagerly instead of in a `tf.function`.
            steps_per_execution: steps each call of the step function runs.
            jit_compile: compile the step with XLA.
            pss_evaluation_shards: parameter-server evaluation (accepted, unused).
            **kwargs: none are accepted; listed for the error message.

        Raises:
            ValueError: for `run_eagerly` with `jit_compile`, or an unknown argument.
        """
        from kengine import optimizers
        from kengine.engine import compile_utils

        del pss_evaluation_shards  # no parameter-server strategy support
        if kwargs:
            raise TypeError(
                f"Invalid keyword argument(s) in `compile()`: {sorted(kwargs)}"
            )
        if run_eagerly and jit_compile:
            raise ValueError(
                "You cannot enable `run_eagerly` and `jit_compile` at the same time."
            )
        if tf.distribute.has_strategy() and self._distribution_strategy is None:
            object.__setattr__(
                self, "_distribution_strategy", tf.distribute.get_strategy()
            )
        with self.distribute_strategy.scope():
            self.optimizer = optimizers.get(optimizer)
            output_names = getattr(self, "output_names", None)
            object.__setattr__(
                self,
                "compiled_loss",
                compile_utils.LossesContainer(
                    loss, loss_weights, output_names=output_names
                ),
            )
            object.__setattr__(
                self,
                "compiled_metrics",
                compile_utils.MetricsContainer(
                    metrics, weighted_metrics, output_names=output_names
                ),
            )
            self._create_counters(steps_per_execution or 1)
        object.__setattr__(self, "loss", loss or {})
        object.__setattr__(self, "_run_eagerly", run_eagerly)
        object.__setattr__(self, "_jit_compile", jit_compile)
        object.__setattr__(self, "_is_compiled", True)
        # Freeze the trainable state seen now: fit uses it until the next compile.
        object.__setattr__(
            self,
            "_compiled_trainable_state",
            {id(lyr): (lyr, lyr.trainable) for lyr in self._flatten_layers()},
        )
        self._reset_compile_cache()

    def _create_counters(self, steps_per_execution: int) -> None:
        def counter(name):
            return tf.Variable(
                0,
                dtype=tf.int64,
                trainable=False,
                name=name,
                aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA,
            )

        with tf.init_scope():
            for name in ("_train_counter", "_test_counter", "_predict_counter"):
                object.__setattr__(self, name, counter(name))
            object.__setattr__(
                self,
                "_steps_per_execution",
                tf.Variable(
                    steps_per_execution,
                    dtype=tf.int64,
                    trainable=False,
                    aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA,
                ),
            )

    def _reset_compile_cache(self) -> None:
        for name in ("train_function", "test_function", "predict_function"):
            object.__setattr__(self, name, None)

    def _respect_compiled_trainable_state(self):
        """Context manager applying the `trainable` flags seen at `compile` time."""
        import contextlib

        @contextlib.contextmanager
        def scope():
            saved = getattr(self, "_compiled_trainable_state", {})
            current = {key: lyr.trainable for key, (lyr, _) in saved.items()}
            for layer, trainable in saved.values():
                layer._trainable = trainable
            try:
                yield
            finally:
                for key, (layer, _) in saved.items():
                    layer._trainable = current[key]

        return scope()

    def _assert_compiled(self) -> None:
        if not self._is_compiled:
            raise RuntimeError(
                "You must compile your model before training/testing. Use "
                "`model.compile(optimizer, loss)`."
            )

    @property
    def distribute_strategy(self):
        """The `tf.distribute.Strategy` the model was created or compiled under."""
        return self._distribution_strategy or tf.distribute.get_strategy()

    @property
    def run_eagerly(self) -> bool:
        """Whether steps run eagerly (no `tf.function`)."""
        return (
            bool(self._run_eagerly) or self.dynamic or tf.config.functions_run_eagerly()
        )

    @run_eagerly.setter
    def run_eagerly(self, value: bool) -> None:
        object.__setattr__(self, "_run_eagerly", value)

    @property
    def jit_compile(self) -> bool:
        """Whether steps are compiled with XLA."""
        return bool(self._jit_compile)

    @property
    def metrics(self) -> list:
        """The loss trackers and compiled metrics, then metrics held by layers."""
        found = []
        if self._is_compiled:
            if self.compiled_loss is not None:
                found += self.compiled_loss.metrics
            if self.compiled_metrics is not None:
                found += self.compiled_metrics.metrics
        for layer in self._flatten_layers():
            found += [m for m in layer._sublayers() if getattr(m, "_is_metric", False)]
            found += layer._added_metrics  # from `add_metric` calls
        from kengine.engine.base_layer_utils import dedup

        return dedup(found)

    @property
    def metrics_names(self) -> list:
        """Names of `metrics`, in order (the keys of the logs)."""
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        """Resets the state of every metric in `metrics`."""
        for metric in self.metrics:
            metric.reset_state()

    # ---------------------------------------------------------------- steps
    def train_step(self, data) -> dict:
        """One optimization step on one batch: forward, loss, gradients, metrics."""
        from kengine.engine.data_adapter import unpack_x_y_sample_weight

        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
        self._validate_target_and_loss(y, loss)
        self.optimizer.minimize(loss, self.trainable_variables, tape=tape)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data) -> dict:
        """One evaluation step on one batch: forward, loss, metrics."""
        from kengine.engine.data_adapter import unpack_x_y_sample_weight

        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        self.compute_loss(x, y, y_pred, sample_weight)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        """One inference step on one batch."""
        from kengine.engine.data_adapter import unpack_x_y_sample_weight

        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
        """The total loss: compiled losses plus `self.losses` (regularization)."""
        del x
        return self.compiled_loss(
            y, y_pred, sample_weight, regularization_losses=self.losses
        )

    def compute_metrics(self, x, y, y_pred, sample_weight) -> dict:
        """Updates the compiled metrics and returns every metric's result."""
        del x
        self.compiled_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict:
        """`{metric name: result}` for every metric in `metrics`."""
        results = {}
        for metric in self.metrics:
            result = metric.result()
            if isinstance(result, dict):
                results.update(result)
            else:
                results[metric.name] = result
        return results

    def _metrics_result_or(self, logs: dict) -> dict:
        """Epoch logs read from metric state (what History and callbacks see)."""
        from kengine.engine.training_loops import _sync

        results = _sync(self.get_metrics_result()) if self.metrics else {}
        logs = _sync(logs)
        # As tf_keras: only when the step reported exactly these metrics. A custom
        # train_step returning other keys keeps its own logs (no extra "loss" from a
        # compiled loss it never calls).
        return results if set(results) == set(logs) else logs

    def _validate_target_and_loss(self, y, loss) -> None:
        if y is None and loss is None:
            raise ValueError(
                f"Target data is missing. Your model was compiled with loss={self.loss}, "
                "and therefore expects target data to be provided in `fit()`."
            )
        if loss is None:
            raise ValueError(
                "No loss found. You may have forgotten to provide a `loss` argument in "
                "the `compile()` method."
            )

    def make_train_function(self, force: bool = False):
        """Returns (and caches) the `tf.function` running train steps on an iterator."""
        from kengine.engine import step_functions

        if self.train_function is None or force:
            object.__setattr__(
                self, "train_function", step_functions.make_train_function(self)
            )
        return self.train_function

    def make_test_function(self, force: bool = False):
        """Returns (and caches) the `tf.function` running test steps on an iterator."""
        from kengine.engine import step_functions

        if self.test_function is None or force:
            object.__setattr__(
                self, "test_function", step_functions.make_test_function(self)
            )
        return self.test_function

    def make_predict_function(self, force: bool = False):
        """Returns (and caches) the `tf.function` running a predict step on an iterator."""
        from kengine.engine import step_functions

        if self.predict_function is None or force:
            if not hasattr(self, "_predict_counter"):
                self._create_counters(1)
            object.__setattr__(
                self, "predict_function", step_functions.make_predict_function(self)
            )
        return self.predict_function

    # ----------------------------------------------------------- fit & co.
    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose="auto",
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
        class_weight=None,
        sample_weight=None,
        initial_epoch=0,
        steps_per_epoch=None,
        validation_steps=None,
        validation_batch_size=None,
        validation_freq=1,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
    ):
        """Trains the model for a number of epochs.

        Args:
            x: inputs: arrays, tensors, dicts by input name, a `tf.data.Dataset`,
                a generator or a `keras.utils.Sequence`.
            y: targets (None when `x` yields them).
            batch_size: samples per step for array inputs (default 32).
            epochs: the epoch to stop at.
            verbose: 0, 1, 2 or "auto".
            callbacks: `Callback`s to call during training.
            validation_split: fraction of the array data, taken from the end, to
                validate on.
            validation_data: `(x, y[, sample_weight])` or a dataset to validate on.
            shuffle: reshuffle array data each epoch (`"batch"`: within batches).
            class_weight: `{class: weight}`, turned into sample weights.
            sample_weight: per-sample weights for array inputs.
            initial_epoch: the epoch to start from.
            steps_per_epoch: steps per epoch (needed for infinite data).
            validation_steps: steps of validation data per validation.
            validation_batch_size: batch size for validation arrays.
            validation_freq: validate every N epochs, or in the listed epochs.
            max_queue_size: for generators (accepted for compatibility).
            workers: for generators (accepted for compatibility).
            use_multiprocessing: for generators (accepted for compatibility).

        Returns:
            The `History` callback, whose `history` maps log keys to per-epoch values.

        Raises:
            RuntimeError: if the model is not compiled.
            TypeError: for a `batch_size`, `validation_batch_size`, `epochs` or
                `initial_epoch` that is not an integer.
            ValueError: for missing `x`, inconsistent data (see
                `engine/data_adapter.py`), `validation_split` outside `[0, 1)`,
                `initial_epoch > epochs`, `validation_data` without targets for a
                compiled loss, input of a rank the model's `input_spec` refuses,
                or targets a built-in loss would broadcast against an output.
        """
        from kengine.engine import training_loops

        self._assert_compiled()
        return training_loops.fit(
            self,
            x=x,
            y=y,
            batch_size=batch_size,
            epochs=epochs,
            verbose=verbose,
            callbacks=callbacks,
            validation_split=validation_split,
            validation_data=validation_data,
            shuffle=shuffle,
            class_weight=class_weight,
            sample_weight=sample_weight,
            initial_epoch=initial_epoch,
            steps_per_epoch=steps_per_epoch,
            validation_steps=validation_steps,
            validation_batch_size=validation_batch_size,
            validation_freq=validation_freq,
            max_queue_size=max_queue_size,
            workers=workers,
            use_multiprocessing=use_multiprocessing,
        )

    def evaluate(
        self,
        x=None,
        y=None,
        batch_size=None,
        verbose="auto",
        sample_weight=None,
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        return_dict=False,
        **kwargs,
    ):
        """Returns the loss and metrics on the given data.

        Returns:
            A scalar (one metric), a list in `metrics_names` order, or a dict when
            `return_dict=True`.

        Raises:
            RuntimeError: if the model is not compiled.
            ValueError: for missing `x`, or data the model or its loss refuses
                (as in `fit`).
        """
        from kengine.engine import training_loops

        kwargs.pop("_use_cached_eval_dataset", None)
        if kwargs:
            raise TypeError(f"Invalid keyword arguments: {sorted(kwargs)}")
        self._assert_compiled()
        return training_loops.evaluate(
            self,
            x=x,
            y=y,
            batch_size=batch_size,
            verbose=verbose,
            sample_weight=sample_weight,
            steps=steps,
            callbacks=callbacks,
            max_queue_size=max_queue_size,
            workers=workers,
            use_multiprocessing=use_multiprocessing,
            return_dict=return_dict,
        )

    def predict(
        self,
        x,
        batch_size=None,
        verbose="auto",
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
    ):
        """Returns the model's outputs on `x`, batches concatenated, as NumPy.

        Raises:
            ValueError: for missing `x`, or input of a rank the model's
                `input_spec` refuses.
        """
        from kengine.engine import training_loops

        return training_loops.predict(
            self,
            x,
            batch_size=batch_size,
            verbose=verbose,
            steps=steps,
            callbacks=callbacks,
            max_queue_size=max_queue_size,
            workers=workers,
            use_multiprocessing=use_multiprocessing,
        )
