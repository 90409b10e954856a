"""Tests for `kengine.tools.walkthrough` on a fixed two-output model.

The expected text under `tests/tools/expected/` is kengine's own walk of
`tests.tools.models:regularized_two_output`, read and checked by hand (the total
loss is `probs_loss + 0.5 * value_loss + penalty`, and `fit` agrees). Line
numbers are replaced by `LINE` there, since any edit moves them; a separate test
checks that each `path:line name` points at the definition it names.
"""

import re
from pathlib import Path

import pytest

from kengine.engine.trainer import Trainer
from kengine.tools import walkthrough
from tests.tools import models

ROOT = Path(__file__).resolve().parent.parent.parent
EXPECTED = Path(__file__).parent / "expected" / "walkthrough_regularized_two_output.txt"
REFERENCE = re.compile(r"(kengine/[\w/]+\.py):(\d+) ([\w.]+)")


@pytest.fixture(scope="module")
def text():
    return walkthrough.walkthrough(models.regularized_two_output)


def test_walk_matches_expected_text_with_lines_normalised(text):
    assert REFERENCE.sub(r"\1:LINE \3", text) == EXPECTED.read_text()


def test_fit_on_the_same_batch_agrees(text):
    assert text.endswith("same weights True, same logs True\n")


def test_total_loss_is_the_weighted_sum_plus_the_penalty(text):
    values = dict(re.findall(r"^  (\w+) = ([\d.]+)$", text, re.MULTILINE))
    penalty = float(re.search(r"add_loss penalties \[([\d.]+)\]", text).group(1))
    total = float(values["probs_loss"]) + 0.5 * float(values["value_loss"]) + penalty
    assert float(values["loss"]) == pytest.approx(total, abs=2e-4)


def test_every_reference_points_at_the_function_it_names(text):
    references = REFERENCE.findall(text)
    assert len(references) >= 10
    for path, line, name in references:
        source = (ROOT / path).read_text().splitlines()[int(line) - 1 :]
        first_def = next(row for row in source if not row.lstrip().startswith("@"))
        assert re.match(rf"\s*def {name.split('.')[-1]}\(", first_def), (
            path,
            line,
            name,
        )


def test_where_names_a_method_by_qualified_name():
    assert re.fullmatch(
        r"kengine/engine/trainer\.py:\d+ Trainer\.train_step",
        walkthrough.where(Trainer.train_step),
    )
