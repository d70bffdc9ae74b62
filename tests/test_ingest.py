"""Import: encodings, xlsx and parquet, vendor presets, validation messages, atomic storage."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from renewal_radar import db
from renewal_radar.ingest import import_folder, validate_folder
from tests.conftest import ROOT, import_files, write_files

FIXTURES = Path(__file__).parent / "fixtures"
SUBS = "account_id,start_date,end_date,mrr\nK1,2024-01-01,2025-01-01,100\nK2,2024-02-01,,50\n"
NAMES = {"cp949": ["삼성전자", "한빛소프트"], "cp932": ["株式会社さくら", "東京データ工業"],
         "big5": ["台灣精密科技", "新竹資訊"], "utf-8": ["Ünïcode GmbH", "삼성전자"],
         "utf-8-sig": ["Ünïcode GmbH", "株式会社さくら"], "utf-16": ["Ünïcode GmbH", "台灣精密科技"]}


def _accounts_csv(names: list[str], sep: str = ",") -> str:
    lines = [sep.join(["account_id", "name", "segment"])]
    lines += [sep.join([f"K{i + 1}", name, "SMB"]) for i, name in enumerate(names)]
    return "\r\n".join(lines) + "\r\n"


def _names_in(path: Path) -> list[str]:
    con = db.connect(path)
    try:
        return db.query(con, "select name from accounts_dim order by account_id")["name"].to_list()
    finally:
        con.close()


@pytest.mark.parametrize("encoding", list(NAMES))
def test_csv_encodings_are_detected(tmp_path, encoding):
    names = NAMES[encoding]
    # Excel's "Unicode text" is UTF-16 with a BOM and tabs between fields
    text = _accounts_csv(names, "\t" if encoding == "utf-16" else ",")
    path, result = import_files(tmp_path, {"accounts.csv": text.encode(encoding), "subscriptions.csv": SUBS})
    assert result.loaded, result.report.text()
    assert _names_in(path) == names


def test_xlsx_and_parquet_files_load(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    pl.DataFrame({"Account ID": ["K1", "K2"], "Name": ["Acme", "株式会社さくら"], "Segment": ["SMB", "Enterprise"]}) \
        .write_excel(folder / "accounts.xlsx")
    pl.DataFrame({"account_id": ["K1", "K2"], "start_date": [dt.date(2024, 1, 1), dt.date(2024, 2, 1)],
                  "end_date": [dt.date(2025, 1, 1), None], "mrr": [100.0, 50.0]}) \
        .write_parquet(folder / "subscriptions.parquet")
    result = import_folder(folder, tmp_path / "x.duckdb", today=dt.date(2026, 1, 1))
    assert result.loaded, result.report.text()
    assert _names_in(tmp_path / "x.duckdb") == ["Acme", "株式会社さくら"]
    assert result.as_of == dt.date(2024, 2, 1)  # latest start date not after today


def _table(path: Path, sql_text: str) -> pl.DataFrame:
    con = db.connect(path)
    try:
        return db.query(con, sql_text)
    finally:
        con.close()


def _import_fixture(tmp_path: Path, name: str, preset: str | None):
    path = tmp_path / f"{name}.duckdb"
    result = import_folder(FIXTURES / name, path, preset=preset, today=dt.date(2026, 1, 1))
    assert result.loaded, result.report.text()
    return path, result


@pytest.mark.parametrize("preset", ["salesforce", None])
def test_salesforce_api_names(tmp_path, preset):
    path, result = _import_fixture(tmp_path, "salesforce", preset)
    assert {f.file: f.preset for f in result.report.files}["Account.csv"] == "salesforce"
    opp = _table(path, "select * from stg_renewal_opportunities order by opportunity_id").row(0, named=True)
    assert opp["forecast_category"] == "Best Case"  # ForecastCategoryName wins over the API value
    assert opp["amount_arr"] == 120000.0 and opp["close_date"] == dt.date(2025, 1, 1)
    assert opp["probability"] == 60 and opp["is_closed"] is False
    account = _table(path, "select * from accounts_dim where name = 'Globex'").row(0, named=True)
    assert account["segment"] == "SMB" and account["parent_account_id"] == "0015g00000AbCdEAAV"
    assert account["created_date"] == dt.date(2023, 3, 2)


def test_salesforce_report_labels(tmp_path):
    path, _ = _import_fixture(tmp_path, "salesforce_labels", "salesforce")
    opp = _table(path, "select * from stg_renewal_opportunities").row(0, named=True)
    assert opp["amount_arr"] == 120000.0  # "$120,000.00"
    assert opp["close_date"] == dt.date(2025, 1, 1)  # 1/1/2025
    assert opp["probability"] == 60.0  # "60%"
    assert opp["owner"] == "Alex Turner" and opp["is_won"] is False


def test_hubspot_companies_and_deals(tmp_path):
    path, _ = _import_fixture(tmp_path, "hubspot", "hubspot")
    deals = _table(path, "select * from stg_renewal_opportunities order by opportunity_id")
    assert deals["opportunity_type"].to_list() == ["Renewal", "New Business"]
    assert deals["forecast_category"].to_list() == ["Best Case", "Closed"]
    assert deals["probability"].to_list() == [60.0, 100.0]
    assert deals["account_id"][0] == "5012345678"
    lines = _table(path, "select mrr from subscription_lines order by account_id")
    assert lines["mrr"].to_list() == [2000.0, 1000.0]  # arr / 12
    assert _names_in(path) == ["Initech", "Umbrella Health"]


def test_zendesk_tickets(tmp_path):
    path, _ = _import_fixture(tmp_path, "zendesk", "zendesk")
    tickets = _table(path, "select * from stg_tickets order by ticket_id")
    assert tickets["account_id"].to_list() == ["ORG-1", "ORG-2"]
    assert tickets["is_escalated"].to_list() == [True, False]  # from the "escalated" tag
    assert tickets["satisfaction"].to_list() == ["good", None]
    assert tickets["created_at"][0] == dt.datetime(2024, 5, 2, 10, 12)
    assert tickets["solved_at"][1] is None


def test_stripe_subscription_export(tmp_path):
    path, _ = _import_fixture(tmp_path, "stripe", "stripe")
    lines = _table(path, "select * from stg_subscriptions order by account_id, start_date")
    monthly = lines.filter(pl.col("account_id") == "cus_OeXyz1")
    annual = lines.filter(pl.col("account_id") == "cus_OeXyz2")
    # one line per billing period up to the current period's end (Jan 5 → Dec 5: eleven months)
    assert monthly.height == 11 and set(monthly["mrr"].to_list()) == {245.0}  # 5 × 49 a month
    assert monthly["start_date"][0] == dt.date(2024, 1, 5) and monthly["end_date"][-1] == dt.date(2024, 12, 5)
    # canceled: its one paid year ends when it ended, not at the period end it would have had
    assert annual["mrr"].to_list() == [100.0]  # 1,200 a year / 12
    assert (annual["start_date"][0], annual["end_date"][0]) == (dt.date(2023, 3, 1), dt.date(2024, 3, 1))
    assert lines["bill_period_months"].unique().sort().to_list() == [1, 12]
    assert annual["currency"][0] == "EUR" and monthly["currency"][0] == "USD"
    assert monthly["subscription_id"][0] == "sub_1NqXyz2eZvKYlo2C"


# ---------------------------------------------------------------- bad input


BAD_CASES = {
    "missing required file": ({"accounts.csv": "account_id\nK1\n"}, "subscriptions.csv", None, None, None),
    "missing column": ({"subscriptions.csv": "account_id,start_date\nK1,2024-01-01\n"},
                       "subscriptions.csv", 1, "mrr", None),
    "bad date": ({"subscriptions.csv": SUBS + "K3,2024-13-45,,10\n"}, "subscriptions.csv", 4, "start_date",
                 "2024-13-45"),
    "bad number": ({"subscriptions.csv": SUBS + "K3,2024-01-01,,ten\n"}, "subscriptions.csv", 4, "mrr", "ten"),
    "negative mrr": ({"subscriptions.csv": SUBS + "K3,2024-01-01,,-5\n"}, "subscriptions.csv", 4, "mrr", "-5.0"),
    "end before start": ({"subscriptions.csv": SUBS + "K3,2024-05-01,2024-04-01,5\n"}, "subscriptions.csv", 4,
                         "end_date", "2024-04-01"),
    "duplicate key": ({"subscriptions.csv": SUBS, "accounts.csv": "account_id,name\nK1,A\nK2,B\nK1,C\n"},
                      "accounts.csv", 4, "account_id", "K1"),
    "empty required": ({"subscriptions.csv": SUBS + ",2024-01-01,,5\n"}, "subscriptions.csv", 4, "account_id", None),
    "undecodable": ({"subscriptions.csv": b"account_id,start_date,end_date,mrr\n" + bytes(range(256)) * 2},
                    "subscriptions.csv", None, None, None),
}


@pytest.fixture()
def live_db(tmp_path):
    path, result = import_files(tmp_path, {"subscriptions.csv": SUBS}, name="live.duckdb")
    assert result.loaded
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_input_is_refused_with_file_row_column_value(tmp_path, live_db, case):
    files, file, row, column, value = BAD_CASES[case]
    before = _digest(live_db)
    folder = write_files(tmp_path / "bad", files)
    result = import_folder(folder, live_db, today=dt.date(2026, 1, 1))
    assert not result.loaded
    error = result.report.errors[0]
    assert (error.file, error.row, error.column, error.value) == (file, row, column, value)
    assert "\n" not in str(error) and "Fix:" in str(error)
    assert _digest(live_db) == before  # nothing already loaded is lost


def test_warnings_are_imported_and_listed(tmp_path):
    subscriptions = ("account_id,start_date,end_date,mrr,product\n"
                     "K1,2024-01-01,2025-01-01,100,Core\n"
                     "K1,2024-06-01,2025-06-01,100,Core\n"       # overlaps the line above
                     "K2,2024-01-01,2025-01-01,50,Core\n"
                     "K2,2025-01-01,2026-01-01,600,Core\n"       # 12 x the previous line: looks like ARR
                     ",,,,\n"                                     # blank row
                     "K3,2024-01-01,,10,Core\n")                  # K3 is not in accounts
    tickets = "ticket_id,account_id,created_at\nT1,K1,2027-03-01 10:00\n"  # in the future
    path, result = import_files(tmp_path, {"subscriptions.csv": subscriptions, "tickets.csv": tickets,
                                           "accounts.csv": "account_id,name\nK1,A\nK2,B\n"})
    assert result.loaded
    found = {(m.file, m.row, m.column): m.problem for m in result.report.warnings}
    assert "overlaps" in found[("subscriptions.csv", 3, "start_date")]
    assert "looks like ARR" in found[("subscriptions.csv", 5, "mrr")]
    assert "blank row" in found[("subscriptions.csv", 6, None)]
    assert "points to no account" in found[("subscriptions.csv", 7, "account_id")]
    assert "after today" in found[("tickets.csv", 2, "created_at")]
    stored = _table(path, "select * from import_messages")
    assert stored.height == len(result.report.warnings)


def test_unknown_files_are_skipped_with_a_warning(tmp_path):
    report = validate_folder(write_files(tmp_path / "x", {"subscriptions.csv": SUBS, "notes.csv": "a\n1\n"}))
    assert report.ok
    assert any(m.file == "notes.csv" and "matches no table" in m.problem for m in report.warnings)


# ---------------------------------------------------------------- storage


def test_reimport_keeps_previous_database_for_rollback(tmp_path, live_db):
    first = _digest(live_db)
    folder = write_files(tmp_path / "second", {"subscriptions.csv": SUBS + "K3,2024-03-01,,70\n"})
    assert import_folder(folder, live_db, today=dt.date(2026, 1, 1)).loaded
    assert _digest(db.previous_path(live_db)) == first
    history = _table(live_db, "select * from import_history")
    assert history.height == 2  # the history travels from database to database
    db.rollback(live_db)
    assert _digest(live_db) == first


KILL_SCRIPT = """
import os, signal, sys
sys.path.insert(0, {root!r})
from renewal_radar import db
with db.building({path!r}) as con:
    con.execute("create table half_done as select 1 as x")
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_import_loses_nothing(tmp_path, live_db):
    before = _digest(live_db)
    script = KILL_SCRIPT.format(root=str(ROOT), path=str(live_db))
    completed = subprocess.run([sys.executable, "-c", script], check=False)
    assert completed.returncode == -9
    assert _digest(live_db) == before
    assert list(live_db.parent.glob("live.duckdb.building-*"))  # the half-built file is left behind
    folder = write_files(tmp_path / "again", {"subscriptions.csv": SUBS})
    assert import_folder(folder, live_db, today=dt.date(2026, 1, 1)).loaded
    assert not list(live_db.parent.glob("live.duckdb.building-*"))  # and cleaned up by the next import


