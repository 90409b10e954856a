"""Tests for kengine/optimizers/legacy/optimizer_v2.py: the Keras 2.x optimizer base.

The per-class files check each algorithm against tf_keras; this one checks what
the base owns: hyperparameters as attributes, `lr` and `decay`, the argument
checks, weights and their h5 layout (against a file tf_keras saved), `fit`,
`tf.function` and `MirroredStrategy`, and how configs pick the legacy classes.
"""

import h5py
import numpy as np
import pytest
import tensorflow as tf

import kengine
from kengine import optimizers
from kengine.optimizers import legacy
from kengine.saving import hdf5_format
from tests.goldens import load_npz, path
from tests.optimizers import _cases, extra_cases


def _var(value=(1.0, 2.0), name="w"):
    return tf.Variable(np.array(value, np.float32), name=name)


def test_hyperparameters_read_and_write_as_attributes():
    opt = legacy.Adam(learning_rate=0.1, beta_1=0.8)
    assert isinstance(opt.learning_rate, tf.Variable)
    assert float(opt.beta_1.numpy()) == pytest.approx(0.8)
    opt.lr = 0.5
    assert float(opt.learning_rate.numpy()) == 0.5
    assert {"lr", "learning_rate", "beta_2", "decay"} <= set(dir(opt))
    with pytest.raises(AttributeError, match="no attribute 'gamma'"):
        _ = opt.gamma


def test_lr_is_a_deprecated_alias_of_learning_rate():
    with pytest.warns(UserWarning, match="`lr` argument is deprecated"):
        opt = legacy.SGD(lr=0.3)
    assert opt.get_config()["learning_rate"] == pytest.approx(0.3)


def test_decay_divides_the_learning_rate_by_one_plus_decay_times_step():
    var, opt = _var([0.0]), legacy.SGD(learning_rate=1.0, decay=1.0)
    for _ in range(3):
        opt.apply_gradients([(tf.constant([1.0]), var)])
    np.testing.assert_allclose(var.numpy(), [-(1 + 1 / 2 + 1 / 3)], rtol=1e-6)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"momentum2": 1}, TypeError, "Unexpected keyword argument.*momentum2"),
        ({"decay": -1.0}, ValueError, "Expected decay >= 0, received: -1.0"),
        ({"clipnorm": 1.0, "global_clipnorm": 1.0}, ValueError, "both `clipnorm`"),
    ],
)
def test_invalid_keyword_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        legacy.SGD(**kwargs)


def test_weights_are_iter_then_slots_and_round_trip():
    var, opt = _var(), legacy.Adamax(learning_rate=0.1)
    opt.apply_gradients([(tf.constant([1.0, -1.0]), var)])
    assert [w.name for w in opt.variables()] == [
        "Adamax/iter:0",
        "Adamax/w/m:0",
        "Adamax/w/v:0",
    ]
    values = opt.get_weights()
    fresh = legacy.Adamax()
    fresh.build([var])
    fresh.set_weights(values)
    for a, b in zip(fresh.get_weights(), values):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="expecting 3 weights"):
        fresh.set_weights(values[:2])


@pytest.mark.parametrize(
    "cls, loads",
    [("Adadelta", True), ("Adagrad", True), ("RMSprop", True), ("Adamax", False)],
)
def test_weights_without_iter_load_only_where_tf_keras_allows(cls, loads):
    var, opt = _var(), getattr(legacy, cls)()
    opt.build([var])
    slots = [np.full(w.shape, 0.5, np.float32) for w in opt.weights[1:]]
    if not loads:
        with pytest.raises(ValueError, match="expecting 3 weights"):
            opt.set_weights(slots)
        return
    opt.set_weights(slots)
    assert int(opt.iterations.numpy()) == 0
    for weight in opt.weights[1:]:
        np.testing.assert_array_equal(weight.numpy(), [0.5, 0.5])


def test_gradient_transformers_run_after_clipping():
    seen = []

    def record(grads_and_vars):
        seen.append(float(grads_and_vars[0][0].numpy()[0]))
        return grads_and_vars

    opt = legacy.SGD(clipvalue=0.5, gradient_transformers=[record])
    opt.apply_gradients([(tf.constant([3.0]), _var([1.0]))])
    assert seen == [0.5]


def test_sparse_variable_with_a_constraint_is_refused():
    var = tf.Variable(np.ones((3, 2), np.float32), constraint=lambda v: v)
    grad = tf.IndexedSlices(tf.ones((1, 2)), tf.constant([1]), tf.constant([3, 2]))
    with pytest.raises(RuntimeError, match="constraint function on a sparse"):
        legacy.SGD().apply_gradients([(grad, var)])


DENSE_CASES = sorted(
    n
    for n, c in extra_cases.CASES.items()
    if c["module"] == "legacy" and not c["extras"].get("sparse")
)


