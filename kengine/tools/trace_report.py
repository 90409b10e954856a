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

`watch_retraces(function)` answers a narrower question for any `tf.function`
in a user's own training loop: why did it trace again? The wrapper calls the
function and reads `experimental_get_tracing_count()` around each call; when
the count grew it compares the call's arguments, bound to the Python
function's parameter names, with those of the previous trace: tensors (and
NumPy arrays) by dtype and shape, Python values by value, nests by structure.
TensorFlow traces again for a new Python value, and for a new shape unless
`reduce_retracing` relaxed it. A first call that traces twice created
variables: TensorFlow traces once more after variables are created.

Usage:
    python -m kengine.tools.trace_report module:function
    python -m kengine.tools.trace_report module:function --why-retrace

Without the flag the function takes no argument and returns `(model, x, y)`
with `model` compiled. With `--why-retrace` it takes no argument and returns a
training loop: a callable taking one argument, `watch`, that wraps each
`tf.function` it wants examined (`step = watch(step)`, or
`watch(step, name="step")`) and then runs; a model's compiled functions can
be wrapped the same way (`model.train_function = watch(...)`). One line is
printed per trace, naming the argument that caused it. There is no Keras 2
counterpart.
"""

import argparse
import inspect
import sys
from dataclasses import dataclass

import tensorflow as tf

from kengine.callbacks import Callback
from kengine.tools.graph_dump import load_model_function

__all__ = [
    "TraceEvent",
    "watch",
    "drive",
    "report",
    "Retrace",
    "RetraceWatcher",
    "watch_retraces",
    "why_retrace",
    "main",
]

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


@dataclass
class Retrace:
    """One trace of a watched function: which call made it, and why."""

    name: str
    trace: int
    call: int
    cause: str

    def line(self) -> str:
        """The report line, e.g. `step trace 2 (call 3): lr: new Python value ...`."""
        return f"{self.name} trace {self.trace} (call {self.call}): {self.cause}"


def _is_tensor_like(value) -> bool:
    # tf.Tensor, tf.Variable, NumPy arrays: TensorFlow keys them by dtype/shape.
    return hasattr(value, "shape") and hasattr(value, "dtype")


def _shape(value) -> tuple:
    return tuple(tf.TensorShape(value.shape).as_list())


def _dtype(value) -> str:
    return tf.as_dtype(value.dtype).name


def _nest_children(value):
    """`(key, child)` pairs of a list, tuple or dict, or None for a leaf."""
    if isinstance(value, dict):
        return sorted(value.items(), key=lambda item: repr(item[0]))
    if isinstance(value, (list, tuple)):
        return list(enumerate(value))
    return None


def _differences(path: str, old, new) -> list:
    """`path: what changed` for each leaf of `new` that differs from `old`."""
    old_children, new_children = _nest_children(old), _nest_children(new)
    if old_children is not None or new_children is not None:
        same_keys = (
            type(old) is type(new)
            and old_children is not None
            and [k for k, _ in old_children] == [k for k, _ in new_children]
        )
        if not same_keys:
            return [f"{path}: new structure {_structure(old)} -> {_structure(new)}"]
        found = []
        for (key, o), (_, n) in zip(old_children, new_children):
            found += _differences(f"{path}[{key!r}]", o, n)
        return found
    if _is_tensor_like(old) and _is_tensor_like(new):
        if _dtype(old) != _dtype(new):
            return [f"{path}: new dtype {_dtype(old)} -> {_dtype(new)}"]
        if _shape(old) != _shape(new):
            return [f"{path}: new shape {_shape(old)} -> {_shape(new)}"]
        return []
    if _is_tensor_like(old) or _is_tensor_like(new):
        return [f"{path}: tensor <-> Python value {old!r} -> {new!r}"]
    if type(old) is not type(new) or old != new:
        return [f"{path}: new Python value {old!r} -> {new!r}"]
    return []


def _bind(python_function, args: tuple, kwargs: dict) -> dict:
    """The call's arguments by parameter name (`arg0`, ... if unbindable)."""
    try:
        bound = inspect.signature(python_function).bind(*args, **kwargs)
    except (TypeError, ValueError):
        return {**{f"arg{i}": a for i, a in enumerate(args)}, **kwargs}
    return dict(bound.arguments)


