"""Checkpoint names of graph networks (`engine/functional.py`), against tf_keras.

Keras 2 names a Functional or Sequential model's layers in its object graph by
position: `layer_with_weights-i` for the i-th layer holding weights, aliased as
`layer-j` for the j-th of `model.layers`. That is what lets a
`tf.train.Checkpoint(model=..., optimizer=...)` written by one process restore into
a model built by the same code in another, and what tf_keras reads. The golden
checkpoint and its key list come from tf_keras (`tools/goldens/saving_models.py`).
"""

import numpy as np
import pytest
import tensorflow as tf

import kengine
from tests.saving._golden_models import arrays, continue_training, path

GOLDEN_PREFIX = str(path("mlp_tfcheckpoint/ckpt-1.index"))[: -len(".index")]
GOLDEN_WEIGHTS_PREFIX = str(path("mlp_ckpt/ckpt.index"))[: -len(".index")]


def _fresh_mlp():
    """The golden `mlp` architecture, compiled as tf_keras compiled it, untrained."""
    model = kengine.models.model_from_json(path("mlp.json").read_text())
    model.compile(
        optimizer=kengine.optimizers.Adam(0.01),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def _keys(prefix: str) -> list:
    return [(name, shape) for name, shape in tf.train.list_variables(prefix)]


def _trained_mlp():
    data = arrays("mlp.npz")
    model = _fresh_mlp()
    model.set_weights([data[f"w_init{i}"] for i in range(len(model.weights))])
    continue_training(model, data)
    return model


def test_checkpoint_keys_equal_tf_keras(tmp_path):
    model = _trained_mlp()
    prefix = tf.train.Checkpoint(model=model, optimizer=model.optimizer).save(
        str(tmp_path / "ckpt")
    )
    assert _keys(prefix) == _keys(GOLDEN_PREFIX)


def test_save_weights_checkpoint_keys_equal_tf_keras(tmp_path):
    model = _trained_mlp()
    model.save_weights(str(tmp_path / "ckpt"))
    ours = [key for key in _keys(str(tmp_path / "ckpt")) if "optimizer" not in key[0]]
    theirs = [key for key in _keys(GOLDEN_WEIGHTS_PREFIX) if "optimizer" not in key[0]]
    assert ours == theirs


def test_tf_keras_checkpoint_restores_model_and_optimizer_state():
    data = arrays("mlp.npz")
    model = _fresh_mlp()
    checkpoint = tf.train.Checkpoint(model=model, optimizer=model.optimizer)
    status = checkpoint.restore(GOLDEN_PREFIX)
    status.assert_existing_objects_matched()
    for i, weight in enumerate(model.weights):
        np.testing.assert_array_equal(weight.numpy(), data[f"w{i}"])
    # The slots are created on the first step and restored then (deferred), so
    # training continues with tf_keras's numbers, as if never saved.
    losses = continue_training(model, data)
    np.testing.assert_allclose(losses, data["unsaved_losses"], rtol=1e-5)


@pytest.mark.parametrize("strategy", [None, "mirrored"])
def test_checkpoint_restores_into_a_model_built_by_the_same_code(tmp_path, strategy):
    # The distributed custom-training tutorial: save from one model, restore into
    # a fresh one (under a strategy), keep training.
    data = arrays("mlp.npz")
    source = _trained_mlp()
    prefix = tf.train.Checkpoint(model=source, optimizer=source.optimizer).save(
        str(tmp_path / "ckpt")
    )
    scope = (
        tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]).scope()
        if strategy
        else tf.init_scope()
    )
    with scope:
        target = _fresh_mlp()
        checkpoint = tf.train.Checkpoint(model=target, optimizer=target.optimizer)
    checkpoint.restore(prefix).assert_existing_objects_matched()
    for ours, theirs in zip(target.weights, source.weights):
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert (
        target.optimizer.iterations.numpy() == source.optimizer.iterations.numpy() == 2
    )
    if strategy is None:
        # Under two replicas BatchNormalization sees half batches (as in Keras 2),
        # so only the single-device run must continue with the same numbers.
        expected = continue_training(source, data)
        np.testing.assert_allclose(continue_training(target, data), expected, rtol=1e-5)
