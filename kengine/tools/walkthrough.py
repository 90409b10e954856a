"""Walks one training step of any compiled model by hand, naming the code of each stage.

The stages are those `fit` runs (ARCHITECTURE.md, "Training"): the data adapter
batches the data, `train_step` unpacks it and runs the forward pass under a tape,
the `LossesContainer` computes each output's loss (`compute_weighted_loss` with
the loss's reduction, scaled by the replica count) and adds them with the
`add_loss` penalties, the optimizer applies the gradients and updates its slots,
the metrics update and give the logs, and the callbacks receive them. Each stage
line names the kengine function doing it as `path:line name`. The walk ends by
checking that `fit` on the same batch, from the same weights, ends at the same
weights: the walkthrough is the real mechanism, not a model of it.

Usage:
    python -m kengine.tools.walkthrough module:function

where the function takes no argument and returns `(model, x, y)` with `model`
compiled; it is called twice (the walk and the `fit` check), so it must give the
same weights each time. `tools/walkthrough.py` is the fixed-model original;
there is no Keras 2 counterpart.
"""

import argparse
import inspect
import sys
from pathlib import Path

import numpy as np
import tensorflow as tf

from kengine.callbacks import CallbackList, History
from kengine.engine import data_adapter
from kengine.engine.compile_utils import LossesContainer, MetricsContainer
from kengine.engine.trainer import Trainer
from kengine.optimizers.optimizer import Optimizer
from kengine.tools.graph_dump import load_function
from kengine.utils import losses_utils, packing

__all__ = ["where", "walk", "walkthrough", "main"]

_ROOT = Path(__file__).resolve().parent.parent.parent


def where(function) -> str:
    """`path:line name` of a kengine function, the path relative to the repository."""
    function = inspect.unwrap(function)
    path = Path(inspect.getsourcefile(function)).resolve().relative_to(_ROOT)
    line = inspect.getsourcelines(function)[1]
    return f"{path.as_posix()}:{line} {function.__qualname__}"


def _round(value, digits: int = 4):
    # Adding 0.0 turns -0.0 into 0.0, so a tiny negative sum prints as zero.
    return (np.round(np.asarray(value, dtype="float64"), digits) + 0.0).tolist()


def _stage(lines: list, title: str, *functions) -> None:
    lines.append(f"[{title}] " + "; ".join(where(f) for f in functions))


def _data(model, x, y, lines: list):
    _stage(lines, "data adapter", data_adapter.get_data_handler)
    handler = data_adapter.get_data_handler(
        x=x, y=y, batch_size=len(x), epochs=1, shuffle=False, model=model
    )
    lines.append(f"  adapter {type(handler._adapter).__name__}, one batch of {len(x)}")
    strategy = model.distribute_strategy
    lines.append(
        f"  strategy {type(strategy).__name__}: {strategy.num_replicas_in_sync} replica(s)"
    )
    return next(iter(handler._dataset))


def _losses(model, x, y, y_pred, sample_weight, lines: list):
    _stage(
        lines,
        "losses",
        LossesContainer.__call__,
        losses_utils.compute_weighted_loss,
        losses_utils.scale_loss_for_distribution,
    )
    loss = model.compute_loss(x, y, y_pred, sample_weight)
    container = model.compiled_loss
    for loss_obj, weight in zip(container._losses, container._loss_weights):
        if loss_obj is not None:
            reduction = loss_obj._get_reduction()
            lines.append(
                f"  {loss_obj.name}: reduction {reduction}, loss_weight {weight}"
            )
    for tracker in model.compiled_loss.metrics:
        lines.append(f"  {tracker.name} = {_round(tracker.result())}")
    lines.append(f"  add_loss penalties {_round([float(v) for v in model.losses])}")
    lines.append(f"  total loss {_round(loss)}")
    return loss


