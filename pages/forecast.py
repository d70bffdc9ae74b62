"""Renewal forecast for leadership: what is due, what will probably renew, and how far to trust it."""

import polars as pl
import streamlit as st

from renewal_radar import charts, pagedata, settings, ui
from renewal_radar.i18n import t

ui.page_header(t("Renewal forecast"), t("ARR up for renewal in the horizon, the floor, weighted forecast and best "
                                        "case, and — next to it — how accurate the same forecast was in the past."))
ui.stop_without_data()

as_of, filters = ui.current_as_of(), ui.current_filters()
HORIZONS = {30: t("30 days"), 60: t("60 days"), 91: t("A quarter (91 days)"), 182: t("Half a year"),
            365: t("A year")}
horizon = st.radio(t("Horizon"), list(HORIZONS), index=2, horizontal=True, key="forecast_horizon",
                   format_func=HORIZONS.get)
with st.spinner(t("Forecasting…")):
    result = ui.compute(pagedata.renewal_forecast, as_of, horizon, filters)
summary, due = result.summary, result.renewals
currency = ui.compute(pagedata.reporting_currency)

cols = st.columns(6)
cols[0].metric(t("ARR due"), ui.money(summary["due_arr"], currency), delta=t("{n:,} renewals", n=summary["n_due"]),
               delta_color="off", delta_arrow="off", help=t("Σ 12 × due MRR of the renewals due in the horizon, "
                                                             "from lines known on the as-of day."))
cols[1].metric(t("Floor"), ui.money(summary["floor_arr"], currency),
               help=t("ARR due on renewals already booked, Closed Won or Commit in the CRM."))
cols[2].metric(t("Weighted forecast"), ui.money(summary["forecast_gross_arr"], currency),
               help=t("Σ probability × ARR due (metrics.md: forecast_gross_arr)."))
cols[3].metric(t("Best case"), ui.money(summary["best_case_arr"], currency), help=t("The floor plus Best Case."))
cols[4].metric(t("Projected gross renewal"), ui.percent(summary["projected_gross_renewal_rate"]),
               help=t("(weighted forecast − expected contraction) / ARR due; contraction at the trailing-12-month "
                      "share of renewed renewals."))
cols[5].metric(t("Projected net renewal"), ui.percent(summary["projected_net_renewal_rate"]),
               help=t("Adds expected expansion at the trailing-12-month share."))

if due.is_empty():
    st.info(t("No renewal is due in this horizon for the filtered accounts."))
    st.stop()

left, right = st.columns([3, 2])
left.plotly_chart(charts.forecast_waterfall(summary, currency, t("From ARR due to projected renewed ARR")),
                  width="stretch")
with right:
    by = st.selectbox(t("Break down by"), ["segment", "csm_owner", "category", "source"], key="forecast_by")
    breakdown = due.with_columns(pl.col(by).fill_null("(no CRM call)")).group_by(by).agg(
        pl.len().alias("renewals"), pl.col("due_arr").sum(),
        (pl.col("probability") * pl.col("due_arr")).sum().alias("forecast_arr")).sort("due_arr", descending=True)
    ui.dataframe(breakdown, column_config={
        "due_arr": ui.money_column(t("ARR due"), currency), "forecast_arr": ui.money_column(t("Forecast"), currency)})

st.subheader(t("Renewals in the horizon"))
table = due.select("account_id", "name", "segment", "csm_owner", "renewal_date", "due_arr", "probability", "source",
                   "category", "stage", "health_score").sort("renewal_date")
ui.table_with_download(table, "forecast_renewals", "forecast_renewals", {
    "due_arr": ui.money_column(t("ARR due"), currency), "probability": ui.percent_column(t("Probability")),
    "health_score": st.column_config.NumberColumn(t("Health"), format="%.0f")}, height=320)

st.subheader(t("How accurate has this forecast been?"))
st.caption(t("The same forecast made on each month start of the past year, from what was known that day only "
             "(CRM stages count only once closed, since the export holds today's stage), against the ARR that "
             "actually renewed. The naive forecast multiplies ARR due by the trailing-12-month gross renewal rate."))
with st.spinner(t("Backtesting the forecast over the past year…")):
    backtest, calibration = ui.compute(pagedata.forecast_backtest, horizon, filters)
if backtest.is_empty():
    st.info(t("Not enough history to backtest this horizon yet."))
else:
    ours = backtest["projected_abs_pct_error"].mean()
    naive = backtest["naive_abs_pct_error"].mean()
    cols = st.columns(3)
    cols[0].metric(t("Mean absolute % error, ours"), ui.percent(ours))
    cols[1].metric(t("Mean absolute % error, naive"), ui.percent(naive))
    cols[2].metric(t("Bias of the weighted forecast"), ui.percent(backtest["bias"].mean()),
                   help=t("Mean of (weighted forecast − actual) / actual: above zero means it ran high."))
    st.plotly_chart(charts.forecast_backtest_chart(backtest, currency, t("Forecast against what renewed")),
                    width="stretch")
    ui.dataframe(backtest, column_config={
        **{c: ui.money_column(c, currency) for c in ("due_arr", "forecast_arr", "projected_arr", "naive_arr",
                                                     "actual_arr")},
        **{c: ui.percent_column(c) for c in ("abs_pct_error", "projected_abs_pct_error", "naive_abs_pct_error",
                                             "bias")}})
    st.markdown(t("**Calibration**: renewals of all backtest days grouped by decile of predicted probability."))
    ui.dataframe(calibration, column_config={
        c: ui.percent_column(c) for c in ("predicted_rate", "actual_rate", "from_p", "to_p")})

with st.expander(t("How the probabilities are made")):
    st.markdown(t(
        "1. **Booked**: a renewal line already known on the as-of day → 1.0.\n"
        "2. **CRM**: a renewal opportunity of the account closing within {grace} days of the renewal → its "
        "probability, else its category's default (Closed Won {won:.0%}, Commit {commit:.0%}, Best Case {best:.0%}, "
        "Pipeline {pipe:.0%}, Omitted and Closed Lost {lost:.0%}).\n"
        "3. **Model**: a logistic regression fitted on the renewals decided in the twelve months before the as-of "
        "day: it starts from the renewal rate of the account's segment and billing period (smoothed) and moves with "
        "the account's health signals (usage trend, seat utilisation, breadth, NPS, support load, CSM touch). "
        "Renewals are weighted by their ARR, because the forecast is a sum of ARR.",
        grace=settings.get("grace_days"), won=settings.get("p_closed_won"), commit=settings.get("p_commit"),
        best=settings.get("p_best_case"), pipe=settings.get("p_pipeline"), lost=settings.get("p_omitted")))
