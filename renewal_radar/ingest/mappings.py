"""Column mappings chosen on the import page, remembered for the next import of the same table."""

from __future__ import annotations

import json
from pathlib import Path

from renewal_radar.settings import REPO_ROOT

MAPPINGS_PATH = REPO_ROOT / "data" / "column_mappings.json"


def load(path: Path | None = None) -> dict[str, dict[str, str]]:
    """Remembered mappings: table -> {vendor header: our column}."""
    path = path or MAPPINGS_PATH
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def remember(table: str, mapping: dict[str, str], path: Path | None = None) -> None:
    """Add (or replace) mappings of one table's headers."""
    path = path or MAPPINGS_PATH
    saved = load(path)
    saved.setdefault(table, {}).update(mapping)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(saved, indent=2, ensure_ascii=False, sort_keys=True), encoding="utf-8")


def read_file(path: Path) -> dict[str, dict[str, str]]:
    """A mapping file given with ``--mapping``: the same JSON the Import page remembers, table -> {header: column}."""
    try:
        found = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not a readable JSON mapping ({exc})") from None
    if not isinstance(found, dict) or not all(isinstance(v, dict) for v in found.values()):
        raise ValueError(f'{path}: expected {{"table": {{"their header": "our column"}}}}')
    return found


def column_maps_for(folder: Path, tables: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Per file name of ``folder``, the headers to map for the table the file stands for."""
    from renewal_radar.ingest.header_matching import table_for_file

    maps = {}
    for path in Path(folder).iterdir():
        table = table_for_file(path.stem)
        if table in tables:
            maps[path.name] = tables[table]
    return maps
