"""The `tf.function`s that `fit`, `evaluate` and `predict` call once per step (or per
`steps_per_execution` steps), and the preparation that makes them trace only once.

Mirrors Keras 2's `engine/training.py` (`make_train_function`, `make_test_function`,
`make_predict_function`, `reduce_per_replica`).

The shape of a train function::

    train_function(iterator):                       # tf.function, traced once
        outputs = strategy.run(step, (next(iterator),))   # train_step per replica
        repeat steps_per_execution - 1 more times
        return reduce_per_replica(outputs, "first")  # metric results are synced

**Why Keras 2 traces `train_function` twice, and why kengine does not.** The seed
notes observe that the first `fit` traces twice. `tf.function` allows variables to
be created only on its first trace, and if they are, it traces again to make sure
the second trace creates none. Keras 2 creates variables inside the first trace:
the optimizer's slots (created lazily by the first `apply_gradients`), the
compiled metrics and loss trackers (built from the first batch's `y_pred`), and
the weights of subclassed models built on first call. `prepare_for_trace` creates
all of them eagerly before the first trace, from the dataset's `element_spec`:
the model is built symbolically (no data runs), the loss and metric containers
are built from the symbolic outputs, and `optimizer.build` creates the slots. So
the first trace creates no variables and is the only one. The iterator's element
spec has batch dimension `None`, so the last partial batch does not retrace.

**Why the data is checked before the step runs.** The traced step checks its
inputs, but only against the shapes it was traced for, and a retrace generalises
them: after `predict` on `(n, 4)`, data of shape `(n, 3, 4)` retraces with an
input of unknown rank, which no shape check can reject. `check_data` compares
the dataset's element spec with the model's `input_spec` and the compiled
losses' outputs eagerly, on every `fit`/`evaluate`/`predict` and batch call.
"""

import dataclasses
import types

import numpy as np
import tensorflow as tf

from kengine.engine.base_layer import _call_spec
from kengine.engine.input_spec import assert_input_compatibility
from kengine.engine.keras_tensor import KerasTensor
from kengine.engine.symbolic import infer_outputs
from kengine.utils.packing import unpack_x_y_sample_weight

__all__ = [
    "StepCounters",
    "check_data",
    "array_specs",
    "concat_batches",
    "steps_per_execution_variable",
    "prepare_for_trace",
    "make_step_function",
    "reduce_per_replica",
]


@dataclasses.dataclass(frozen=True)
class StepCounters:
    """How many train, test and predict steps ran in the current `fit`/`evaluate`/`predict`.

    Each step function adds 1 to its counter per step; the loops reset it at their
    start. `ProgbarLogger`, `TensorBoard` and `BackupAndRestore` read them (Keras
    2's `_train_counter`, `_test_counter`, `_predict_counter`).
    """

    train: tf.Variable
    test: tf.Variable
    predict: tf.Variable

    @classmethod
    def create(cls) -> "StepCounters":
        """Three int64 counters at 0, outside any `tf.function` being traced."""

        def counter(name):
            return tf.Variable(
                0,
                dtype=tf.int64,
                trainable=False,
                name=name,
                aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA,
            )

        with tf.init_scope():
            return cls(counter("train"), counter("test"), counter("predict"))


def steps_per_execution_variable(steps_per_execution: int | None) -> tf.Variable:
    """The variable `compile` keeps `steps_per_execution` in (None means 1).

    A variable, not an int: the data handler lowers it for an epoch's short last
    execution without retracing the train function.
    """
    with tf.init_scope():
        return tf.Variable(
            steps_per_execution or 1,
            dtype=tf.int64,
            trainable=False,
            aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA,
        )


def _global_spec(spec):
    """A replica's spec stands for the global batch: free the batch dimension."""
    replica_specs = getattr(spec, "_value_specs", None)  # a distributed PerReplicaSpec
    if replica_specs is None:
        return spec
    first = replica_specs[0]
    if isinstance(first, tf.TensorSpec) and first.shape.rank:
        return tf.TensorSpec([None, *first.shape[1:]], first.dtype)
    return first


def _symbolic(spec_structure):
    return tf.nest.map_structure(
        lambda s: KerasTensor(s) if isinstance(s, tf.TypeSpec) else s, spec_structure
    )


def symbolic_outputs(model, x_spec):
    """The model's outputs as KerasTensors, building it first if needed (no data runs)."""
    if model._is_graph_network:
        return model._nested_outputs
    inputs = _symbolic(x_spec)
    if not model.built:
        with tf.name_scope(model._name_scope()):
            model._maybe_build(inputs)
    return infer_outputs(
        model, _call_spec(type(model).call), inputs, (), {"training": True}
    )


