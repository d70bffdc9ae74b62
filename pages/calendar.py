"""Renewal calendar for renewal managers and CSMs: what comes up, when the notice deadline falls, how likely."""


import polars as pl
import streamlit as st

from renewal_radar import forecast_charts, ui
from renewal_radar.i18n import t
from renewal_radar.readers import calendar as reader

ui.page_header(t("Renewal calendar"), t("Renewals due in the next days and months, with notice deadlines, CRM stage, "
                                        "health and the probability of renewing. Overdue notices are flagged."))
ui.stop_without_data()

as_of, filters = ui.current_as_of(), ui.current_filters()
ui.warn_if_scores_stale()
with st.spinner(t("Loading renewals…")):
    calendar = ui.compute(reader.read, as_of, filters)
currency, events = calendar.currency, calendar.events

with ui.card_row() as cards:
    for days, window in calendar.due.items():
        cards.metric("due_within_arr", window["due_arr"], currency, delta=ui.renewal_count(window["renewals"]),
                     label_values={"d": days}, help_values={"d": days})
    cards.metric("notice_overdue", calendar.notice_overdue)
    cards.metric("expected_renewal_loss_90", calendar.expected_loss_arr, currency)
ui.ninety_days_caption(calendar.ninety_days, currency, "calendar")

st.plotly_chart(forecast_charts.due_by_month_chart(events, currency, t("ARR due by month, next 12 months")),
                width="stretch")

st.subheader(t("Renewals"))
left, middle, right = st.columns([1, 2, 2])
horizon = left.selectbox(t("Due within"), list(reader.HORIZONS_DAYS), index=3, key="calendar_horizon",
                         format_func=ui.day_count)
due = calendar.within(horizon)
categories = sorted(due["category"].fill_null("(no CRM call)").unique().to_list())
chosen = middle.multiselect(t("CRM category"), categories, key="calendar_categories",
                            placeholder=t("All categories"))
search = right.text_input(t("Search account or owner"), key="calendar_search")
shown = due
if chosen:
    shown = shown.filter(pl.col("category").fill_null("(no CRM call)").is_in(chosen))
if search:
    needle = search.lower()
    shown = shown.filter(pl.col("name").str.to_lowercase().str.contains(needle, literal=True)
                         | pl.col("account_id").str.to_lowercase().str.contains(needle, literal=True)
                         | pl.col("csm_owner").str.to_lowercase().str.contains(needle, literal=True))
table = shown.with_columns(ui.account_url()).select(
    "open", "account_id", "name", "csm_owner", "segment", "renewal_date", "decision_date", "notice_overdue",
    "cancels_at_period_end", "payment_at_risk", "due_arr", "health_score", "stage", "category", "probability",
    "expected_loss_arr", "days_left", "products"
).sort("renewal_date")
ui.table_with_download(table, "renewal_calendar", "renewal_calendar", {
    "health_score": st.column_config.NumberColumn(t("Health"), format="%.0f"),
    "notice_overdue": st.column_config.CheckboxColumn(t("Notice passed")), "open": ui.account_link_column()},
    height=380)
if not shown.is_empty():
    ui.open_account_picker(shown.unique("account_id", keep="first"), "calendar_open")

if not shown.is_empty():
    ui.chart_opening_accounts(forecast_charts.renewal_bubbles(ui.charted_accounts(shown, "due_arr"), currency,
                                                     t("Renewals by date and probability (size: ARR due)")),
                              "calendar_bubbles", id_index=3)
st.caption(t("As of {day}. Decision date = renewal date − notice days. Probability: booked renewals the share of "
             "ARR booked again, else the CRM's, else the renewal model's (see the Forecast page).", day=as_of))