def test_every_dense_case_matches_tf_keras_in_tf_function_and_on_two_replicas():
    for strategy in (None, _cases.mirrored_strategy()):
        runs = extra_cases.run_cases_together(DENSE_CASES, strategy=strategy)
        for name, (opt, variables) in runs.items():
            for i, variable in enumerate(variables):
                np.testing.assert_allclose(
                    variable.numpy(),
                    extra_cases.ARRAYS[f"{name}/var/{i}"],
                    rtol=1e-5,
                    atol=1e-6,
                    err_msg=name,
                )
            if strategy is not None:
                _cases.assert_replicas_agree(opt.weights)


def _fit_like_tf_keras():
    """The model `_extra_optimizers._legacy_h5` trained, trained here."""
    kengine.backend.clear_session()
    data = load_npz("library_extra", "legacy_adam_data.npz")
    model = kengine.Sequential(
        [
            kengine.layers.Dense(3, activation="tanh", input_shape=(4,)),
            kengine.layers.Dense(2),
        ]
    )
    model.set_weights([data[f"w{i}"] for i in range(4)])
    opt = legacy.Adam(learning_rate=0.05, decay=0.01, amsgrad=True)
    model.compile(optimizer=opt, loss="mse")
    history = model.fit(
        data["x"], data["y"], batch_size=6, epochs=3, shuffle=False, verbose=0
    )
    return model, history


def test_fit_and_h5_optimizer_weights_match_what_tf_keras_saved(tmp_path):
    model, history = _fit_like_tf_keras()
    expected_loss = extra_cases.GOLDEN["legacy_h5"]["loss"]
    np.testing.assert_allclose(history.history["loss"], expected_loss, rtol=1e-5)
    with h5py.File(tmp_path / "ours.h5", "w") as ours:
        hdf5_format.save_optimizer_weights_to_hdf5_group(ours, model.optimizer)
        names = hdf5_format.load_attributes_from_hdf5_group(
            ours["optimizer_weights"], "weight_names"
        )
        values = hdf5_format.load_optimizer_weights_from_hdf5_group(ours)
    with h5py.File(path("library_extra", "legacy_adam.h5"), "r") as theirs:
        their_names = hdf5_format.load_attributes_from_hdf5_group(
            theirs["optimizer_weights"], "weight_names"
        )
        their_values = hdf5_format.load_optimizer_weights_from_hdf5_group(theirs)
    assert names == their_names
    for ours_value, their_value, name in zip(values, their_values, names):
        np.testing.assert_allclose(
            ours_value, their_value, rtol=1e-5, atol=1e-6, err_msg=name
        )


def test_optimizer_state_and_config_from_a_tf_keras_h5_file_load():
    with h5py.File(path("library_extra", "legacy_adam.h5"), "r") as f:
        import json

        training_config = json.loads(f.attrs["training_config"])
        their_values = hdf5_format.load_optimizer_weights_from_hdf5_group(f)
    opt = optimizers.deserialize(training_config["optimizer_config"])
    assert type(opt) is legacy.Adam and opt.get_config()["decay"] == 0.01
    model, _ = _fit_like_tf_keras()
    fresh = optimizers.get(training_config["optimizer_config"])
    fresh.build(model.trainable_variables)
    fresh.set_weights(their_values)
    assert int(fresh.iterations.numpy()) == 3


def test_configs_without_is_legacy_optimizer_build_legacy_classes():
    legacy_config = {"class_name": "Adam", "config": {"learning_rate": 0.1}}
    assert type(optimizers.deserialize(legacy_config)) is legacy.Adam
    assert type(optimizers.get("sgd", use_legacy_optimizer=True)) is legacy.SGD
    assert type(optimizers.get("sgd")) is optimizers.SGD
    new_config = optimizers.serialize(optimizers.Adam())
    assert type(optimizers.deserialize(new_config)) is optimizers.Adam
    opt = legacy.RMSprop()
    assert optimizers.get(opt) is opt


def test_exported_names_match_tf_keras_legacy_module():
    assert legacy.Optimizer is legacy.OptimizerV2
    assert set(legacy.__all__) >= {
        "Adadelta",
        "Adagrad",
        "Adam",
        "Adamax",
        "Ftrl",
        "Nadam",
        "Optimizer",
        "RMSprop",
        "SGD",
    }


def test_checkpoint_restores_iter_hyperparameters_and_slots(tmp_path):
    var, opt = _var(), legacy.Nadam(learning_rate=0.1)
    opt.apply_gradients([(tf.constant([1.0, -1.0]), var)])
    saved = tf.train.Checkpoint(opt=opt, v=var).save(tmp_path / "ckpt")
    fresh_var, fresh = _var([0.0, 0.0]), legacy.Nadam(learning_rate=0.5)
    tf.train.Checkpoint(opt=fresh, v=fresh_var).restore(saved)
    fresh.build([fresh_var])  # Slots made after the restore get their values.
    assert [w.name for w in fresh.weights] == [w.name for w in opt.weights]
    for restored, original in zip(fresh.get_weights(), opt.get_weights()):
        np.testing.assert_array_equal(restored, original)
    assert float(fresh.learning_rate.numpy()) == pytest.approx(0.1)
