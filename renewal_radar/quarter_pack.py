"""The leadership pack of a fiscal quarter: the quarterly report on renewals a VP takes to the executive team.

One message per slide: the quarter so far (due, renewed, churned, open), the forecast against plan (floor,
forecast, best case, the gap), the path from last week, the team and segment roll-ups, trailing retention with
committed ARR and the ARR bridge, why customers left, the top open risks, the forecast's track record, and the
figures in full. Every figure comes from the readers the Forecast and Overview pages call, so the pack, the pages
and ``forecast --quarter --json`` / ``overview --json`` agree to the cent (the last slide prints them unrounded).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from renewal_radar import charts, dates, forecast_charts, pack_charts, quarters, settings
from renewal_radar.filters import ALL, Filters
from renewal_radar.i18n import date as format_date
from renewal_radar.i18n import money, number, percent, t
from renewal_radar.pack_render import Deck, Slide, Tile
from renewal_radar.readers import forecast as forecast_reader
from renewal_radar.readers import overview as overview_reader
from renewal_radar.readers import why as why_reader

TOP_RISKS = 10
# the figures printed in full on the last slide: (source, key) as `forecast --quarter --json` and `overview --json`
QUARTER_KEYS = ("due_arr", "renewed_due_arr", "churned_due_arr", "open_due_arr", "renewed_arr_gross",
                "open_forecast_arr", "floor_arr", "forecast_arr", "best_case_arr", "projected_renewed_arr_gross",
                "projected_grr")
OVERVIEW_CARDS = {"arr": "arr_now", "arr_year_ago": "arr_year_ago", "grr": "grr_12m", "nrr": "nrr_12m",
                  "logo_churn_rate": "logo_churn_12m", "due_90_arr": "due_90_arr"}  # JSON key → the card's figure
RATE_KEYS = ("projected_grr", "grr", "nrr", "logo_churn_rate")


def build(con, label: str, as_of: dt.date, currency: str | None = None, filters: Filters = ALL) -> Deck:
    """The leadership pack of fiscal quarter ``label`` as of ``as_of`` for the ``filters``' accounts (the whole
    book by default), money in ``currency``."""
    quarter = forecast_reader.quarter(con, label, as_of, filters, currency)
    front = overview_reader.read(con, as_of, filters, currency)
    shown = front.currency
    year_start = dates.add_months(dates.quarter_floor(as_of), -9)
    why = why_reader.read(con, year_start, quarter.end, as_of, filters, currency)
    record = forecast_reader.track_record(con, settings.get("forecast_horizon_days"), filters, currency)
    moved = forecast_reader.week_moved(con, quarter.label, as_of, filters, currency)
    deck = Deck(t("{quarter} renewals: leadership report", quarter=quarter.label),
                t("As of {day} · money in {currency}", day=format_date(as_of), currency=shown),
                settings.get("company_name"))
    slides = [_so_far(quarter, shown), _against_plan(quarter, shown), _since_last_week(moved, shown),
              _roll_up(quarter.by_team, "team" if quarter.has_team else "csm_owner", t("By team"), shown),
              _roll_up(quarter.by_segment, "segment", t("By segment"), shown), _retention(front, shown),
              _reasons(why, year_start, shown), _top_risks(quarter, shown), _track_record(record),
              _figures_in_full(quarter.summary, overview_reader.as_json(front), front.committed, shown)]
    deck.slides = [slide for slide in slides if slide is not None]
    return deck


def _so_far(quarter, currency: str) -> Slide:
    q = quarter.summary
    share = q["renewed_due_arr"] / q["due_arr"] if q["due_arr"] else 0.0
    headline = t("{pct} of {quarter}'s ARR due has renewed; {open} is still open", pct=percent(share, 0),
                 quarter=quarter.label, open=money(q["open_due_arr"], currency, compact=True))
    tiles = [Tile(t("ARR due"), money(q["due_arr"], currency, compact=True), t("{n} renewals", n=number(q["n_due"]))),
             Tile(t("Renewed (gross)"), money(q["renewed_arr_gross"], currency, compact=True),
                  t("{n} renewals", n=number(q["n_renewed"]))),
             Tile(t("Churned"), money(q["churned_due_arr"], currency, compact=True),
                  t("{n} renewals", n=number(q["n_churned"]))),
             Tile(t("Still open"), money(q["open_due_arr"], currency, compact=True),
                  t("{n} renewals", n=number(q["n_open"])))]
    period = t("{start} to {end}", start=format_date(quarter.start),
               end=format_date(quarter.end - dt.timedelta(days=1)))
    return Slide(headline, period, tiles, None, None, [
        t("Renewed + churned + still open = ARR due: every renewal of the quarter is in one of the three."),
        t("Contracted at renewal: {arr}.", arr=money(q["contracted_arr"], currency, compact=True))])


def _against_plan(quarter, currency: str) -> Slide:
    q = quarter.summary
    planned = q.get("planned_renewed_arr")
    values = [(t("Floor"), q["floor_arr"]), (t("Forecast (weighted)"), q["forecast_arr"]),
              (t("Best case"), q["best_case_arr"]), (t("ARR due"), q["due_arr"])]
    if planned is None:
        headline = t("Forecast {forecast}; no plan for the quarter", forecast=money(q["forecast_arr"], currency,
                                                                                     compact=True))
    else:
        values.append((t("Plan"), planned))
        gap = q["forecast_arr"] - planned
        headline = (t("Forecast {forecast} against plan {plan}: {gap} ahead", gap=money(gap, currency, compact=True),
                      forecast=money(q["forecast_arr"], currency, compact=True),
                      plan=money(planned, currency, compact=True)) if gap >= 0 else
                    t("Forecast {forecast} against plan {plan}: {gap} short", gap=money(-gap, currency, compact=True),
                      forecast=money(q["forecast_arr"], currency, compact=True),
                      plan=money(planned, currency, compact=True)))
    tiles = [Tile(label, money(value, currency, compact=True)) for label, value in values]
    chart = pack_charts.png(pack_charts.forecast_against_plan_chart(
        values, currency, t("{quarter}: floor, forecast and best case against plan", quarter=quarter.label)))
    return Slide(headline, t("Floor ≤ forecast ≤ best case ≤ ARR due, all on the quarter's whole due set."), tiles,
                 chart)


def _since_last_week(moved, currency: str) -> Slide | None:
    if moved is None:
        return None
    result = moved.result
    delta = result["after_forecast_arr"] - result["before_forecast_arr"]
    headline = (t("The forecast rose {arr} since last week", arr=money(delta, currency, compact=True)) if delta >= 0
                else t("The forecast fell {arr} since last week", arr=money(-delta, currency, compact=True)))
    chart = pack_charts.png(forecast_charts.moved_waterfall(
        result["before_forecast_arr"], moved.steps, result["after_forecast_arr"], currency,
        t("The quarter's forecast since last week")))
    return Slide(headline, t("From snapshot #{id} to today", id=result["since"]), [], chart)


def _roll_up(table: pl.DataFrame, level: str, title: str, currency: str) -> Slide | None:
    totals = table.filter(pl.col("level") == 1) if "level" in table.columns else table
    if totals.is_empty():
        return None
    ranked = totals.sort("projected_grr", descending=True, nulls_last=True)
    best, worst = ranked.row(0, named=True), ranked.row(-1, named=True)
    headline = t("{best} leads at {best_grr} projected GRR; {worst} trails at {worst_grr}", best=best[level] or "—",
                 best_grr=percent(best["projected_grr"], 0), worst=worst[level] or "—",
                 worst_grr=percent(worst["projected_grr"], 0))
    header = [title, t("Renewals"), t("ARR due"), t("Renewed (gross)"), t("Churned"), t("Still open"),
              t("Projected GRR on renewals")]
    rows = [[row[level] or "—", number(row["renewals"]), money(row["due_arr"], currency, compact=True),
             money(row["renewed_arr_gross"], currency, compact=True), money(row["churned_arr"], currency, compact=True),
             money(row["open_due_arr"], currency, compact=True), percent(row["projected_grr"], 1)]
            for row in ranked.head(12).iter_rows(named=True)]
    return Slide(headline, title, [], None, (header, rows))


def _retention(front, currency: str) -> Slide:
    window, committed, growth = front.window, front.committed, front.arr_growth
    headline = t("Trailing-12-month GRR {grr}, NRR {nrr}", grr=percent(window["grr"], 1), nrr=percent(window["nrr"], 1))
    signed_growth = ("+" if growth >= 0 else "−") + percent(abs(growth), 0) if growth is not None else None
    tiles = [Tile(t("ARR now"), money(front.arr_now, currency, compact=True),
                  t("{pct} on a year ago", pct=signed_growth) if signed_growth else ""),
             Tile(t("Committed ARR"), money(committed["committed_arr"], currency, compact=True),
                  t("+{signed} signed · −{cancelled} cancelling",
                    signed=money(committed["signed_not_live_arr"], currency, compact=True),
                    cancelled=money(committed["announced_cancellations_arr"], currency, compact=True))),
             Tile(t("GRR (12 months)"), percent(window["grr"], 1)),
             Tile(t("NRR (12 months)"), percent(window["nrr"], 1))]
    movements = front.movements.tail(12)
    chart = pack_charts.png(charts.movements_chart(movements, currency)) if movements.height else None
    return Slide(headline, t("The ARR bridge: MRR movements of the last twelve months"), tiles, chart)


def _reasons(why, start: dt.date, currency: str) -> Slide | None:
    reasons = why.by_reason
    if reasons.is_empty():
        return None
    top = reasons.row(0, named=True)
    headline = t("{reason} cost the most: {arr} of churned and contracted ARR", reason=top["label"],
                 arr=money(top["lost_arr"], currency, compact=True))
    lost = float(reasons["lost_arr"].sum())
    rows = [[row["label"], number(row["n"]), money(row["churned_arr"], currency, compact=True),
             money(row["contracted_arr"], currency, compact=True),
             percent(row["lost_arr"] / lost if lost else None, 0)] for row in reasons.head(8).iter_rows(named=True)]
    header = [t("Reason"), t("Renewals"), t("Churned"), t("Contracted"), t("Share of lost ARR")]
    return Slide(headline, t("Why customers left, {start} to {end}", start=format_date(start),
                             end=format_date(why.end - dt.timedelta(days=1))), [], None, (header, rows))


def _top_risks(quarter, currency: str) -> Slide | None:
    path = forecast_reader.plan_path(quarter)
    ranked = path["renewals"]
    if ranked.is_empty():
        return None
    top = ranked.head(TOP_RISKS)
    headline = t("The {n} largest open risks hold {arr} of expected renewal loss", n=top.height,
                 arr=money(float(top["expected_loss_arr"].sum()), currency, compact=True))
    rows = [[row.get("name") or row["account_id"], row.get("csm_owner") or "—", format_date(row["renewal_date"]),
             money(row["due_arr"], currency, compact=True), percent(row["probability"], 0),
             money(row["expected_loss_arr"], currency, compact=True), "✓" if row["in_shortest_set"] else ""]
            for row in top.iter_rows(named=True)]
    header = [t("Account"), t("CSM"), t("Renewal date"), t("ARR due"), t("Renewal probability"),
              t("Expected renewal loss"), t("Closes the gap")]
    gap = path["gap_arr"]
    subtitle = (t("Saving the renewals marked ✓ closes the gap to plan of {gap}.",
                  gap=money(gap, currency, compact=True))
                if gap is not None and gap > 0 and path["closes_gap"] else
                t("Open renewals of the quarter, largest expected loss first."))
    return Slide(headline, subtitle, [], None, (header, rows))


def _track_record(record) -> Slide | None:
    accuracy = record.accuracy
    if not accuracy["months"]:
        return None
    headline = t("Over the past year the forecast missed by {error} on average, the naive rate by {naive}",
                 error=percent(accuracy["forecast_error"], 1), naive=percent(accuracy["naive_error"], 1))
    tiles = [Tile(t("Forecast error"), percent(accuracy["forecast_error"], 1)),
             Tile(t("Naive forecast's error"), percent(accuracy["naive_error"], 1)),
             Tile(t("Bias"), percent(accuracy["bias"], 1)),
             Tile(t("Months judged"), number(accuracy["months"]))]
    return Slide(headline, t("The same forecast made on each month start, judged against what renewed."), tiles)


def full_value(key: str, value) -> str:
    """A figure unrounded: money to the cent, rates to a hundredth of a percent point."""
    if value is None:
        return "—"
    if key in RATE_KEYS:
        return f"{number(value * 100, 4)} %"
    return number(value, 2)


def _figures_in_full(summary: dict, front: dict, committed: dict, currency: str) -> Slide:
    from renewal_radar import figures

    rows = [[f"forecast --quarter · {key}", figures.label(key), full_value(key, summary.get(key))]
            for key in QUARTER_KEYS]
    rows += [[f"overview · {key}", figures.figure_label(card), full_value(key, front.get(key))]
             for key, card in OVERVIEW_CARDS.items()]
    rows += [[f"committed · {key}", figures.figure_label(key), full_value(key, committed.get(key))]
             for key in ("committed_arr", "signed_not_live_arr", "announced_cancellations_arr")]
    return Slide(t("The figures in full"), t("Unrounded, in {currency}, as the command line prints them.",
                                             currency=currency), [], None,
                 ([t("Source"), t("Figure"), t("Value")], rows))


def default_quarter(as_of: dt.date) -> str:
    """The fiscal quarter holding ``as_of``."""
    return quarters.quarter_of(as_of).label
