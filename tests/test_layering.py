"""The import structure of kengine: layers that point one way, no cycles.

kengine is read by people who study Keras, so the structure between files must be
as plain as the code inside them. Every module belongs to one layer of the house
(`LAYERS` below, the table in CONTRIBUTING.md); a module imports only from its own
layer or a lower one, the module-level import graph has no cycle, and an import
inside a function is the rare exception that carries a comment saying why.

The checker reads source with `ast` and never imports kengine. Importing
`kengine.a.b` first runs the package `kengine/a/__init__.py`, so an import also
counts as an edge to every enclosing package the importer is not itself part of:
a package face that re-exports from a higher layer is a cycle waiting to happen.
The root `kengine/__init__.py` is the public face and runs before anything else,
so it is not counted.
"""

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kengine"

# (layer, pattern over dotted module names); the first match wins, so specific
# modules come before the package they sit in.
LAYERS: list[tuple[int, str]] = [
    # 6: the public faces and entry points.
    (6, r"kengine$|kengine\.(models|demo|run|tools|keras_alias|preprocessing)(\..*)?$"),
    # 0: foundations: K.*, the serialization registry, leaf utils, symbolic values.
    (0, r"kengine\.backend(\..*)?$"),
    (0, r"kengine\.utils(\..*)?$"),
    (0, r"kengine\.engine$|kengine\.engine\.(keras_tensor|input_spec)$"),
    # 1: value objects a layer or a training loop is configured with.
    (1, r"kengine\.(activations|initializers|regularizers|constraints)$"),
    (1, r"kengine\.(losses|optimizers|mixed_precision)(\..*)?$"),
    # 2: the Layer core.
    (2, r"kengine\.engine\.(node|base_layer|base_layer_utils|layer_\w+)$"),
    (2, r"kengine\.engine\.(input_layer|symbolic)$"),
    # 3: metrics (a Metric is a Layer with state, as in Keras 2).
    (3, r"kengine\.metrics(\..*)?$"),
    # 4: the layer library.
    (4, r"kengine\.layers(\..*)?$"),
    # 5: models and training, callbacks, file formats, data sets, test helpers.
    (5, r"kengine\.engine\..*$"),
    (5, r"kengine\.(callbacks|saving|datasets|testing|applications)(\..*)?$"),
]

MAX_FUNCTION_IMPORTS = 10


def layer_of(module: str) -> int | None:
    """The layer `module` belongs to, or None when no rule places it."""
    for layer, pattern in LAYERS:
        if re.match(pattern, module):
            return layer
    return None


@dataclass(frozen=True)
class Import:
    importer: str
    target: str
    line: int
    in_function: bool
    has_reason: bool


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _targets(importer: str, node: ast.AST, modules: dict) -> list[str]:
    """The kengine modules an import statement loads, by dotted name."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] == "kengine"]
    if node.level:
        base = importer.split(".")
        if modules[importer].name != "__init__.py":
            base = base[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    if source.split(".")[0] != "kengine":
        return []
    found = []
    for alias in node.names:
        candidate = f"{source}.{alias.name}"
        found.append(candidate if candidate in modules else source)
    return found


def _has_reason(lines: list[str], lineno: int) -> bool:
    """A comment on the import's line or on the line just above it."""
    here = lines[lineno - 1]
    above = lines[lineno - 2].strip() if lineno >= 2 else ""
    return "#" in here or above.startswith("#")


def read_imports(package: Path = PACKAGE) -> tuple[dict, list[Import]]:
    """Every kengine-internal import in the package, with where it sits."""
    modules = {_module_name(p, package.parent): p for p in package.rglob("*.py")}
    imports = []
    for name, path in sorted(modules.items()):
        source = path.read_text()
        lines = source.splitlines()
        tree = ast.parse(source)
        nested = {
            id(node)
            for fn in ast.walk(tree)
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
            for node in ast.walk(fn)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in _targets(name, node, modules):
                if target != name:
                    inner = id(node) in nested
                    reason = inner and _has_reason(lines, node.lineno)
                    imports.append(Import(name, target, node.lineno, inner, reason))
    return modules, imports


def graph_of(imports: list[Import]) -> dict[str, set[str]]:
    """The module-level import graph, enclosing packages included (not the root)."""
    graph: dict[str, set[str]] = {}
    for imp in imports:
        if imp.in_function:
            continue
        edges = graph.setdefault(imp.importer, set())
        edges.add(imp.target)
        parts = imp.target.split(".")
        for i in range(2, len(parts)):
            package = ".".join(parts[:i])
            if not f"{imp.importer}.".startswith(f"{package}."):
                edges.add(package)
    return graph


def upward(imports: list[Import], layer=layer_of) -> list[str]:
    """Imports from a lower layer into a higher one, as readable lines."""
    found = []
    for imp in imports:
        low, high = layer(imp.importer), layer(imp.target)
        if low is not None and high is not None and high > low:
            found.append(
                f"{imp.importer}:{imp.line} (layer {low}) imports {imp.target} "
                f"(layer {high})"
            )
    return found


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path of module names, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start)
            if cycle:
                return cycle
    return None


