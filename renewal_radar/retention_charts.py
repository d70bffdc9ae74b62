"""Plotly figures of why customers leave and of the retention projection: frame in, figure out.

The same conventions as :mod:`renewal_radar.charts`: the ``renewal_radar`` template, a title, axis titles with
units, hover text naming the series and the value.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from renewal_radar.charts import PALETTE, SEQUENCE, TEMPLATE, currency_symbol, localized
from renewal_radar.i18n import t

NOT_ADDRESSABLE = "#90A4AE"
# one colour per default reason, the same in every chart and view; an edited taxonomy's new reasons take the
# sequence's colours
REASON_COLOURS = {"price": "#1E88E5", "competitor": "#E53935", "low_adoption": "#5E35B1",
                  "missing_features": "#00897B", "too_complex": "#8D6E63", "quality": "#C0CA33", "service": "#3949AB",
                  "champion_left": "#D81B60", "payment_failed": "#FB8C00", "acquired": "#78909C",
                  "out_of_business": "#455A64", "cancelled_no_feedback": "#B0BEC5", "other": "#6D4C41",
                  "no_reason": "#CFD8DC"}


def _reason_colours(keys: list[str]) -> dict[str, str]:
    new = [key for key in keys if key not in REASON_COLOURS]
    return {**REASON_COLOURS, **{key: SEQUENCE[index % len(SEQUENCE)] for index, key in enumerate(new)}}


@localized
def lost_by_period_chart(rows: pl.DataFrame, currency: str, title: str) -> go.Figure:
    """Churned and contracted ARR per period, stacked by reason (largest reason at the bottom)."""
    symbol = currency_symbol(currency)
    figure = go.Figure()
    order = rows.group_by("reason", "label").agg(pl.col("lost_arr").sum()).sort("lost_arr", descending=True)
    colours = _reason_colours(order["reason"].to_list())
    periods = rows.select("period_start", "period").unique().sort("period_start")["period"].to_list()
    for key, label in order.select("reason", "label").iter_rows():
        part = rows.filter(pl.col("reason") == key)
        figure.add_bar(x=part["period"].to_list(), y=part["lost_arr"].to_list(), name=label,
                       marker_color=colours[key], customdata=part.select("renewals", "churned_arr",
                                                                           "contracted_arr").rows(),
                       hovertemplate=(f"%{{fullData.name}}: {symbol}%{{y:,.0f}} · "
                                      + t("{n} renewals", n="%{customdata[0]}")
                                      + f"<br>{t('Churned ARR')}: {symbol}%{{customdata[1]:,.0f}}"
                                      + f" · {t('Contracted ARR')}: {symbol}%{{customdata[2]:,.0f}}<extra></extra>"))
    figure.update_layout(template=TEMPLATE, barmode="stack", title=title, xaxis_title=t("Quarter of the renewal"),
                         yaxis_title=t("Churned + contracted ARR ({currency})", currency=currency),
                         yaxis_tickprefix=symbol, yaxis_tickformat="~s", xaxis={"categoryorder": "array",
                                                                                 "categoryarray": periods})
    return figure


@localized
def reason_bars(by_reason: pl.DataFrame, currency: str, title: str) -> go.Figure:
    """Lost ARR per reason, largest on top, coloured by what the team can act on."""
    symbol = currency_symbol(currency)
    ordered = by_reason.sort("lost_arr")
    kind = [t("involuntary") if voluntary is False else (t("addressable") if addressable else t("not addressable"))
            for addressable, voluntary in zip(ordered["addressable"], ordered["voluntary"], strict=True)]
    colour = {t("involuntary"): PALETTE["contraction"], t("addressable"): SEQUENCE[0],
              t("not addressable"): NOT_ADDRESSABLE}
    figure = go.Figure(go.Bar(
        x=ordered["lost_arr"].to_list(), y=ordered["label"].to_list(), orientation="h",
        marker_color=[colour[k] for k in kind], customdata=list(zip(ordered["n"].to_list(), kind, strict=True)),
        hovertemplate="%{y}: " + symbol + "%{x:,.0f} · " + t("{n} renewals", n="%{customdata[0]}")
        + " · %{customdata[1]}<extra></extra>"))
    figure.update_layout(template=TEMPLATE, title=title, hovermode="closest", yaxis_title="",
                         xaxis_title=t("Churned + contracted ARR ({currency})", currency=currency),
                         xaxis_tickprefix=symbol, xaxis_tickformat="~s", height=max(320, 34 * ordered.height + 140))
    return figure


def _range_text(low: float, high: float, unit: str, symbol: str) -> str:
    if unit == "ratio":
        return f"{low:.0%}–{high:.0%}"
    prefix = symbol if unit == "money" else ""
    return f"{prefix}{low:,.0f}–{prefix}{high:,.0f}" if low != high else f"{prefix}{low:,.0f}"


@localized
def decile_chart(groups: pl.DataFrame, unit: str, currency: str, title: str) -> go.Figure:
    """Churn within 90 days per decile of one metric, with its 95 % Wilson interval."""
    symbol = currency_symbol(currency)
    ranges = [_range_text(low, high, unit, symbol) for low, high in groups.select("low", "high").rows()]
    rate = groups["churn_rate"]
    figure = go.Figure(go.Bar(
        x=[f"{g} · {r}" for g, r in zip(groups["group"], ranges, strict=True)], y=rate.to_list(),
        marker_color=SEQUENCE[2],
        error_y={"type": "data", "symmetric": False, "array": (groups["upper"] - rate).to_list(),
                 "arrayminus": (rate - groups["lower"]).to_list(), "color": "#455A64"},
        customdata=groups.select("n", "churned", "lower", "upper").rows(),
        hovertemplate=(t("Decile") + " %{x}<br>" + t("Churned within 90 days") + ": %{y:.1%} "
                       "(95%: %{customdata[2]:.1%}–%{customdata[3]:.1%})<br>"
                       + t("{churned} of {n} accounts", churned="%{customdata[1]:,}", n="%{customdata[0]:,}")
                       + "<extra></extra>")))
    figure.update_layout(template=TEMPLATE, title=title, hovermode="closest",
                         xaxis_title=t("Decile of the metric (1 = lowest values) · value range"),
                         yaxis_title=t("Churned within 90 days"), yaxis_tickformat=".0%")
    return figure


@localized
def spread_chart(spreads: pl.DataFrame, title: str) -> go.Figure:
    """How much churn differs between each metric's highest- and lowest-churn deciles, strongest on top."""
    ordered = spreads.sort("spread")
    figure = go.Figure(go.Bar(
        x=ordered["spread"].to_list(), y=ordered["label"].to_list(), orientation="h", marker_color=SEQUENCE[2],
        hovertemplate="%{y}: " + t("{points} between the highest- and lowest-churn deciles", points="%{x:.1%}")
        + "<extra></extra>"))
    figure.update_layout(template=TEMPLATE, title=title, hovermode="closest", yaxis_title="",
                         xaxis_title=t("Churn rate, highest decile − lowest (points)"), xaxis_tickformat=".0%",
                         height=max(340, 26 * ordered.height + 140))
    return figure