def test_large_parquet_is_validated_and_loaded_in_duckdb(tmp_path, monkeypatch):
    from renewal_radar.ingest import large_parquet

    monkeypatch.setattr(large_parquet, "LARGE_ROWS", 2)  # treat this small file as large
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "subscriptions.csv").write_text(SUBS)
    (folder / "accounts.csv").write_text("account_id,name\nK1,A\nK2,B\n")
    events = pl.DataFrame({"Account_ID": ["K1", "K2", "K9", "K1"], "event_time": ["2024-03-01 10:00:00"] * 3
                           + ["2027-01-01 00:00:00"], "event_type": ["login"] * 4})
    events.write_parquet(folder / "usage_events.parquet")
    path = tmp_path / "x.duckdb"
    result = import_folder(folder, path, today=dt.date(2026, 1, 1))
    assert result.loaded, result.report.text()
    usage = next(f for f in result.report.files if f.table == "usage_events")
    assert usage.frame is None and usage.rows == 4  # never became a Python frame
    found = {(m.row, m.column): m.problem for m in result.report.warnings}
    assert "points to no account" in found[(3, "account_id")]  # Parquet rows count from 1
    assert "after today" in found[(4, "event_time")]
    loaded = _table(path, "select * from stg_usage_events order by event_time, account_id")
    assert loaded["account_id"].to_list() == ["K1", "K2", "K9", "K1"]
    assert loaded["event_time"][0] == dt.datetime(2024, 3, 1, 10)


