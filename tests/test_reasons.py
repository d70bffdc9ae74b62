"""Why customers leave: reasons from each vendor's field, the taxonomy in four languages, and the sums (issue 23).

The hand book (as of 2025-06-01, grace 30 days):
  A1  annual 1,000 MRR, ends 2025-01-01, not renewed: churned 12,000 ARR; Salesforce "Loss Reason" Budget cuts
  A2  annual 500 MRR, ends 2025-02-01, renewed at 300: contracted 2,400 ARR; "Downsized: fewer seats, low adoption"
  A3  annual 200 MRR, ends 2025-03-01, not renewed, no opportunity: churned 2,400 ARR, no reason recorded
  A4  annual 100 MRR, ends 2025-03-15, not renewed: churned 1,200 ARR; in the Japanese report 失注理由
      競合他社に乗り換え (competitor), in the English one no opportunity (no reason recorded)
  A5  annual 100 MRR, ends 2025-01-01, renewed at 100: not lost, no row
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from renewal_radar import db, reasons, renewals
from tests.conftest import ROOT, STRIPE_COMMENT, import_files

AS_OF = dt.date(2025, 6, 1)
SUBSCRIPTIONS = """account_id,start_date,end_date,mrr,bill_period_months
A1,2024-01-01,2025-01-01,1000,12
A2,2024-02-01,2025-02-01,500,12
A2,2025-02-01,2026-02-01,300,12
A3,2024-03-01,2025-03-01,200,12
A4,2024-03-15,2025-03-15,100,12
A5,2024-01-01,2025-01-01,100,12
A5,2025-01-01,2026-01-01,100,12
"""
SALESFORCE_REPORT = """Opportunity ID,Account ID,Opportunity Name,Close Date,Amount,Stage,Type,Loss Reason,Loss Comment
O1,A1,A1 renewal,2025-01-01,12000,Closed Lost,Renewal,Budget cuts,CFO froze all new tooling
O2,A2,A2 renewal,2025-01-28,6000,Closed Won,Renewal,"Downsized: fewer seats, low adoption",
O5,A5,A5 renewal,2025-01-01,1200,Closed Won,Renewal,,
"""


def _by_account(path: Path) -> dict[str, dict]:
    with db.connect(path, read_only=True) as con:
        rows = reasons.stored_reasons(con)
    return {row["account_id"]: row for row in rows.iter_rows(named=True)}


@pytest.fixture(scope="module")
def salesforce_book(tmp_path_factory) -> Path:
    path, result = import_files(tmp_path_factory.mktemp("sf"), {
        "subscriptions.csv": SUBSCRIPTIONS, "opportunities.csv": SALESFORCE_REPORT}, as_of=AS_OF)
    assert result.loaded, result.report.text()
    return path


def test_a_salesforce_report_loss_reason_gives_each_lost_renewal_its_reason(salesforce_book):
    found = _by_account(salesforce_book)
    assert set(found) == {"A1", "A2", "A3", "A4"}  # A5 renewed in full: nothing lost
    assert (found["A1"]["reason"], found["A1"]["outcome"], found["A1"]["churned_arr"]) == ("price", "churned", 12000)
    assert found["A1"]["reason_source"] == "crm" and found["A1"]["reason_text"] == "Budget cuts"
    assert found["A1"]["comment"] == "CFO froze all new tooling"
    assert (found["A2"]["outcome"], found["A2"]["contracted_arr"], found["A2"]["churned_arr"]) == ("contracted",
                                                                                                   2400, 0)
    assert found["A2"]["reason"] == "low_adoption"
    # no opportunity, no cancellation: never a guess
    assert (found["A3"]["reason"], found["A3"]["reason_source"], found["A3"]["addressable"]) == ("no_reason", None,
                                                                                               None)
    assert found["A4"]["reason"] == "no_reason"


def test_a_japanese_salesforce_report_loss_reason(tmp_path):
    japanese = ("商談 ID,取引先 ID,商談名,完了予定日,金額,フェーズ,種別,失注理由\n"
                "O4,A4,A4 更新,2025-03-15,1200,Closed Lost,Renewal,競合他社に乗り換え\n")
    path, result = import_files(tmp_path, {"subscriptions.csv": SUBSCRIPTIONS,
                                           "opportunities.csv": japanese.encode("utf-8")}, as_of=AS_OF)
    assert result.loaded, result.report.text()
    found = _by_account(path)
    assert found["A4"]["reason"] == "competitor" and found["A4"]["reason_text"] == "競合他社に乗り換え"
    assert found["A4"]["reason_source"] == "crm"


def test_churned_arr_by_reason_sums_to_the_periods_churned_arr(salesforce_book):
    with db.connect(salesforce_book, read_only=True) as con:
        rows = reasons.stored_reasons(con)
        outcomes = renewals.renewal_outcomes(con, dt.date(2024, 1, 1), dt.date(2026, 1, 1), AS_OF)
    table = reasons.by_period(rows, "month")
    churned = (outcomes.filter(pl.col("outcome") == "churned")
               .group_by(pl.col("renewal_date").dt.strftime("%Y-%m").alias("period"))
               .agg(pl.col("due_arr").sum()).sort("period"))
    by_reason = table.group_by("period").agg(pl.col("churned_arr").sum()).filter(pl.col("churned_arr") > 0)
    assert by_reason.sort("period").rows() == churned.rows() == [("2025-01", 12000.0), ("2025-03", 3600.0)]
    summary = reasons.summary(rows)
    assert summary["churned_arr"] == 15600 and summary["contracted_arr"] == 2400
    assert summary["no_reason_share"] == pytest.approx(3600 / 15600)


def test_hubspot_closed_lost_reason(tmp_path):
    deals = ("Record ID,Associated Company IDs (Primary),Deal Name,Close Date,Amount,Deal Stage,Deal Type,"
             "Closed Lost Reason\n901,A1,Renewal A1,2025-01-01,12000,Closed Lost,existingbusiness,"
             "Went with a cheaper competitor\n")
    path, result = import_files(tmp_path, {"subscriptions.csv": SUBSCRIPTIONS, "deals.csv": deals}, as_of=AS_OF)
    assert result.loaded, result.report.text()
    found = _by_account(path)
    assert found["A1"]["reason"] == "competitor" and found["A1"]["reason_text"] == "Went with a cheaper competitor"


def test_stripe_cancellation_feedback_and_comment(stripe_reasons_db):
    found = _by_account(stripe_reasons_db)
    gone = found["cus_C"]
    assert (gone["renewal_date"], gone["outcome"], gone["churned_arr"]) == (dt.date(2026, 10, 1), "churned", 480)
    assert (gone["reason"], gone["reason_source"], gone["voluntary"]) == ("price", "cancellation", True)
    assert gone["reason_text"] == "cancellation_requested / too_expensive"
    assert gone["comment"] == STRIPE_COMMENT  # verbatim, as data


def test_the_reasons_command_prints_the_csv_contract(salesforce_book):
    done = subprocess.run([sys.executable, "-m", "renewal_radar", "reasons", "--csv", "--db", str(salesforce_book)],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    table = pl.read_csv(done.stdout.encode())
    assert table.columns == ["period", "reason", "addressable", "voluntary", "n", "churned_arr", "contracted_arr"]
    assert table.filter(pl.col("reason") == "no_reason").row(0, named=True) == {
        "period": "2025-Q1", "reason": "no_reason", "addressable": None, "voluntary": None, "n": 2,
        "churned_arr": 3600.0, "contracted_arr": 0.0}
    assert table["churned_arr"].sum() == 15600 and table["contracted_arr"].sum() == 2400
    months = subprocess.run([sys.executable, "-m", "renewal_radar", "reasons", "--csv", "--grain", "month",
                             "--start", "2025-02-01", "--end", "2025-03-01", "--db", str(salesforce_book)],
                            cwd=ROOT, capture_output=True, text=True, check=True)
    assert pl.read_csv(months.stdout.encode())["period"].to_list() == ["2025-02"]


# ---------------------------------------------------------------- the taxonomy


@pytest.mark.parametrize(("text", "expected"), [
    ("Budget cuts", "price"), ("予算削減のため", "price"), ("예산 삭감", "price"), ("預算刪減", "price"),
    ("Switched to competitor", "competitor"), ("競合他社に乗り換え", "competitor"), ("경쟁사로 전환", "competitor"),
    ("改用競爭對手", "competitor"), ("Acquired by another company", "acquired"), ("타사에 인수됨", "acquired"),
    ("他社に買収された", "acquired"), ("被其他公司收購", "acquired"), ("Went out of business", "out_of_business"),
    ("倒産", "out_of_business"), ("폐업", "out_of_business"), ("公司倒閉", "out_of_business"),
    ("LOW ADOPTION", "low_adoption"), ("利用率が低い", "low_adoption"), ("낮은 사용률", "low_adoption"),
    ("使用率太低", "low_adoption"), ("Card declined twice", "payment_failed"),
    ("Moved office, nobody knows", "other"),
])
def test_the_taxonomy_matches_words_in_four_languages(text, expected):
    assert reasons.classify([text], reasons.load_taxonomy()).key == expected


def test_stripe_codes_come_first_and_a_failed_payment_is_involuntary():
    taxonomy = reasons.load_taxonomy()
    row = {"loss_reason": None, "cancellation_reason": "cancellation_requested", "cancellation_feedback": "unused",
           "cancellation_comment": "price is fine"}
    assert reasons.reason_of(row, taxonomy)["reason"] == "low_adoption"  # the code, not the comment's words
    failed = reasons.reason_of({**row, "cancellation_reason": "payment_failed"}, taxonomy)
    assert (failed["reason"], failed["voluntary"]) == ("payment_failed", False)
    silent = reasons.reason_of({**row, "cancellation_feedback": None, "cancellation_comment": None}, taxonomy)
    assert silent["reason"] == "cancelled_no_feedback"
    nothing = reasons.reason_of({key: None for key in row}, taxonomy)
    assert (nothing["reason"], nothing["reason_label"]) == ("no_reason", "No reason recorded")


def test_an_edited_taxonomy_is_read_and_a_broken_one_says_where(tmp_path):
    edited = tmp_path / "reasons.toml"
    edited.write_text('[[reason]]\nkey = "seasonal"\nlabel = "Seasonal business"\naddressable = false\n'
                      'voluntary = true\npatterns = ["off[- ]season"]\n', encoding="utf-8")
    taxonomy = reasons.load_taxonomy(edited)
    assert reasons.classify(["closed for the off-season"], taxonomy).key == "seasonal"
    edited.write_text('[[reason]]\nkey = "bad"\nlabel = "Bad"\npatterns = ["(unclosed"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="'bad' has a pattern"):
        reasons.load_taxonomy(edited)


def test_the_demo_writes_loss_reasons_in_the_language_of_the_accounts_country():
    import numpy as np

    from renewal_radar import demo_reasons

    countries = np.array(["Japan", "South Korea", "Taiwan", "United States"] * 50)
    written = demo_reasons.loss_reasons(countries, np.full(200, 0.8), np.ones(200, bool), np.zeros(200, bool))
    taxonomy = reasons.load_taxonomy()
    for country, script in (("Japan", "[\u3040-\u30ff\u4e00-\u9fff]"), ("South Korea", "[\uac00-\ud7a3]"),
                            ("Taiwan", "[\u4e00-\u9fff]"), ("United States", "^[A-Za-z ]+$")):
        texts = [text for text, c in zip(written, countries, strict=True) if c == country and text]
        assert texts and all(pl.Series(texts).str.contains(script).to_list())
        # every demo reason is one the taxonomy knows
        assert all(reasons.classify([text], taxonomy).key not in ("other", "no_reason") for text in texts)
    assert 0.1 < sum(text is None for text in written) / len(written) < 0.4  # a share left blank


def test_the_demo_has_reasons_from_both_sources_and_a_share_without(demo_db):
    with db.connect(demo_db, read_only=True) as con:
        rows = reasons.stored_reasons(con)
    assert rows["reason_text"].drop_nulls().str.contains("[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7a3]").any()
    assert {"crm", "cancellation"} <= set(rows["reason_source"].drop_nulls())  # CRM and Stripe-style monthly lines
    assert 0 < reasons.summary(rows)["no_reason_share"] < 0.5
