"""`Trainer`: compile, the train/test/predict steps, and the loops of fit/evaluate/predict.

Mirrors Keras 2's `engine/training.py` (`Model.compile`, `fit`, `evaluate`,
`predict`, `train_step`, `make_train_function`, ...), laid out as Keras 3 lays it
out (`trainers/trainer.py`, `backend/tensorflow/trainer.py`): `Model` inherits
everything about training from `Trainer`, so `fit` reads top to bottom here and
each call it makes goes down to a lower module: `data_adapter.py` (epochs and
steps over the data), `callbacks/` (hooks, resuming from a backup),
`step_functions.py` (variables built before the one trace, the `tf.function`
around `train_step`), `compile_utils.py` (the compiled loss and metrics) and
`callbacks/logs.py`. CONTRIBUTING.md's "fit walk" lists them in order.

The epoch logs, `History.history`, the progress bar and `evaluate`'s return
value are all read from the metric objects' state at the end of the epoch, so
they agree by construction.
"""

import contextlib

import tensorflow as tf

from kengine import optimizers
from kengine.callbacks.callback_list import configure_callbacks
from kengine.callbacks.logs import epoch_logs, logs_to_list
from kengine.callbacks.training_state import maybe_load_initial_counters
from kengine.engine import compile_utils, data_adapter, step_functions
from kengine.engine.base_layer_utils import dedup, set_untracked
from kengine.engine.step_functions import StepCounters
from kengine.utils.packing import unpack_x_y_sample_weight

__all__ = ["Trainer"]