def test_large_parquet_errors_name_the_row(tmp_path, monkeypatch):
    from renewal_radar.ingest import large_parquet

    monkeypatch.setattr(large_parquet, "LARGE_ROWS", 2)
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "subscriptions.csv").write_text(SUBS)
    pl.DataFrame({"account_id": ["K1", None, "K2"], "event_time": ["2024-03-01", "2024-03-02", "soon"],
                  "event_type": ["a", "b", "c"]}).write_parquet(folder / "usage_events.parquet")
    report = validate_folder(folder)
    errors = {(m.row, m.column, m.value) for m in report.errors}
    assert errors == {(2, "account_id", None), (3, "event_time", "soon")}


def test_a_file_that_is_there_but_cannot_be_mapped_says_so_and_a_mapping_file_fixes_it(tmp_path):
    import json
    import subprocess
    import sys

    from renewal_radar.ingest import validate_folder
    from tests.conftest import ROOT

    folder = tmp_path / "exports"
    folder.mkdir()
    korean = "계정 ID,시작일,종료일,월 금액\r\nA1,2026-01-01,,100\r\n"
    (folder / "subscriptions.csv").write_bytes(korean.encode("cp949"))
    report = validate_folder(folder)
    texts = [str(m) for m in report.errors]
    assert not any("required file is missing" in text for text in texts)  # the file is there
    assert any("subscriptions.csv" in text and "none of its headers maps to the required column account_id" in text
               and "계정 ID, 시작일, 종료일, 월 금액" in text and "--mapping" in text for text in texts)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"subscriptions": {"계정 ID": "account_id", "시작일": "start_date",
                                                     "종료일": "end_date", "월 금액": "mrr"}}), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "renewal_radar", "import", str(folder), "--db",
                           str(tmp_path / "book.duckdb"), "--mapping", str(mapping)], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "subscriptions.csv: subscriptions, 1 rows" in done.stdout


