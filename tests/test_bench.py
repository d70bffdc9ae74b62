"""The bench's targets (issue 26): each row judged against its limit, and the table printing them."""

from __future__ import annotations

from bench.run import Row, judged, render, size_name


def test_rows_are_judged_against_their_targets():
    assert judged(Row("import: total", 44.0)) == "≤ 45 cold s: met"
    assert judged(Row("import: total", 50.5)) == "≤ 45 cold s: missed by 5.50 cold s"
    assert judged(Row("page: Expansion", 0.9, warm_s=0.25)) == "≤ 0.3 warm s: met"
    assert judged(Row("page: Expansion in ko JPY", 0.9, warm_s=0.4)) == "≤ 0.3 warm s: missed by 0.10 warm s"
    assert judged(Row("roll-up: usage pairs (one distinct pass)", 3.0, floor_ratio=6.0)) == \
        "≤ 5 × floor: missed by 1.00 × floor"
    assert judged(Row("roll-up: all usage steps", 9.0, floor_ratio=9.5)) == "≤ 10 × floor: met"
    assert judged(Row("rollup-usage --engine duckdb", 30.0, peak_rss_mb=5120.0)) == "≤ 4 GiB peak: missed by 1.00 GiB"
    assert judged(Row("cli: metrics", 0.1, warm_s=0.1)) == ""  # no target: nothing said


def test_the_table_prints_each_target_beside_its_row():
    table = render([Row("import: total", 40.0), Row("demo generation (write exports)", 30.0)], 2000, 2_000_000, 20)
    assert "events per user-day=20" in table
    assert "| import: total | 40.000 |  |  | 0 | ≤ 45 cold s: met |  |" in table
    assert size_name(50_000, 50_000_000, 1.0) == "50000-50000000"
    assert size_name(50_000, 50_000_000, 20.0) == "50000-50000000-k20"


def test_a_command_reports_its_own_peak_memory_not_the_bench_process(tmp_path):
    import datetime as dt

    import polars as pl

    from bench.run import _command_with_peak

    (tmp_path / "events").mkdir()
    pl.DataFrame({"account_id": ["A"], "event_time": [dt.datetime(2026, 1, 1)], "event_type": ["x"],
                  "user_id": ["u"]}).write_parquet(tmp_path / "events" / "e.parquet")
    ballast = bytes(range(256)) * (600 * 4096)  # 600 MiB resident here; the child's peak must not count it
    output, peak = _command_with_peak(["rollup-usage", str(tmp_path / "events"), "--out", str(tmp_path / "out")])
    del ballast
    assert "rolled up 1 files" in output
    assert 20 < peak < 550
