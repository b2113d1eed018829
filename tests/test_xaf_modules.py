"""The XAF reader's modules import each other in one direction and share no private names.

The reader was one unit spread over three files that imported each other (reader <-> vocabulary) and one
another's internals (parallel.py used the reader's private class and helpers). Each module-level import
inside koppel/xaf (in functions too) is read from the source here; an import circle or an imported ``_name`` fails.
"""

from __future__ import annotations

import ast
from pathlib import Path

import koppel.xaf

PACKAGE = Path(koppel.xaf.__file__).parent


def _relative_imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every relative import in ``path``, in functions too; typing-only ones left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
        for inner in ast.walk(node)
    }
    return [
        (node.module.split(".")[0], [a.name for a in node.names])
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module and id(node) not in typing_only
    ]


def _graph() -> dict[str, set[str]]:
    return {p.stem: {m for m, _ in _relative_imports(p)} for p in PACKAGE.glob("*.py")}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path, node, nxt]
            if nxt not in state and (found := visit(nxt, [*path, node])):
                return found
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node, [])):
            return found
    return None


def test_no_import_circle_in_the_xaf_package() -> None:
    assert _cycle(_graph()) is None


def test_no_private_name_is_imported_from_another_xaf_module() -> None:
    private = [
        (p.name, module, name)
        for p in PACKAGE.glob("*.py")
        for module, names in _relative_imports(p)
        for name in names
        if name.startswith("_")
    ]
    assert private == []


def test_the_circle_finder_finds_a_circle() -> None:
    assert _cycle({"reader": {"vocabulary"}, "vocabulary": {"reader"}}) == ["reader", "vocabulary", "reader"]
