"""The renewal-economics commands (cli.md ``uplift``, ``committed``, ``path-to-plan``): the figures of the
Forecast and Overview pages, from the same functions."""

from __future__ import annotations

import json

from renewal_radar import book, economics, metrics, path_to_plan, quarters
from renewal_radar.cli.output import emit_frame, open_database, print_object


def cmd_uplift(args) -> None:
    """Price, volume and mix at renewal by period (and group) as CSV or a readable table."""
    con = open_database(args)
    splits = economics.renewal_splits(con, args.start, args.end, grain=args.grain)
    if args.by == "team":
        splits = economics.with_team(con, splits)
    emit_frame(economics.uplift_table(splits, args.grain, args.by), args.csv)


def cmd_committed(args) -> None:
    """Committed ARR on a day (default: the data's as-of day)."""
    con = open_database(args)
    as_of = args.as_of or metrics.data_as_of(con)
    print_object(economics.committed(con, as_of), args.json, metrics.reporting_currency(con))


def cmd_path_to_plan(args) -> None:
    """The saves that close the fiscal quarter's gap to plan."""
    con = open_database(args)
    as_of = args.as_of or metrics.data_as_of(con)
    quarter = quarters.parse(args.quarter)
    result = book.quarter_forecast_for(con, quarter, as_of)
    found = path_to_plan.path_json(path_to_plan.path(result.renewals, result.summary), quarter.label, as_of)
    if args.json:
        print(json.dumps(found))
        return
    print_object(found, False, metrics.reporting_currency(con))
