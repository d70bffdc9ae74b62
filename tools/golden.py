"""The golden outputs: every command's JSON/CSV and every page's data on the demo and the hand-made company.

A refactor must leave them equal (issue 24). ``python -m tools.golden write DEMO_DB HAND_DB`` records them in
``tests/golden/``; ``tests/test_golden.py`` captures them again and compares, floats to a relative 1e-9 (a
sum's order may move its last bits). Page data is captured through the readers the pages call, so a reader
that moves keeps its key here and must keep its values.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gzip
import io
import json
import math
import sys
from pathlib import Path

import polars as pl

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "tests" / "golden"
# values that record when something ran, not what it computed
VOLATILE_KEYS = frozenset({"imported_at", "made_at", "saved_at", "at", "elapsed_seconds", "seconds", "took_seconds",
                           "source", "path", "db", "database"})


def plain(value):
    """A value as JSON-able data: frames as lists of rows, dataclasses as dicts, dates as ISO text."""
    if isinstance(value, pl.DataFrame):
        return [plain(row) for row in value.to_dicts()]
    if isinstance(value, pl.Series):
        return [plain(v) for v in value.to_list()]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # its fields and the figures it derives (a figure moved from a field to a property keeps its name)
        derived = [name for name, member in vars(type(value)).items()
                   if isinstance(member, (property, functools.cached_property)) and not name.startswith("_")]
        return plain({name: getattr(value, name) for name in [f.name for f in dataclasses.fields(value)] + derived})
    if isinstance(value, dict):
        return {str(k): (None if str(k) in VOLATILE_KEYS else plain(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple, frozenset, set)):
        items = [plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if hasattr(value, "to_dict"):  # plotly figures
        return None
    return value


def cli(db: Path, *args: str):
    """One command's output, parsed (JSON as data, CSV as rows), run in this process."""
    from renewal_radar.__main__ import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*args, "--db", str(db)])
    text = out.getvalue()
    if "--json" in args or "json" in args:  # digest takes --format json
        parsed = json.loads(text) if text.strip() else None
    elif "--csv" in args:
        parsed = pl.read_csv(io.StringIO(text), infer_schema=False).to_dicts() if text.strip() else []
    else:
        parsed = text
    return {"exit": code, "output": plain(parsed)}


def _quarter_of(as_of: str) -> str:
    from renewal_radar import quarters

    return quarters.quarter_of(dt.date.fromisoformat(as_of)).label


def cli_outputs(db: Path, as_of: str) -> dict:
    """Every reporting command with its machine-readable output, on one database."""
    commands = {
        "overview": ("overview", "--json"),
        "metrics": ("metrics", "--start", "2024-02-01", "--end", as_of, "--json"),
        "movements": ("movements", "--csv"),
        "cohorts-month": ("cohorts", "--csv"), "cohorts-quarter": ("cohorts", "--grain", "quarter", "--csv"),
        "survival": ("survival", "--csv"), "survival-segment": ("survival", "--by", "segment", "--csv"),
        "renewals": ("renewals", "--csv"), "renewals-quarter": ("renewals", "--grain", "quarter", "--csv"),
        "forecast": ("forecast", "--as-of", as_of, "--json"),
        "forecast-30": ("forecast", "--as-of", as_of, "--horizon-days", "30", "--json"),
        "backtest": ("backtest", "--as-of", as_of, "--json"),
        "snapshots": ("snapshots", "--json"),
        "risk": ("risk", "--as-of", as_of, "--csv"),
        "drivers": ("drivers", "--json"),
        "project-retention": ("project-retention", "--json"),
        "project-retention-segment": ("project-retention", "--by", "segment", "--json"),
        "reasons": ("reasons", "--csv"), "reasons-quarter": ("reasons", "--grain", "quarter", "--csv"),
        "digest": ("digest", "--format", "json", "--dry-run"),
        "uplift": ("uplift", "--csv"), "uplift-month-csm": ("uplift", "--grain", "month", "--by", "csm_owner", "--csv"),
        "committed": ("committed", "--json"),
        "forecast-quarter": ("forecast", "--quarter", _quarter_of(as_of), "--json"),
        "path-to-plan": ("path-to-plan", "--quarter", _quarter_of(as_of), "--json"),
    }
    return {name: cli(db, *args) for name, args in commands.items()}


def page_outputs(db: Path) -> dict:
    """What every page reads, through the readers it calls, for the data's as-of day and no filter."""
    from tools import golden_pages

    return golden_pages.capture(db)


def capture(demo: Path, hand: Path) -> dict:
    """Every golden output of both companies."""
    from renewal_radar import db as db_mod
    from renewal_radar import metrics

    found = {}
    for company, path in (("demo", demo), ("hand", hand)):
        con = db_mod.connect(path, read_only=True)
        as_of = metrics.data_as_of(con).isoformat()
        con.close()
        found[company] = {"cli": cli_outputs(path, as_of), "pages": page_outputs(path)}
    return json.loads(json.dumps(found, default=str))


def differences(expected, actual, where: str = "") -> list[str]:
    """Where two captures differ (floats to a relative 1e-9); empty when equal."""
    if isinstance(expected, float) and isinstance(actual, (int, float)) and not isinstance(actual, bool):
        close = math.isclose(expected, actual, rel_tol=1e-9, abs_tol=1e-9)
        return [] if close else [f"{where}: {expected} != {actual}"]
    if isinstance(expected, str) and isinstance(actual, str):
        return [] if _same_text(expected, actual) else [f"{where}: {expected!r} != {actual!r}"]
    if type(expected) is not type(actual):
        return [f"{where}: {expected!r} != {actual!r}"]
    if isinstance(expected, dict):
        # every recorded key must be there, with its value; a key added since (a result that now holds its
        # inputs as well as its figures) is not a change of what was shown
        missing = [key for key in expected if key not in actual]
        if missing:
            return [f"{where}: keys {missing} are gone"]
        return [d for key in expected for d in differences(expected[key], actual[key], f"{where}.{key}")]
    if isinstance(expected, list):
        if len(expected) != len(actual):
            return [f"{where}: {len(expected)} items != {len(actual)}"]
        return [d for i, (e, a) in enumerate(zip(expected, actual, strict=True))
                for d in differences(e, a, f"{where}[{i}]")]
    return [] if expected == actual else [f"{where}: {expected!r} != {actual!r}"]


def _same_text(expected: str, actual: str) -> bool:
    """Equal, or equal as numbers (a CSV's float written with its last bits moved)."""
    if expected == actual:
        return True
    try:
        return math.isclose(float(expected), float(actual), rel_tol=1e-9, abs_tol=1e-9)
    except ValueError:
        return False


def read() -> dict:
    """The recorded golden outputs."""
    with gzip.open(GOLDEN_DIR / "outputs.json.gz", "rt", encoding="utf-8") as handle:
        return json.load(handle)


def write(found: dict) -> Path:
    """Record the golden outputs (gzip: the demo's rows are a few megabytes of JSON)."""
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    path = GOLDEN_DIR / "outputs.json.gz"
    with gzip.GzipFile(path, "wb", mtime=0) as handle:
        handle.write(json.dumps(found, indent=1, sort_keys=False, ensure_ascii=False).encode("utf-8"))
    return path


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "write":
        sys.exit("usage: python -m tools.golden write DEMO_DB HAND_DB")
    print(write(capture(Path(sys.argv[2]), Path(sys.argv[3]))))
