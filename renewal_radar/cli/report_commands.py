"""The reporting commands: the figures of the pages as JSON or CSV (the contract of cli.md)."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from renewal_radar import audit, cohorts, db, metrics, renewals, settings
from renewal_radar import figures as registry
from renewal_radar.cli.output import CliError, emit_frame, open_database, print_object, readable_line


def cmd_metrics(args) -> None:
    """Window metrics as JSON (or readable lines)."""
    con = open_database(args)
    print_object(metrics.window_metrics(con, args.start, args.end), args.json, metrics.reporting_currency(con))


def cmd_movements(args) -> None:
    """Monthly MRR movements."""
    frame = metrics.monthly_movements(open_database(args), args.start, args.end)
    emit_frame(frame, args.csv)


def cmd_cohorts(args) -> None:
    """The cohort triangle in long form."""
    con = open_database(args)
    as_of = args.as_of or metrics.data_as_of(con)
    triangle = cohorts.cohorts(con, as_of, args.grain)
    labels = [cohorts.cohort_label(day, args.grain) for day in triangle["cohort"]]
    frame = triangle.with_columns(pl.Series("cohort", labels, dtype=pl.String)).select(
        "cohort", "k", "n", "logo_retention", "net_mrr_retention", "gross_mrr_retention")
    emit_frame(frame, args.csv)


def cmd_survival(args) -> None:
    """Kaplan-Meier survival curve(s)."""
    con = open_database(args)
    as_of = args.as_of or metrics.data_as_of(con)
    emit_frame(cohorts.survival(con, as_of, args.by), args.csv)


def cmd_renewals(args) -> None:
    """Renewal outcomes by period."""
    outcomes = renewals.renewal_outcomes(open_database(args), args.start, args.end, args.as_of, args.grace_days)
    emit_frame(renewals.rates_by_period(outcomes, args.grain), args.csv)


def cmd_forecast(args) -> None:
    """The renewal forecast as of a day; with --save, also stored as a snapshot."""
    from renewal_radar import book, forecast, snapshots

    if args.quarter:
        return _quarter_forecast(args)
    if args.as_of is None:
        raise CliError("forecast needs --as-of D (or --quarter Q)")
    horizon = args.horizon_days or settings.get("forecast_horizon_days")
    if args.save:
        con = db.connect(settings.db_path(args.db), read_only=False) if settings.db_path(args.db).exists() \
            else open_database(args)
        try:
            snapshot_id = snapshots.save(con, args.as_of, horizon, args.name)
        finally:
            con.close()
        audit.record_cli("snapshot_save", args.db, snapshot=snapshot_id, name=args.name, as_of=args.as_of,
                         horizon_days=horizon)
        print(snapshot_id)
        return
    con = open_database(args)
    print_object(forecast.forecast_json(book.forecast_for(con, args.as_of, horizon)), args.json,
                 metrics.reporting_currency(con))


def _quarter_forecast(args) -> None:
    """``forecast --quarter Q``: the fiscal quarter as of a day (cli.md)."""
    from renewal_radar import book, quarter_forecast, quarters
    from renewal_radar.metrics import data_as_of

    quarter = quarters.parse(args.quarter)
    con = open_database(args)
    as_of = args.as_of or data_as_of(con)
    result = book.quarter_forecast_for(con, quarter, as_of)
    method = (book.method_for(con, as_of) or {}).get("method", "naive")
    figures = quarter_forecast.quarter_json(result, quarter.label, quarter.start, quarter.end, as_of, method)
    if args.json:
        print(json.dumps(figures))
        return
    for key, value in figures.items():
        print(readable_line(key, value, metrics.reporting_currency(con)))


def cmd_backtest(args) -> None:
    """The forecast as of a past day against what happened."""
    from renewal_radar import book, forecast

    con = open_database(args)
    horizon = args.horizon_days or settings.get("forecast_horizon_days")
    result = book.forecast_for(con, args.as_of, horizon)
    actual = forecast.actual_outcomes(con, args.as_of, args.as_of + dt.timedelta(days=horizon))
    figures, _ = forecast.judge(result.renewals, forecast.actual_windows(actual, [args.as_of], horizon),
                                result.summary)
    print_object(forecast.forecast_json(result) | {
        "actual_renewed_arr_gross": figures["actual_arr"], "abs_pct_error": figures["forecast_error"],
        "bias": figures["bias"], "naive_forecast_arr": figures["naive_arr"],
        "naive_abs_pct_error": figures["naive_error"]}, args.json, metrics.reporting_currency(con))


def cmd_overview(args) -> None:
    """The Overview page's headline figures."""
    from renewal_radar.readers import overview as overview_reader

    con = open_database(args)
    page = overview_reader.read(con, args.as_of or metrics.data_as_of(con))
    if args.json:
        print(json.dumps(overview_reader.as_json(page)))
        return
    # readable lines: each card as the figure registry labels and formats it, as the Overview page shows it
    for name, value in overview_reader.cards(page).items():
        label = registry.figure_label(name, quarter=page.quarter_label)
        print(f"{label:32} {registry.shown(name, value, page.currency)}")


