"""Tests for `kengine.tools.graph_dump` against committed, reviewed expected text.

The expected files under `tests/tools/expected/` are kengine's own output for the
fixed models in `tests/tools/models.py`, read and checked by hand (the shared
layer has two inbound nodes, the nested model is one layer with its own graph).
Regenerate with `python -m kengine.tools.graph_dump tests.tools.models:NAME [--dot]`.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from kengine.tools import graph_dump
from tests.tools import models

EXPECTED = Path(__file__).parent / "expected"
MODELS = ["shared_layer", "nested", "sequential"]


@pytest.mark.parametrize("name", MODELS)
def test_dump_matches_expected_text(name):
    model = getattr(models, name)()
    expected = (EXPECTED / f"graph_dump_{name}.txt").read_text()
    assert graph_dump.dump(model) == expected


@pytest.mark.parametrize("name", MODELS)
def test_to_dot_matches_expected_text(name):
    model = getattr(models, name)()
    expected = (EXPECTED / f"graph_dump_{name}.dot").read_text()
    assert graph_dump.to_dot(model) == expected


def test_shared_layer_lists_both_nodes_and_their_histories():
    model = models.shared_layer()
    shared = model.get_layer("shared")
    assert len(shared._inbound_nodes) == 2
    text = graph_dump.dump(model)
    assert "KerasHistory('shared', node_index=1, tensor_index=0)" in text
    assert "outbound nodes: merge[0], merge[0]" in text


@pytest.mark.parametrize("dot", [False, True])
def test_main_prints_dump_or_dot(capsys, dot):
    argv = ["tests.tools.models:sequential"] + (["--dot"] if dot else [])
    assert graph_dump.main(argv) == 0
    suffix = "dot" if dot else "txt"
    assert (
        capsys.readouterr().out
        == (EXPECTED / f"graph_dump_sequential.{suffix}").read_text()
    )


def test_load_model_function_rejects_spec_without_colon():
    with pytest.raises(ValueError, match="module:function"):
        graph_dump.load_model_function("tests.tools.models")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` not installed")
@pytest.mark.parametrize("name", MODELS)
def test_dot_output_parses_with_graphviz(name):
    text = (EXPECTED / f"graph_dump_{name}.dot").read_text()
    result = subprocess.run(
        ["dot", "-Tplain"], input=text, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("graph ")