def prepare_for_trace(model, element_spec, build_optimizer: bool) -> None:
    """Creates every variable a step would create, before the step is traced.

    Args:
        model: the compiled model, with a forward pass (`call`) to build from.
        element_spec: the dataset's element spec, `(x, y, sample_weight)` or `x`.
        build_optimizer: also create the optimizer's slots (for a train step).
    """
    element_spec = tf.nest.map_structure(_global_spec, element_spec)
    x_spec, y_spec, _ = unpack_x_y_sample_weight(element_spec)
    y_pred = symbolic_outputs(model, x_spec)
    # The containers build once per compile: the train, test and predict functions
    # all capture the same metric variables (a rebuild would orphan the ones an
    # existing trace updates, and prefix output names twice).
    loss, metrics = model.compiled_loss, model.compiled_metrics
    if loss is not None and y_spec is not None and not loss.built:
        loss.build(y_pred)
    if metrics is not None and y_spec is not None and not metrics.built:
        metrics.build(y_pred, _symbolic(y_spec))
    if build_optimizer and model.optimizer is not None:
        # Under the optimizer's name scope, slots are named "Adam/m/dense/kernel:0",
        # as tf_keras's lazily built slots are (weight files record these names).
        with tf.name_scope(model.optimizer.name):
            model.optimizer.build(model.trainable_variables)


def _shape_only(spec):
    # Dtypes are not compared: the model casts floating inputs when it is called.
    return types.SimpleNamespace(shape=spec.shape) if hasattr(spec, "shape") else spec


def check_data(model, element_spec, check_targets: bool) -> None:
    """Raises if the data's `x` or `y` cannot be what the model expects.

    `x` is checked against `model.input_spec` (as calling the model would), and,
    with `check_targets`, for graph networks `y` against the outputs for the
    compiled built-in losses (`LossesContainer.check_target_shapes`). The trainer
    calls it only for the default steps: a model's own step decides what the data
    means.

    Args:
        model: the model.
        element_spec: the dataset's element spec, `(x, y, sample_weight)` or `x`.
        check_targets: also check `y` (train and test steps, not predict).

    Raises:
        ValueError: naming the model and the shapes (see `assert_input_compatibility`
            and `check_target_shape`).
    """
    element_spec = tf.nest.map_structure(_global_spec, element_spec)
    x_spec, y_spec, _ = unpack_x_y_sample_weight(element_spec)
    assert_input_compatibility(
        model.input_spec, tf.nest.map_structure(_shape_only, x_spec), model.name
    )
    loss = model.compiled_loss
    if (
        check_targets
        and y_spec is not None
        and model._is_graph_network
        and loss is not None
        and loss.built
    ):
        # Graph networks know their output shapes for any input; other models'
        # outputs are only known per trace, where the loss checks them.
        loss.check_target_shapes(y_spec, model._nested_outputs)


def array_specs(data):
    """`TensorSpec`s with the batch axis left free, for the arrays in `data`.

    Lets `check_data` see validation arrays before the first epoch trains.
    """

    def spec(value):
        if not hasattr(value, "shape") or not hasattr(value, "dtype"):
            return value
        shape = tf.TensorShape(value.shape)
        return tf.TensorSpec(shape if not shape.rank else [None, *shape[1:]])

    return tf.nest.map_structure(spec, data)


def concat_batches(batches):
    """One output's predictions for every batch, joined along the batch axis."""
    if isinstance(batches[0], tf.RaggedTensor):
        return tf.concat(batches, axis=0)
    return np.concatenate([np.asarray(b) for b in batches], axis=0)


def reduce_per_replica(values, strategy, reduction: str):
    """Turns per-replica results into one value each.

    "first" takes replica 0's value (metric results are already aggregated over
    replicas, so every replica holds the same number); "concat" joins the
    replicas' batches, in replica order, as `predict` needs.
    """

    def reduce_one(v):
        if not isinstance(v, tf.distribute.DistributedValues):
            return v
        local = strategy.experimental_local_results(v)
        if reduction == "first":
            return local[0]
        return tf.concat(local, axis=0)

    return tf.nest.map_structure(reduce_one, values)


def make_step_function(model, step_fn, counter, reduction: str, steps_per_execution):
    """`function(iterator) -> outputs`: `step_fn` on the next batch(es), as a tf.function.

    Args:
        model: the model (its strategy, `run_eagerly` and `jit_compile` apply).
        step_fn: the bound step, `model.train_step`, `test_step` or `predict_step`.
        counter: the `StepCounters` variable this step adds 1 to.
        reduction: "first" (metric results) or "concat" (predictions), see
            `reduce_per_replica`.
        steps_per_execution: the model's variable, or None for one step per call.

    Returns:
        A `tf.function` (a plain function when the model runs eagerly).
    """
    strategy = model.distribute_strategy

    def run_step(data):
        outputs = step_fn(data)
        counter.assign_add(1)
        return outputs

    if model.jit_compile:
        run_step = tf.function(run_step, jit_compile=True, reduce_retracing=True)

    def one_step(iterator):
        outputs = strategy.run(run_step, args=(next(iterator),))
        return reduce_per_replica(outputs, strategy, reduction)

    def function(iterator):
        outputs = one_step(iterator)
        # A tf.range loop keeps `steps_per_execution` a runtime value: changing it
        # never retraces.
        for _ in tf.range(steps_per_execution - 1):
            outputs = one_step(iterator)
        return outputs

    # With one step per call there is no loop to trace: a tf.range loop traces its
    # body once more (twice the graph, and twice the trace time of the first fit).
    # The value is fixed until the next compile, which rebuilds these functions.
    single = steps_per_execution is None or int(steps_per_execution.numpy()) == 1
    body = one_step if single else function
    if model.run_eagerly:
        return body
    return tf.function(body, reduce_retracing=True)
