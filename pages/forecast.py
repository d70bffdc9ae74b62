"""Renewal forecast for leadership: what is due, what will probably renew, and how far to trust it."""

import datetime as dt

import polars as pl
import streamlit as st

from renewal_radar import figures, forecast_charts, settings, ui
from renewal_radar.i18n import t
from renewal_radar.readers import forecast as reader
from renewal_radar.readers import packs as packs_reader

ui.page_header(t("Renewal forecast"), t("ARR up for renewal in the horizon, the floor, weighted forecast and best "
                                        "case, and — next to it — how accurate the same forecast was in the past."))
ui.stop_without_data()

as_of, filters = ui.current_as_of(), ui.current_filters()
ui.warn_if_scores_stale()
VIEWS = {"quarter": t("Fiscal quarter"), "horizon": t("Rolling horizon")}
view = st.segmented_control(t("View"), list(VIEWS), default="quarter", format_func=VIEWS.get,
                            key="forecast_view") or "quarter"
currency = ui.shown_currency()


def quarter_kpis(quarter: reader.QuarterView) -> None:
    """The quarter's closed-so-far, open, forecast and plan figures."""
    q = quarter.summary
    with ui.card_row() as cards:
        cards.metric("quarter_due_arr", q["due_arr"], currency, delta=ui.renewal_count(q["n_due"]),
                     label_values={"quarter": quarter.label})
        cards.metric("quarter_renewed_arr_gross", q["renewed_arr_gross"], currency,
                     delta=t("net {arr}", arr=ui.money(q["renewed_arr_net"], currency)))
        cards.metric("quarter_churned_arr", q["churned_due_arr"], currency,
                     delta=ui.renewal_count(q["n_churned"]))
        cards.metric("quarter_contracted_arr", q["contracted_arr"], currency)
        cards.metric("quarter_open_arr", q["open_due_arr"], currency, delta=ui.renewal_count(q["n_open"]))
    forecast_row(q)


def forecast_row(q: dict) -> None:
    """Floor ≤ forecast ≤ best case on the whole due set, in that order; the open part apart; GRR and the gap."""
    with ui.card_row() as cards:
        cards.metric("quarter_floor_arr", q["floor_arr"], currency)
        cards.metric("quarter_forecast_arr", q["forecast_arr"], currency)
        cards.metric("quarter_best_case_arr", q["best_case_arr"], currency)
        cards.metric("quarter_open_forecast_arr", q["open_forecast_arr"], currency)
        cards.metric("quarter_projected_grr", q["projected_grr"],
                     delta=(t("NRR {nrr}", nrr=ui.percent(q["projected_nrr"]))
                            if q.get("projected_nrr") is not None else None))
        cards.metric("quarter_gap_to_plan_arr", q["gap_to_plan_arr"], currency,
                     delta=(t("plan {arr}", arr=ui.money(q["planned_renewed_arr"], currency))
                            if q["planned_renewed_arr"] is not None else None))


def level_table(table: pl.DataFrame, levels: list[str], name: str) -> None:
    """A roll-up with a total row at each level, in the registry's labels."""
    # a total row names its level and says "Total" in the first column below it
    words = [pl.when(pl.col("level") == depth).then(pl.lit(t("Total"))).otherwise(pl.col(level)).fill_null("")
             .alias(level) for depth, level in enumerate(levels)]
    ui.table_with_download(table.with_columns(words).drop("level"), name, name, {
        level: st.column_config.TextColumn(figures.label(level)) for level in levels})


def week_headline(panel: reader.WhatMoved) -> str:
    """"Up $120k since last week's snapshot: 2 × Pulled in, 1 × CRM call changed": the change and its moves."""
    result = panel.result
    delta = result["after_forecast_arr"] - result["before_forecast_arr"]
    labels = forecast_charts.moved_kind_labels()
    moves = [f"{row['renewals']:,} × {labels[row['kind']]}" for row in panel.steps.iter_rows(named=True)
             if row["renewals"]]
    direction = t("Up {arr}", arr=ui.money(abs(delta), currency)) if delta >= 0 else \
        t("Down {arr}", arr=ui.money(abs(delta), currency))
    return t("{direction} since snapshot #{id}: {moves}.", direction=direction, id=result["since"],
             moves=", ".join(moves) or t("nothing moved"))


