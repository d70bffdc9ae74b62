"""Overview for leadership: ARR, retention, churn, upcoming renewals and MRR movements."""

import datetime as dt

import polars as pl
import streamlit as st

from renewal_radar import charts, figures, ui
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

growth = data.arr_growth
with ui.card_row() as cards:
    cards.metric("arr_now", data.arr_now, currency, delta=ui.percent(growth) if growth is not None else None,
                 delta_color="normal", extra_help=t("Change against {day}.", day=data.year_ago))
    cards.metric("arr_year_ago", data.arr_year_ago, currency)
    cards.metric("grr_12m", window["grr"])
    cards.metric("nrr_12m", window["nrr"])
    cards.metric("logo_churn_12m", window["logo_churn_rate"])
    cards.metric("due_90_arr", data.due_arr, currency, delta=ui.renewal_count(data.due.height),
                 extra_help=t("The Forecast and Calendar pages' due set: renewal days from {start} to {end}, from "
                              "the contract lines known that day.", start=data.as_of,
                              end=data.as_of + dt.timedelta(days=89)))
    cards.metric("customers_now", data.customers)
committed = data.committed
with ui.card_row() as cards:
    cards.metric("committed_arr", committed["committed_arr"], currency,
                 delta=ui.money(committed["committed_arr"] - committed["arr"], currency), delta_color="normal",
                 extra_help=t("Against ARR now."))
    cards.metric("signed_not_live_arr", committed["signed_not_live_arr"], currency)
    cards.metric("announced_cancellations_arr", committed["announced_cancellations_arr"], currency)
quarter = data.quarter
with ui.card_row() as cards:
    cards.metric("quarter_due_arr", quarter["due_arr"], currency, label_values={"quarter": data.quarter_label})
    cards.metric("quarter_renewed_arr_gross", quarter["renewed_arr_gross"], currency)
    cards.metric("quarter_churned_arr", quarter["churned_due_arr"], currency)
    cards.metric("quarter_open_arr", quarter["open_due_arr"], currency)
    cards.metric("quarter_projected_grr", quarter["projected_grr"],
                 delta=(t("plan {grr}", grr=ui.percent(quarter["target_grr"])) if quarter["target_grr"] is not None
                        else None), extra_help=t("The Forecast page's quarter view."))
    cards.metric("quarter_gap_to_plan_arr", quarter["gap_to_plan_arr"], currency)
st.caption(t("Retention window: {start} to {end}. Money in {currency}.", start=data.year_ago, end=data.as_of,
             currency=currency))

left, right = st.columns([3, 2])
left.plotly_chart(charts.retention_trend_chart(data.trend), width="stretch")
right.plotly_chart(charts.arr_bar_chart(data.by_segment, "segment", currency, t("ARR by segment")), width="stretch")
st.plotly_chart(charts.movements_chart(data.movements, currency), width="stretch")
st.caption(help_text("movements", "identity"))

st.subheader(t("The accounts behind the numbers"))
behind_arr, behind_committed, behind_window, behind_due, behind_moves = st.tabs(
    [t("ARR now"), t("Committed ARR"), t("Trailing-12-month retention"), t("Renewals due in 90 days"),
     t("Movements in a month")])
with behind_arr:
    ui.table_with_download(data.accounts.select("account_id", "name", "segment", "region", "csm_owner", "arr"),
                           "arr_accounts", "arr_accounts", height=320)
with behind_committed:
    st.caption(t("The lines between ARR now and committed ARR: signed, not yet live (+) and cancellations already "
                 "announced (−)."))
    lines = data.committed_lines.with_columns(ui.account_url(), *[pl.col(c).replace_strict(
        figures.value_words(c)) for c in ("line_kind", "line_reason")])
    ui.table_with_download(lines.select("open", "account_id", "name", "line_kind", "line_reason", "product",
                                        "start_date",
                                        "end_date", "arr"), "committed_lines", "committed_lines",
                           {"open": ui.account_link_column()}, height=320)
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
        "open": ui.account_link_column()}, height=320)
with behind_moves:
    month = st.selectbox(t("Month"), data.movements["month"].to_list()[::-1], format_func=lambda d: f"{d:%B %Y}",
                         key="movement_month")
    moved = ui.compute(reader.movement_accounts, month, filters)
    money_columns = ("prev_mrr", "cur_mrr", "amount", "fx")
    table = moved.with_columns(ui.account_url()).select("open", "account_id", "name", "movement", *money_columns)
    ui.table_with_download(table.sort(pl.col("amount"), descending=True), "movement_accounts", "movement_accounts",
                           {"open": ui.account_link_column()}, height=320)