def _optimize(model, tape, loss, lines: list) -> None:
    _stage(lines, "optimizer", Optimizer.apply_gradients)
    variables = model.trainable_variables
    gradients = tape.gradient(loss, variables)
    for variable, gradient in zip(variables, gradients):
        lines.append(f"  grad {variable.name}: norm {_round(tf.norm(gradient))}")
    model.optimizer.apply_gradients(zip(gradients, variables))
    lines.append(f"  iterations = {int(model.optimizer.iterations)}")
    for slot in model.optimizer.variables()[1:]:
        lines.append(f"  slot {slot.name}: sum {_round(tf.reduce_sum(slot))}")


def _metrics(model, y, y_pred, sample_weight, lines: list) -> dict:
    _stage(lines, "metrics", MetricsContainer.update_state, Trainer.get_metrics_result)
    model.compiled_metrics.update_state(y, y_pred, sample_weight)
    logs = {k: float(v) for k, v in model.get_metrics_result().items()}
    lines.append(f"  logs {dict((k, _round(v)) for k, v in logs.items())}")
    return logs


def _callbacks(model, logs: dict, lines: list) -> None:
    _stage(
        lines, "callbacks", CallbackList.on_train_batch_end, CallbackList.on_epoch_end
    )
    order = []

    class Order(History):
        def on_train_batch_end(self, batch, logs=None):
            order.append("on_train_batch_end")

        def on_epoch_end(self, epoch, logs=None):
            order.append("on_epoch_end")
            super().on_epoch_end(epoch, logs)

    history = Order()
    callbacks = CallbackList([history], model=model)
    callbacks.on_train_begin()
    callbacks.on_epoch_begin(0)
    callbacks.on_train_batch_end(0, logs)
    callbacks.on_epoch_end(0, logs)
    lines.append(f"  hooks {order}; History keys {sorted(history.history)}")


def walk(model, x, y) -> tuple:
    """Runs one training step of `model` on `(x, y)` stage by stage.

    Args:
        model: a compiled model.
        x, y: one batch of NumPy inputs and targets.

    Returns:
        `(lines, logs)`: the description, one line per fact, and the step's logs.
    """
    lines = []
    batch = _data(model, x, y, lines)
    _stage(lines, "train_step", Trainer.train_step, packing.unpack_x_y_sample_weight)
    x_b, y_b, sample_weight = packing.unpack_x_y_sample_weight(batch)
    shapes = tf.nest.map_structure(lambda t: tuple(t.shape), (x_b, y_b))
    lines.append(f"  x {shapes[0]}, y {shapes[1]}, sample_weight {sample_weight}")
    with tf.GradientTape() as tape:
        y_pred = model(x_b, training=True)
        loss = _losses(model, x_b, y_b, y_pred, sample_weight, lines)
    _optimize(model, tape, loss, lines)
    logs = _metrics(model, y_b, y_pred, sample_weight, lines)
    _callbacks(model, logs, lines)
    return lines, logs


def walkthrough(make) -> str:
    """Walks one step of `make()`'s model, then checks `fit` gives the same weights.

    Args:
        make: a function returning `(model, x, y)`, the same weights each call.

    Returns:
        The walk's text and the check's result, ending with a newline.
    """
    model, x, y = make()
    lines, logs = walk(model, x, y)
    fitted, x, y = make()
    history = fitted.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
    fit_logs = {k: v[0] for k, v in history.history.items()}
    same_weights = all(
        np.allclose(a, b, rtol=1e-5, atol=1e-7)
        for a, b in zip(model.get_weights(), fitted.get_weights())
    )
    same_logs = all(np.isclose(logs[k], fit_logs[k], rtol=1e-5) for k in logs)
    lines.append(
        f"[check] fit on the same batch: same weights {same_weights}, same logs {same_logs}"
    )
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    """Command-line entry: walks one step of the model `module:function` returns."""
    parser = argparse.ArgumentParser(prog="python -m kengine.tools.walkthrough")
    parser.add_argument("model", help="module:function returning (model, x, y)")
    args = parser.parse_args(argv)
    sys.stdout.write(walkthrough(load_function(args.model)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
