"""Tests for kengine/optimizers/optimizer.py: what the base class adds to every algorithm.

Clipping, weight decay, schedules and EMA are checked against tf_keras goldens;
the learning-rate and iterations API, errors, tracing and distribution against
exact expected values.
"""

import logging

import numpy as np
import pytest
import tensorflow as tf

from kengine.optimizers import SGD, Adam, Optimizer, schedules
from tests.optimizers._cases import (
    ARRAYS,
    CASES,
    FEATURE_CASES,
    STEPS,
    assert_config_matches,
    assert_matches_golden,
    assert_replicas_agree,
    make_optimizer,
    make_variables,
    mirrored_strategy,
    run_case_eagerly,
    run_case_in_function,
    run_cases_together,
    train_step,
)


def _dense_variable(value, name="kernel", **kwargs):
    with tf.name_scope("dense"):
        return tf.Variable(value, name=name, **kwargs)


@pytest.mark.parametrize("name", FEATURE_CASES)
def test_feature_cases_match_tf_keras(name):
    opt, variables = run_case_eagerly(name)
    assert_matches_golden(name, opt, variables)
    assert_config_matches(opt.get_config(), CASES[name]["config"]["config"])


@pytest.mark.parametrize("name", ["sgd_ema", "adam_ema"])
def test_finalize_variable_values_writes_the_moving_average(name):
    opt, variables = run_case_eagerly(name)
    opt.finalize_variable_values(variables)
    for i, variable in enumerate(variables):
        np.testing.assert_allclose(
            variable.numpy(), ARRAYS[f"{name}/final/{i}"], rtol=1e-5, atol=1e-6
        )


def test_every_case_matches_tf_keras_in_one_xla_compiled_function():
    runs = run_cases_together(sorted(CASES), jit_compile=True)
    for name, (opt, variables) in runs.items():
        # Built before the trace, outside apply_gradients' name scope, the slots
        # have no "Adam/" prefix; the eager tests check the names.
        assert_matches_golden(name, opt, variables, check_names=False)


def test_every_case_matches_tf_keras_under_mirrored_strategy():
    # Each replica applies the gradient of half the batch; the optimizer sums
    # them before clipping, so every case must land on the one-device golden.
    strategy = mirrored_strategy()
    runs = run_cases_together(sorted(CASES), strategy=strategy)
    for name, (opt, variables) in runs.items():
        # Built before the trace, outside apply_gradients' name scope, the slots
        # have no "Adam/" prefix; the eager tests check the names.
        assert_matches_golden(name, opt, variables, check_names=False)
        assert_replicas_agree(variables + list(opt.variables))
        if CASES[name]["kwargs"].get("use_ema"):
            with strategy.scope():
                opt.finalize_variable_values(variables)
            np.testing.assert_allclose(
                variables[0].numpy(), ARRAYS[f"{name}/final/0"], rtol=1e-5, atol=1e-6
            )


@pytest.mark.parametrize("name", ["adam_ema", "sparse_sgd_momentum"])
def test_per_variable_xla_update_used_on_gpu_matches_tf_keras(name):
    # On a GPU, jit_compile=True compiles each variable's update separately
    # (`_update_step_xla`); forcing it on here runs that path on the CPU.
    variables = make_variables(name)
    opt = make_optimizer(name)
    opt.jit_compile = True
    for _ in range(STEPS):
        train_step(opt, variables)
    assert_matches_golden(name, opt, variables)
    # One compiled function per variable, told apart by its index.
    assert opt._update_step_xla.experimental_get_tracing_count() == len(variables)


def test_jit_compile_is_effective_only_with_a_gpu():
    has_gpu = bool(tf.config.list_physical_devices("GPU"))
    assert SGD(jit_compile=True).get_config()["jit_compile"] is has_gpu
    assert SGD(jit_compile=False).get_config()["jit_compile"] is False


def test_schedule_runs_in_tf_function_and_sets_current_learning_rate():
    opt, variables, _ = run_case_in_function("adam_exponential_decay")
    assert_matches_golden("adam_exponential_decay", opt, variables)
    # The current rate is the schedule at the last step's iteration count (4).
    assert opt.learning_rate.numpy() == pytest.approx(0.1 * 0.5 ** (4 / 2))


def test_prebuilt_optimizer_traces_the_step_once():
    variables = make_variables("sgd_momentum")
    opt = make_optimizer("sgd_momentum")
    opt.build(variables)  # What kengine's fit does before the first trace.
    step = tf.function(lambda: train_step(opt, variables))
    for _ in range(STEPS):
        step()
    assert step.experimental_get_tracing_count() == 1
    # Built outside apply_gradients' name scope: same slots, without "SGD/".
    assert_matches_golden("sgd_momentum", opt, variables, check_names=False)
    assert opt.variables[1].name == "m/dense/kernel:0"


def test_unbuilt_optimizer_traces_twice():
    # The seed notes' "why fit traces twice": slots created during the first
    # trace make TensorFlow trace again without variable creation.
    _, _, step = run_case_in_function("sgd_momentum")
    assert step.experimental_get_tracing_count() == 2


