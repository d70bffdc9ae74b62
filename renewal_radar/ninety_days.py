"""The two 90-day money figures and what separates them (metrics.md "One story per account").

The Calendar's **expected renewal loss (90 days)** is Σ (1 − p) × ARR due over the window renewals due in the next
90 days; the At-risk page's **expected churned ARR (90 days)** is Σ churn risk × ARR over the active accounts.
They meet on the accounts whose every line ends inside the 90 days: there the churn risk is 1 − p of the same
renewal, so both count them alike (up to ARR on the day against ARR due at its month's rates). What remains is
what only one of them covers: the renewals of accounts whose other lines run on (renewal loss only) and the
accounts with lines past 90 days (the churn model, At-risk only). Both pages say so in a line under the figure.
"""

from __future__ import annotations

import polars as pl

from renewal_radar import figures


def reconcile(accounts: pl.DataFrame, due: pl.DataFrame) -> dict:
    """Both figures split by what they cover. ``accounts``: scored accounts (account_id, churn_source,
    expected_churn_arr); ``due``: the window renewals due in the 90 days (account_id, due_arr, probability)."""
    whole = accounts.filter(pl.col("churn_source") == "renewal")
    loss = due.with_columns(figures.expected_renewal_loss_arr().alias("_loss"))
    in_whole = pl.col("account_id").is_in(whole["account_id"].implode())
    churn_total = float(accounts["expected_churn_arr"].fill_null(0).sum())
    churn_whole = float(whole["expected_churn_arr"].fill_null(0).sum())
    loss_total = float(loss["_loss"].sum())
    loss_whole = float(loss.filter(in_whole)["_loss"].sum())
    return {"expected_churn_arr": churn_total, "expected_renewal_loss_arr": loss_total,
            "accounts_renewing_whole": whole.height,
            "churn_renewing_whole_arr": churn_whole, "loss_renewing_whole_arr": loss_whole,
            "churn_lines_running_on_arr": churn_total - churn_whole,
            "loss_lines_running_on_arr": loss_total - loss_whole}
