"""What every usage roll-up engine reads and writes: the event files, the output's partition layout, the
summary, and publishing a staged output in place (DuckDB here and Spark on a cluster share it)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from renewal_radar import dates
from renewal_radar.dates import FAR_PAST

PAIRS, DAILY, MONTHLY_USERS = "rollup/usage_pairs", "rollup/usage_daily", "rollup/usage_monthly_users"
DAILY_DIR, MONTHLY_DIR = "usage_daily", "usage_monthly_users"
# partition folders are named by a key of their own, so the files keep every column of the data model
DAILY_KEY, MONTHLY_KEY = "day", "month_start"
DAILY_COLUMN, MONTHLY_COLUMN = "date", "month"
EVENT_SUFFIXES = {".parquet": "parquet", ".csv": "csv"}


class RollupError(Exception):
    """A roll-up that cannot run (no input, unreadable files); the message says what to do."""


@dataclass(frozen=True)
class RollupSummary:
    """What one roll-up wrote."""

    engine: str
    files: int
    daily_rows: int
    monthly_rows: int
    first_day: dt.date | None
    last_day: dt.date | None
    since: dt.date | None
    out: str
    seconds: float

    def line(self) -> str:
        """The command's summary line."""
        days = f"{self.first_day} to {self.last_day}" if self.first_day else "no days"
        scope = f"days from {self.since}" if self.since else "all days"
        return (f"rolled up {self.files:,} files ({scope}) with {self.engine} into {self.daily_rows:,} daily rows "
                f"({days}) and {self.monthly_rows:,} monthly user rows under {self.out} in {self.seconds:.1f} s")


def read_window(since: dt.date | None) -> tuple[dt.date, dt.date]:
    """(first event day read, first day written): an incremental run rereads its first month for monthly users."""
    if since is None:
        return FAR_PAST, FAR_PAST
    return dates.month_floor(since), since


def event_files(paths: list[str]) -> dict[str, list[str]]:
    """The usage event files among ``paths``, by format; hidden and bookkeeping files are skipped."""
    found: dict[str, list[str]] = {"parquet": [], "csv": []}
    for path in sorted(paths):
        name = path.rstrip("/").rsplit("/", 1)[-1]
        kind = EVENT_SUFFIXES.get(os.path.splitext(name)[1].lower())
        if kind and not name.startswith((".", "_")):
            found[kind].append(path)
    return found


# ---------------------------------------------------------------- publishing the output


class FileSystem(Protocol):
    """The few folder operations publishing needs (a local disk here, Hadoop's file system under Spark)."""

    def list_dirs(self, folder: str) -> list[str]: ...

    def delete(self, path: str) -> None: ...

    def rename(self, source: str, target: str) -> None: ...

    def make_dirs(self, folder: str) -> None: ...

    def exists(self, path: str) -> bool: ...


class LocalFiles:
    """The local disk."""

    def staging(self, out: str) -> str:
        """A fresh staging folder inside ``out`` (same disk, so moves are renames)."""
        folder = Path(out) / f"_staging-{uuid.uuid4().hex[:12]}"
        folder.mkdir(parents=True)
        return str(folder)

    def list_dirs(self, folder: str) -> list[str]:
        """Names of the sub-folders of ``folder`` (none when it does not exist)."""
        path = Path(folder)
        return sorted(p.name for p in path.iterdir() if p.is_dir()) if path.is_dir() else []

    def delete(self, path: str) -> None:
        """Remove a folder and everything in it."""
        shutil.rmtree(path, ignore_errors=True)

    def rename(self, source: str, target: str) -> None:
        """Move ``source`` to ``target``."""
        os.replace(source, target)

    def make_dirs(self, folder: str) -> None:
        """Create ``folder`` and its parents."""
        Path(folder).mkdir(parents=True, exist_ok=True)

    def exists(self, path: str) -> bool:
        """Whether ``path`` exists."""
        return Path(path).exists()


def _partition_value(name: str, key: str) -> str | None:
    prefix = f"{key}="
    return name[len(prefix):] if name.startswith(prefix) else None


def publish(fs: FileSystem, staging: str, out: str, since: dt.date | None) -> None:
    """Move the staged partitions into ``out``.

    A full run replaces each dataset whole. An incremental run first removes the partitions from ``since``
    on (from its month for monthly users), including days that now have no events, then moves the new ones
    in; partitions before ``since`` are kept.
    """
    for dataset, key, first in ((DAILY_DIR, DAILY_KEY, since),
                                (MONTHLY_DIR, MONTHLY_KEY, dates.month_floor(since) if since else None)):
        target = f"{out}/{dataset}"
        fs.make_dirs(target)
        for name in fs.list_dirs(target):
            value = _partition_value(name, key)
            if value is not None and (first is None or value >= first.isoformat()):
                fs.delete(f"{target}/{name}")
        staged = f"{staging}/{dataset}"
        for name in fs.list_dirs(staged):
            if _partition_value(name, key) is not None:
                fs.rename(f"{staged}/{name}", f"{target}/{name}")
    fs.delete(staging)
