"""Overview for leadership: ARR, retention, churn, upcoming renewals and MRR movements."""

import datetime as dt

import polars as pl
import streamlit as st

from renewal_radar import charts, dates, metrics, renewals, ui
from renewal_radar.definitions import help_text
from renewal_radar.i18n import t

ui.page_header(t("Overview"), t("How much recurring revenue we have, how much we keep, and what is up for "
                                "renewal next. Figures follow the sidebar filters."))
ui.stop_without_data()

as_of = ui.current_as_of()
filters = ui.current_filters()
currency = ui.compute(metrics.reporting_currency)
year_ago = dates.add_months(as_of, -12)
window = ui.compute(metrics.window_metrics, year_ago, as_of, filters)
arr_now = 12 * ui.compute(metrics.mrr_total, as_of, filters)
arr_year_ago = 12 * ui.compute(metrics.mrr_total, year_ago, filters)
due = ui.compute(renewals.renewal_outcomes, as_of, as_of + dt.timedelta(days=90), None, None, filters)

cols = st.columns(6)
cols[0].metric(t("ARR now"), ui.money(arr_now, currency),
               delta=ui.percent(arr_now / arr_year_ago - 1) if arr_year_ago else None,
               help=help_text("arr", "mrr") + "\n\n" + t("Change against {day}.", day=year_ago))
cols[1].metric(t("ARR a year ago"), ui.money(arr_year_ago, currency), help=help_text("arr"))
cols[2].metric(t("GRR (12 months)"), ui.percent(window["grr"]),
               help=help_text("grr", "start_set", "trailing"))
cols[3].metric(t("NRR (12 months)"), ui.percent(window["nrr"]),
               help=help_text("nrr", "start_set", "trailing"))
cols[4].metric(t("Logo churn (12 months)"), ui.percent(window["logo_churn_rate"]),
               help=help_text("logo_churn_rate", "n_churned", "start_set"))
cols[5].metric(t("Due in 90 days"), ui.money(float(due["due_arr"].sum()), currency),
               delta=t("{n:,} renewals", n=due.height), delta_color="off", delta_arrow="off",
               help=help_text("renewal_event", "due") + "\n\n" + t("Renewal days from {start} to {end}.", start=as_of,
                                                                     end=as_of + dt.timedelta(days=89)))
st.caption(t("Retention window: {start} to {end}. Money in {currency}.", start=year_ago, end=as_of,
             currency=currency))

left, right = st.columns([3, 2])
with left:
    trend = ui.compute(metrics.trailing_retention_trend, as_of, 12, filters)
    st.plotly_chart(charts.retention_trend_chart(trend), width="stretch")
with right:
    by_segment = ui.compute(metrics.arr_by, as_of, "segment", filters)
    st.plotly_chart(charts.arr_bar_chart(by_segment, "segment", currency, t("ARR by segment")), width="stretch")

movements = ui.compute(metrics.monthly_movements, dates.add_months(as_of, -24), dates.month_floor(as_of),
                       filters)
st.plotly_chart(charts.movements_chart(movements, currency), width="stretch")
st.caption(help_text("movements", "identity"))

st.subheader(t("The accounts behind the numbers"))
behind_arr, behind_window, behind_due, behind_moves = st.tabs(
    [t("ARR now"), t("Trailing-12-month retention"), t("Renewals due in 90 days"), t("Movements in a month")])
with behind_arr:
    accounts = ui.compute(metrics.accounts_on_day, as_of, filters)
    ui.table_with_download(accounts.select("account_id", "name", "segment", "region", "csm_owner", "arr"),
                           "arr_accounts", "arr_accounts", {"arr": ui.money_column(t("ARR"), currency)}, height=320)
with behind_window:
    changes = ui.compute(metrics.window_accounts, year_ago, as_of, filters)
    ui.table_with_download(changes.select("account_id", "name", "segment", "csm_owner", "outcome", "mrr_start",
                                          "mrr_end", "change"),
                           "retention_accounts", "retention_accounts",
                           {c: ui.money_column(c, currency) for c in ("mrr_start", "mrr_end", "change")}, height=320)
with behind_due:
    table = due.select("account_id", "name", "segment", "csm_owner", "renewal_date", "decision_date", "due_arr",
                       "products")
    ui.table_with_download(table, "renewals_due", "renewals_due", {"due_arr": ui.money_column(t("Due ARR"), currency)},
                           height=320)
with behind_moves:
    month = st.selectbox(t("Month"), movements["month"].to_list()[::-1], format_func=lambda d: f"{d:%B %Y}",
                         key="movement_month")
    moved = ui.compute(metrics.movement_accounts, month, filters)
    ui.table_with_download(moved.select("account_id", "movement", "prev_mrr", "cur_mrr", "amount")
                           .sort(pl.col("amount"), descending=True), "movement_accounts", "movement_accounts",
                           {c: ui.money_column(c, currency) for c in ("prev_mrr", "cur_mrr", "amount")}, height=320)