def test_a_japanese_salesforce_report_in_shift_jis_with_its_footer(tmp_path):
    from renewal_radar.ingest.exports import read_export

    report = ('"商談名","Account ID","完了予定日","金額","フェーズ","売上予測分類","Opportunity ID"\r\n'
              '"更新 A1","A1","2027/03/01","USD 14,400.00","Negotiation","達成予測","O1"\r\n'
              '"更新 A2","A2","2027/04/01","JPY 1,200,000","Prospecting","最善達成予測","O2"\r\n'
              '\r\n"総計 (2 件)","","","","","",""\r\n\r\n'
              '"Confidential Information - Do Not Distribute"\r\n'
              '"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\r\n')
    path = tmp_path / "renewal_opportunities.csv"
    path.write_bytes(report.encode("shift_jis"))
    loaded, messages = read_export(path)
    assert [m for m in messages if m.level == "error"] == []
    assert loaded.preset == "salesforce" and loaded.rows == 2  # the totals and notices are not data
    frame = loaded.frame.sort("opportunity_id")
    assert frame["amount"].to_list() == [14_400.0, 1_200_000.0]
    assert frame["forecast_category"].to_list() == ["Commit", "Best Case"]
    assert frame["close_date"].to_list() == [dt.date(2027, 3, 1), dt.date(2027, 4, 1)]
    assert frame["currency"].to_list() == ["USD", "JPY"]  # the multi-currency org's amounts name theirs


