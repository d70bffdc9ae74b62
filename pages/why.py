"""Why customers leave, for leaders and analysts: lost ARR by reason, and the behaviours that go with churn."""

import polars as pl
import streamlit as st

from renewal_radar import dates, retention_charts, ui
from renewal_radar.i18n import t
from renewal_radar.readers import why as reader

ui.page_header(t("Why customers leave"), t("Churned and contracted ARR by the reason the exports give (CRM loss "
                                           "reasons, subscription cancellations), and which behaviours go with "
                                           "churn in this book."))
ui.stop_without_data()
ui.warn_if_scores_stale()

as_of, filters = ui.current_as_of(), ui.current_filters()
quarters = ui.compute(reader.quarter_starts)
reasons_tab, drivers_tab = st.tabs([t("Reasons"), t("What drives churn here")])


def quarter_name(day) -> str:
    """A quarter's name as the tables print it (2026-Q3)."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def show_reasons() -> None:
    """Lost ARR by reason: the headline, by quarter, by reason and attribute, and the renewals behind a reason."""
    if not quarters:
        st.info(t("No churned or contracted renewal in the data yet."))
        return
    shown = [q for q in quarters if q <= as_of] or quarters
    first, last = st.select_slider(t("Quarters"), options=shown, value=(shown[max(0, len(shown) - 4)], shown[-1]),
                                   format_func=quarter_name, key="why_quarters")
    with st.spinner(t("Reading the reasons…")):
        page = ui.compute(reader.read, first, dates.add_months(last, 3), as_of, filters)
    show_headline(page)
    show_contraction(ui.compute(reader.contraction, first, dates.add_months(last, 3), as_of, filters), page.currency)
    if page.rows.is_empty():
        st.info(t("No churned or contracted renewal in these quarters among the filtered accounts."))
        return
    st.plotly_chart(retention_charts.lost_by_period_chart(page.by_period, page.currency, t(
        "Churned and contracted ARR by reason, per quarter")), width="stretch")
    left, right = st.columns(2)
    left.plotly_chart(retention_charts.reason_bars(page.by_reason, page.currency, t("Lost ARR by reason")),
                      width="stretch")
    left.caption(t("Blue: addressable · grey: not addressable · orange: involuntary."))
    with right:
        show_by_attribute(page)
    show_renewals_behind(page)


def show_headline(page: reader.WhyPage) -> None:
    """The figures a leader quotes: lost ARR, and how much of it has a reason, could be acted on, was involuntary."""
    figures = page.summary
    with ui.card_row() as cards:
        cards.metric("churned_arr", figures["churned_arr"], page.currency)
        cards.metric("contracted_arr", figures["contracted_arr"], page.currency)
        cards.metric("no_reason_share", figures["no_reason_share"])
        cards.metric("addressable_share", figures["addressable_share"])
        cards.metric("involuntary_share", figures["involuntary_share"])


def show_contraction(split: dict, currency: str) -> None:
    """How much of the contraction was seats, how much price, how much products dropped."""
    if not split["n_contracted"]:
        return
    st.markdown(t("**Of the {arr} lost on {n:,} renewals that renewed smaller:**",
                  arr=ui.money(split["contracted_arr"], currency), n=split["n_contracted"]))
    with ui.card_row() as cards:
        cards.metric("volume_arr", split["volume_arr"], currency)
        cards.metric("price_arr", split["price_arr"], currency)
        cards.metric("mix_arr", split["mix_arr"], currency)
    st.caption(t("Price, seats and products at renewal, each renewal's lines against its renewal lines at the due "
                 "month's rates: the three add up to the ARR lost (a price rise can offset part of a seat cut)."))


def show_by_attribute(page: reader.WhyPage) -> None:
    """Lost ARR per reason within each segment or owner."""
    choices = {"segment": t("Segment"), "csm_owner": t("CSM"), "region": t("Region")}
    attribute = st.radio(t("Break down by"), list(choices), format_func=choices.get, horizontal=True,
                         key="why_attribute")
    rows = page.rows.with_columns(pl.col(attribute).cast(pl.String).fill_null("—"))
    table = rows.pivot(on="reason_label", index=attribute, values="lost_arr", aggregate_function="sum").fill_null(0)
    table = table.with_columns(pl.exclude(attribute).round(0))  # whole units, as every money column
    totals = rows.group_by(attribute).agg(pl.col("lost_arr").sum().alias("lost_arr"))
    table = table.join(totals, on=attribute).sort("lost_arr", descending=True)
    # one column per reason (their labels are data), each money like the registry's lost ARR
    money = {c: ui.money_column(c, page.currency) for c in table.columns if c not in (attribute, "lost_arr")}
    ui.dataframe(table.select(attribute, "lost_arr", *[c for c in table.columns if c not in (attribute, "lost_arr")]),
                 money, height=360)


def show_renewals_behind(page: reader.WhyPage) -> None:
    """The churned and contracted renewals of one reason, with what the customer said, verbatim."""
    st.subheader(t("The renewals behind a reason"))
    labels = page.by_reason["label"].to_list()
    label = st.selectbox(t("Reason"), labels, key="why_reason")
    behind = page.rows.filter(pl.col("reason_label") == label).sort("lost_arr", descending=True)
    st.caption(t("{n} renewals · the reason and the comment as exported (shown as text, never as markup).",
                 n=f"{behind.height:,}"))
    ui.table_with_download(behind.with_columns(ui.account_url()).select(
        "open", "account_id", "name", "renewal_date", "outcome", "churned_arr", "contracted_arr", "segment",
        "csm_owner", "reason_source", "reason_text", "comment", "opportunity_id"),
        "renewals_by_reason", "why_behind", {
            "comment": st.column_config.TextColumn(t("Comment"), width="large"),
            "reason_text": st.column_config.TextColumn(t("Reason as exported"), width="medium"),
            "open": ui.account_link_column()}, height=320)


def show_drivers() -> None:
    """Metric cohorts: churn within 90 days per decile of each behaviour metric, strongest first."""
    st.caption(t("Each account active on each of the last twelve month starts whose outcome is known is one "
                 "observation; for each metric, observations are split into ten equal groups by the metric's value "
                 "on that day (point in time), and each group shows the share that stopped paying within 90 days, "
                 "with its 95 % Wilson band. Metrics are ordered by how much churn differs between their groups. "
                 "These are associations, not proof of cause."))
    data = ui.compute(reader.drivers_view)
    if data.spreads.is_empty():
        st.info(t("Not enough history with churn to compare behaviours yet."))
        return
    st.plotly_chart(retention_charts.spread_chart(data.spreads, t(
        "How much churn differs across each metric's deciles")), width="stretch")
    names = dict(zip(data.spreads["metric"], data.spreads["label"], strict=True))
    metric = st.selectbox(t("Metric"), list(names), format_func=names.get, key="why_metric")
    groups = data.drivers.filter(pl.col("metric") == metric).sort("group")
    st.plotly_chart(retention_charts.decile_chart(groups, groups["unit"][0], data.currency, t(
        "Churn within 90 days by decile of {metric}", metric=names[metric])), width="stretch")
    ui.dataframe(groups.select("group", "low", "high", "n", "churned", "churn_rate", "lower", "upper"), {
        "group": st.column_config.NumberColumn(t("Decile")), "n": st.column_config.NumberColumn(t("Observations")),
        "churned": st.column_config.NumberColumn(t("Churned"))})


with reasons_tab:
    show_reasons()
with drivers_tab:
    show_drivers()
