"""Test doubles for callback tests that do not need a real `Model.fit`.

`FakeModel` has what callbacks touch on a Keras 2 model (`layers` with
`weights`, `get_weights`/`set_weights`, `save_weights`/`load_weights` through
`kengine.saving.weights`, an `optimizer` with `lr` and `iterations`,
`stop_training`, `_step_counters`), and is a `tf.Module` so TF checkpoints
can track it. `drive_fit` calls the hooks in the order `Model.fit` does and
moves the weights by a deterministic amount per step, so callback behaviour
can be checked exactly.
"""

import numpy as np
import tensorflow as tf

from kengine.callbacks.callback_list import CallbackList
from kengine.callbacks.training_state import maybe_load_initial_counters
from kengine.engine.step_functions import StepCounters
from kengine.saving import weights as weights_lib


class FakeLayer(tf.Module):
    def __init__(self, name, shapes, non_trainable=()):
        super().__init__(name=name)
        with tf.name_scope(name):
            self.kernel = tf.Variable(np.zeros(shapes[0], np.float32), name="kernel")
            self.bias = tf.Variable(np.zeros(shapes[1], np.float32), name="bias")
            self.extra = [
                tf.Variable(np.ones(s, np.float32), name=n, trainable=False)
                for n, s in non_trainable
            ]

    @property
    def trainable_weights(self):
        return [self.kernel, self.bias]

    @property
    def non_trainable_weights(self):
        return list(self.extra)

    @property
    def weights(self):
        return self.trainable_weights + self.non_trainable_weights


class FakeOptimizer(tf.Module):
    def __init__(self, lr=0.1):
        super().__init__(name="SGD")
        self.lr = tf.Variable(lr, dtype=tf.float32, name="learning_rate")
        self.iterations = tf.Variable(0, dtype=tf.int64, name="iter")
        self._built = True

    @property
    def learning_rate(self):
        return self.lr


class FakeModel(tf.Module):
    def __init__(self, lr=0.1):
        super().__init__(name="fake_model")
        self.layers = [
            FakeLayer("dense", [(3, 2), (2,)]),
            FakeLayer("bn", [(2,), (2,)], non_trainable=[("moving_mean", (2,))]),
            FakeLayer("dense_1", [(2, 1), (1,)]),
        ]
        self.optimizer = FakeOptimizer(lr)
        self._step_counters = StepCounters.create()
        self.stop_training = False
        self.built = True
        self.history = None
        self.metrics = []
        for i, w in enumerate(self.weights):
            w.assign(np.full(w.shape, 0.1 * (i + 1), np.float32))

    @property
    def trainable_weights(self):
        return [w for layer in self.layers for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self):
        return [w for layer in self.layers for w in layer.non_trainable_weights]

    @property
    def weights(self):
        return [w for layer in self.layers for w in layer.weights]

    @property
    def trainable_variables(self):
        return self.trainable_weights

    def get_weights(self):
        return [w.numpy() for w in self.weights]

    def set_weights(self, values):
        for w, v in zip(self.weights, values):
            w.assign(v)

    def save_weights(self, filepath, overwrite=True, save_format=None, options=None):
        weights_lib.save_weights(self, filepath, overwrite, save_format, options)

    def load_weights(self, filepath, skip_mismatch=False, by_name=False, options=None):
        return weights_lib.load_weights(self, filepath, skip_mismatch, by_name, options)

    def train_step(self, epoch, step):
        """Moves every trainable weight by lr * (a number fixed by epoch and step)."""
        delta = float(self.optimizer.lr.numpy()) * (1 + epoch + 0.1 * step)
        for w in self.trainable_weights:
            w.assign_sub(tf.fill(w.shape, delta))
        self.optimizer.iterations.assign_add(1)
        self._step_counters.train.assign_add(1)


def drive_fit(model, callbacks, epochs, steps=3, epoch_logs=None, verbose=0):
    """Runs the hooks of `Model.fit` in Keras 2 order around `FakeModel.train_step`.

    Args:
        model: A `FakeModel`.
        callbacks: Callbacks (a `History` is added).
        epochs: Epochs to run.
        steps: Batches per epoch.
        epoch_logs: Function `epoch -> dict` giving each epoch's logs
            (default `{"loss": 1 / (epoch + 1)}`).
        verbose: Passed in the params.

    Returns:
        The `History`.
    """
    epoch_logs = epoch_logs or (lambda epoch: {"loss": 1.0 / (epoch + 1)})
    cbs = CallbackList(
        callbacks,
        add_history=True,
        model=model,
        verbose=verbose,
        epochs=epochs,
        steps=steps,
    )
    model.stop_training = False
    model._step_counters.train.assign(0)
    cbs.on_train_begin()
    initial_epoch, initial_step = maybe_load_initial_counters(model, steps, 0)
    logs = None
    for epoch in range(initial_epoch, epochs):
        cbs.on_epoch_begin(epoch)
        first = initial_step if epoch == initial_epoch else 0
        for step in range(first, steps):
            cbs.on_train_batch_begin(step)
            model.train_step(epoch, step)
            cbs.on_train_batch_end(step, {"loss": tf.constant(1.0 / (step + 1))})
            if model.stop_training:
                break
        logs = dict(epoch_logs(epoch))
        cbs.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    cbs.on_train_end(logs)
    return model.history