@st.fragment
def leadership_pack(label: str) -> None:
    """The quarter's leadership pack as PDF and PowerPoint; a fragment, so building it reruns only this part."""
    st.caption(t("The quarterly report for the executive team: the quarter so far, the forecast against plan, the "
                 "path from last week, teams and segments, retention and committed ARR, why customers left, the top "
                 "open risks and the forecast's track record — one message per slide, with the figures in full."))
    if st.button(t("Build the leadership pack"), type="primary", key="quarter_pack_build"):
        with st.spinner(t("Building the pack: charts, PDF and PowerPoint…")):
            st.session_state["quarter_pack"] = (label, ui.compute(packs_reader.quarter_pack_files, label, as_of,
                                                                  filters))
    built = st.session_state.get("quarter_pack")
    if built and built[0] == label:
        ui.pack_downloads(built[1], f"leadership_pack_{label}", "quarter_pack", quarter=label)


def team_view(quarter: reader.QuarterView) -> None:
    """The quarter by team → manager → CSM (by CSM without team.csv), narrowed to one manager's teams."""
    if not quarter.has_team:
        st.info(t("No team file: the breakdown is by CSM. Import `team.csv` (`owner`, `manager`, `team`) to "
                  "roll the forecast up by team and manager."))
        level_table(quarter.by_team, ["csm_owner"], "quarter_by_csm")
        return
    managers = sorted(m for m in quarter.renewals["manager"].drop_nulls().unique().to_list())
    manager = st.selectbox(t("Manager"), [None, *managers], key="quarter_manager",
                           format_func=lambda m: t("Every team") if m is None else m)
    teams = [] if manager is None else \
        quarter.by_team.filter(pl.col("manager") == manager)["team"].unique().to_list()
    shown = quarter.by_team if manager is None else quarter.by_team.filter(
        (pl.col("manager") == manager) | (pl.col("level") == 0)
        | ((pl.col("level") == 1) & pl.col("team").is_in(teams)))
    st.caption(t("Team → manager → CSM, with a total row at each level (an empty column below a level "
                 "is its total); plan and gap on the team totals where targets.csv names the team."))
    level_table(shown, ["team", "manager", "csm_owner"], "quarter_by_team")


def segment_view(quarter: reader.QuarterView) -> None:
    """The quarter by segment against the plan."""
    level_table(quarter.by_segment, ["segment"], "quarter_by_segment")
    if quarter.targets.is_empty():
        st.caption(t("No plan for {quarter}: add targets.csv (quarter, segment, team, target_grr, "
                     "target_renewed_arr) to see the forecast against it.", quarter=quarter.label))


def renewals_view(quarter: reader.QuarterView) -> None:
    """Every renewal of the quarter, with its outcome or its price."""
    table = quarter.renewals.with_columns(ui.account_url()).select(
        "open", "account_id", "name", "segment", "csm_owner", "renewal_date", "outcome", "due_arr",
        "renewed_arr_gross", "probability", "source", "category", "projected_gross_arr").sort("renewal_date")
    ui.table_with_download(table, "quarter_renewals", "quarter_renewals", {"open": ui.account_link_column()},
                           height=320)


def week_view(quarter: reader.QuarterView) -> None:
    """The quarter's forecast since the snapshot of a week or more before."""
    panel = ui.compute(reader.week_moved, quarter.label, as_of, filters)
    if panel is None:
        st.info(t("No snapshot from a week or more before the as-of day yet: every import saves one, so the "
                  "next week's import shows what moved."))
        return
    st.markdown(f"**{week_headline(panel)}**")
    st.plotly_chart(forecast_charts.moved_waterfall(panel.result["before_forecast_arr"], panel.steps,
                                                    panel.result["after_forecast_arr"], currency,
                                                    t("The quarter's forecast since last week")), width="stretch")


def quarter_views(quarter: reader.QuarterView) -> None:
    """The quarter's seven views as tabs, only the open one drawn (a visit draws one view, not seven)."""
    ui.lazy_tabs({
        t("By team"): lambda: team_view(quarter),
        t("By segment"): lambda: segment_view(quarter),
        t("Renewals in the quarter"): lambda: renewals_view(quarter),
        t("Price at renewal"): lambda: ui.quarter_price_panel(
            ui.compute(reader.quarter_price, quarter.label, as_of, filters), currency),
        t("Path to plan"): lambda: ui.path_to_plan_panel(quarter, reader.plan_path(quarter), reader.what_if,
                                                          currency),
        t("Since last week"): lambda: week_view(quarter),
        t("Leadership pack"): lambda: leadership_pack(quarter.label),
    }, "forecast_quarter_tab")