def test_a_korean_salesforce_report_maps_its_labels(tmp_path):
    from renewal_radar.ingest.exports import read_export

    # the labels as the issue quotes Salesforce's Korean UI; CP949, as Korean Excel saves a CSV
    report = ('"기회 이름","Account ID","마감일","금액","단계","예측 범주","Opportunity ID"\r\n'
              '"갱신 A1","A1","2027-03-01","KRW 12,000,000","Negotiation","Commit","O1"\r\n')
    path = tmp_path / "renewal_opportunities.csv"
    path.write_bytes(report.encode("cp949"))
    loaded, messages = read_export(path)
    assert [m for m in messages if m.level == "error"] == []
    row = loaded.frame.row(0, named=True)
    assert (row["close_date"], row["amount"], row["stage"], row["forecast_category"], row["currency"]) == (
        dt.date(2027, 3, 1), 12_000_000.0, "Negotiation", "Commit", "KRW")


def test_a_japanese_hubspot_deals_export_maps_its_labels_and_won_stage(tmp_path):
    from renewal_radar.ingest.exports import read_export

    export = ("Record ID,取引名,Associated Company IDs (Primary),クローズ日,金額,取引ステージ\n"
              "D1,更新 A1,A1,2027-03-01,\"JPY 1,200,000\",成約\n"
              "D2,更新 A2,A2,2027-04-01,1200000,失注\n")
    path = tmp_path / "deals.csv"
    path.write_text(export, encoding="utf-8-sig")
    loaded, messages = read_export(path)
    assert [m for m in messages if m.level == "error"] == []
    assert loaded.preset == "hubspot"
    frame = loaded.frame.sort("opportunity_id")
    assert frame["stage"].to_list() == ["Closed Won", "Closed Lost"]
    assert frame["close_date"].to_list() == [dt.date(2027, 3, 1), dt.date(2027, 4, 1)]
    assert frame["amount"].to_list() == [1_200_000.0, 1_200_000.0] and frame["currency"][0] == "JPY"