def cmd_snapshots(args) -> None:
    """Saved forecast snapshots."""
    from renewal_radar import snapshots

    frame = snapshots.list_snapshots(open_database(args))
    rows = [{"id": r["id"], "name": r["name"], "saved_at": r["saved_at"].isoformat(),
             "as_of": r["as_of"].isoformat(), "start": r["start"].isoformat(), "end": r["end"].isoformat(),
             "n_due": r["n_due"], "due_arr": r["due_arr"], "forecast_gross_arr": r["forecast_gross_arr"]}
            for r in frame.iter_rows(named=True)]
    if args.json:
        print(json.dumps(rows))
    else:
        emit_frame(frame.drop("automatic"), False)


def cmd_moved(args) -> None:
    """What changed in a snapshot's renewal period since it was saved."""
    from renewal_radar import moved

    con = open_database(args)
    result = moved.what_moved(con, args.since, args.as_of or metrics.data_as_of(con))
    if args.json:
        print(json.dumps(result))
        return
    for key in ("since", "as_of", "start", "end", "before_forecast_arr", "after_forecast_arr"):
        print(f"{key:22} {result[key]}")
    emit_frame(moved.waterfall(result), False)


def cmd_drivers(args) -> None:
    """Metric cohorts: churn within 90 days by decile of each behaviour metric, strongest first."""
    from renewal_radar import drivers

    found = drivers.drivers_on(open_database(args), args.as_of)
    if args.json:
        print(json.dumps(drivers.as_json(found)))
        return
    emit_frame(found.select("metric", "spread").unique(maintain_order=True), False)


def cmd_project_retention(args) -> None:
    """The shifted-beta-geometric fit, observed and projected share still renewing, per group."""
    from renewal_radar import retention_projection

    con = open_database(args)
    as_of = args.as_of or metrics.data_as_of(con)
    if as_of == metrics.data_as_of(con) and "retention_fits" in db.table_names(con):
        fits, curves = retention_projection.stored(con, args.by)
    else:
        fits, curves = retention_projection.live(con, as_of, args.by)
    if args.json:
        if args.periods is not None and args.periods < 1:
            raise CliError(f"--periods {args.periods}: project at least one period")
        print(json.dumps(retention_projection.as_json(fits, curves, args.periods)))
        return
    emit_frame(fits.select("group", "alpha", "beta", "n", "churned", "periods_observed", "backtest_error"), False)


def cmd_reasons(args) -> None:
    """Churned and contracted ARR by period of the renewal day and reason."""
    from renewal_radar import reasons

    rows = reasons.stored_reasons(open_database(args), args.start, args.end)
    emit_frame(reasons.by_period(rows, args.grain), args.csv)


def cmd_risk(args) -> None:
    """Health score, band, churn probability and top drivers of each account active on the day."""
    from renewal_radar import book

    con = open_database(args)
    as_of = args.as_of or metrics.data_as_of(con)
    frame = book.account_scores(con, as_of).sort("account_id").select(
        "account_id", "health_score", "band", "churn_probability", "top_drivers")
    emit_frame(frame, args.csv)
