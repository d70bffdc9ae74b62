"""The renewal-economics panels of the Forecast page's quarter view: price at renewal, and the path to plan with
its what-if (metrics.md "Renewal economics"). The what-if lives in this session's state only."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

from renewal_radar.i18n import t
from renewal_radar.ui.cards import metric
from renewal_radar.ui.formatting import day, money, percent, renewal_count
from renewal_radar.ui.tables import account_link_column, account_url, table_with_download

SAVED, LOST, ROUND, PRESET = "what_if_saved", "what_if_lost", "what_if_round", "what_if_preset"
SPEC_CITATION = lambda: t("Defined in the metric definitions, “Renewal economics”.")  # noqa: E731
WHAT_IF_CHOICES = 300  # the renewals a person can mark: the largest expected losses (the list is ranked)


def quarter_price_panel(price, currency: str) -> None:
    """The quarter's realised price uplift and its split into price, seats and products, by team and CSM."""
    total = price.total
    if not total["n_renewed"]:
        st.info(t("No renewal of this quarter has renewed yet among the filtered accounts."))
        return
    cols = st.columns(4)
    metric(cols[0], "price_uplift", total["price_uplift"],
           delta=renewal_count(total["n_renewed"]))
    metric(cols[1], "price_arr", total["price_arr"], currency)
    metric(cols[2], "volume_arr", total["volume_arr"], currency)
    metric(cols[3], "mix_arr", total["mix_arr"], currency)
    st.caption(t("Renewed ARR − ARR due = price + seats and volume + products added or dropped, renewal by renewal "
                 "(both sides at the due month's exchange rates). A monthly line counts once in the quarter.")
               + " " + SPEC_CITATION())
    by_team, by_csm, each = st.tabs([t("By team"), t("By CSM"), t("Each renewal")])
    columns = ("n_renewed", "due_arr", "renewed_arr", "price_arr", "volume_arr", "mix_arr", "price_uplift")
    with by_team:
        group = "team" if "team" in price.by_team.columns else "segment"
        table_with_download(price.by_team.select(group, *columns).sort("price_arr", descending=True),
                            "price_by_team", "price_by_team")
    with by_csm:
        table_with_download(price.by_csm.select("csm_owner", *columns).sort("price_arr", descending=True),
                            "price_by_csm", "price_by_csm")
    with each:
        rows = price.renewals.with_columns(account_url()).select(
            "open", "account_id", "name", "csm_owner", "renewal_date", "due_arr", "renewed_arr", "price_arr",
            "volume_arr", "mix_arr").sort("price_arr", descending=True)
        table_with_download(rows, "price_renewals", "price_renewals", {"open": account_link_column()}, height=320)


def _key(row: dict) -> str:
    return f"{row['account_id']}|{row['renewal_date'].isoformat()}"


def _marked(values: list[str]) -> set[tuple]:
    import datetime as dt

    pairs = (value.split("|") for value in values or [])
    return {(account, dt.date.fromisoformat(when)) for account, when in pairs}