MODULES, IMPORTS = read_imports()


def test_every_module_has_a_layer():
    assert [m for m in MODULES if layer_of(m) is None] == []


def test_no_module_imports_from_a_higher_layer():
    assert upward(IMPORTS) == []


def test_module_level_imports_have_no_cycle():
    assert find_cycle(graph_of(IMPORTS)) is None


def test_imports_inside_functions_are_few_and_say_why():
    inner = [i for i in IMPORTS if i.in_function]
    statements = {(i.importer, i.line) for i in inner}
    assert len(statements) <= MAX_FUNCTION_IMPORTS, sorted(statements)
    assert [f"{i.importer}:{i.line}" for i in inner if not i.has_reason] == []


# The checker itself, on synthetic graphs: each planted defect is found.


def _imp(importer, target, line=1, in_function=False, has_reason=False):
    return Import(importer, target, line, in_function, has_reason)


def test_checker_finds_a_planted_upward_import():
    planted = [
        _imp("kengine.layers.core", "kengine.engine.base_layer"),
        _imp("kengine.engine.base_layer", "kengine.engine.training", line=7),
    ]
    assert upward(planted) == [
        "kengine.engine.base_layer:7 (layer 2) imports kengine.engine.training "
        "(layer 5)"
    ]


def test_checker_finds_upward_imports_inside_functions_too():
    planted = [_imp("kengine.backend.common", "kengine.activations", 3, True, True)]
    assert len(upward(planted)) == 1


def test_checker_finds_a_planted_cycle():
    planted = [
        _imp("kengine.a", "kengine.b"),
        _imp("kengine.b", "kengine.c"),
        _imp("kengine.c", "kengine.a"),
    ]
    assert find_cycle(graph_of(planted)) == [
        "kengine.a",
        "kengine.b",
        "kengine.c",
        "kengine.a",
    ]


def test_checker_counts_the_package_a_module_sits_in():
    # Importing kengine.utils.conv_utils runs kengine/utils/__init__.py; if that
    # face imports the engine, which imports conv_utils, the cycle is real.
    planted = [
        _imp("kengine.engine.data_adapter", "kengine.utils.conv_utils"),
        _imp("kengine.utils", "kengine.engine.data_adapter"),
    ]
    assert find_cycle(graph_of(planted)) is not None


def test_checker_ignores_a_cycle_through_function_imports():
    planted = [
        _imp("kengine.a", "kengine.b"),
        _imp("kengine.b", "kengine.a", in_function=True, has_reason=True),
    ]
    assert find_cycle(graph_of(planted)) is None


@pytest.mark.parametrize(
    "source, expected",
    [
        ("def f():\n    from kengine import backend\n", False),
        (
            "def f():\n    # Functional is a Model\n    from kengine import backend\n",
            True,
        ),
        ("def f():\n    from kengine import backend  # defers h5py\n", True),
    ],
)
def test_checker_reads_reason_comments(tmp_path, source, expected):
    package = tmp_path / "kengine"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "backend.py").write_text("")
    (package / "mod.py").write_text(source)
    _, imports = read_imports(package)
    assert [i.has_reason for i in imports] == [expected]


def test_layer_table_places_the_families():
    assert layer_of("kengine.backend.common") == 0
    assert layer_of("kengine.engine.keras_tensor") == 0
    assert layer_of("kengine.losses.loss") == 1
    assert layer_of("kengine.engine.base_layer") == 2
    assert layer_of("kengine.metrics.base_metric") == 3
    assert layer_of("kengine.layers.core") == 4
    assert layer_of("kengine.engine.training") == 5
    assert layer_of("kengine.saving.hdf5_format") == 5
    assert layer_of("kengine") == 6
