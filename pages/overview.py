"""Overview for leadership: ARR, retention, churn, upcoming renewals and MRR movements."""

import datetime as dt

import polars as pl
import streamlit as st

from renewal_radar import charts, ui
from renewal_radar.figures import help_text
from renewal_radar.i18n import t
from renewal_radar.readers import overview as reader

ui.page_header(t("Overview"), t("How much recurring revenue we have, how much we keep, and what is up for "
                                "renewal next. Figures follow the sidebar filters."))
ui.stop_without_data()

filters = ui.current_filters()
with st.spinner(t("Computing the overview…")):
    data = ui.compute(reader.read, ui.current_as_of(), filters)
currency, window = data.currency, data.window

cols = st.columns(6)
growth = data.arr_growth
cols[0].metric(t("ARR now"), ui.money(data.arr_now, currency), delta=ui.percent(growth) if growth is not None else None,
               help=help_text("arr", "mrr") + "\n\n" + t("Change against {day}.", day=data.year_ago))
cols[1].metric(t("ARR a year ago"), ui.money(data.arr_year_ago, currency), help=help_text("arr"))
cols[2].metric(t("GRR (12 months)"), ui.percent(window["grr"]), help=help_text("grr", "start_set", "trailing"))
cols[3].metric(t("NRR (12 months)"), ui.percent(window["nrr"]), help=help_text("nrr", "start_set", "trailing"))
cols[4].metric(t("Logo churn (12 months)"), ui.percent(window["logo_churn_rate"]),
               help=help_text("logo_churn_rate", "n_churned", "start_set"))
cols[5].metric(t("Due in 90 days"), ui.money(data.due_arr, currency),
               delta=t("{n:,} renewals", n=data.due.height), delta_color="off", delta_arrow="off",
               help=help_text("renewal_event", "due") + "\n\n" + t("The Forecast and Calendar pages' due set: renewal "
                                                                     "days from {start} to {end}, from the contract "
                                                                     "lines known that day.",
                                                                     start=data.as_of,
                                                                     end=data.as_of + dt.timedelta(days=89)))
quarter = data.quarter
cols = st.columns(6)
cols[0].metric(t("{quarter}: ARR due", quarter=data.quarter_label), ui.money(quarter["due_arr"], currency),
               help=t("ARR of every renewal due in this fiscal quarter, from lines known on the as-of day: renewed, "
                      "churned and still open add up to it."))
cols[1].metric(t("Renewed so far"), ui.money(quarter["renewed_arr_gross"], currency),
               help=t("Gross renewed ARR of the quarter's renewals already booked (a smaller renewal counts at "
                      "what was booked)."))
cols[2].metric(t("Churned so far"), ui.money(quarter["churned_due_arr"], currency),
               help=t("ARR due on the quarter's renewals whose grace period ended without a renewal."))
cols[3].metric(t("Still open"), ui.money(quarter["open_due_arr"], currency),
               help=t("ARR due on the quarter's renewals not yet decided."))
cols[4].metric(t("Projected GRR on renewals"), ui.percent(quarter["projected_grr"]),
               delta=(t("plan {grr}", grr=ui.percent(quarter["target_grr"])) if quarter["target_grr"] is not None
                      else None), delta_color="off", delta_arrow="off",
               help=t("(renewed gross + the open renewals' weighted forecast less expected contraction) / ARR due "
                      "of the quarter: the Forecast page's quarter view."))
gap = quarter["gap_to_plan_arr"]
cols[5].metric(t("Gap to plan"), ui.money(gap, currency) if gap is not None else "—",
               help=t("Projected renewed ARR minus the plan's (targets.csv); a dash without a plan."))
st.caption(t("Retention window: {start} to {end}. Money in {currency}.", start=data.year_ago, end=data.as_of,
             currency=currency))

left, right = st.columns([3, 2])
left.plotly_chart(charts.retention_trend_chart(data.trend), width="stretch")
right.plotly_chart(charts.arr_bar_chart(data.by_segment, "segment", currency, t("ARR by segment")), width="stretch")
st.plotly_chart(charts.movements_chart(data.movements, currency), width="stretch")
st.caption(help_text("movements", "identity"))

st.subheader(t("The accounts behind the numbers"))
behind_arr, behind_window, behind_due, behind_moves = st.tabs(
    [t("ARR now"), t("Trailing-12-month retention"), t("Renewals due in 90 days"), t("Movements in a month")])
with behind_arr:
    ui.table_with_download(data.accounts.select("account_id", "name", "segment", "region", "csm_owner", "arr"),
                           "arr_accounts", "arr_accounts", {"arr": ui.money_column(t("ARR"), currency)}, height=320)
with behind_window:
    money_columns = ("mrr_start", "mrr_end", "change")
    ui.table_with_download(
        data.window_accounts.select("account_id", "name", "segment", "csm_owner", "outcome", *money_columns),
        "retention_accounts", "retention_accounts", height=320)
with behind_due:
    table = data.due.with_columns(ui.account_url()).select(
        "open", "account_id", "name", "segment", "csm_owner", "renewal_date", "decision_date", "due_arr",
        "probability", "products")
    ui.table_with_download(table, "renewals_due", "renewals_due", {
        "due_arr": ui.money_column(t("Due ARR"), currency), "probability": ui.percent_column(t("Probability")),
        "open": ui.account_link_column()}, height=320)
with behind_moves:
    month = st.selectbox(t("Month"), data.movements["month"].to_list()[::-1], format_func=lambda d: f"{d:%B %Y}",
                         key="movement_month")
    moved = ui.compute(reader.movement_accounts, month, filters)
    money_columns = ("prev_mrr", "cur_mrr", "amount", "fx")
    table = moved.with_columns(ui.account_url()).select("open", "account_id", "name", "movement", *money_columns)
    ui.table_with_download(table.sort(pl.col("amount"), descending=True), "movement_accounts", "movement_accounts",
                           {"open": ui.account_link_column()}, height=320)