if view == "quarter":
    this_label, next_label = reader.current_quarters(as_of)
    with st.spinner(t("Forecasting the quarter…")):
        this_quarter = ui.compute(reader.quarter, this_label, as_of, filters)
        next_quarter = ui.compute(reader.quarter, next_label, as_of, filters)
    st.subheader(t("{quarter}: {start} to {end}", quarter=this_quarter.label, start=ui.day(this_quarter.start),
                   end=ui.day(this_quarter.end - dt.timedelta(days=1))))
    quarter_kpis(this_quarter)
    with st.expander(t("Next quarter, {quarter}: {start} to {end}", quarter=next_quarter.label,
                       start=ui.day(next_quarter.start), end=ui.day(next_quarter.end - dt.timedelta(days=1))),
                     expanded=True):
        quarter_kpis(next_quarter)
    quarter_views(this_quarter)
    horizon = settings.get("forecast_horizon_days")
    result = ui.compute(reader.horizon, as_of, horizon, filters)
    summary = result.summary
else:
    HORIZONS = {days: t("A year") if days == 365 else ui.day_count(days) for days in reader.HORIZONS_DAYS}
    horizon = st.radio(t("Horizon"), list(HORIZONS), index=2, horizontal=True, key="forecast_horizon",
                       format_func=HORIZONS.get)
    with st.spinner(t("Forecasting…")):
        result = ui.compute(reader.horizon, as_of, horizon, filters)
    summary, due = result.summary, result.renewals
    currency = ui.shown_currency()

    with ui.card_row() as cards:
        cards.metric("horizon_due_arr", summary["due_arr"], currency,
                     delta=ui.renewal_count(summary["n_due"]))
        cards.metric("floor_arr", summary["floor_arr"], currency)
        cards.metric("weighted_forecast_arr", summary["forecast_gross_arr"], currency)
        cards.metric("best_case_arr", summary["best_case_arr"], currency)
        cards.metric("projected_gross_renewal_rate", summary["projected_gross_renewal_rate"])
        cards.metric("projected_net_renewal_rate", summary["projected_net_renewal_rate"])

    if due.is_empty():
        st.info(t("No renewal is due in this horizon for the filtered accounts."))
        st.stop()

    left, right = st.columns([3, 2])
    left.plotly_chart(forecast_charts.forecast_waterfall(summary, currency, t("From ARR due to projected renewed ARR")),
                      width="stretch")
    with right:
        by = st.selectbox(t("Break down by"), ["segment", "csm_owner", "category", "source"], key="forecast_by",
                          format_func=figures.label)
        breakdown = result.breakdowns[by]
        ui.dataframe(breakdown, column_config={
            })

    st.subheader(t("Renewals in the horizon"))
    table = due.with_columns(ui.account_url()).select(
        "open", "account_id", "name", "segment", "csm_owner", "renewal_date", "due_arr", "probability", "source",
        "category", "cancels_at_period_end", "payment_at_risk", "model_probability", "stage", "health_score"
    ).sort("renewal_date")
    ui.table_with_download(table, "forecast_renewals", "forecast_renewals", {
        "open": ui.account_link_column(),
        "health_score": st.column_config.NumberColumn(t("Health"), format="%.0f")}, height=320)

    st.subheader(t("The CSM's call against the model"))
    st.caption(t("Renewals where the CRM category and the model disagree strongly: called Commit or Closed Won while "
                 "the model gives them under 50 %, or Omitted or Pipeline while it gives them over 85 %. Largest ARR "
                 "at stake first; bring them to the forecast meeting."))
    queue = result.disagreements
    if queue.is_empty():
        st.success(t("No strong disagreement between the CRM and the model in this horizon."))
    else:
        drivers = ui.compute(reader.drivers, as_of, filters)
        queue = queue.join(drivers, on="account_id", how="left").with_columns(ui.account_url())
        ui.table_with_download(queue.select(
            "open", "account_id", "name", "csm_owner", "renewal_date", "due_arr", "crm_category", "crm_probability",
            "model_probability", "arr_at_stake", "top_drivers"), "forecast_disagreements", "forecast_disagreements", {
            "open": ui.account_link_column(),
            "top_drivers": st.column_config.TextColumn(t("Model's drivers"), width="large")}, height=260)

