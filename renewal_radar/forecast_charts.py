"""The forecast's figures: from ARR due to the forecast, its track record, what moved, and the calendar's
renewals by date and month (the shared look of :mod:`renewal_radar.charts`)."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from renewal_radar import figures
from renewal_radar.charts import PALETTE, TEMPLATE, currency_symbol, localized
from renewal_radar.i18n import t

CATEGORY_COLOURS = {"booked": "#1B5E20", "Closed Won": "#2E7D32", "Commit": "#43A047", "Best Case": "#FBC02D",
                    "Pipeline": "#FB8C00", "Omitted": "#E53935", "Closed Lost": "#B71C1C", "model": "#78909C"}


@localized
def forecast_waterfall(summary: dict, currency: str, title: str) -> go.Figure:
    """From ARR due to the projected renewed ARR: expected churn, contraction and expansion."""
    symbol = currency_symbol(currency)
    steps = [(t("ARR due"), summary["due_arr"], "absolute"),
             (t("Expected renewal loss"), -summary["expected_renewal_loss_arr"], "relative"),
             (t("Expected contraction"), -summary["expected_contraction_arr"], "relative"),
             (t("Expected expansion"), summary["expected_expansion_arr"], "relative"),
             (t("Projected renewed ARR"), 0, "total")]
    figure = go.Figure(go.Waterfall(
        x=[s[0] for s in steps], y=[s[1] for s in steps], measure=[s[2] for s in steps],
        decreasing={"marker": {"color": PALETTE["churn"]}}, increasing={"marker": {"color": PALETTE["expansion"]}},
        totals={"marker": {"color": PALETTE["net"]}}, connector={"line": {"color": "#B0BEC5"}},
        hovertemplate=f"%{{x}}: {symbol}%{{y:,.0f}}<extra></extra>"))
    figure.update_layout(template=TEMPLATE, title=title, yaxis_title=t("ARR ({currency})", currency=currency),
                         yaxis_tickprefix=symbol, yaxis_tickformat="~s", xaxis_title="", hovermode="closest")
    return figure


@localized
def forecast_backtest_chart(backtest: pl.DataFrame, currency: str, title: str) -> go.Figure:
    """Forecast, naive forecast and actual renewed ARR for each past forecast day."""
    symbol = currency_symbol(currency)
    figure = go.Figure()
    for column, label, colour, dash in (("actual_arr", t("Actual renewed ARR"), PALETTE["net"], "solid"),
                                        ("forecast_arr", t("Weighted forecast (Σ probability × ARR due)"),
                                         PALETTE["nrr"], "solid"),
                                        ("naive_arr", t("Naive: trailing gross renewal rate × ARR due"),
                                         "#90A4AE", "dot")):
        figure.add_scatter(x=backtest["as_of"].to_list(), y=backtest[column].to_list(), name=label,
                           mode="lines+markers", line={"color": colour, "dash": dash},
                           hovertemplate=f"%{{fullData.name}}: {symbol}%{{y:,.0f}}<extra></extra>")
    figure.update_layout(template=TEMPLATE, title=title, xaxis_title=t("Forecast made on"),
                         yaxis_title=t("Renewed ARR in the horizon ({currency})", currency=currency),
                         yaxis_tickprefix=symbol, yaxis_tickformat="~s", xaxis_hoverformat="%d %b %Y")
    return figure


def moved_kind_labels() -> dict[str, str]:
    """The name of each kind of forecast change, as the waterfall and the table beneath it show it."""
    return {"new": t("New"), "removed": t("Removed"), "slipped": t("Slipped out"), "pulled_in": t("Pulled in"),
            "arr": t("ARR changed"), "category": t("CRM call changed"), "probability": t("Probability changed")}


@localized
def moved_waterfall(before: float, steps: pl.DataFrame, after: float, currency: str, title: str) -> go.Figure:
    """From the snapshot's forecast to today's, one bar per kind of change."""
    symbol = currency_symbol(currency)
    labels = moved_kind_labels()
    x = [t("Then")] + [labels[k] for k in steps["kind"]] + [t("Now")]
    y = [before, *steps["forecast_arr_delta"].to_list(), after]
    measure = ["absolute"] + ["relative"] * steps.height + ["total"]
    figure = go.Figure(go.Waterfall(
        x=x, y=y, measure=measure, decreasing={"marker": {"color": PALETTE["churn"]}},
        increasing={"marker": {"color": PALETTE["new"]}}, totals={"marker": {"color": PALETTE["net"]}},
        connector={"line": {"color": "#B0BEC5"}}, hovertemplate=f"%{{x}}: {symbol}%{{y:,.0f}}<extra></extra>"))
    figure.update_layout(template=TEMPLATE, title=title, xaxis_title="", hovermode="closest",
                         yaxis_title=t("Weighted forecast ARR ({currency})", currency=currency),
                         yaxis_tickprefix=symbol, yaxis_tickformat="~s")
    return figure


@localized
def renewal_bubbles(renewals: pl.DataFrame, currency: str, title: str) -> go.Figure:
    """Each due renewal: when (x), how likely (y), how big (size), the CRM's call (colour)."""
    symbol = currency_symbol(currency)
    figure = go.Figure()
    largest = float(renewals["due_arr"].max() or 1)
    for category, part in renewals.with_columns(pl.col("category").fill_null("model")).group_by(
            "category", maintain_order=True):
        name = category[0]
        figure.add_scatter(
            x=part["renewal_date"].to_list(), y=part["probability"].to_list(), mode="markers",
            name=t("No CRM call (model)") if name == "model" else figures.coded("category", name),
            marker={"size": part["due_arr"].to_list(), "sizemode": "area", "sizemin": 4,
                    "sizeref": 2 * largest / 40**2, "color": CATEGORY_COLOURS.get(name, "#5E35B1"), "opacity": 0.75,
                    "line": {"width": 0.5, "color": "white"}},
            customdata=part.select("name", "due_arr", "csm_owner", "account_id").rows(),
            hovertemplate=(f"%{{customdata[0]}} (%{{customdata[3]}})<br>%{{x|%d %b %Y}}: {t('renews with')} "
                           f"%{{y:.0%}}<br>{t('ARR due')}: {symbol}%{{customdata[1]:,.0f}}<br>{t('CSM')}: "
                           "%{customdata[2]}<extra></extra>"))
    figure.update_layout(template=TEMPLATE, title=title, xaxis_title=t("Renewal date"),
                         yaxis_title=t("Probability of renewing"), yaxis_tickformat=".0%", yaxis_range=[-0.05, 1.05],
                         hovermode="closest")
    return figure


