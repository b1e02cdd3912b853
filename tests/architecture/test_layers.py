"""The library's shape, from its sources: imports go one way (docs/architecture.md's table), no circle, small
modules and thin pages."""

import ast
import re
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_MODULE_LINES = 450
MAX_VIEW_LINES = 100


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


MODULES = {_module_name(path): path for path in (ROOT / "playground").rglob("*.py")}


def _runtime_nodes(tree: ast.AST):
    """Every node, except those under `if TYPE_CHECKING:` (imports only a type checker follows)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING":
            yield from (n for child in node.orelse for n in [child, *_runtime_nodes(child)])
            continue
        yield node
        yield from _runtime_nodes(node)


def _imports(module: str) -> set[str]:
    """Our modules that `module` imports, at the top or in a function (a package's __init__ included)."""
    found = set()
    for node in _runtime_nodes(ast.parse(MODULES[module].read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from package import module` depends on that module; `from module import name` on the module
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            if any(name not in MODULES for name in names):
                names.append(node.module)
        for name in names:
            while name and name not in MODULES:  # an attribute of a module: the module
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


def _layer_table() -> list[tuple[int, str]]:
    """(layer, module pattern) rows of docs/architecture.md's "Layers of imports" table."""
    text = (ROOT / "docs" / "architecture.md").read_text().split("## Layers of imports", 1)[1]
    rows = []
    for line in text.splitlines():
        match = re.match(r"\|\s*(\d+)\s*\|(.*)\|", line)
        if match:
            rows += [(int(match.group(1)), pattern) for pattern in re.findall(r"`([^`]+)`", match.group(2))]
    return rows


def layer_of(module: str, table=None) -> int | None:
    """The layer of a module: the most specific pattern of the table that matches it."""
    table = table or _layer_table()
    matches = [(pattern.count(".") + (pattern[-1] != "*"), layer) for layer, pattern in table
               if fnmatch(module, pattern) or module == pattern.removesuffix(".*")]  # fmt: skip
    return max(matches)[1] if matches else None


def test_every_module_has_a_layer():
    table = _layer_table()
    assert table, "docs/architecture.md lost its table"
    assert [module for module in sorted(MODULES) if layer_of(module, table) is None] == []


def test_imports_go_down_the_layers_only():
    table = _layer_table()
    against = [
        f"{module} (layer {layer_of(module, table)}) imports {imported} (layer {layer_of(imported, table)})"
        for module in sorted(MODULES)
        for imported in sorted(_imports(module))
        if layer_of(imported, table) > layer_of(module, table)
    ]
    assert against == []


def test_no_import_circle():
    graph = {module: _imports(module) for module in MODULES}
    circles, done, stack = [], set(), []

    def visit(module: str) -> None:
        if module in stack:
            circles.append(" → ".join([*stack[stack.index(module) :], module]))
            return
        if module in done:
            return
        stack.append(module)
        for imported in sorted(graph[module]):
            visit(imported)
        stack.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)
    assert circles == []


def test_library_modules_and_page_scripts_stay_small():
    long_modules = [
        f"{module}: {lines}"
        for module, path in MODULES.items()
        if not module.startswith("playground.text.")
        and (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    ]
    long_views = [
        f"{path.name}: {lines}"
        for path in (ROOT / "views").glob("*.py")
        if (lines := len(path.read_text().splitlines())) > MAX_VIEW_LINES
    ]
    assert long_modules == [] and long_views == []


def test_the_layer_check_would_see_an_import_against_the_order():
    table = [(1, "playground.spec"), (3, "playground.training.*"), (2, "playground.training.runs")]
    assert layer_of("playground.training.runs", table) == 2
    assert layer_of("playground.training.fit", table) == 3
    assert layer_of("playground.training", table) == 3
    assert layer_of("playground.nowhere", table) is None
