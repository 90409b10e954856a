"""Checks `docs/seed_claims.md`: every seed claim links code and a test that exist.

The document maps each concrete claim of the seed notes to the kengine code doing
it (`kengine/path.py:function` or `kengine/path.py:Class.method`) and to the test
asserting it (`tests/path.py::test_name`). This test reads the table with plain
text parsing and the sources with `ast` (nothing is imported), and fails when a
row has no test, or a linked file, function, class, method or test is missing.
"""

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "seed_claims.md"
CODE = re.compile(r"`(kengine/[\w/]+\.py):([\w.]+)`")
TEST = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def _rows() -> list:
    """The table rows, as lists of cell texts (header and rule lines dropped)."""
    rows = []
    for line in DOC.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0].isdigit():
            rows.append(cells)
    return rows


ROWS = _rows()


@cache
def _definitions(path: str) -> set:
    """Dotted names defined in `path`: top-level functions/classes and `Class.method`."""
    tree = ast.parse((ROOT / path).read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    names.add(f"{node.name}.{item.name}")
    return names


def test_the_table_has_the_expected_columns_and_numbering():
    assert len(ROWS) >= 40
    assert all(len(row) == 6 for row in ROWS), [row[0] for row in ROWS if len(row) != 6]
    assert [int(row[0]) for row in ROWS] == list(range(1, len(ROWS) + 1))


@pytest.mark.parametrize("row", ROWS, ids=[row[0] for row in ROWS])
def test_row_links_existing_code(row):
    links = CODE.findall(row[3])
    assert links, f"claim {row[0]} names no kengine code"
    for path, name in links:
        assert (ROOT / path).is_file(), f"claim {row[0]}: no file {path}"
        assert name in _definitions(path), f"claim {row[0]}: {path} defines no {name}"


@pytest.mark.parametrize("row", ROWS, ids=[row[0] for row in ROWS])
def test_row_links_existing_tests(row):
    links = TEST.findall(row[4])
    assert links, f"claim {row[0]} has no test"
    for path, name in links:
        assert (ROOT / path).is_file(), f"claim {row[0]}: no file {path}"
        assert name in _definitions(path), f"claim {row[0]}: {path} has no {name}"


def test_deliberate_differences_are_explained():
    # The one-trace row must say why kengine differs from Keras 2's two traces.
    traced = [row for row in ROWS if "traces it twice" in row[2]]
    assert len(traced) == 1 and "prepare_for_trace" in traced[0][5]


def test_the_parser_rejects_a_missing_function_and_a_row_without_test():
    assert "Trainer.make_train_function" in _definitions("kengine/engine/trainer.py")
    assert "Trainer.no_such_method" not in _definitions("kengine/engine/trainer.py")
    assert TEST.findall("| no test here |") == []