def test_amounts_that_name_their_currency_set_the_line_currency(tmp_path):
    subscriptions = ("account_id,start_date,end_date,mrr\n"
                     "A,2026-01-01,2027-01-01,\"JPY 1,200,000\"\n"
                     "B,2026-01-01,2027-01-01,USD 1500.00\n"
                     "C,2026-01-01,2027-01-01,\"1,000,000원\"\n"
                     "D,2026-01-01,2027-01-01,900\n")
    fx = "currency,month,rate\nJPY,2026-01-01,0.0068\nKRW,2026-01-01,0.00075\n"
    path, result = import_files(tmp_path, {"subscriptions.csv": subscriptions, "fx_rates.csv": fx},
                                as_of=dt.date(2026, 6, 1))
    assert result.loaded, result.report.text()
    lines = _table(path, "select account_id, currency, mrr from subscription_lines order by account_id")
    assert lines["currency"].to_list() == ["JPY", "USD", "KRW", "USD"]  # D: no code, the reporting currency
    assert lines["mrr"].to_list() == pytest.approx([1_200_000 * 0.0068, 1500.0, 1_000_000 * 0.00075, 900.0])


def test_a_currency_cell_that_contradicts_the_amount_is_an_error(tmp_path):
    subscriptions = ("account_id,start_date,end_date,mrr,currency\n"
                     "A,2026-01-01,2027-01-01,\"JPY 1,200,000\",EUR\n"
                     "B,2026-01-01,2027-01-01,\"JPY 1,200,000\",\n")
    _, result = import_files(tmp_path, {"subscriptions.csv": subscriptions}, as_of=dt.date(2026, 6, 1))
    errors = [m for m in result.report.errors if m.column == "currency"]
    assert len(errors) == 1 and errors[0].row == 2 and errors[0].value == "JPY 1,200,000"
    assert "differs" in errors[0].problem


def test_a_blank_row_inside_the_data_is_not_a_footer():
    from renewal_radar.ingest.readers import without_report_footer

    frame = pl.DataFrame({"a": ["1", "", "3"], "b": ["x", "", "z"]})
    assert without_report_footer(frame).height == 3


# ---------------------------------------------------------------- localised Salesforce reports (issue 25)


def _read_report(tmp_path, text: str, encoding: str, name: str = "renewal_opportunities.csv"):
    from renewal_radar.ingest.exports import read_export

    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    loaded, messages = read_export(path)
    assert [m for m in messages if m.level == "error"] == [], [str(m) for m in messages]
    return loaded, messages


def test_a_japanese_salesforce_report_with_id_columns_imports(tmp_path):
    report = ('"取引先 ID","取引先名","商談 ID","商談名","種別","確度 (%)","商談 所有者","完了予定日","金額",'
              '"フェーズ","売上予測分類"\r\n'
              '"001A1","株式会社さくら","006O1","更新 2027","Renewal","90","山田 太郎","2027/03/01","¥1,200,000",'
              '"成立","完了"\r\n')
    loaded, _ = _read_report(tmp_path, report, "shift_jis")
    row = loaded.frame.row(0, named=True)
    assert (row["account_id"], row["opportunity_id"], row["type"], row["probability"], row["owner"]) == (
        "001A1", "006O1", "Renewal", 90.0, "山田 太郎")
    assert (row["close_date"], row["amount"], row["stage"], row["forecast_category"]) == (
        dt.date(2027, 3, 1), 1_200_000.0, "Closed Won", "Closed")


def test_a_report_without_an_opportunity_id_gets_a_stable_key_and_a_warning(tmp_path):
    report = ('"取引先 ID","商談名","完了予定日","金額","フェーズ"\r\n'
              '"001A1","更新 2027","2027/03/01","1200000","Negotiation"\r\n'
              '"001A2","更新 2027","2027/03/01","2400000","Negotiation"\r\n')
    first, messages = _read_report(tmp_path, report, "shift_jis")
    (tmp_path / "again").mkdir()
    again, _ = _read_report(tmp_path / "again", report, "shift_jis")
    keys = first.frame["opportunity_id"].to_list()
    assert len(set(keys)) == 2 and all(key.startswith("derived-") for key in keys)
    assert again.frame["opportunity_id"].to_list() == keys  # the same rows, the same keys
    warning = next(m for m in messages if m.column == "opportunity_id")
    assert warning.level == "warning" and "account, close date and opportunity name" in str(warning)