def test_default_strategy_never_calls_merge_call(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("merge_call under the default strategy")

    monkeypatch.setattr(tf.distribute.ReplicaContext, "merge_call", refuse)
    opt, variables = run_case_eagerly("sgd_clipnorm")
    assert_matches_golden("sgd_clipnorm", opt, variables)


def test_variables_created_under_a_strategy_are_mirrored():
    strategy = mirrored_strategy()
    with strategy.scope():
        var = _dense_variable([1.0, 2.0])
        opt = Adam()
    strategy.run(lambda: opt.apply_gradients([(tf.constant([1.0, 1.0]), var)]))
    assert [v.name for v in opt.variables] == [
        "iteration:0",
        "Adam/m/dense/kernel:0",
        "Adam/v/dense/kernel:0",
    ]
    assert_replicas_agree(list(opt.variables))


def test_apply_gradients_in_cross_replica_context_raises():
    strategy = mirrored_strategy()
    with strategy.scope():
        var = _dense_variable([1.0])
        opt = SGD()
        with pytest.raises(RuntimeError, match="strategy.run"):
            opt.apply_gradients([(tf.constant([1.0]), var)])


def test_constraint_is_applied_after_the_update_on_every_replica():
    strategy = mirrored_strategy()
    with strategy.scope():
        var = _dense_variable(
            [0.5, -0.5], constraint=lambda w: tf.clip_by_value(w, -0.55, 0.55)
        )
        opt = SGD(learning_rate=1.0)
    strategy.run(lambda: opt.apply_gradients([(tf.constant([-0.1, 0.1]), var)]))
    # Summed gradient [-0.2, 0.2] moves the weights to +-0.7, clipped to +-0.55.
    for component in var.values:
        np.testing.assert_allclose(component.numpy(), [0.55, -0.55])


def test_learning_rate_is_settable_as_callbacks_do():
    var = _dense_variable([1.0])
    opt = SGD(learning_rate=0.1)
    opt.learning_rate = 0.5  # LearningRateScheduler / ReduceLROnPlateau
    assert opt.lr is opt.learning_rate
    assert float(opt.lr.numpy()) == 0.5
    opt.lr = 0.25
    opt.apply_gradients([(tf.constant([1.0]), var)])
    np.testing.assert_allclose(var.numpy(), [0.75])
    assert opt.get_config()["learning_rate"] == 0.25


def test_learning_rate_of_a_schedule_is_not_settable_to_a_number():
    opt = SGD(learning_rate=schedules.ExponentialDecay(0.1, 10, 0.5))
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.1


def test_setting_a_schedule_replaces_the_rate():
    var = _dense_variable([1.0])
    opt = SGD(learning_rate=0.1)
    opt.learning_rate = schedules.PiecewiseConstantDecay([0], [0.5, 0.25])
    for _ in range(2):
        opt.apply_gradients([(tf.constant([1.0]), var)])
    np.testing.assert_allclose(var.numpy(), [1.0 - 0.5 - 0.25])


def test_callable_learning_rate_is_evaluated_once():
    calls = []
    opt = SGD(learning_rate=lambda: calls.append(1) or 0.05)
    assert float(opt.learning_rate.numpy()) == pytest.approx(0.05)
    assert calls == [1]


def test_lr_keyword_is_honoured_with_a_warning(caplog):
    # Keras 2.x spelling used by the seed notes (`Adam(lr=0.0001)`); tf_keras
    # 2.11+ logs a warning and drops the value, kengine keeps it.
    with caplog.at_level(logging.WARNING):
        opt = Adam(lr=0.0001)
    assert float(opt.learning_rate.numpy()) == pytest.approx(0.0001)
    assert "`lr` is deprecated" in caplog.text


def test_iterations_counts_steps_and_is_replaceable_only_before_build():
    opt = SGD()
    counter = tf.Variable(10, dtype=tf.int64)
    opt.iterations = counter
    var = _dense_variable([1.0])
    opt.apply_gradients([(tf.constant([1.0]), var)])
    assert opt.variables[0] is counter
    assert int(counter.numpy()) == 11
    with pytest.raises(RuntimeError, match="iterations"):
        opt.iterations = tf.Variable(0, dtype=tf.int64)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"clipnorm": 1.0, "global_clipnorm": 1.0}, ValueError, "global_clipnorm"),
        ({"use_ema": True, "ema_momentum": 1.5}, ValueError, "ema_momentum=1.5"),
        (
            {"use_ema": True, "ema_overwrite_frequency": 0.5},
            ValueError,
            "ema_overwrite_frequency=0.5",
        ),
        ({"decay": 1e-6}, ValueError, "decay"),
        ({"foo": 1}, TypeError, "foo is not a valid argument of SGD"),
    ],
)
def test_invalid_arguments_raise(kwargs, error, match):
    with pytest.raises(error, match=match):
        SGD(**kwargs)


def test_tensor_loss_without_tape_raises():
    var = _dense_variable([1.0])
    with pytest.raises(ValueError, match="tape"):
        SGD().minimize(tf.constant(1.0), [var])