def path_to_plan_panel(view, found: dict, what_if: Callable, currency: str) -> None:
    """The gap to plan, the open renewals ranked by expected loss with the saves that close the gap, and the
    what-if: renewals marked saved or lost move the quarter's figures, in this session only."""
    if found["planned_renewed_arr"] is None:
        st.info(t("No plan for {quarter}: add targets.csv (quarter, segment, team, target_grr, target_renewed_arr) "
                  "to see the path to it.", quarter=view.label))
        return
    ranked = found["renewals"]
    cols = st.columns(3)
    metric(cols[0], "planned_renewed_arr", found["planned_renewed_arr"], currency)
    metric(cols[1], "quarter_forecast_arr", found["forecast_arr"], currency)
    metric(cols[2], "plan_gap_arr", found["gap_arr"], currency)
    n_saves = int(ranked["in_shortest_set"].sum())
    if found["gap_arr"] <= 0:
        st.success(t("The weighted forecast meets the plan: no save is needed to reach it."))
    elif found["closes_gap"]:
        st.warning(t("Saving the {n:,} renewals marked below, largest expected loss first, closes the gap of "
                     "{gap}.", n=n_saves, gap=money(found["gap_arr"], currency)))
    else:
        st.error(t("Saving every open renewal adds {arr}, short of the gap of {gap}: the plan cannot be reached by "
                   "saves alone.", arr=money(float(ranked["expected_loss_arr"].sum()), currency),
                   gap=money(found["gap_arr"], currency)))
    st.caption(t("Gap = planned renewed ARR − forecast (weighted). Open renewals ranked by expected loss, "
                 "(1 − probability) × ARR due, with the running sum of what saving each adds.") + " " + SPEC_CITATION())
    table = ranked.with_columns(account_url()).select(
        "open", "account_id", "name", "csm_owner", "renewal_date", "due_arr", "probability", "expected_loss_arr",
        "cumulative_arr", "in_shortest_set")
    table_with_download(table, "path_to_plan", "path_to_plan", {"open": account_link_column()}, height=320)
    _what_if_panel(view, ranked, what_if, currency)


def _mark(saved: list[str], lost: list[str]) -> None:
    # new widget keys start the two lists afresh from these marks (a widget's own state would outlive a reset)
    st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
    st.session_state[PRESET] = (saved, lost)


def _what_if_panel(view, ranked: pl.DataFrame, what_if: Callable, currency: str) -> None:
    st.markdown(t("**What if** — mark open renewals as saved or lost and see the quarter move. Only you see it; "
                  "nothing is stored, and a reload starts again from the stored figures."))
    choices = ranked.head(WHAT_IF_CHOICES)
    labels = {_key(row): f"{row['name'] or row['account_id']} · {day(row['renewal_date'])} · "
              f"{money(row['due_arr'], currency)}" for row in choices.iter_rows(named=True)}
    shortest = [key for key, marked in zip(labels, choices["in_shortest_set"], strict=True) if marked]
    buttons = st.columns([1, 1, 3])
    # callbacks run before the script, so the widgets below draw the marks they set
    buttons[0].button(t("Mark the saves that close the gap"), key="what_if_shortest", disabled=not shortest,
                      on_click=_mark, args=(shortest, []))
    buttons[1].button(t("Reset"), key="what_if_reset", on_click=_mark, args=([], []))
    left, right = st.columns(2)
    turn, (preset_saved, preset_lost) = st.session_state.get(ROUND, 0), st.session_state.get(PRESET, ([], []))
    saved = _marked(left.multiselect(t("Saved (renews at its ARR due)"), list(labels), default=preset_saved,
                                     format_func=labels.get, key=f"{SAVED}_{turn}"))
    lost = _marked(right.multiselect(t("Lost (churns)"), list(labels), default=preset_lost, format_func=labels.get,
                                     key=f"{LOST}_{turn}"))
    if not saved and not lost:
        return
    before, after = view.summary, what_if(view, saved, lost)
    cols = st.columns(5)
    for column, name, key in ((cols[0], "quarter_floor_arr", "floor_arr"),
                              (cols[1], "quarter_forecast_arr", "forecast_arr"),
                              (cols[2], "quarter_best_case_arr", "best_case_arr")):
        metric(column, name, after[key], currency, delta=money(after[key] - before[key], currency),
               delta_color="normal")
    metric(cols[3], "quarter_projected_grr", after["projected_grr"], delta=percent(
        (after["projected_grr"] or 0) - (before["projected_grr"] or 0)), delta_color="normal")
    planned = after["planned_renewed_arr"]
    gap = planned - after["forecast_arr"] if planned is not None else None
    metric(cols[4], "plan_gap_arr", gap, currency, delta=money(gap - (planned - before["forecast_arr"]), currency)
           if gap is not None else None, delta_color="inverse")
