"""Profile the scoring stage on a copy of a database: where its time goes, phase by phase and function by function.

``python -m bench.profile_scoring --db data/bench/bench-50000-50000000.duckdb [--top 25] [--keep-until D]``
copies the file, runs ``scoring.run`` on the copy with the days one after another in this thread (so cProfile
sees inside them) and prints the phases the stage reports through its progress callback and the functions with
the most cumulative time. ``--keep-until`` scores as a daily refresh does.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import pstats
import shutil
import tempfile
import time
from pathlib import Path

from renewal_radar import db, scoring


class InlinePool:
    """A stand-in for the scoring stage's thread pool that maps in the calling thread."""

    def __init__(self, max_workers: int) -> None:
        self.max_workers = max_workers

    def __enter__(self) -> InlinePool:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def map(self, function, items):
        """Each item in turn, here."""
        return map(function, items)


def phases_of(path: Path, keep_until: dt.date | None = None) -> tuple[list[tuple[str, float]], pstats.Stats]:
    """Run the scoring stage on ``path`` (a copy; it is rewritten): the seconds of each reported phase, and the
    profile."""
    marks: list[tuple[str, float]] = []

    def progress(fraction: float, text: str) -> None:
        marks.append((text, time.perf_counter()))

    # the days in this thread, one after another, so cProfile sees inside them (the stage runs two at a time)
    scoring.concurrent.futures.ThreadPoolExecutor = InlinePool
    con = db.connect(path, read_only=False)
    profile = cProfile.Profile()
    started = time.perf_counter()
    try:
        profile.runcall(scoring.run, con, progress, keep_until)
    finally:
        con.close()
    ends = [at for _, at in marks[1:]] + [time.perf_counter()]
    phases: dict[str, float] = {}
    for (text, at), end in zip(marks, ends, strict=True):
        name = "scoring the days" if text.startswith("scoring 2") else text
        phases[name] = phases.get(name, 0.0) + end - at
    phases["total"] = time.perf_counter() - started
    return list(phases.items()), pstats.Stats(profile)


def main() -> None:
    """Command line: copy, profile, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--keep-until", type=dt.date.fromisoformat, default=None,
                        help="score as a daily refresh does: keep the stored days up to this day")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.db.parent) as folder:
        copy = Path(folder) / "scoring.duckdb"
        shutil.copyfile(args.db, copy)
        phases, stats = phases_of(copy, args.keep_until)
    for name, seconds in phases:
        print(f"{seconds:8.2f} s  {name}")
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
