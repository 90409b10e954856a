"""The epoch and step loops of `fit`, `evaluate` and `predict`.

Mirrors the bodies of Keras 2's `Model.fit`, `Model.evaluate` and `Model.predict`
(`engine/training.py`). The loop of `fit`, in outline::

    handler = DataHandler(x, y, ...)                 # batches, shuffles, distributes
    callbacks.on_train_begin()
    for epoch, iterator in handler.enumerate_epochs():
        model.reset_metrics();  callbacks.on_epoch_begin(epoch)
        for step in handler.steps():                 # until the data runs out
            callbacks.on_train_batch_begin(step)
            logs = train_function(iterator)           # steps_per_execution steps
            callbacks.on_train_batch_end(step + increment, logs)
        logs = metric results                         # the same state logs read
        if validating this epoch: logs |= {"val_" + k: v for k, v in evaluate(...)}
        callbacks.on_epoch_end(epoch, logs)          # History, progress bar, ...
    callbacks.on_train_end(logs)

The epoch logs, `History.history`, the progress bar and `evaluate`'s return
value are all read from the metric objects' state at the end of the epoch, so
they agree by construction.
"""

import copy

import numpy as np
import tensorflow as tf

from kengine.callbacks.training_state import maybe_load_initial_counters
from kengine.engine import data_adapter, step_functions
from kengine.utils.progbar import resolve_verbosity

__all__ = ["fit", "evaluate", "predict"]


def _callback_list(model, callbacks, verbose, epochs, steps, add_history):
    from kengine.callbacks.callback_list import CallbackList

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


def _element_spec(handler):
    # One global batch's spec (not the per-replica spec of a distributed dataset).
    return handler.element_spec


def _sync(logs):
    def convert(v):
        if isinstance(v, tf.Tensor | tf.Variable):
            v = v.numpy()
        # Scalars become Python numbers, as tf_keras's logs and History hold them.
        if isinstance(v, np.ndarray | np.generic) and np.ndim(v) == 0:
            return v.item()
        return v

    return tf.nest.map_structure(convert, logs)


def _should_eval(epoch: int, validation_freq) -> bool:
    epoch = epoch + 1  # validation_freq counts epochs from 1
    if isinstance(validation_freq, int):
        return epoch % validation_freq == 0
    return epoch in validation_freq


def _describe(data) -> str:
    """`data` for an error message: its structure, with shapes for the arrays."""
    return str(
        tf.nest.map_structure(
            lambda v: (
                f"<{type(v).__name__} shape={tuple(v.shape)}>"
                if hasattr(v, "shape")
                else v
            ),
            data,
        )
    )


def _unpack_validation_data(model, validation_data):
    """`(x, y, sample_weight)` of `validation_data`, which needs targets for a loss.

    Keras 2 evaluates `validation_data=(x,)` without targets and reports a
    `val_loss` of 0.0. Without a compiled loss (a model trained on `add_loss`
    terms) targets may be left out, as in Keras 2.

    Raises:
        ValueError: for arrays without targets when the model has a compiled loss.
    """
    val_x, val_y, val_sw = data_adapter.unpack_x_y_sample_weight(validation_data)
    if val_y is None and getattr(model, "loss", None):
        if not data_adapter.yields_batches(val_x):
            raise ValueError(
                "`validation_data` must be `(x_val, y_val)` or `(x_val, y_val, "
                "sample_weight)`, or a dataset or generator yielding them: the "
                f"model was compiled with loss={model.loss!r}, which needs "
                f"targets. Received: validation_data={_describe(validation_data)}"
            )
    return val_x, val_y, val_sw


def _shape_specs(data):
    """`TensorSpec`s with the batch axis left free, for arrays in `data`."""

    def spec(value):
        if not hasattr(value, "shape") or not hasattr(value, "dtype"):
            return value
        shape = tf.TensorShape(value.shape)
        return tf.TensorSpec(shape if not shape.rank else [None, *shape[1:]])

    return tf.nest.map_structure(spec, data)


def _check_fit_arguments(x, validation_split, validation_batch_size) -> None:
    """The `fit` arguments the data handler does not see."""
    data_adapter.require_x(x, "fit")
    data_adapter.check_validation_split(validation_split)
    if validation_batch_size is not None:
        data_adapter.check_positive_int("validation_batch_size", validation_batch_size)


