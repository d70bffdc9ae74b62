"""Imports from the browser: saving uploads, validating with per-file choices, loading, history and rollback."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import shutil
import tempfile
import zipfile
from pathlib import Path

from renewal_radar import db, settings, snapshots
from renewal_radar.i18n import t
from renewal_radar.ingest import ImportResult, ValidationReport, import_folder, mappings, validate_folder
from renewal_radar.ingest.exports import describe_file
from renewal_radar.ingest.readers import SUPPORTED_SUFFIXES
from renewal_radar.ingest.schema import TABLES

UPLOAD_ROOT = settings.REPO_ROOT / "data" / "imports"
MAX_UPLOAD_BYTES = 500 * 1024 * 1024


class UploadError(ValueError):
    """An upload this page refuses (type or size), with a readable reason."""


def save_uploads(files: list[tuple[str, bytes]], root: Path | None = None) -> Path:
    """Write uploaded files into a fresh folder named after their content; returns the folder."""
    root = root or UPLOAD_ROOT
    total = sum(len(content) for _, content in files)
    if total > MAX_UPLOAD_BYTES:
        raise UploadError(f"the files hold {total / 1e6:,.0f} MB; the limit is {MAX_UPLOAD_BYTES / 1e6:,.0f} MB")
    for name, _ in files:
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            raise UploadError(f"{name}: only CSV, TSV, TXT, XLSX and Parquet files can be imported")
    digest = hashlib.sha256(b"".join(name.encode() + content for name, content in sorted(files))).hexdigest()[:12]
    folder = root / f"{dt.datetime.now():%Y%m%d-%H%M%S}-{digest}"
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files:
        (folder / Path(name).name).write_bytes(content)
    return folder


def describe_folder(folder: Path, file_presets: dict[str, str]) -> list[dict]:
    """Table, preset and unmapped headers of each file, with remembered mappings filled in."""
    remembered = mappings.load()
    described = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        info = describe_file(path, file_presets.get(path.name))
        info["remembered"] = {h: c for h, c in remembered.get(info["table"] or "", {}).items()
                              if h in info.get("unmatched", [])}
        described.append(info)
    return described


def validate(folder: Path, file_presets: dict[str, str], column_maps: dict[str, dict[str, str]]) -> ValidationReport:
    """Validate the uploaded folder with the page's choices; nothing is written."""
    return validate_folder(folder, None, None, file_presets=file_presets, column_maps=column_maps)


def load(folder: Path, file_presets: dict[str, str], column_maps: dict[str, dict[str, str]],
         as_of: dt.date | None, progress) -> ImportResult:
    """Import into the live database (atomic swap) and remember the column mappings used."""
    result = import_folder(folder, settings.db_path(), None, as_of, None, progress, file_presets, column_maps)
    if result.loaded:
        for loaded in result.report.files:
            chosen = column_maps.get(loaded.file)
            if chosen:
                mappings.remember(loaded.table, chosen)
    return result


def rollback() -> None:
    """Swap the database of the previous import back in."""
    snapshots.rollback(settings.db_path())


def can_roll_back() -> bool:
    """True when a previous database is kept."""
    return db.previous_path(settings.db_path()).exists()


def discard(folder: Path) -> None:
    """Remove an uploaded folder."""
    shutil.rmtree(folder, ignore_errors=True)


def tables_read() -> list[dict]:
    """Each table the import reads (subscriptions, the one required, first): its file name, what one row is (in
    the reader's language), its required and its other columns."""
    return [{"file": f"{table.name}.csv", "grain": t(table.grain),
             "required": ", ".join(c.name for c in table.columns if c.required),
             "optional": ", ".join(c.name for c in table.columns if not c.required)}
            for table in sorted(TABLES.values(), key=lambda table: table.name != "subscriptions")]


def templates_zip(accounts: int = 25) -> bytes:
    """A ZIP of example export files, one per table, as the demo writes them (a small seeded company): the
    columns and formats the import reads, to copy."""
    from renewal_radar.demo import write_exports

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        write_exports(folder, accounts=accounts, seed=1, events=accounts * 40)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(folder))
        return buffer.getvalue()


def guide_text() -> str:
    """The guide to the export files (data/README.md), as Markdown."""
    return (settings.REPO_ROOT / "data" / "README.md").read_text(encoding="utf-8")
