"""Shared fixtures: real DuckDB files built through the real import path."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from renewal_radar import db  # noqa: E402
from renewal_radar.demo import build_demo  # noqa: E402
from renewal_radar.ingest import import_folder  # noqa: E402

# The hand-checked company of the metric tests (see test_metrics.py for the worked answers).
#  A: 100 from Jan 1, 150 from Jul 1 (expansion, open-ended)
#  B: 200 from Jan 15 (mid-month start) to Apr 1 (churn)
#  C: 50 in February, back with 60 in May (reactivation), gone Jun 1
#  D: a line that starts and ends on Mar 10 (never active)
#  E: a zero-MRR line (never active)
#  F: EUR 100 at 1.2 from Jan 1, EUR 80 at 1.25 from Jun 1 (contraction 120 -> 100)
#  G: 40 from Jun 1 to Dec 1 (renewal still open on the as-of day)
HAND_SUBSCRIPTIONS = """account_id,start_date,end_date,mrr,product,currency,bill_period_months,notice_days
A,2024-01-01,2024-07-01,100,Core,USD,6,30
A,2024-07-01,,150,Core,USD,12,30
B,2024-01-15,2024-04-01,200,Core,USD,1,
C,2024-02-01,2024-03-01,50,Core,USD,1,
C,2024-05-01,2024-06-01,60,Core,USD,1,
D,2024-03-10,2024-03-10,80,Core,USD,1,
E,2024-01-01,,0,Core,USD,1,
F,2024-01-01,2024-06-01,100,Core,EUR,12,60
F,2024-06-01,,80,Core,EUR,12,60
G,2024-06-01,2024-12-01,40,Core,USD,6,
"""
HAND_ACCOUNTS = """account_id,name,segment,region,csm_owner,Acquisition Channel
A,Acme,SMB,EMEA,Ann,web
B,Beta,Enterprise,EMEA,Bob,partner
C,Ceres,SMB,APAC,Ann,web
D,Delta,SMB,APAC,Ann,web
E,Echo,SMB,APAC,Ann,web
F,Foxtrot,Enterprise,EMEA,Bob,partner
G,Golf,SMB,EMEA,Ann,web
"""
HAND_FX = """currency,month,rate
EUR,2024-01-01,1.2
EUR,2024-06-01,1.25
"""
HAND_AS_OF = dt.date(2024, 12, 15)


def write_files(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write export files (text as UTF-8, bytes as given) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def import_files(tmp_path: Path, files: dict[str, str | bytes], as_of: dt.date | None = None,
                 name: str = "test.duckdb"):
    """Import export files into a real DuckDB file; returns (db path, import result)."""
    folder = write_files(tmp_path / f"exports-{len(list(tmp_path.iterdir()))}", files)
    path = tmp_path / name
    result = import_folder(folder, path, as_of=as_of, today=dt.date(2026, 11, 24))
    return path, result


@pytest.fixture(scope="session")
def hand_db(tmp_path_factory) -> Path:
    """The hand-checked company as a real DuckDB file."""
    tmp = tmp_path_factory.mktemp("hand")
    path, result = import_files(tmp, {"subscriptions.csv": HAND_SUBSCRIPTIONS, "accounts.csv": HAND_ACCOUNTS,
                                      "fx_rates.csv": HAND_FX}, as_of=HAND_AS_OF)
    assert result.loaded, result.report.text()
    return path


@pytest.fixture()
def hand_con(hand_db):
    con = db.connect(hand_db)
    yield con
    con.close()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """A small seeded demo company (400 accounts) loaded through the import path."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(path, accounts=400, seed=7, events=200_000)
    return path


@pytest.fixture()
def demo_con(demo_db):
    con = db.connect(demo_db)
    yield con
    con.close()


@pytest.fixture()
def cli_env(demo_db):
    """Environment for running the real command line against the demo database."""
    return {**os.environ, "RENEWAL_RADAR_DB": str(demo_db), "PYTHONPATH": str(ROOT)}


def table_differences(first: Path, second: Path, table: str, round_doubles: int | None = None) -> int:
    """Rows of ``table`` in one database file and not the other (EXCEPT ALL both ways); doubles rounded to
    ``round_doubles`` decimals when given. The files are bound; the comparison uses the relation API."""
    import duckdb

    con = duckdb.connect()
    con.execute("attach ? as a (read_only)", [str(first)])
    con.execute("attach ? as b (read_only)", [str(second)])
    left, right = con.table(f"a.{table}"), con.table(f"b.{table}")

    def comparable(name: str, kind) -> duckdb.Expression:
        column = duckdb.ColumnExpression(name)
        if str(kind) == "DOUBLE" and round_doubles is not None:
            return duckdb.FunctionExpression("round", column, duckdb.ConstantExpression(round_doubles)).alias(name)
        return column

    columns = [comparable(name, kind) for name, kind in zip(left.columns, left.types, strict=True)]
    left, right = left.select(*columns), right.select(*columns)
    return len(left.except_(right).fetchall()) + len(right.except_(left).fetchall())


STRIPE_FIXTURE = Path(__file__).parent / "fixtures" / "stripe_dashboard"
STRIPE_COMMENT = '=HYPERLINK("http://x.example","<b>cheaper elsewhere</b>")'


@pytest.fixture(scope="session")
def stripe_reasons_db(tmp_path_factory) -> Path:
    """The Stripe Dashboard fixture with the cancellation details the API exports: cus_C cancelled with feedback
    too_expensive and a comment holding markup and a formula (issue 23)."""
    import polars as pl

    folder = tmp_path_factory.mktemp("stripe_reasons")
    (folder / "fx_rates.csv").write_bytes((STRIPE_FIXTURE / "fx_rates.csv").read_bytes())
    rows = pl.read_csv(STRIPE_FIXTURE / "subscriptions.csv", infer_schema=False)
    rows.with_columns(pl.col("id").replace_strict({"sub_C1": "too_expensive"}, default=None)
                      .alias("Cancellation Feedback"),
                      pl.col("id").replace_strict({"sub_C1": STRIPE_COMMENT}, default=None)
                      .alias("Cancellation Comment")).write_csv(folder / "subscriptions.csv")
    path = folder / "stripe.duckdb"
    result = import_folder(folder, path, as_of=dt.date(2026, 12, 1), today=dt.date(2026, 12, 1))
    assert result.loaded, result.report.text()
    return path