def fit(
    model,
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
    """`Model.fit` (see its docstring)."""
    _check_fit_arguments(x, validation_split, validation_batch_size)
    if validation_split and validation_data is None:
        (x, y, sample_weight), validation_data = data_adapter.train_validation_split(
            (x, y, sample_weight), validation_split=validation_split
        )
    if validation_data is not None:
        val_x, val_y, val_sw = _unpack_validation_data(model, validation_data)
    with model.distribute_strategy.scope(), model._respect_compiled_trainable_state():
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
            model=model,
            steps_per_execution=model._steps_per_execution,
        )
        callbacks = _callback_list(
            model, callbacks, verbose, epochs, handler.inferred_steps, add_history=True
        )
        model.stop_training = False
        if model.train_function is None:
            step_functions.prepare_for_trace(model, _element_spec(handler))
        step_functions.check_data(model, _element_spec(handler), "train_step")
        arrays = data_adapter.TensorLikeDataAdapter.can_handle
        if validation_data is not None and arrays(val_x, val_y):
            # Bad validation arrays fail now, not after the first epoch trained.
            val_spec = _shape_specs(data_adapter.pack_x_y_sample_weight(val_x, val_y))
            step_functions.check_data(model, val_spec, "test_step")
        train_function = model.make_train_function()
        model._train_counter.assign(0)
        callbacks.on_train_begin()
        # A BackupAndRestore backup (restored in on_train_begin) moves the start.
        start_epoch, skip = maybe_load_initial_counters(
            model, handler.inferred_steps, initial_epoch
        )
        handler._initial_epoch, handler._initial_step = start_epoch, skip
        training_logs = logs = None
        for epoch, iterator in handler.enumerate_epochs():
            model.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            with handler.catch_stop_iteration():
                # Resuming mid-epoch: the batches already trained on are skipped, so
                # the rest of the epoch sees the data an uninterrupted run saw.
                for _ in range(skip if epoch == start_epoch else 0):
                    next(iterator)
                for step in handler.steps():
                    callbacks.on_train_batch_begin(step)
                    logs = train_function(iterator)
                    callbacks.on_train_batch_end(step + handler.step_increment, logs)
                    if model.stop_training:
                        break
            if logs is None:
                raise ValueError(
                    "Unexpected result of `train_function` (Empty logs). This could be "
                    "due to issues in input pipeline that resulted in an empty dataset."
                    " Otherwise, please use `Model.compile(..., run_eagerly=True)` for "
                    "more information of where went wrong."
                )
            epoch_logs = copy.copy(model._metrics_result_or(logs))
            if validation_data is not None and _should_eval(epoch, validation_freq):
                val_logs = evaluate(
                    model,
                    x=val_x,
                    y=val_y,
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
                epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
            callbacks.on_epoch_end(epoch, epoch_logs)
            training_logs = epoch_logs
            if model.stop_training:
                break
        if epochs > 0 and hasattr(model.optimizer, "finalize_variable_values"):
            model.optimizer.finalize_variable_values(model.trainable_variables)
        callbacks.on_train_end(logs=training_logs)
        return model.history


def evaluate(
    model,
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
):
    """`Model.evaluate` (see its docstring)."""
    data_adapter.require_x(x, "evaluate")
    with model.distribute_strategy.scope():
        handler = data_adapter.get_data_handler(
            x=x,
            y=y,
            sample_weight=sample_weight,
            batch_size=batch_size,
            steps_per_epoch=steps,
            initial_epoch=0,
            epochs=1,
            max_queue_size=max_queue_size,
            workers=workers,
            use_multiprocessing=use_multiprocessing,
            model=model,
            steps_per_execution=model._steps_per_execution,
        )
        callbacks = _callback_list(
            model, callbacks, verbose, 1, handler.inferred_steps, add_history=False
        )
        if model.test_function is None:
            step_functions.prepare_for_trace(
                model, _element_spec(handler), training=False
            )
        step_functions.check_data(model, _element_spec(handler), "test_step")
        test_function = model.make_test_function()
        model._test_counter.assign(0)
        callbacks.on_test_begin()
        logs = {}
        for _, iterator in handler.enumerate_epochs():
            model.reset_metrics()
            with handler.catch_stop_iteration():
                for step in handler.steps():
                    callbacks.on_test_batch_begin(step)
                    logs = test_function(iterator)
                    callbacks.on_test_batch_end(step + handler.step_increment, logs)
        logs = model._metrics_result_or(logs)
        callbacks.on_test_end(logs=logs)
    if return_dict:
        return logs
    return _flatten_in_order(logs, model.metrics_names)


def _flatten_in_order(logs: dict, names: list):
    results = [logs[n] for n in names if n in logs]
    results += [logs[k] for k in sorted(logs) if k not in names]
    return results[0] if len(results) == 1 else results


def _concat(batches):
    if isinstance(batches[0], tf.RaggedTensor):
        return tf.concat(batches, axis=0)
    return np.concatenate([np.asarray(b) for b in batches], axis=0)


def predict(
    model,
    x,
    batch_size=None,
    verbose="auto",
    steps=None,
    callbacks=None,
    max_queue_size=10,
    workers=1,
    use_multiprocessing=False,
):
    """`Model.predict` (see its docstring)."""
    data_adapter.require_x(x, "predict")
    with model.distribute_strategy.scope():
        handler = data_adapter.get_data_handler(
            x=x,
            batch_size=batch_size,
            steps_per_epoch=steps,
            initial_epoch=0,
            epochs=1,
            max_queue_size=max_queue_size,
            workers=workers,
            use_multiprocessing=use_multiprocessing,
            model=model,
        )
        callbacks = _callback_list(
            model, callbacks, verbose, 1, handler.inferred_steps, add_history=True
        )
        if model.predict_function is None:
            step_functions.prepare_for_trace(
                model, _element_spec(handler), training=False
            )
        step_functions.check_data(model, _element_spec(handler), "predict_step")
        predict_function = model.make_predict_function()
        model._predict_counter.assign(0)
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
                "Unexpected result of `predict_function` (Empty batch_outputs). Please "
                "use `Model.compile(..., run_eagerly=True)` for more information of "
                "where went wrong."
            )
        callbacks.on_predict_end()
    return tf.nest.pack_sequence_as(structure, [_concat(acc) for acc in per_output])
