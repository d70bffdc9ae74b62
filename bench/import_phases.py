"""One import, as the nightly job runs it (a process of its own), with the seconds of each of its phases.

``python -m bench.import_phases DIR --db PATH --as-of YYYY-MM-DD`` imports (or, when the database can be
refreshed, refreshes) like ``python -m renewal_radar import`` and prints one JSON object: whether it
refreshed, the total seconds and the seconds between each progress step the import reports and the next, so
the bench can say where a refresh spends its time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

from renewal_radar.ingest import import_folder


def phase_name(text: str) -> str:
    """Group the import's progress lines into phases (each scored day is one line; they are one phase)."""
    if text.startswith("scoring 2"):
        return "scoring the days"
    if text.startswith("reading "):
        return "reading the files"
    return text


def timed_import(folder: Path, path: Path, as_of: dt.date) -> dict:
    """Import ``folder`` into ``path``; whether it refreshed, its seconds and each phase's."""
    marks: list[tuple[str, float]] = []
    started = time.perf_counter()
    result = import_folder(folder, path, as_of=as_of,
                           progress=lambda fraction, text: marks.append((text, time.perf_counter())))
    finished = time.perf_counter()
    if not result.loaded:
        raise SystemExit(result.report.text())
    phases: dict[str, float] = {"validating (before the first step)": (marks[0][1] if marks else finished) - started}
    for (text, at), (_, end) in zip(marks, [*marks[1:], ("", finished)], strict=True):
        phases[phase_name(text)] = phases.get(phase_name(text), 0.0) + end - at
    return {"refreshed": result.refreshed, "seconds": finished - started, "phases": phases}


def main() -> None:
    """Command line: import and print the phases as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, required=True)
    args = parser.parse_args()
    print(json.dumps(timed_import(args.dir, args.db, args.as_of)))


if __name__ == "__main__":
    main()