def _retrace_cause(last, arguments: dict, new_traces: int) -> str:
    """Why this call traced, compared with the arguments of the last trace."""
    if last is None:
        if new_traces > 1:
            return "first call (traced twice: variables were created)"
        return "first call"
    found = []
    for name in list(last) + [n for n in arguments if n not in last]:
        if name not in last or name not in arguments:
            found.append(f"{name}: argument added or omitted")
        else:
            found += _differences(name, last[name], arguments[name])
    if not found:
        return "no argument changed (variables created, or the cache was reset)"
    return "; ".join(found)


class RetraceWatcher:
    """Calls a `tf.function` and records each call that traced it, with the cause.

    Attributes:
        function: the wrapped `tf.function`.
        name: the label of its report lines.
        retraces: the `Retrace`s recorded so far, in order.
    """

    def __init__(self, function, name: str = None):
        if not hasattr(function, "experimental_get_tracing_count"):
            raise TypeError(
                "watch_retraces expects a tf.function (with "
                f"experimental_get_tracing_count); received {function!r}."
            )
        self.function = function
        self.name = name or getattr(function, "__name__", "function")
        self.retraces = []
        self._calls, self._last = 0, None

    def __call__(self, *args, **kwargs):
        before = self.function.experimental_get_tracing_count()
        result = self.function(*args, **kwargs)
        self._calls += 1
        after = self.function.experimental_get_tracing_count()
        if after > before:
            python_function = getattr(self.function, "python_function", None)
            arguments = _bind(python_function or self.function, args, kwargs)
            cause = _retrace_cause(self._last, arguments, after - before)
            self.retraces.append(Retrace(self.name, after, self._calls, cause))
            self._last = arguments
        return result

    def lines(self) -> list:
        """One report line per recorded trace."""
        return [r.line() for r in self.retraces]


def watch_retraces(function, name: str = None) -> RetraceWatcher:
    """Wraps a `tf.function` so each trace is recorded with the argument that caused it.

    Args:
        function: a `tf.function` (for example a model's `train_function`).
        name: the label of its report lines; the function's `__name__` if None.

    Returns:
        A `RetraceWatcher`: call it in place of `function`; its `retraces`
        and `lines()` say why each trace happened.

    Raises:
        TypeError: if `function` is not a `tf.function`.
    """
    return RetraceWatcher(function, name)


def why_retrace(loop) -> str:
    """Runs a training loop that wraps its functions with `watch`; the report.

    Args:
        loop: a callable taking `watch` (`watch_retraces`'s signature), as
            described in the module docstring.

    Returns:
        One line per trace of every watched function, in call order, ending
        with a newline (empty if nothing traced).
    """
    watchers = []

    def watch(function, name: str = None) -> RetraceWatcher:
        watchers.append(watch_retraces(function, name))
        return watchers[-1]

    loop(watch)
    lines = [line for watcher in watchers for line in watcher.lines()]
    return "".join(line + "\n" for line in lines)


def main(argv=None) -> int:
    """Command-line entry: traces fit/evaluate/predict, or explains retraces."""
    parser = argparse.ArgumentParser(prog="python -m kengine.tools.trace_report")
    parser.add_argument(
        "model",
        help="module:function returning (model, x, y), or with --why-retrace "
        "a training loop taking `watch`",
    )
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument(
        "--why-retrace",
        action="store_true",
        help="run the returned training loop and name the argument behind each trace",
    )
    args = parser.parse_args(argv)
    if args.why_retrace:
        sys.stdout.write(why_retrace(load_model_function(args.model)))
        return 0
    model, x, y = load_model_function(args.model)
    events, phase = watch(model)
    drive(model, x, y, phase, batch_size=args.batch_size, epochs=args.epochs)
    sys.stdout.write(report(model, events))
    return 0


if __name__ == "__main__":
    sys.exit(main())