def test_a_korean_report_with_grammaticus_labels_in_cp949(tmp_path):
    report = ('"계정 ID","계정 이름","기회 ID","기회 이름","유형","성공 확률 (%)","완료 일자","금액","단계",'
              '"예측 범주","작성 일자"\r\n'
              '"001K1","한빛소프트","006K1","갱신","Renewal","60","2027-03-01","12,000,000","수주 성공","Commit",'
              '"2026-10-01"\r\n')
    loaded, _ = _read_report(tmp_path, report, "cp949")
    row = loaded.frame.row(0, named=True)
    assert (row["account_id"], row["opportunity_id"], row["probability"], row["stage"]) == (
        "001K1", "006K1", 60.0, "Closed Won")
    assert (row["close_date"], row["amount"], row["created_date"]) == (
        dt.date(2027, 3, 1), 12_000_000.0, dt.date(2026, 10, 1))


def test_a_traditional_chinese_report_with_grammaticus_labels_in_big5(tmp_path):
    report = ('"帳戶 ID","帳戶名稱","機會 ID","機會名稱","類型","可能性 (%)","結束日期","總額","建立日期"\r\n'
              '"001T1","台灣資料","006T1","續約","Renewal","30","2027/04/01","NT$360,000","2026/09/01"\r\n')
    loaded, _ = _read_report(tmp_path, report, "big5")
    row = loaded.frame.row(0, named=True)
    assert (row["account_id"], row["opportunity_id"], row["probability"], row["amount"]) == (
        "001T1", "006T1", 30.0, 360_000.0)
    assert (row["close_date"], row["created_date"], row["currency"]) == (
        dt.date(2027, 4, 1), dt.date(2026, 9, 1), "TWD")
    account_rows = '"帳戶 ID","帳戶名稱","行業","帳單國家/地區"\r\n"001T1","台灣資料","軟體","台灣"\r\n'
    accounts, _ = _read_report(tmp_path, account_rows, "big5", "Account.csv")
    assert accounts.frame.row(0, named=True)["industry"] == "軟體"
    assert accounts.frame.row(0, named=True)["country"] == "台灣"


@pytest.mark.parametrize(("table", "header", "column"), [
    ("renewal_opportunities", "거래처 ID", "account_id"), ("renewal_opportunities", "영업기회 ID", "opportunity_id"),
    ("renewal_opportunities", "案件 ID", "opportunity_id"), ("renewal_opportunities", "客戶 ID", "account_id"),
    ("accounts", "거래처 이름", "name"), ("renewal_opportunities", "영업기회 마감 일자", "close_date"),
])
def test_renamed_labels_rank_the_right_column_first(table, header, column):
    from renewal_radar.ingest.header_matching import suggest_columns

    assert suggest_columns(table, header)[0] == column


def test_a_renamed_report_is_one_mapping_step_away_and_the_mapping_is_remembered(tmp_path):
    from renewal_radar.ingest import mappings
    from renewal_radar.ingest.exports import describe_file

    path = tmp_path / "renewal_opportunities.csv"
    path.write_bytes('"거래처 ID","영업기회 ID","마감 일자","금액"\r\n"A1","O1","2027-03-01","100"\r\n'.encode("cp949"))
    info = describe_file(path)
    assert info["preselected"] == {"거래처 ID": "account_id", "영업기회 ID": "opportunity_id"}
    remembered = tmp_path / "mappings.json"
    mappings.remember("renewal_opportunities", info["preselected"], remembered)
    assert mappings.load(remembered)["renewal_opportunities"]["거래처 ID"] == "account_id"


def test_headers_of_another_table_and_whole_words_suggest_the_right_column():
    from renewal_radar.ingest.header_matching import closest_columns

    # 계정 ID is account_id in a Salesforce report and in a subscriptions file alike; Start is start_date
    assert closest_columns("subscriptions", ["계정 ID", "Start", "Acct ID"]) == {
        "계정 ID": "account_id", "Start": "start_date", "Acct ID": "account_id"}