def test_minimize_with_a_tape_as_train_step_does():
    var = _dense_variable([3.0])
    opt = SGD(learning_rate=0.1)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(var**2)
    opt.minimize(loss, [var], tape=tape)
    np.testing.assert_allclose(var.numpy(), [3.0 - 0.1 * 6.0])


def test_missing_gradients_are_skipped_and_all_missing_raises(caplog):
    a, b = _dense_variable([1.0], "a"), _dense_variable([1.0], "b")
    opt = SGD(learning_rate=0.5)
    with caplog.at_level(logging.WARNING):
        opt.apply_gradients([(tf.constant([1.0]), a), (None, b)])
    np.testing.assert_allclose([a.numpy()[0], b.numpy()[0]], [0.5, 1.0])
    assert "dense/b:0" in caplog.text
    with pytest.raises(ValueError, match="No gradients provided"):
        opt.apply_gradients([(None, a), (None, b)])


def test_empty_gradient_list_is_a_no_op():
    opt = SGD()
    assert int(opt.apply_gradients([]).numpy()) == 0


def test_variable_outside_the_built_list_raises():
    opt = SGD()
    opt.apply_gradients([(tf.constant([1.0]), _dense_variable([1.0]))])
    with pytest.raises(KeyError, match="cannot recognize variable"):
        opt.apply_gradients([(tf.constant([1.0]), _dense_variable([1.0], "other"))])


def test_exclude_from_weight_decay_by_variable_equals_by_name():
    variables = make_variables("sgd_weight_decay")
    kwargs = CASES["sgd_weight_decay"]["kwargs"]
    opt = SGD(**kwargs)
    opt.exclude_from_weight_decay(var_list=[variables[1]])  # the bias
    for _ in range(STEPS):
        train_step(opt, variables)
    assert_matches_golden("sgd_weight_decay", opt, variables)
    with pytest.raises(ValueError, match="before the optimizer is built"):
        opt.exclude_from_weight_decay(var_names=["kernel"])


def test_set_weights_copies_state_between_optimizers():
    source, variables = run_case_eagerly("adam_ema")
    target = make_optimizer("adam_ema")
    with pytest.raises(ValueError, match="not yet been built"):
        target.set_weights([v.numpy() for v in source.variables])
    target.build(variables)
    target.set_weights([v.numpy() for v in source.variables])
    for mine, theirs in zip(target.variables, source.variables):
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    with pytest.raises(ValueError, match="shape"):
        target.set_weights([np.zeros((7,))] * len(source.variables))


def test_variables_is_also_callable_as_in_keras_2():
    opt, _ = run_case_eagerly("sgd")
    assert opt.variables() == opt.variables


def test_add_variable_creates_a_tracked_optimizer_variable():
    opt = SGD()
    extra = opt.add_variable([2], initializer="ones", name="extra")
    assert extra.name == "extra:0" and opt.variables[-1] is extra
    np.testing.assert_array_equal(extra.numpy(), [1.0, 1.0])


def test_custom_optimizer_written_for_keras_2_works():
    # tf_keras's protocol: override `build`, check `_built` after `super().build`.
    class SignSGD(Optimizer):
        def __init__(self, learning_rate=0.1, name="SignSGD", **kwargs):
            super().__init__(name=name, **kwargs)
            self._learning_rate = self._build_learning_rate(learning_rate)

        def build(self, var_list):
            super().build(var_list)
            if getattr(self, "_built", False):
                return
            self._built = True
            self._steps = [self.add_variable_from_reference(v, "s") for v in var_list]

        def update_step(self, gradient, variable):
            self._slot(self._steps, variable).assign_add(tf.ones_like(variable))
            variable.assign_sub(self.learning_rate * tf.sign(gradient))

    var = _dense_variable([1.0, 1.0])
    opt = SignSGD(use_ema=True)
    step = tf.function(lambda: opt.apply_gradients([(tf.constant([3.0, -0.5]), var)]))
    step()
    step()
    np.testing.assert_allclose(var.numpy(), [0.8, 1.2])
    assert [v.name for v in opt.variables] == [
        "iteration:0",
        "SignSGD/average/dense/kernel:0",
        "SignSGD/s/dense/kernel:0",
    ]
    np.testing.assert_array_equal(opt.variables[2].numpy(), [2.0, 2.0])
    assert opt.get_config()["weight_decay"] == 0  # the base class default


def test_slot_hook_runs_once_after_the_moving_averages():
    class Counting(Optimizer):
        def __init__(self, **kwargs):
            super().__init__(name="Counting", **kwargs)
            self._learning_rate = self._build_learning_rate(0.1)
            self.hook_calls = 0

        def _build_slots(self, var_list):
            self.hook_calls += 1
            [self._m] = self._create_slots(var_list, "m")

    var = _dense_variable([1.0])
    opt = Counting(use_ema=True)
    assert not opt._built
    opt.build([var])
    opt.build([var])
    assert opt._built and opt.hook_calls == 1
    assert [v.name for v in opt.variables] == [
        "iteration:0",
        "average/dense/kernel:0",
        "m/dense/kernel:0",
    ]