@localized
def due_by_month_chart(renewals: pl.DataFrame, currency: str, title: str) -> go.Figure:
    """ARR due by month, split into the ARR expected to renew and the ARR at risk."""
    symbol = currency_symbol(currency)
    monthly = renewals.group_by(pl.col("renewal_date").dt.truncate("1mo").alias("month")).agg(
        figures.weighted_forecast_arr().sum().alias("expected"),
        figures.expected_renewal_loss_arr().sum().alias("at_risk"), pl.len().alias("n")).sort("month")
    figure = go.Figure()
    figure.add_bar(x=monthly["month"].to_list(), y=monthly["expected"].to_list(), name=t("Expected to renew"),
                   marker_color=PALETTE["new"], customdata=monthly["n"].to_list(),
                   hovertemplate=f"%{{fullData.name}}: {symbol}%{{y:,.0f}} ("
                   + t("{n} renewals", n="%{customdata}") + ")<extra></extra>")
    figure.add_bar(x=monthly["month"].to_list(), y=monthly["at_risk"].to_list(), name=t("At risk"),
                   marker_color=PALETTE["churn"],
                   hovertemplate=f"%{{fullData.name}}: {symbol}%{{y:,.0f}}<extra></extra>")
    figure.update_layout(template=TEMPLATE, barmode="stack", title=title, xaxis_title=t("Month of renewal"),
                         yaxis_title=t("ARR due ({currency})", currency=currency), yaxis_tickprefix=symbol,
                         yaxis_tickformat="~s", xaxis_hoverformat="%B %Y")
    return figure
