"""The import graph of bot/ and index/, read from their source: no module may import itself
through others (an import circle), whether the import is at module level or inside a function.

Imports under `if TYPE_CHECKING:` are left out: they never run, and naming a type is how a
module may refer to one that imports it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "index")

Graph = dict[str, set[str]]


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name -> source file, for every module under the packages."""
    modules: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_names(module: str, path: Path) -> set[str]:
    """Every dotted name the module imports (`from a import b` gives `a.b`, a module or an
    attribute of `a`), wherever the import statement is, except under `if TYPE_CHECKING:`."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for other in child.orelse:
                    visit_statement(other)
                continue
            visit_statement(child)

    def visit_statement(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                source = ".".join([*base, *([node.module] if node.module else [])])
            else:
                source = node.module or ""
            names.update(f"{source}.{alias.name}" for alias in node.names)
        visit(node)

    visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return names


def import_graph(root: Path = ROOT) -> Graph:
    """Module -> the modules of bot/ and index/ it imports."""
    files = module_files(root)
    graph: Graph = {}
    for module, path in files.items():
        edges: set[str] = set()
        for name in imported_names(module, path):
            # `from index import text` names a module; `from index.text import counted` names
            # a module and an attribute of it: the longest prefix that is a module is the edge.
            while name and name not in files:
                name = name.rpartition(".")[0]
            if name and name != module:
                edges.add(name)
        graph[module] = edges
    return graph


def circles(graph: Graph) -> list[list[str]]:
    """Each group of modules that import one another (strongly connected, Tarjan), as one
    circle through them, starting at its first module by name."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def connect(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph[module]):
            if target not in order:
                connect(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], order[target])
        if low[module] == order[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(group)

    for module in sorted(graph):
        if module not in order:
            connect(module)
    return [_circle_through(group, graph) for group in groups]


def _circle_through(group: set[str], graph: Graph) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for target in sorted(graph[module] & group):
                if target == start:
                    return [*paths[module], start]
                if target not in paths:
                    paths[target] = [*paths[module], target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"no circle through {sorted(group)}")  # a strongly connected group has one


def test_no_import_circles() -> None:
    found = circles(import_graph())
    assert not found, "import circles:\n" + "\n".join(" -> ".join(circle) for circle in found)


def test_graph_reads_every_kind_of_import(tmp_path: Path) -> None:
    package = tmp_path / "bot"
    package.mkdir()
    (tmp_path / "index").mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from bot.b import thing\n")
    (package / "b.py").write_text("def late():\n    from . import c\n")
    (package / "c.py").write_text("import bot.a\n")
    (package / "d.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.a import x\nfrom bot import b\n"
    )
    graph = import_graph(tmp_path)
    assert graph["bot.a"] == {"bot.b"}
    assert graph["bot.b"] == {"bot.c"}
    assert graph["bot.d"] == {"bot.b"}
    assert circles(graph) == [["bot.a", "bot.b", "bot.c", "bot.a"]]


# The layers of `index`, lowest first: a module may import its own layer and the ones below it
# (each package's docstring says the same). The modules directly in `index` are the foundation,
# except the service, which sits on answering; the training modules of `index.models` sit beside
# the service, as they train and score what it serves.
TRAINING = ("index.models.pairs", "index.models.train", "index.models.workflow")
LAYERS = (
    "foundation",
    "index.models",
    "index.ingest",
    "index.pacts",
    "index.storage",
    "index.answering",
    "service",
    "index.web",
)


def layer_of(module: str) -> str:
    if module == "index.service" or module in TRAINING:
        return "service"
    package = ".".join(module.split(".")[:2])
    return package if package in LAYERS else "foundation"


def layering_breaches(graph: Graph) -> list[str]:
    breaches = []
    for module, targets in sorted(graph.items()):
        if not module.startswith("index"):
            continue
        for target in sorted(targets):
            if target.startswith("bot"):
                breaches.append(f"{module} imports {target}: index does not know the bot")
            elif target.startswith("index") and LAYERS.index(layer_of(target)) > LAYERS.index(layer_of(module)):
                breaches.append(f"{module} ({layer_of(module)}) imports {target} ({layer_of(target)})")
    return breaches


def test_index_packages_import_only_the_layers_below_them() -> None:
    breaches = layering_breaches(import_graph())
    assert not breaches, "\n".join(breaches)


def test_index_never_imports_discord() -> None:
    found = [
        f"{module} imports {name}"
        for module, path in module_files().items()
        if module.startswith("index")
        for name in sorted(imported_names(module, path))
        if name.split(".")[0] == "discord"
    ]
    assert not found, "\n".join(found)


def test_layering_names_the_breach() -> None:
    graph: Graph = {
        "index.text": set(),
        "index.ingest.articles": {"index.text", "index.answering.answer"},
        "index.answering.answer": {"index.ingest.articles", "index.service"},
        "index.service": {"index.answering.answer", "bot.cli"},
    }
    assert layering_breaches(graph) == [
        "index.answering.answer (index.answering) imports index.service (service)",
        "index.ingest.articles (index.ingest) imports index.answering.answer (index.answering)",
        "index.service imports bot.cli: index does not know the bot",
    ]