st.subheader(t("What moved since a snapshot"))
snaps = ui.compute(reader.snapshots)
left, right = st.columns([3, 2])
with right:
    name = st.text_input(t("Save today's forecast as"), key="snapshot_name",
                         placeholder=t("e.g. Monday forecast review"))
    if st.button(t("Save snapshot"), key="snapshot_save"):
        saved = ui.save_snapshot(as_of, horizon, name)
        st.success(t("Saved snapshot {id}.", id=saved))
        snaps = ui.compute(reader.snapshots)
if snaps.is_empty():
    left.info(t("No snapshot yet: every import saves one, or save one here."))
else:
    labels = {r["id"]: f"#{r['id']} {ui.snapshot_name(r)} ({ui.day(r['saved_at'].date())} {r['saved_at']:%H:%M})"
              for r in snaps.iter_rows(named=True)}
    picked = left.selectbox(t("Compare with"), list(labels), format_func=labels.get, key="moved_since")
    panel = ui.compute(reader.what_moved, picked, as_of, filters)
    result = panel.result
    if panel.snapshot_as_of and panel.snapshot_as_of > as_of:
        st.warning(t("This snapshot was made as of {then}, after the as-of day {now}: the comparison runs backwards "
                     "in time (pick a later as-of day, or an earlier snapshot).", then=ui.day(panel.snapshot_as_of),
                     now=ui.day(as_of)))
    with ui.card_row() as cards:
        cards.metric("forecast_then_arr", result["before_forecast_arr"], currency)
        cards.metric("forecast_now_arr", result["after_forecast_arr"], currency, delta_color="normal",
                     delta=ui.money(result["after_forecast_arr"] - result["before_forecast_arr"], currency))
        cards.metric("renewals_changed", len(result["changes"]))
    st.caption(t("Renewals due from {start} to {end} (the snapshot's period), forecast then and now.",
                 start=result["start"], end=result["end"]))
    st.plotly_chart(forecast_charts.moved_waterfall(
        result["before_forecast_arr"], panel.steps, result["after_forecast_arr"], currency,
        t("From the snapshot's forecast to today's")), width="stretch")
    changed = panel.changes
    if changed.height:
        labels = forecast_charts.moved_kind_labels()
        counts = dict(changed["kind"].value_counts().iter_rows())
        kind = st.pills(t("Show the renewals behind"), [k for k in labels if k in counts], key="moved_kind",
                        format_func=lambda k: f"{labels[k]} ({counts[k]:,})")
        shown = changed.filter(pl.col("kind") == kind) if kind else changed
        ui.table_with_download(shown.with_columns(ui.account_url(), pl.col("kind").replace_strict(labels)),
                               "what_moved", "what_moved", {
            "kind": st.column_config.TextColumn(t("Change")), "name": st.column_config.TextColumn(t("Account")),
            "renewal_date_before": st.column_config.TextColumn(t("Renewal date then")),
            "renewal_date_after": st.column_config.TextColumn(t("Renewal date now")),
            "open": ui.account_link_column()}, height=300)

st.subheader(t("Which method prices the renewals"))
METHOD_WORDS = {"model": t("Renewal model"), "naive": t("Naive trailing rate"),
                "recalibrated": t("Model recalibrated to the recent level")}
method, method_errors = summary.get("method") or "naive", summary.get("method_errors") or {}
st.caption(t("On each forecast day the three methods' forecasts of the latest six month starts whose "
             "outcomes were known by that day are compared with what renewed; the one with the lowest mean "
             "absolute percentage error is used: the naive rate in place of the model's prices, or the "
             "recalibration, which moves the model's prices and the CRM's calls to the recent level. With fewer "
             "than three such months the naive rate is used. Account probabilities keep their ranking."))
with ui.card_row() as cards:
    for name in ("model", "naive", "recalibrated"):
        cards.metric("method_error", method_errors.get(name), delta=t("in use") if name == method else None,
                     label_values={"method": METHOD_WORDS[name]},
                     help_values={"days": settings.get("forecast_horizon_days")})
st.markdown(t("**In use: {method}.**", method=METHOD_WORDS.get(method, method)))

st.subheader(t("How accurate has this forecast been?"))
st.caption(t("The same forecast made on each month start of the past year, from what was known that day only "
             "(the CRM's calls as they stood that day when an opportunity history is imported, otherwise only "
             "once closed, since the export holds today's stage), priced by the method "
             "chosen that day, against the ARR that actually renewed. The naive forecast multiplies ARR due by the "
             "trailing-12-month gross renewal rate."))
