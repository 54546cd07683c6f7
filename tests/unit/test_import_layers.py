"""The layers of the code (docs/architecture.md): no package has an import cycle,
imports between packages run one way, and later features reach earlier ones only
through their services module. Imports inside functions count too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "models",
    "ortsverein",
    "discussions",
    "polls",
    "meetings",
    "elections",
    "motions",
)
# package -> the packages it may import (besides itself)
ALLOWED = {
    "models": set(),
    "ortsverein": {"models"},
    "discussions": {"models", "ortsverein"},
    "polls": {"models", "ortsverein"},
    "meetings": {"models", "ortsverein", "discussions", "polls"},
    "elections": {"models", "ortsverein", "discussions", "polls", "meetings"},
    "motions": {"models", "ortsverein", "discussions", "polls", "meetings"},
}
# A later feature uses an earlier one through these modules only.
INTERFACES = {
    "discussions": "discussions.services",
    "polls": "polls.services",
    "meetings": "meetings.services",
}


def import_graph(root: Path, packages) -> dict[str, set[str]]:
    """module -> the project modules it imports (anywhere in its body)."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        here = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = here
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                if node.level:
                    stem = f"{base}.{node.module}" if node.module else base
                else:
                    stem = node.module or ""
                # `from pkg import mod` imports pkg.mod; `from mod import name`, mod
                targets = [f"{stem}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                found = resolve(target)
                # `from . import bp` in a blueprint's module is not a cycle: the
                # package's __init__ defines bp before it imports its modules.
                if found and found != module and not module.startswith(found + "."):
                    graph[module].add(found)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def crossings(graph: dict[str, set[str]]) -> list[str]:
    """Imports between packages that the layers rule out."""
    wrong = []
    for module, targets in sorted(graph.items()):
        package = module.partition(".")[0]
        for target in sorted(targets):
            other = target.partition(".")[0]
            if other == package:
                continue
            if other not in ALLOWED[package]:
                wrong.append(f"{module} -> {target}")
            elif other in INTERFACES and not target == INTERFACES[other]:
                wrong.append(f"{module} -> {target} (use {INTERFACES[other]})")
    return wrong


@pytest.fixture(scope="module")
def graph():
    return import_graph(ROOT, PACKAGES)


def test_no_package_has_an_import_cycle(graph):
    assert cycles(graph) == []


def test_imports_between_packages_run_one_way_through_services(graph):
    assert crossings(graph) == []


def test_discussions_and_polls_never_import_each_other(graph):
    pairs = [
        (m, t)
        for m, targets in graph.items()
        for t in targets
        if {m.partition(".")[0], t.partition(".")[0]} == {"discussions", "polls"}
    ]
    assert pairs == []


def test_the_checks_find_a_cycle_inside_a_function_and_a_crossing(tmp_path):
    """The checks above can fail: a small tree with a function-level cycle and a
    meeting module that reaches into polls' internals."""
    (tmp_path / "polls").mkdir()
    (tmp_path / "meetings").mkdir()
    (tmp_path / "polls" / "__init__.py").write_text("")
    (tmp_path / "polls" / "a.py").write_text("from . import b\n")
    (tmp_path / "polls" / "b.py").write_text("def f():\n    from .a import x\n")
    (tmp_path / "polls" / "services.py").write_text("")
    (tmp_path / "meetings" / "__init__.py").write_text("")
    (tmp_path / "meetings" / "v.py").write_text(
        "from polls import services\nfrom polls.a import x\n"
    )
    small = import_graph(tmp_path, ("polls", "meetings"))
    assert cycles(small) == [["polls.a", "polls.b"]]
    assert crossings(small) == ["meetings.v -> polls.a (use polls.services)"]
