"""Shows each trace of a model's step functions, with its input signature and cause.

`tf.function` runs a step's Python body only while it traces, so wrapping
`train_step`, `test_step` and `predict_step` with a recorder lists every trace:
which step, during what (fit epoch and step, validation, evaluate, predict), the
structure and shapes of the data it was traced for, and why it traced (the first
call, or a signature never seen before, or the same signature traced again). The
report ends with each step function's tracing count and what Keras 2 would have
done: Keras 2's first `fit` traces `train_function` twice, because the first
trace creates variables (optimizer slots, metric state) and TensorFlow traces a
function again after variables were created in it; kengine creates them before
the trace (`kengine/engine/step_functions.py:prepare_for_trace`), so once is
enough. `tools/trace_report.py` drives a fixed MLP; this module works on any
compiled model and data.

Usage:
    python -m kengine.tools.trace_report module:function

where the function takes no argument and returns `(model, x, y)` with `model`
compiled. There is no Keras 2 counterpart.
"""

import argparse
import sys
from dataclasses import dataclass

import tensorflow as tf

from kengine.callbacks import Callback
from kengine.tools.graph_dump import load_model_function

__all__ = ["TraceEvent", "watch", "drive", "report", "main"]

_STEPS = ("train_step", "test_step", "predict_step")
KERAS2_NOTE = (
    "Keras 2 would trace train_function twice in the first fit: its first trace "
    "creates the optimizer slots and metric variables, and a tf.function that "
    "created variables is traced again. kengine creates them before tracing "
    "(kengine/engine/step_functions.py:prepare_for_trace) and traces once."
)


@dataclass
class TraceEvent:
    """One trace of one step: what ran, during which phase, for what data, and why."""

    step: str
    phase: str
    signature: str
    cause: str
    structure: str


def _signature(structure) -> str:
    def one(t):
        if hasattr(t, "shape") and hasattr(t, "dtype"):
            return f"{t.dtype.name}{t.shape.as_list()}"
        return repr(t)

    return str(tf.nest.map_structure(one, structure))


def _structure(data) -> str:
    return str(tf.nest.map_structure(lambda _: "*", data))


def _cause(events: list, step: str, structure: str, signature: str) -> str:
    """Why this trace happened, from the traces of the same step before it."""
    earlier = [e for e in events if e.step == step]
    if not earlier:
        return "first call"
    if all(e.structure != structure for e in earlier):
        return "new structure"
    if all(e.signature != signature for e in earlier):
        return "new shape or dtype"
    return "same signature again (a new Python value, or variables were created)"


class _Phase:
    """The driver's current activity, shared by the recorder and the callback."""

    def __init__(self):
        self.text = "setup"


def watch(model) -> tuple:
    """Wraps the model's step methods to record each trace.

    Args:
        model: a compiled kengine model.

    Returns:
        `(events, phase)`: the list the traces are appended to, as `TraceEvent`s,
        and the phase holder whose `text` labels them.
    """
    events, phase = [], _Phase()
    for step in _STEPS:
        original = getattr(model, step)

        def recorded(data, _original=original, _step=step):
            if tf.inside_function():  # Python runs here only while tracing
                signature, structure = _signature(data), _structure(data)
                cause = _cause(events, _step, structure, signature)
                events.append(
                    TraceEvent(_step, phase.text, signature, cause, structure)
                )
            return _original(data)

        # A plain function, not layer state: bypass attribute tracking.
        object.__setattr__(model, step, recorded)
    return events, phase


class _PhaseLabels(Callback):
    def __init__(self, phase: _Phase):
        super().__init__()
        self.phase, self.epoch = phase, 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_begin(self, batch, logs=None):
        self.phase.text = f"fit epoch {self.epoch} step {batch}"

    def on_test_begin(self, logs=None):
        self.phase.text = f"fit epoch {self.epoch} validation"


def drive(
    model,
    x,
    y,
    phase: _Phase,
    batch_size: int = 16,
    epochs: int = 2,
    on_batch=(8, 8, 4),
) -> None:
    """Runs fit (validating on the same data), evaluate, predict, then train_on_batch.

    Args:
        model: the watched, compiled model.
        x, y: NumPy inputs and targets.
        phase: the holder `watch` returned; its text labels each trace.
        batch_size, epochs: passed to `fit`, `evaluate` and `predict`.
        on_batch: the batch sizes of the `train_on_batch` calls, which trace
            for exact shapes (so a new size can trace again).
    """
    model.fit(
        x,
        y,
        batch_size=batch_size,
        epochs=epochs,
        validation_data=(x, y),
        shuffle=False,
        verbose=0,
        callbacks=[_PhaseLabels(phase)],
    )
    phase.text = "evaluate"
    model.evaluate(x, y, batch_size=batch_size, verbose=0)
    phase.text = "predict"
    model.predict(x, batch_size=batch_size, verbose=0)
    for size in on_batch:
        phase.text = f"train_on_batch({size})"
        model.train_on_batch(x[:size], y[:size])


def report(model, events: list) -> str:
    """The traces in order, each function's tracing count, and the Keras 2 note.

    Args:
        model: the model `watch` was called on, after it ran.
        events: the `TraceEvent`s `watch` collected.

    Returns:
        The report text, ending with a newline.
    """
    lines = ["Traces, in order:"]
    for e in events:
        lines.append(f"  {e.step:<12} during {e.phase:<24} cause: {e.cause}")
        lines.append(f"    data {e.signature}")
    for name in ("train_function", "test_function", "predict_function"):
        function = getattr(model, name, None)
        if function is None or not hasattr(function, "experimental_get_tracing_count"):
            lines.append(f"{name}: not a tf.function (not run, or run_eagerly)")
        else:
            count = function.experimental_get_tracing_count()
            lines.append(f"{name}: traced {count} time(s)")
    lines.append(KERAS2_NOTE)
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    """Command-line entry: traces fit/evaluate/predict of `(model, x, y)`."""
    parser = argparse.ArgumentParser(prog="python -m kengine.tools.trace_report")
    parser.add_argument("model", help="module:function returning (model, x, y)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args(argv)
    model, x, y = load_model_function(args.model)
    events, phase = watch(model)
    drive(model, x, y, phase, batch_size=args.batch_size, epochs=args.epochs)
    sys.stdout.write(report(model, events))
    return 0


if __name__ == "__main__":
    sys.exit(main())