with st.spinner(t("Backtesting the forecast over the past year…")):
    record = ui.compute(reader.track_record, horizon, filters)
    backtest, calibration, accuracy = record.backtest, record.calibration, record.accuracy
if backtest.is_empty():
    st.info(t("Not enough history to backtest this horizon yet."))
else:
    with ui.card_row() as cards:
        cards.metric("forecast_error", accuracy["forecast_error"])
        cards.metric("naive_forecast_error", accuracy["naive_error"])
        cards.metric("forecast_bias", accuracy["bias"])
    st.plotly_chart(forecast_charts.forecast_backtest_chart(backtest, currency, t("Forecast against what renewed")),
                    width="stretch")
    ui.dataframe(backtest)  # labels, money and percentages from the column registry
    st.markdown(t("**Calibration**: renewals of all backtest days grouped by decile of predicted probability."))
    # the stored table's names are shared with the risk backtest's, where the rate is one of churn
    ui.dataframe(calibration.rename({"predicted_rate": "predicted_renewal_rate", "actual_rate": "actual_renewal_rate"}))

st.subheader(t("Whose calls can we trust?"))
calls = ui.compute(reader.calls, horizon, filters)
if calls is None:
    st.info(t("No opportunity history is loaded, so the CRM's calls of past days are unknown (the export holds "
              "today's stage only) and the accuracy of each CSM's calls cannot be measured. Import Salesforce's "
              "Opportunity History report or OpportunityHistory.csv as opportunity_history."))
elif calls.book.is_empty() or not calls.book["renewals"][0]:
    st.info(t("The opportunity history holds no call on the backtest days for these accounts."))
else:
    st.caption(t("The CRM's calls as they stood on each month start of the past year, against what renewed: the "
                 "share of the ARR called Commit, Best Case and Pipeline that renewed, and the error of the called "
                 "forecast beside the model's on the same renewals. A reliable Commit renews close to 100%."))
    by_team, by_csm = st.tabs([t("By team"), t("By CSM")])
    # the answer first: who called, how far off the call was beside the model, what each call renewed
    answer = ["called_error", "model_error", *reader.CALL_SHARE_COLUMNS.values()]

    def answer_first(frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
        return frame.select(*by, *answer, *[c for c in frame.columns if c not in (*by, *answer)])

    with by_team:
        ui.table_with_download(answer_first(pl.concat([calls.book.with_columns(pl.lit(t("Total")).alias("team")),
                                                       calls.by_team], how="diagonal_relaxed"), ["team"]),
                               "call_accuracy_by_team", "call_accuracy_by_team")
    with by_csm:
        ui.table_with_download(answer_first(calls.by_csm, [c for c in calls.by_csm.columns
                                                           if calls.by_csm.schema[c] == pl.String]),
                               "call_accuracy_by_csm", "call_accuracy_by_csm")

with st.expander(t("How the probabilities are made")):
    st.markdown(t(
        "1. **Booked**: renewal lines already known on the as-of day → the share of the due ARR they renew "
        "(1.0, or less when the renewal was booked smaller).\n"
        "2. **CRM**: a renewal opportunity of the account closing within {grace} days of the renewal → its "
        "probability, else its category's default (Closed Won {won:.0%}, Commit {commit:.0%}, Best Case {best:.0%}, "
        "Pipeline {pipe:.0%}, Omitted and Closed Lost {lost:.0%}).\n"
        "3. **Model**: a logistic regression fitted on the renewals decided in the twelve months before the as-of "
        "day: it starts from the renewal rate of the account's segment and billing period (smoothed) and moves with "
        "the account's health signals (usage trend, seat utilisation, breadth, NPS, support load, CSM touch). "
        "Renewals are weighted by their ARR, because the forecast is a sum of ARR.\n"
        "4. **Method**: on each day the model, the naive trailing rate and the model recalibrated to the recent "
        "level are backtested on the month starts before it; the most accurate one sets the level of the model's "
        "probabilities (their ranking stays the model's).",
        grace=settings.get("grace_days"), won=settings.get("p_closed_won"), commit=settings.get("p_commit"),
        best=settings.get("p_best_case"), pipe=settings.get("p_pipeline"), lost=settings.get("p_omitted")))
