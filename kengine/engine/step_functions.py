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

import types

import tensorflow as tf

from kengine.engine import data_adapter
from kengine.engine.input_spec import assert_input_compatibility
from kengine.engine.keras_tensor import KerasTensor
from kengine.engine.training import Model

__all__ = [
    "check_data",
    "prepare_for_trace",
    "make_train_function",
    "make_test_function",
    "make_predict_function",
    "reduce_per_replica",
]


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
    if getattr(model, "_is_graph_network", False):
        return model._nested_outputs
    from kengine.engine.base_layer import _call_spec
    from kengine.engine.symbolic import infer_outputs

    inputs = _symbolic(x_spec)
    if not model.built:
        with tf.name_scope(model._name_scope()):
            model._maybe_build(inputs)
    return infer_outputs(
        model, _call_spec(type(model).call), inputs, (), {"training": True}
    )


def prepare_for_trace(model, element_spec, training: bool = True) -> None:
    """Creates every variable a step would create, before the step is traced.

    Args:
        model: the compiled model.
        element_spec: the dataset's element spec, `(x, y, sample_weight)` or `x`.
        training: also build the optimizer's slots.
    """
    from kengine.engine.model_structure import ModelStructureMixin

    if type(model).call is ModelStructureMixin.call:
        # A model trained only through its own `train_step` (the GAN and VAE of the
        # Keras guides) has no forward pass to build from: its step creates its
        # variables during the first trace, as in Keras 2.
        return
    element_spec = tf.nest.map_structure(_global_spec, element_spec)
    x_spec, y_spec, _ = data_adapter.unpack_x_y_sample_weight(element_spec)
    y_pred = symbolic_outputs(model, x_spec)
    # The containers build once per compile: the train, test and predict functions
    # all capture the same metric variables (a rebuild would orphan the ones an
    # existing trace updates, and prefix output names twice).
    loss, metrics = model.compiled_loss, model.compiled_metrics
    if loss is not None and y_spec is not None and not loss.built:
        loss.build(y_pred)
    if metrics is not None and y_spec is not None and not metrics.built:
        metrics.build(y_pred, _symbolic(y_spec))
    if training and model.optimizer is not None:
        # Under the optimizer's name scope, slots are named "Adam/m/dense/kernel:0",
        # as tf_keras's lazily built slots are (weight files record these names).
        with tf.name_scope(model.optimizer.name):
            model.optimizer.build(model.trainable_variables)


def _uses_default(model, step_name: str) -> bool:
    """Whether `model` runs Model's own `step_name` (so `x` goes to `model(x)`)."""
    return getattr(type(model), step_name) is getattr(Model, step_name)


def _shape_only(spec):
    # Dtypes are not compared: the model casts floating inputs when it is called.
    return types.SimpleNamespace(shape=spec.shape) if hasattr(spec, "shape") else spec


def check_data(model, element_spec, step_name: str) -> None:
    """Raises if the data's `x` or `y` cannot be what the model expects.

    `x` is checked against `model.input_spec` (as calling the model would), and,
    for graph networks, `y` against the outputs for the compiled built-in losses
    (`LossesContainer.check_target_shapes`). A model with its own step is not
    checked: its step decides what the data means.

    Args:
        model: the model.
        element_spec: the dataset's element spec, `(x, y, sample_weight)` or `x`.
        step_name: "train_step", "test_step" or "predict_step".

    Raises:
        ValueError: naming the model and the shapes (see `assert_input_compatibility`
            and `check_target_shape`).
    """
    if not _uses_default(model, step_name):
        return
    element_spec = tf.nest.map_structure(_global_spec, element_spec)
    x_spec, y_spec, _ = data_adapter.unpack_x_y_sample_weight(element_spec)
    assert_input_compatibility(
        model.input_spec, tf.nest.map_structure(_shape_only, x_spec), model.name
    )
    loss = getattr(model, "compiled_loss", None)
    if (
        step_name != "predict_step"
        and y_spec is not None
        and getattr(model, "_is_graph_network", False)
        and loss is not None
        and loss.built
    ):
        # Graph networks know their output shapes for any input; other models'
        # outputs are only known per trace, where the loss checks them.
        loss.check_target_shapes(y_spec, model._nested_outputs)


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


def _make_function(model, step_name: str, counter, reduction: str, steps_per_execution):
    """One step (or several) of `model.<step_name>` over an iterator, as a tf.function."""
    strategy = model.distribute_strategy
    step_fn = getattr(model, step_name)

    def run_step(data):
        outputs = step_fn(data)
        counter.assign_add(1)
        return outputs

    if model._jit_compile:
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


def make_train_function(model):
    """`train_function(iterator) -> logs`: `steps_per_execution` train steps."""
    return _make_function(
        model, "train_step", model._train_counter, "first", model._steps_per_execution
    )


def make_test_function(model):
    """`test_function(iterator) -> logs`: `steps_per_execution` test steps."""
    return _make_function(
        model, "test_step", model._test_counter, "first", model._steps_per_execution
    )


def make_predict_function(model):
    """`predict_function(iterator) -> outputs`: one predict step, replicas concatenated."""
    return _make_function(model, "predict_step", model._predict_counter, "concat", None)
