"""Metric cohorts: deciles, Wilson intervals, spreads, point in time, the command (issue 23)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from renewal_radar import db, drivers
from renewal_radar.demo import write_exports
from renewal_radar.ingest import import_folder
from renewal_radar.readers import why
from tests.conftest import ROOT


@pytest.mark.parametrize("count", [1, 5, 9, 10, 11, 23, 100, 257])
def test_ntile_assigns_groups_as_sql_does(count):
    expected = duckdb.connect().execute("select ntile(10) over (order by i) as g from range(?) t(i) order by i",
                                        [count]).fetchall()
    assert drivers.ntile(count).tolist() == [g for (g,) in expected]


def test_wilson_interval_by_hand():
    # 2 of 10: p = 0.2, z = 1.96: centre (0.2 + 0.19208) / 1.38416, half 1.96·√(0.016 + 0.009604) / 1.38416
    low, high = drivers.wilson(2, 10)
    assert (low, high) == (pytest.approx(0.0567, abs=1e-4), pytest.approx(0.5098, abs=1e-4))
    assert drivers.wilson(0, 20)[0] == 0.0 and drivers.wilson(20, 20)[1] == pytest.approx(1.0)


def _observations(values: list[float], churned: list[bool], accounts: list[str] | None = None) -> pl.DataFrame:
    accounts = accounts or [f"A{i:02d}" for i in range(len(values))]
    return pl.DataFrame({"as_of": [dt.date(2026, 1, 1)] * len(values), "account_id": accounts,
                         "mrr": values, "churned_90d": churned})


def test_deciles_of_twenty_hand_rows():
    # MRR 1..20; the four smallest accounts churned: the first two groups churn, the rest do not
    groups = drivers.decile_groups(_observations([float(v) for v in range(1, 21)], [v <= 4 for v in range(1, 21)]),
                                   "mrr")
    assert groups["n"].to_list() == [2] * 10
    assert groups["churned"].to_list() == [2, 2] + [0] * 8
    assert groups["churn_rate"].to_list() == [1.0, 1.0] + [0.0] * 8
    assert groups.select("low", "high").row(0) == (1.0, 2.0) and groups.select("low", "high").row(9) == (19.0, 20.0)
    assert groups["lower"][0] == pytest.approx(drivers.wilson(2, 2)[0])
    cohorts = drivers.metric_cohorts(_observations([float(v) for v in range(1, 21)], [v <= 4 for v in range(1, 21)]))
    assert cohorts["metric"].unique().to_list() == ["mrr"] and cohorts["spread"][0] == 1.0


def test_ties_are_broken_by_account_id():
    # all the same value: the groups follow account ids; A00 and A01 (churned) land in group 1
    groups = drivers.decile_groups(_observations([5.0] * 20, [i < 2 for i in range(20)]), "mrr")
    assert groups["churned"].to_list() == [2] + [0] * 9
    # a metric with one value cannot split churn and is left out of the cohorts
    assert drivers.metric_cohorts(_observations([5.0] * 20, [i < 2 for i in range(20)])).is_empty()


def test_nulls_are_left_out_and_metrics_rank_by_spread():
    frame = _observations([float(v) for v in range(20)], [v >= 16 for v in range(20)]).with_columns(
        pl.Series("latest_nps", [float(v % 3) for v in range(15)] + [None] * 5))  # no NPS from the churned
    cohorts = drivers.metric_cohorts(frame)
    assert cohorts.filter(pl.col("metric") == "latest_nps")["n"].sum() == 15
    ranks = cohorts.select("metric", "rank").unique().sort("rank")["metric"].to_list()
    assert ranks == ["mrr", "latest_nps"]  # churn is all in the top two MRR groups: the largest spread
    assert cohorts.filter(pl.col("metric") == "latest_nps")["spread"][0] == 0.0


def _cut(source: Path, target: Path, day: dt.date) -> None:
    """The export files as they would have been exported on ``day``: nothing dated on or after it."""
    target.mkdir()
    moment = dt.datetime.combine(day, dt.time())
    pl.read_csv(source / "subscriptions.csv", try_parse_dates=True).filter(pl.col("start_date") < day) \
        .write_csv(target / "subscriptions.csv")
    pl.read_parquet(source / "usage_events.parquet").filter(pl.col("event_time") < moment) \
        .write_parquet(target / "usage_events.parquet")
    tickets = pl.read_csv(source / "tickets.csv", try_parse_dates=True).filter(pl.col("created_at") < moment)
    tickets.with_columns(pl.when(pl.col("solved_at") < moment).then(pl.col("solved_at")).alias("solved_at")) \
        .write_csv(target / "tickets.csv")
    pl.read_csv(source / "surveys.csv", try_parse_dates=True).filter(pl.col("responded_at") < moment) \
        .write_csv(target / "surveys.csv")
    pl.read_csv(source / "activities.csv", try_parse_dates=True).filter(pl.col("occurred_at") < moment) \
        .write_csv(target / "activities.csv")
    for name in ("accounts.csv", "fx_rates.csv"):
        (target / name).write_bytes((source / name).read_bytes())


def test_the_metric_cohorts_of_a_day_use_nothing_known_after_it(tmp_path):
    day = dt.date(2026, 5, 1)
    full_files, cut_files = tmp_path / "full", tmp_path / "cut"
    write_exports(full_files, accounts=150, seed=5, events=60_000)
    (full_files / "renewal_opportunities.csv").unlink()  # an opportunity export holds today's stages
    _cut(full_files, cut_files, day)
    full, cut = tmp_path / "full.duckdb", tmp_path / "cut.duckdb"
    assert import_folder(full_files, full, as_of=dt.date(2026, 11, 1), today=dt.date(2026, 11, 1)).loaded
    assert import_folder(cut_files, cut, as_of=day, today=day).loaded
    with db.connect(full, read_only=True) as full_con, db.connect(cut, read_only=True) as cut_con:
        live = drivers.drivers_on(full_con, day)          # computed from the full data, as of the day
        stored = drivers.drivers_on(cut_con)              # stored by the import of the data cut at the day
    assert live.height > 0
    assert live.sort("metric", "group").equals(stored.sort("metric", "group"))


def test_drivers_json_and_the_demo_finds_the_behaviours_that_drive_churn(demo_db):
    done = subprocess.run([sys.executable, "-m", "renewal_radar", "drivers", "--json", "--db", str(demo_db)],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    metrics = json.loads(done.stdout)
    assert [m["spread"] for m in metrics] == sorted((m["spread"] for m in metrics), reverse=True)
    for metric in metrics:
        assert set(metric) == {"metric", "spread", "groups"} and len(metric["groups"]) == 10
        for group in metric["groups"]:
            assert set(group) == {"group", "low", "high", "n", "churned", "churn_rate", "lower", "upper"}
            assert group["lower"] <= group["churn_rate"] <= group["upper"]
    # the demo's churn is driven by engagement (seat use, usage), NPS and escalations: they lead the list
    leaders = {m["metric"] for m in metrics[:6]}
    assert leaders & {"users_per_seat", "latest_nps", "latest_csat", "usage_trend", "active_users_last_month"}
    assert any(m["metric"].startswith(drivers.FEATURE_PREFIX) for m in metrics)  # usage per feature
    with db.connect(demo_db, read_only=True) as con:
        account = con.execute("select account_id from account_scores where as_of = '2026-11-01' limit 1").fetchall()
        position = why.account_drivers(con, account[0][0], dt.date(2026, 11, 1))
    assert position.height == 5 and position["group"].is_between(1, 10).all()
