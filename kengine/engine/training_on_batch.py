"""The batch-level training API: `train_on_batch`, `test_on_batch`, `predict_on_batch`.

Mirrors the same methods of Keras 2's `engine/training.py`, and its deprecated
`fit_generator`/`evaluate_generator`/`predict_generator` aliases. Each batch
method wraps the one batch in a one-element (distributed) dataset iterator and
calls the same cached step function `fit` uses, so the first call traces it once
and later calls with other batch sizes reuse the trace (the iterator's batch
dimension is `None`).
"""

import warnings

import tensorflow as tf

__all__ = ["OnBatchMixin"]


class OnBatchMixin:
    """Adds the batch-level API to `Model`."""

    def _single_batch(self, x, y, sample_weight, class_weight, reset_metrics, fn_name):
        from kengine.engine import data_adapter, step_functions, training_loops

        data_adapter.require_x(x, fn_name.replace("_function", "_on_batch"))
        self._assert_compiled()
        if reset_metrics:
            # Before the step, as tf_keras does: the logs cover this batch only,
            # and the state stays readable afterwards (`model.metrics`).
            self.reset_metrics()
        with self.distribute_strategy.scope(), self._respect_compiled_trainable_state():
            iterator = data_adapter.single_batch_iterator(
                self.distribute_strategy, x, y, sample_weight, class_weight
            )
            if getattr(self, fn_name) is None:
                step_functions.prepare_for_trace(
                    self, iterator.element_spec, training=fn_name == "train_function"
                )
            step_name = fn_name.replace("_function", "_step")
            step_functions.check_data(self, iterator.element_spec, step_name)
            function = getattr(self, "make_" + fn_name)()
            logs = function(iterator)
        return training_loops._sync(logs)

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
        from kengine.engine.training_loops import _flatten_in_order

        logs = self._single_batch(
            x, y, sample_weight, class_weight, reset_metrics, "train_function"
        )
        return logs if return_dict else _flatten_in_order(logs, self.metrics_names)

    def test_on_batch(
        self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False
    ):
        """Runs one test step on one batch; returns the logs (list or dict)."""
        from kengine.engine.training_loops import _flatten_in_order

        logs = self._single_batch(
            x, y, sample_weight, None, reset_metrics, "test_function"
        )
        return logs if return_dict else _flatten_in_order(logs, self.metrics_names)

    def predict_on_batch(self, x):
        """Returns the outputs for one batch, as NumPy."""
        from kengine.engine import data_adapter, step_functions

        data_adapter.require_x(x, "predict_on_batch")
        with self.distribute_strategy.scope():
            iterator = data_adapter.single_batch_iterator(self.distribute_strategy, x)
            step_functions.check_data(self, iterator.element_spec, "predict_step")
            outputs = self.make_predict_function()(iterator)
        return tf.nest.map_structure(lambda t: t.numpy(), outputs)

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
