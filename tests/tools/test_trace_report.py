"""Tests for `kengine.tools.trace_report` on a fixed model and data.

The expected text under `tests/tools/expected/` is kengine's own report for
`tests.tools.models:classifier_with_data`, read and checked by hand: one trace
per step function, including the partial last batch and `train_on_batch`.
The `--why-retrace` tests run `retracing_loop` below, a user loop whose step
is called with a changed Python float, a batch of a new shape, a new dtype and
a new structure, and assert the exact line naming each argument and cause.
"""

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from kengine.tools import trace_report
from tests.tools import models

EXPECTED = Path(__file__).parent / "expected" / "trace_report_classifier.txt"


def test_main_report_matches_expected_text(capsys):
    assert trace_report.main(["tests.tools.models:classifier_with_data"]) == 0
    assert capsys.readouterr().out == EXPECTED.read_text()


def _event(step, signature, structure):
    return trace_report.TraceEvent(step, "p", signature, "first call", structure)


@pytest.mark.parametrize(
    "signature, structure, cause",
    [
        (
            "a",
            "s",
            "same signature again (a new Python value, or variables were created)",
        ),
        ("b", "s", "new shape or dtype"),
        ("b", "t", "new structure"),
    ],
)
def test_cause_compares_with_earlier_traces_of_the_same_step(
    signature, structure, cause
):
    events = [_event("train_step", "a", "s"), _event("test_step", "b", "t")]
    assert trace_report._cause(events, "train_step", structure, signature) == cause
    assert (
        trace_report._cause(events, "predict_step", structure, signature)
        == "first call"
    )


def test_watch_records_each_trace_with_phase_and_cause():
    model, x, _ = models.classifier_with_data()
    events, phase = trace_report.watch(model)
    phase.text = "predict a"
    model.predict(x, batch_size=8, verbose=0)
    model.predict(x, batch_size=8, verbose=0)  # cached: no trace
    object.__setattr__(model, "predict_function", None)  # a fresh tf.function
    phase.text = "predict b"
    model.predict(x, batch_size=8, verbose=0)
    same = "same signature again (a new Python value, or variables were created)"
    assert [(e.step, e.phase, e.cause) for e in events] == [
        ("predict_step", "predict a", "first call"),
        ("predict_step", "predict b", same),
    ]
    assert events[1].signature == "float32[None, 4]"


def retracing_loop():
    """A user training loop for `--why-retrace`: one step, five causes of a trace."""
    weights = []

    @tf.function
    def step(x, lr):
        if not weights:  # created on the first trace only
            weights.append(tf.Variable(1.0, name="w"))
        return tf.reduce_sum(tf.cast(x, tf.float32)) * lr + weights[0]

    def loop(watch):
        step_fn = watch(step)
        x = np.ones((32, 4), np.float32)
        step_fn(x, 0.1)
        step_fn(x, 0.1)  # cached: no trace
        step_fn(x, 0.2)
        step_fn(x[:16], 0.2)
        step_fn(x[:16].astype(np.float64), 0.2)
        step_fn((x[:16],), lr=0.2)

    return loop


WHY_RETRACE_LINES = [
    "step trace 2 (call 1): first call (traced twice: variables were created)",
    "step trace 3 (call 3): lr: new Python value 0.1 -> 0.2",
    "step trace 4 (call 4): x: new shape (32, 4) -> (16, 4)",
    "step trace 5 (call 5): x: new dtype float32 -> float64",
    "step trace 6 (call 6): x: new structure * -> ('*',)",
]


def test_why_retrace_names_each_argument_and_cause(capsys):
    spec = "tests.tools.test_trace_report:retracing_loop"
    assert trace_report.main([spec, "--why-retrace"]) == 0
    assert capsys.readouterr().out.splitlines() == WHY_RETRACE_LINES


@pytest.mark.parametrize(
    "old, new, expected",
    [
        (
            {"a": 1},
            {"a": 1, "b": 2},
            ["d: new structure {'a': '*'} -> {'a': '*', 'b': '*'}"],
        ),
        ({"a": 1}, {"a": 2}, ["d['a']: new Python value 1 -> 2"]),
        ([1, True], [1, 1], ["d[1]: new Python value True -> 1"]),
        (np.ones(2), 1.0, ["d: tensor <-> Python value array([1., 1.]) -> 1.0"]),
        (tf.ones([2, 3]), tf.zeros([2, 3]), []),
    ],
)
def test_differences_walks_nests_to_the_changed_leaf(old, new, expected):
    assert trace_report._differences("d", old, new) == expected


@pytest.mark.parametrize(
    "last, arguments, cause",
    [
        (None, {"x": 1}, "first call"),
        (
            {"x": 1},
            {"x": 1},
            "no argument changed (variables created, or the cache was reset)",
        ),
        ({"x": 1}, {"x": 1, "y": 2}, "y: argument added or omitted"),
        (
            {"x": 1, "y": 2},
            {"x": 3},
            "x: new Python value 1 -> 3; y: argument added or omitted",
        ),
    ],
)
def test_retrace_cause_compares_with_the_last_trace(last, arguments, cause):
    assert trace_report._retrace_cause(last, arguments, 1) == cause


def test_watch_retraces_labels_lines_and_rejects_plain_functions():
    watcher = trace_report.watch_retraces(tf.function(lambda x: x * 2.0), "double")
    watcher(tf.ones([2]))
    watcher(tf.ones([2]))  # cached: no trace
    assert watcher.lines() == ["double trace 1 (call 1): first call"]
    with pytest.raises(TypeError, match="expects a tf.function"):
        trace_report.watch_retraces(lambda x: x)
