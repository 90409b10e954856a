"""Tests for `kengine.tools.trace_report` on a fixed model and data.

The expected text under `tests/tools/expected/` is kengine's own report for
`tests.tools.models:classifier_with_data`, read and checked by hand: one trace
per step function, including the partial last batch and `train_on_batch`.
"""

from pathlib import Path

import pytest

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
