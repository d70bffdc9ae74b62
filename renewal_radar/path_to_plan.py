"""The path to plan of a fiscal quarter and its what-if (metrics.md "Renewal economics").

gap = planned renewed ARR − forecast (weighted, on the whole due set); the open renewals ranked by expected loss
(1 − p) × due ARR, largest first, with the running sum of what saving each would add; the shortest prefix whose
sum reaches the gap is "the saves that close the gap". The what-if sets some open renewals to renewed or lost in a
copy of the quarter's rows and sums the figures again: nothing stored changes.
"""

from __future__ import annotations

import polars as pl

from renewal_radar import figures, quarter_forecast

PATH_MONEY = ("due_arr", "expected_loss_arr", "cumulative_arr")


def ranked_saves(rows: pl.DataFrame) -> pl.DataFrame:
    """The quarter's open renewals ranked by expected loss, largest first, with the running sum."""
    open_rows = rows.filter(pl.col("outcome") == "open").with_columns(
        figures.expected_renewal_loss_arr().alias("expected_loss_arr"))
    ranked = open_rows.sort(["expected_loss_arr", "due_arr", "account_id"], descending=[True, True, False])
    return ranked.with_columns(pl.col("expected_loss_arr").cum_sum().alias("cumulative_arr"))


def path(rows: pl.DataFrame, summary: dict) -> dict:
    """The quarter's path to plan: plan, forecast, gap, whether saving the open renewals can close it, and the
    ranked renewals with ``in_shortest_set`` marking the saves that close it (none when the forecast meets plan).
    Without a plan the gap is None and no save is marked."""
    planned, forecast_arr = summary.get("planned_renewed_arr"), summary["forecast_arr"]
    gap = planned - forecast_arr if planned is not None else None
    ranked = ranked_saves(rows)
    if gap is None or gap <= 0:
        marked, closes = pl.lit(False), gap is not None
    else:
        # a renewal is in the shortest set while the sum before it is still short of the gap
        marked = (pl.col("cumulative_arr") - pl.col("expected_loss_arr")) < gap
        closes = bool(ranked.height) and float(ranked["cumulative_arr"][-1]) >= gap
    return {"planned_renewed_arr": planned, "forecast_arr": forecast_arr, "gap_arr": gap, "closes_gap": closes,
            "renewals": ranked.with_columns(marked.alias("in_shortest_set"))}


def what_if(rows: pl.DataFrame, saved: set[tuple], lost: set[tuple]) -> pl.DataFrame:
    """The quarter's rows with the open renewals keyed (account_id, renewal_date) in ``saved`` renewed at their
    due ARR and those in ``lost`` churned; every other row as it was."""
    key = pl.struct("account_id", "renewal_date")
    is_open = pl.col("outcome") == "open"
    saving = is_open & key.is_in(_keys(saved)) if saved else pl.lit(False)
    losing = is_open & key.is_in(_keys(lost)) & ~saving if lost else pl.lit(False)
    changed = saving | losing
    return rows.with_columns(
        pl.when(saving).then(pl.lit("renewed")).when(losing).then(pl.lit("churned")).otherwise(pl.col("outcome"))
        .alias("outcome"),
        pl.when(saving).then(1.0).when(losing).then(0.0).otherwise(pl.col("probability")).alias("probability"),
        *[pl.when(saving).then(pl.col("due_arr")).when(losing).then(0.0).otherwise(pl.col(name)).alias(name)
          for name in ("renewed_arr", "renewed_arr_gross", "projected_gross_arr", "projected_net_arr")],
        *[pl.when(changed).then(0.0).otherwise(pl.col(name)).alias(name)
          for name in ("open_forecast_arr", "contracted_arr")])


def _keys(pairs: set[tuple]) -> pl.Series:
    accounts, days = zip(*sorted(pairs), strict=True)
    return pl.DataFrame({"account_id": list(accounts), "renewal_date": list(days)}).to_struct("key")


def what_if_summary(rows: pl.DataFrame, target: dict | None, saved: set[tuple], lost: set[tuple]) -> dict:
    """The quarter's figures with some open renewals set to renewed or lost (the page's what-if)."""
    return quarter_forecast.summarise(what_if(rows, saved, lost), target)


def path_json(found: dict, quarter_label: str, as_of) -> dict:
    """The command line's JSON (cli.md ``path-to-plan``)."""
    renewals = found["renewals"].select(
        "account_id", pl.col("renewal_date").cast(pl.String), "due_arr", "probability", "expected_loss_arr",
        "cumulative_arr", "in_shortest_set")
    return {"quarter": quarter_label, "as_of": as_of.isoformat(), **{key: found[key] for key in (
        "planned_renewed_arr", "forecast_arr", "gap_arr", "closes_gap")}, "renewals": renewals.to_dicts()}
