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
    offenders = [p for p in _python_files("renewal_radar") if "streamlit" in _imports(p) and p.name != "ui.py"]
    assert offenders == []


def test_every_setting_is_documented():
    for setting in settings.SETTINGS:
        assert setting.help.strip().endswith((".", ")")), setting.name


def test_every_query_file_states_its_grain_or_purpose():
    for path in (ROOT / "queries").rglob("*.sql"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("-- "), path
