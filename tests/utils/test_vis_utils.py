"""Tests for `kengine.utils.vis_utils`: exact DOT text, every argument, and the files.

The expected DOT is kengine's own output for the fixed models of
`tests/tools/models.py`, checked by hand against the models' wiring.
"""

import shutil
import subprocess

import pytest

import kengine
from kengine import layers
from kengine.utils import model_to_dot, plot_model
from tests.tools import models

HEAD = (
    'digraph G {\n  rankdir="TB"; concentrate=true; dpi=96;\n  node [shape=record];\n'
)
HAS_DOT = shutil.which("dot") is not None

SHARED_ALL = HEAD + (
    '  "a" [label="T|{a|InputLayer|float32}|{input:|output:}|{{(None, 3)}|{(None, 3)}}"];\n'
    '  "b" [label="T|{b|InputLayer|float32}|{input:|output:}|{{(None, 3)}|{(None, 3)}}"];\n'
    '  "shared" [label="T|{shared|Dense|float32}|{input:|output:}|{{(None, 3)}|{(None, 2)}}"];\n'
    '  "merge" [label="T|{merge|Concatenate|float32}|{input:|output:}|'
    '{{[(None, 2), (None, 2)]}|{(None, 4)}}"];\n'
    '  "head" [label="T|{head|Dense|float32}|{input:|output:}|{{(None, 4)}|{(None, 1)}}"];\n'
    '  "a" -> "shared";\n  "b" -> "shared";\n  "shared" -> "merge";\n  "merge" -> "head";\n}\n'
)

NESTED_EXPANDED = HEAD + (
    '  "outer_in" [label="outer_in|InputLayer"];\n'
    '  subgraph "cluster_inner/" {\n'
    '    label="inner"; style="dashed";\n'
    '    "inner/inner_in" [label="inner_in|InputLayer"];\n'
    '    "inner/inner_dense" [label="inner_dense|{Dense|linear}"];\n'
    '    "inner/inner_in" -> "inner/inner_dense";\n'
    "  }\n"
    '  "outer_head" [label="outer_head|{Dense|linear}"];\n'
    '  "outer_in" -> "inner/inner_in";\n'
    '  "inner/inner_dense" -> "outer_head";\n}\n'
)

NESTED_FOLDED = HEAD + (
    '  "outer_in" [label="outer_in|InputLayer"];\n'
    '  "inner" [label="inner|Functional"];\n'
    '  "outer_head" [label="outer_head|Dense"];\n'
    '  "outer_in" -> "inner";\n  "inner" -> "outer_head";\n}\n'
)

SEQUENTIAL_RANGE = (
    'digraph G {\n  rankdir="LR"; concentrate=true; dpi=72;\n  node [shape=record];\n'
    '  "hidden" [label="Dense"];\n  "logits" [label="Dense"];\n  "hidden" -> "logits";\n}\n'
)


def test_shapes_dtype_and_trainable_of_a_shared_layer_model():
    text = model_to_dot(
        models.shared_layer(), show_shapes=True, show_dtype=True, show_trainable=True
    )
    assert text == SHARED_ALL


@pytest.mark.parametrize(
    "expand, expected", [(True, NESTED_EXPANDED), (False, NESTED_FOLDED)]
)
def test_nested_model_is_a_cluster_only_when_expanded(expand, expected):
    text = model_to_dot(
        models.nested(), expand_nested=expand, show_layer_activations=expand
    )
    assert text == expected


def test_layer_range_rankdir_dpi_and_no_names_on_sequential():
    text = model_to_dot(
        models.sequential(),
        layer_range=["hid", "logits"],
        rankdir="LR",
        dpi=72,
        show_layer_names=False,
    )
    assert text == SEQUENTIAL_RANGE


def test_subgraph_returns_a_cluster_block():
    text = model_to_dot(models.sequential(), subgraph=True, show_layer_names=False)
    assert text.startswith('subgraph "cluster_seq" {\n  label="seq";\n')
    assert '"seq_in" -> "hidden";' in text


def test_trainable_false_is_marked_nt():
    model = models.sequential()
    model.get_layer("hidden").trainable = False
    text = model_to_dot(model, show_trainable=True, show_layer_names=False)
    assert '"hidden" [label="NT|Dense"];' in text
    assert '"logits" [label="T|Dense"];' in text


@pytest.mark.parametrize(
    "layer_range, match",
    [(["hidden"], "two layer-name patterns"), (["nope", "logits"], "matches no layer")],
)
def test_bad_layer_range_is_rejected(layer_range, match):
    with pytest.raises(ValueError, match=match):
        model_to_dot(models.sequential(), layer_range=layer_range)


def test_unbuilt_model_is_rejected():
    model = kengine.Sequential([layers.Dense(2)], name="unbuilt")
    with pytest.raises(ValueError, match="'unbuilt' is not built"):
        model_to_dot(model)


def test_plot_model_writes_dot_text(tmp_path):
    path = tmp_path / "graph.dot"
    assert plot_model(models.nested(), to_file=str(path)) is None
    assert path.read_text() == NESTED_FOLDED


@pytest.mark.skipif(HAS_DOT, reason="tests the error when Graphviz is missing")
def test_plot_model_png_without_graphviz_names_program_and_dot_file(tmp_path):
    path = tmp_path / "model.png"
    with pytest.raises(ImportError, match="`dot` is not on PATH") as info:
        plot_model(models.nested(), to_file=str(path))
    assert str(tmp_path / "model.dot") in str(info.value)
    assert (tmp_path / "model.dot").read_text() == NESTED_FOLDED
    assert not path.exists()


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz `dot` not installed")
def test_plot_model_png_with_graphviz(tmp_path):
    path = tmp_path / "model.png"
    plot_model(models.two_output_gru(), to_file=str(path), show_shapes=True)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz `dot` not installed")
@pytest.mark.parametrize("expand", [False, True])
def test_dot_text_parses_with_graphviz(expand):
    text = model_to_dot(models.nested(), expand_nested=expand, show_shapes=True)
    result = subprocess.run(
        ["dot", "-Tplain"], input=text, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