@localized
def projection_chart(curves: pl.DataFrame, title: str) -> go.Figure:
    """Per group: the observed share still renewing (solid), the fitted projection beyond it (dashed) and the
    backtest fit made on the earlier periods only (dotted)."""
    figure = go.Figure()
    for index, ((group,), part) in enumerate(curves.sort("group", "period").group_by("group",
                                                                                    maintain_order=True)):
        colour = SEQUENCE[index % len(SEQUENCE)]
        for column, name, dash in (("observed", t("observed"), "solid"), ("projected", t("projected"), "dash"),
                                   ("backtest_projected", t("backtest fit"), "dot")):
            shown = part.filter(pl.col(column).is_not_null())
            if shown.is_empty():
                continue
            figure.add_scatter(
                x=shown["months"].to_list(), y=shown[column].to_list(), name=f"{group} · {name}",
                mode="lines+markers" if column == "observed" else "lines", line={"color": colour, "dash": dash},
                customdata=shown["period"].to_list(),
                hovertemplate=(f"{group} · {name}<br>" + t("Month") + " %{x} (" + t("period") + " %{customdata})"
                               ": %{y:.1%}<extra></extra>"))
    figure.update_layout(template=TEMPLATE, title=title, hovermode="closest",
                         xaxis_title=t("Months since first start"), yaxis_title=t("Share still renewing"),
                         yaxis_tickformat=".0%", yaxis_range=[0, 1.02])
    return figure