class Trainer:
    """Compiling and training a model; `Model` inherits it (see the module docstring).

    What `compile` sets up (the optimizer, `compiled_loss`, `compiled_metrics`,
    the step counters) is bookkeeping, stored with `set_untracked` so it never
    shows up among the model's layers or weights.
    """

    # What `compile` and `fit` fill in: class-level defaults until they do.
    optimizer = None
    compiled_loss = None
    compiled_metrics = None
    train_function = None
    test_function = None
    predict_function = None
    history = None
    stop_training = False
    _is_compiled = False
    _run_eagerly = None
    _jit_compile = None
    _steps_per_execution = None
    _step_counters = None
    _compiled_trainable_state = None

    def _init_training_state(self) -> None:
        """Remembers the `tf.distribute` strategy whose scope creates the model."""
        strategy = (
            tf.distribute.get_strategy() if tf.distribute.has_strategy() else None
        )
        set_untracked(self, "_distribution_strategy", strategy)

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
            TypeError: for an unknown keyword argument.
            ValueError: for `run_eagerly` with `jit_compile`.
        """
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
            set_untracked(self, "_distribution_strategy", tf.distribute.get_strategy())
        output_names = getattr(self, "output_names", None)
        with self.distribute_strategy.scope():
            self.optimizer = optimizers.get(optimizer)  # tracked: checkpoints hold it
            losses = compile_utils.LossesContainer(loss, loss_weights, output_names)
            metrics = compile_utils.MetricsContainer(
                metrics, weighted_metrics, output_names
            )
            set_untracked(self, "compiled_loss", losses)
            set_untracked(self, "compiled_metrics", metrics)
            set_untracked(self, "_step_counters", StepCounters.create())
            spe = step_functions.steps_per_execution_variable(steps_per_execution)
            set_untracked(self, "_steps_per_execution", spe)
        set_untracked(self, "loss", loss or {})
        set_untracked(self, "_run_eagerly", run_eagerly)
        set_untracked(self, "_jit_compile", jit_compile)
        set_untracked(self, "_is_compiled", True)
        # Freeze the trainable state seen now: fit uses it until the next compile.
        state = {id(lyr): (lyr, lyr.trainable) for lyr in self._flatten_layers()}
        set_untracked(self, "_compiled_trainable_state", state)
        for name in ("train_function", "test_function", "predict_function"):
            set_untracked(self, name, None)  # traced again for the new settings

    @contextlib.contextmanager
    def _respect_compiled_trainable_state(self):
        """Applies the `trainable` flags seen at `compile` time while training."""
        saved = self._compiled_trainable_state or {}
        current = {key: lyr.trainable for key, (lyr, _) in saved.items()}
        for layer, trainable in saved.values():
            layer._trainable = trainable
        try:
            yield
        finally:
            for key, (layer, _) in saved.items():
                layer._trainable = current[key]

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
        set_untracked(self, "_run_eagerly", value)

    @property
    def jit_compile(self) -> bool:
        """Whether steps are compiled with XLA."""
        return bool(self._jit_compile)

    @property
    def metrics(self) -> list:
        """The loss trackers and compiled metrics, then metrics held by layers."""
        found = []
        if self._is_compiled:
            found += self.compiled_loss.metrics + self.compiled_metrics.metrics
        for layer in self._flatten_layers():
            found += [m for m in layer._sublayers() if getattr(m, "_is_metric", False)]
            found += layer._added_metrics  # from `add_metric` calls
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
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
        self._validate_target_and_loss(y, loss)
        self.optimizer.minimize(loss, self.trainable_variables, tape=tape)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data) -> dict:
        """One evaluation step on one batch: forward, loss, metrics."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        self.compute_loss(x, y, y_pred, sample_weight)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        """One inference step on one batch."""
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

    # ------------------------------------------------------- step functions
    def make_train_function(self, force: bool = False):
        """Returns (and caches) the `tf.function` running train steps on an iterator."""
        if self.train_function is None or force:
            function = step_functions.make_step_function(
                self,
                self.train_step,
                self._step_counters.train,
                "first",
                self._steps_per_execution,
            )
            set_untracked(self, "train_function", function)
        return self.train_function

    def make_test_function(self, force: bool = False):
        """Returns (and caches) the `tf.function` running test steps on an iterator."""
        if self.test_function is None or force:
            function = step_functions.make_step_function(
                self,
                self.test_step,
                self._step_counters.test,
                "first",
                self._steps_per_execution,
            )
            set_untracked(self, "test_function", function)
        return self.test_function

    def make_predict_function(self, force: bool = False):
        """Returns (and caches) the `tf.function` running a predict step on an iterator."""
        if self.predict_function is None or force:
            if self._step_counters is None:  # predict needs no compile
                set_untracked(self, "_step_counters", StepCounters.create())
            function = step_functions.make_step_function(
                self, self.predict_step, self._step_counters.predict, "concat", None
            )
            set_untracked(self, "predict_function", function)
        return self.predict_function

    def _prepare_step(self, function, element_spec, default_step) -> None:
        """Checks the data against the model, and builds variables before a first trace.

        Args:
            function: the cached step function (None: not traced yet).
            element_spec: the spec of the batches the step will see.
            default_step: `Trainer.train_step`, `test_step` or `predict_step`.
        """
        # Model.call's placeholder: a model without a `call` (the GAN and VAE of the
        # Keras guides) trains through its own step, which creates its variables
        # during the first trace, as in Keras 2.
        has_call = not getattr(type(self).call, "_is_placeholder", False)
        if function is None and has_call:
            step_functions.prepare_for_trace(
                self, element_spec, build_optimizer=default_step is Trainer.train_step
            )
        # A model's own step reads its data its own way: only Trainer's are checked.
        if getattr(type(self), default_step.__name__) is default_step:
            step_functions.check_data(
                self,
                element_spec,
                check_targets=default_step is not Trainer.predict_step,
            )

    # ---------------------------------------------------------------- loops
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
        self._assert_compiled()
        data_adapter.check_fit_arguments(x, validation_split, validation_batch_size)
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = (
                data_adapter.train_validation_split(
                    (x, y, sample_weight), validation_split=validation_split
                )
            )
        if validation_data is not None:
            val_x, val_y, val_sw = data_adapter.unpack_validation_data(
                validation_data, getattr(self, "loss", None)
            )
        with self.distribute_strategy.scope(), self._respect_compiled_trainable_state():
            handler = data_adapter.get_data_handler(
                x=x,
                y=y,
                sample_weight=sample_weight,
                batch_size=batch_size,
                steps_per_epoch=steps_per_epoch,
                initial_epoch=initial_epoch,
                epochs=epochs,
                shuffle=shuffle,
                class_weight=class_weight,
                max_queue_size=max_queue_size,
                workers=workers,
                use_multiprocessing=use_multiprocessing,
                model=self,
                steps_per_execution=self._steps_per_execution,
            )
            steps = handler.inferred_steps
            callbacks = configure_callbacks(
                self, callbacks, verbose, epochs, steps, add_history=True
            )
            self.stop_training = False
            self._prepare_step(
                self.train_function, handler.element_spec, Trainer.train_step
            )
            arrays = data_adapter.TensorLikeDataAdapter.can_handle
            if validation_data is not None and arrays(val_x, val_y):
                # Bad validation arrays fail now, not after the first epoch trained.
                self._prepare_step(
                    self.test_function,
                    step_functions.array_specs((val_x, val_y)),
                    Trainer.test_step,
                )
            train_function = self.make_train_function()
            self._step_counters.train.assign(0)
            callbacks.on_train_begin()
            # A BackupAndRestore backup (restored in on_train_begin) moves the start.
            start = maybe_load_initial_counters(self, steps, initial_epoch)
            handler.resume_at(*start)
            training_logs = logs = None
            for epoch, iterator in handler.enumerate_epochs():
                self.reset_metrics()
                callbacks.on_epoch_begin(epoch)
                with handler.catch_stop_iteration():
                    for step in handler.steps():
                        callbacks.on_train_batch_begin(step)
                        logs = train_function(iterator)
                        callbacks.on_train_batch_end(
                            step + handler.step_increment, logs
                        )
                        if self.stop_training:
                            break
                if logs is None:
                    raise ValueError(
                        "Unexpected result of `train_function` (Empty logs). This could "
                        "be due to issues in input pipeline that resulted in an empty "
                        "dataset. Otherwise, please use `Model.compile(..., "
                        "run_eagerly=True)` for more information of where went wrong."
                    )
                this_epoch = epoch_logs(self.get_metrics_result(), logs)
                if validation_data is not None and data_adapter.should_validate(
                    epoch, validation_freq
                ):
                    val_logs = self.evaluate(
                        val_x,
                        val_y,
                        sample_weight=val_sw,
                        batch_size=validation_batch_size or batch_size,
                        steps=validation_steps,
                        callbacks=callbacks,
                        verbose=0,
                        max_queue_size=max_queue_size,
                        workers=workers,
                        use_multiprocessing=use_multiprocessing,
                        return_dict=True,
                    )
                    this_epoch.update({"val_" + k: v for k, v in val_logs.items()})
                callbacks.on_epoch_end(epoch, this_epoch)
                training_logs = this_epoch
                if self.stop_training:
                    break
            if epochs > 0 and hasattr(self.optimizer, "finalize_variable_values"):
                self.optimizer.finalize_variable_values(self.trainable_variables)
            callbacks.on_train_end(logs=training_logs)
            return self.history

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
        kwargs.pop("_use_cached_eval_dataset", None)
        if kwargs:
            raise TypeError(f"Invalid keyword arguments: {sorted(kwargs)}")
        self._assert_compiled()
        data_adapter.require_x(x, "evaluate")
        with self.distribute_strategy.scope():
            handler = data_adapter.get_data_handler(
                x=x,
                y=y,
                sample_weight=sample_weight,
                batch_size=batch_size,
                steps_per_epoch=steps,
                max_queue_size=max_queue_size,
                workers=workers,
                use_multiprocessing=use_multiprocessing,
                model=self,
                steps_per_execution=self._steps_per_execution,
            )
            steps = handler.inferred_steps
            callbacks = configure_callbacks(
                self, callbacks, verbose, 1, steps, add_history=False
            )
            self._prepare_step(
                self.test_function, handler.element_spec, Trainer.test_step
            )
            test_function = self.make_test_function()
            self._step_counters.test.assign(0)
            callbacks.on_test_begin()
            logs = {}
            for _, iterator in handler.enumerate_epochs():
                self.reset_metrics()
                with handler.catch_stop_iteration():
                    for step in handler.steps():
                        callbacks.on_test_batch_begin(step)
                        logs = test_function(iterator)
                        callbacks.on_test_batch_end(step + handler.step_increment, logs)
            logs = epoch_logs(self.get_metrics_result(), logs)
            callbacks.on_test_end(logs=logs)
        return logs if return_dict else logs_to_list(logs, self.metrics_names)

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
        data_adapter.require_x(x, "predict")
        with self.distribute_strategy.scope():
            handler = data_adapter.get_data_handler(
                x=x,
                batch_size=batch_size,
                steps_per_epoch=steps,
                max_queue_size=max_queue_size,
                workers=workers,
                use_multiprocessing=use_multiprocessing,
                model=self,
            )
            steps = handler.inferred_steps
            callbacks = configure_callbacks(
                self, callbacks, verbose, 1, steps, add_history=True
            )
            self._prepare_step(
                self.predict_function, handler.element_spec, Trainer.predict_step
            )
            predict_function = self.make_predict_function()
            self._step_counters.predict.assign(0)
            callbacks.on_predict_begin()
            structure, per_output = None, None
            for _, iterator in handler.enumerate_epochs():
                with handler.catch_stop_iteration():
                    for step in handler.steps():
                        callbacks.on_predict_batch_begin(step)
                        batch = predict_function(iterator)
                        if per_output is None:
                            structure = batch
                            per_output = [[] for _ in tf.nest.flatten(batch)]
                        for acc, value in zip(per_output, tf.nest.flatten(batch)):
                            acc.append(value)
                        callbacks.on_predict_batch_end(
                            step + handler.step_increment, {"outputs": batch}
                        )
            if per_output is None:
                raise ValueError(
                    "Unexpected result of `predict_function` (Empty batch_outputs). "
                    "Please use `Model.compile(..., run_eagerly=True)` for more "
                    "information of where went wrong."
                )
            callbacks.on_predict_end()
        return tf.nest.pack_sequence_as(
            structure, [step_functions.concat_batches(b) for b in per_output]
        )
