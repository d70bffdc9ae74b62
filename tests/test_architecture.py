"""The rules of direction of shared/spec/architecture.md, enforced."""

import ast
from pathlib import Path

from renewal_radar import settings
from tests.conftest import ROOT


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def _python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_pages_and_app_never_import_duckdb():
    for path in [*_python_files("pages"), ROOT / "app.py"]:
        assert "duckdb" not in _imports(path), path


def test_only_db_module_imports_duckdb():
    offenders = [p for p in _python_files("renewal_radar") if "duckdb" in _imports(p) and p.name != "db.py"]
    assert offenders == []


def test_domain_modules_never_import_streamlit():
    offenders = [p for p in _python_files("renewal_radar") if "streamlit" in _imports(p) and p.parent.name != "ui"]
    assert offenders == []


def test_every_setting_is_documented():
    for setting in settings.SETTINGS:
        assert setting.help.strip().endswith((".", ")")), setting.name


def test_every_query_file_states_its_grain_or_purpose():
    for path in (ROOT / "queries").rglob("*.sql"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("-- "), path


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_imports(path: Path, known: set[str]) -> set[str]:
    """The package's modules ``path`` imports, at the top or inside a function (a local import still closes a
    circle: it only hides it from the interpreter at import time)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{alias.name}" for alias in node.names} & known
            # ``from package import module`` imports the module; ``from module import name`` the module
            found |= submodules or {node.module}
    return {name for name in found if name in known}


def import_graph() -> dict[str, set[str]]:
    """Module → the package modules it imports (a package's ``__init__`` stands for the package)."""
    paths = {_module_name(p): p for p in _python_files("renewal_radar")}
    known = set(paths)
    return {name: _package_imports(path, known) - {name} for name, path in paths.items()}


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_circle_finder_sees_a_local_import_circle():
    assert import_circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert import_circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_in_the_package():
    assert import_circles(import_graph()) == []


def test_no_test_imports_another_test_file():
    """Shared builders live in conftest.py: a test file imported by another runs its tests twice and ties them."""
    offenders = {path.name: sorted(name for name in _dotted_imports(path) if name.startswith("tests.test_"))
                 for path in sorted((ROOT / "tests").glob("test_*.py"))}
    assert {name: found for name, found in offenders.items() if found} == {}


def _dotted_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names} | {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}


def test_no_module_over_400_lines_outside_the_demo():
    long = {str(path.relative_to(ROOT)): lines for path in [*_python_files("renewal_radar"), *_python_files("pages")]
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 400 and path.name != "demo.py"}
    assert long == {}
