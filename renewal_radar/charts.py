"""Plotly figure builders: frame in, figure out. No Streamlit here.

Every figure uses the ``renewal_radar`` template, has a title, axis titles
with units, and hover text that names the month, the series and the amount.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

from renewal_radar import figures, i18n
from renewal_radar.i18n import t

PALETTE = {"new": "#2E7D32", "reactivation": "#66BB6A", "expansion": "#1E88E5", "contraction": "#FB8C00",
           "churn": "#E53935", "net": "#263238", "grr": "#5E35B1", "nrr": "#00897B",
           "fx": "#8D6E63"}
SEQUENCE = ["#1E88E5", "#00897B", "#5E35B1", "#FB8C00", "#E53935", "#6D4C41", "#3949AB", "#C0CA33"]

pio.templates["renewal_radar"] = go.layout.Template(layout=go.Layout(
    font={"family": "Inter, 'Noto Sans CJK KR', 'Noto Sans CJK JP', sans-serif", "size": 13},
    colorway=SEQUENCE, title={"x": 0.0, "xanchor": "left", "font": {"size": 16}},
    margin={"l": 60, "r": 20, "t": 60, "b": 50}, hovermode="x unified", plot_bgcolor="white",
    xaxis={"showgrid": False, "linecolor": "#B0BEC5"}, yaxis={"gridcolor": "#ECEFF1", "zerolinecolor": "#90A4AE"},
    legend={"orientation": "h", "y": -0.18, "x": 0},
))
TEMPLATE = "renewal_radar"


# Date ticks in the reader's language: plotly.js prints English month names ("Jan 2026") whatever the page's
# language, and Streamlit's bundle has no plotly locale to switch to; numeric month formats read in every locale.
DATE_TICKS = {"ko": ("%Y년 %-m월", "%Y년 %-m월 %-d일"), "ja": ("%Y年%-m月", "%Y年%-m月%-d日"),
              "zh_TW": ("%Y年%-m月", "%Y年%-m月%-d日")}
DAY_TICKS = {"ko": "%-m월 %-d일", "ja": "%-m月%-d日", "zh_TW": "%-m月%-d日"}  # ticks less than a month apart


def localized(builder: Callable[..., go.Figure]) -> Callable[..., go.Figure]:
    """Give a figure builder's date axes the current language's month format and its money axes whole
    numbers with thousands separators instead of SI suffixes (k, M, G) outside English."""

    @functools.wraps(builder)
    def build(*args, **kwargs) -> go.Figure:
        figure = builder(*args, **kwargs)
        language = i18n.current_language()
        if language in DATE_TICKS:
            _localize_axes(figure, *DATE_TICKS[language])
        _no_symbol_beside_a_minus(figure)
        return figure

    return build


def _localize_axes(figure: go.Figure, tick_format: str, hover_format: str) -> None:
    day_format = DAY_TICKS[i18n.current_language()]
    for axis in _date_axes(figure):
        # months where ticks are a month or more apart, days where they are closer (a 90-day calendar)
        figure.layout[axis].update(tickformat=tick_format, hoverformat=hover_format, tickformatstops=[
            {"dtickrange": [None, "M1"], "value": day_format}, {"dtickrange": ["M1", None], "value": tick_format}])
    for name in figure.layout:
        axis = figure.layout[name] if name.startswith(("xaxis", "yaxis")) else None
        if axis is not None and (axis.tickprefix or axis.tickformat == "~s"):
            # "2M" and "1.5G" are English (and G is not B); whole numbers read the same in every language
            axis.update(tickformat=",.0f" if axis.tickformat == "~s" else axis.tickformat, exponentformat="none",
                        separatethousands=True, automargin=True)


def _no_symbol_beside_a_minus(figure: go.Figure) -> None:
    """A money axis that reaches below zero loses its symbol prefix: Plotly writes it before the minus
    ("$-100k"), which no locale does; the axis title names the currency."""
    negative = _axes_drawing(figure, _has_negative)
    for name in figure.layout:
        if name.startswith(("xaxis", "yaxis")) and figure.layout[name].tickprefix and name in negative:
            figure.layout[name].tickprefix = None


def _has_negative(values) -> bool:
    numbers = [v for v in values if isinstance(v, int | float | np.number) and v == v]
    return bool(numbers) and min(numbers) < 0


def _date_axes(figure: go.Figure) -> set[str]:
    """The layout names of the axes that carry dates (``xaxis``, ``xaxis2`` …): typed so, or drawing dates."""
    typed = {name for name in figure.layout
             if name.startswith(("xaxis", "yaxis")) and figure.layout[name].type == "date"}
    return typed | _axes_drawing(figure, lambda values: isinstance(values[0], dt.date | np.datetime64))


def _axes_drawing(figure: go.Figure, holds: Callable) -> set[str]:
    """The layout names of the axes (``xaxis``, ``yaxis2`` …) some trace draws values on that ``holds`` accepts."""
    found = set()
    for trace in figure.data:
        for letter in ("x", "y"):
            values = getattr(trace, letter, None) if letter in trace else None
            if values is not None and len(values) and holds(values):
                reference = getattr(trace, f"{letter}axis", None) or letter
                found.add(reference.replace("x", "xaxis").replace("y", "yaxis"))
    return found


def currency_symbol(currency: str) -> str:
    """The symbol shown before amounts, in the current language's locale (``$``, ``₩``, ``NT$``)."""
    return i18n.currency_symbol(currency)


@localized
def movements_chart(movements: pl.DataFrame, currency: str) -> go.Figure:
    """Monthly MRR movements: gains above zero, losses below, net change as a line."""
    symbol = currency_symbol(currency)
    months = movements["month"].to_list()
    series = [("new", "new_mrr", 1), ("reactivation", "reactivation_mrr", 1), ("expansion", "expansion_mrr", 1),
              ("contraction", "contraction_mrr", -1), ("churn", "churned_mrr", -1), ("fx", "fx_mrr", 1)]
    figure = go.Figure()
    for name, column, sign in series:
        label = t("Exchange rates (fx)") if name == "fx" else t(name.capitalize())
        figure.add_bar(x=months, y=(movements[column] * sign).to_list(), name=label,
                       marker_color=PALETTE[name],
                       hovertemplate=f"%{{fullData.name}}: {symbol}%{{y:,.0f}}<extra></extra>")
    net = (movements["ending_mrr"] - movements["starting_mrr"]).to_list()
    figure.add_scatter(x=months, y=net, name=t("Net change"), mode="lines+markers", line_color=PALETTE["net"],
                       hovertemplate=f"%{{fullData.name}}: {symbol}%{{y:,.0f}}<extra></extra>")
    figure.update_layout(template=TEMPLATE, barmode="relative", title=t("MRR movements by month"),
                         xaxis_title=t("Month"), yaxis_title=t("MRR change ({currency})", currency=currency),
                         yaxis_tickprefix=symbol, yaxis_tickformat="~s", xaxis_hoverformat="%B %Y")
    return figure


@localized
def retention_trend_chart(trend: pl.DataFrame) -> go.Figure:
    """Trailing-12-month GRR and NRR measured at each month start."""
    figure = go.Figure()
    for column, label in (("grr", t("Gross revenue retention")), ("nrr", t("Net revenue retention"))):
        figure.add_scatter(x=trend["month"].to_list(), y=trend[column].to_list(), name=label, mode="lines+markers",
                           line_color=PALETTE[column], hovertemplate="%{fullData.name}: %{y:.1%}<extra></extra>")
    figure.update_layout(template=TEMPLATE, title=t("Trailing-12-month GRR and NRR"), xaxis_title=t("Measured on"),
                         yaxis_title=t("Share of MRR twelve months earlier"), yaxis_tickformat=".0%",
                         xaxis_hoverformat="%d %b %Y")
    return figure


@localized
def arr_bar_chart(frame: pl.DataFrame, attribute: str, currency: str, title: str) -> go.Figure:
    """Horizontal bars of ARR by an attribute, largest on top."""
    symbol = currency_symbol(currency)
    ordered = frame.sort("arr")
    figure = go.Figure(go.Bar(
        x=ordered["arr"].to_list(), y=ordered[attribute].to_list(), orientation="h", marker_color=SEQUENCE[0],
        customdata=ordered["accounts"].to_list(),
        hovertemplate="%{y}: " + t("{arr} ARR, {n} accounts", arr=f"{symbol}%{{x:,.0f}}", n="%{customdata:,}")
        + "<extra></extra>"))
    figure.update_layout(template=TEMPLATE, title=title, xaxis_title=t("ARR ({currency})", currency=currency),
                         yaxis_title="", xaxis_tickprefix=symbol, xaxis_tickformat="~s", hovermode="closest")
    return figure


CELL_TEXT_MAX_PERIODS = 18  # at 1280 px a cell of 19+ periods is too narrow for a 10 px "100%"


@localized
def cohort_heatmap(triangle: pl.DataFrame, value: str, labels: list[str], currency: str, title: str) -> go.Figure:
    """Cohorts down, periods across, the retention percentage in each cell; future cells stay empty."""
    wide = triangle.pivot(on="k", index="cohort", values=value, sort_columns=True).sort("cohort")
    counts = triangle.pivot(on="k", index="cohort", values="n_retained", sort_columns=True).sort("cohort")
    money = triangle.pivot(on="k", index="cohort", values="mrr", sort_columns=True).sort("cohort")
    periods = [c for c in wide.columns if c != "cohort"]
    z = wide.select(periods).to_numpy()
    sizes = triangle.filter(pl.col("k") == 0).sort("cohort")
    symbol = currency_symbol(currency)
    row_labels = [f"{label} · n={n:,} · {symbol}{base:,.0f}" for label, n, base
                  in zip(labels, sizes["n"], sizes["base_mrr"], strict=True)]
    custom = [[[int(c) if c == c and c is not None else 0, float(m) if m == m and m is not None else 0.0]
               for c, m in zip(count_row, money_row, strict=True)]
              for count_row, money_row in zip(counts.select(periods).rows(), money.select(periods).rows(), strict=True)]
    text = [[f"{v:.0%}" if v == v and v is not None else "" for v in row] for row in z.tolist()]
    # a cell's percentage is written in it only while cells are wide enough for readable text (the hover has it)
    written = len(periods) <= CELL_TEXT_MAX_PERIODS
    figure = go.Figure(go.Heatmap(
        z=z, x=[int(p) for p in periods], y=row_labels, text=text, texttemplate="%{text}" if written else None,
        textfont={"size": 10}, customdata=custom,
        colorscale="Blues", zmin=0, zmax=max(1.0, float(triangle[value].max() or 1)), hoverongaps=False,
        colorbar={"title": {"text": t("Retained")}, "tickformat": ".0%"},
        hovertemplate=(f"%{{y}}<br>{t('Period')} %{{x}}: %{{z:.1%}}<br>{t('Accounts retained')}: %{{customdata[0]:,}}"
                       f"<br>MRR: {symbol}%{{customdata[1]:,.0f}}<extra></extra>")))
    figure.update_layout(template=TEMPLATE, title=title, xaxis_title=t("Periods since first start"),
                         yaxis_title=t("Cohort · accounts · base MRR ({currency})", currency=currency),
                         yaxis_autorange="reversed", hovermode="closest", height=max(420, 22 * len(row_labels) + 160))
    return figure


@localized
def retention_curves(curves: pl.DataFrame, value: str, group: str, title: str) -> go.Figure:
    """One retention line per group (cohort or attribute value) over periods since first start."""
    figure = go.Figure()
    for (name,), part in curves.group_by(group, maintain_order=True):
        figure.add_scatter(x=part["k"].to_list(), y=part[value].to_list(), mode="lines", name=str(name),
                           hovertemplate=f"{name}<br>{t('Period')} %{{x}}: %{{y:.1%}}<extra></extra>")
    figure.update_layout(template=TEMPLATE, title=title, xaxis_title=t("Periods since first start"),
                         yaxis_title=t("Retained (share of the cohort)"), yaxis_tickformat=".0%", hovermode="closest")
    return figure


def _curve_turns(part: pl.DataFrame) -> pl.DataFrame:
    """The rows of one step curve where it turns, and its last: on a step line a row repeating the survival and
    bands of the one before it (a day when accounts only left the data) draws nothing (at 2,000 accounts 90 of 787
    rows, 88 KB of chart sent -> 11 KB)."""
    turns = pl.any_horizontal(pl.col(c).ne_missing(pl.col(c).shift(1)) for c in ("survival", "lower", "upper"))
    return part.filter(turns | (pl.int_range(pl.len()) == pl.len() - 1))


@localized
def survival_chart(curves: pl.DataFrame, title: str) -> go.Figure:
    """Kaplan–Meier step curves with their 95 % bands, one per group (drawn at the days where they turn)."""
    figure = go.Figure()
    for index, ((name,), part) in enumerate(curves.group_by("group", maintain_order=True)):
        part = _curve_turns(part)
        colour = SEQUENCE[index % len(SEQUENCE)]
        days = part["day"].to_list()
        figure.add_scatter(x=days + days[::-1], y=part["upper"].to_list() + part["lower"].to_list()[::-1],
                           fill="toself", fillcolor=colour, opacity=0.15, line={"width": 0}, line_shape="hv",
                           hoverinfo="skip", showlegend=False, name=f"{name} 95%")
        figure.add_scatter(x=days, y=part["survival"].to_list(), mode="lines", line_shape="hv", name=str(name),
                           line_color=colour, customdata=part.select("at_risk", "lower", "upper").rows(),
                           hovertemplate=(f"{name}<br>{t('Day')} %{{x}}: %{{y:.1%}} "
                                          f"(95%: %{{customdata[1]:.1%}}–%{{customdata[2]:.1%}})"
                                          f"<br>{t('At risk')}: %{{customdata[0]:,}}<extra></extra>"))
    figure.update_layout(template=TEMPLATE, title=title, xaxis_title=t("Days since first start"),
                         yaxis_title=t("Share still a customer"), yaxis_tickformat=".0%", yaxis_range=[0, 1.02],
                         hovermode="closest")
    return figure


BAND_COLOURS = {"red": "#E53935", "yellow": "#FBC02D", "green": "#43A047"}


@localized
def health_scatter(accounts: pl.DataFrame, currency: str, title: str) -> go.Figure:
    """Health score against ARR, one bubble per account sized by ARR, coloured by band."""
    symbol = currency_symbol(currency)
    figure = go.Figure()
    largest = float(accounts["arr"].max() or 1)
    for band_name, colour in BAND_COLOURS.items():
        part = accounts.filter(pl.col("band") == band_name)
        if part.is_empty():
            continue
        figure.add_scatter(
            x=part["health_score"].to_list(), y=part["arr"].to_list(), mode="markers",
            name=figures.coded("band", band_name),
            marker={"color": colour, "size": part["arr"].to_list(), "sizemode": "area", "sizemin": 4,
                    "sizeref": 2 * largest / 45**2, "line": {"width": 0.5, "color": "white"}, "opacity": 0.75},
            customdata=part.select("name", "churn_probability", "csm_owner", "account_id").rows(),
            hovertemplate=(f"%{{customdata[0]}}<br>{t('Health')}: %{{x:.0f}}<br>ARR: {symbol}%{{y:,.0f}}"
                           f"<br>{t('Churn risk')}: %{{customdata[1]:.0%}}<br>{t('CSM')}: %{{customdata[2]}}"
                           "<extra></extra>"))
    figure.update_layout(template=TEMPLATE, title=title, xaxis_title=t("Health score (0–100)"),
                         yaxis_title=t("ARR ({currency}, log scale)", currency=currency), yaxis_type="log",
                         yaxis_tickprefix=symbol, yaxis_dtick=1, yaxis_tickformat="~s", hovermode="closest",
                         xaxis_range=[0, 100])
    return figure


@localized
def health_history_chart(history: pl.DataFrame, red_below: float, green_from: float, title: str) -> go.Figure:
    """An account's health score at each month start, between the red and the green band's limits."""
    figure = go.Figure(go.Scatter(x=history["as_of"].to_list(), y=history["health_score"].to_list(),
                                  mode="lines+markers", line_color=PALETTE["grr"], name=t("Health (0–100)"),
                                  hovertemplate="%{x|%b %Y}: %{y:.0f}<extra></extra>"))
    for limit, colour in ((red_below, "#E57373"), (green_from, "#81C784")):
        figure.add_hline(y=limit, line_dash="dot", line_color=colour)
    figure.update_layout(template=TEMPLATE, title=title, xaxis_title=t("Month start"),
                         yaxis_title=t("Health (0–100)"), yaxis_range=[0, 100], height=280, showlegend=False)
    return figure


@localized
def backtest_auc_chart(backtest: pl.DataFrame, title: str) -> go.Figure:
    """ROC AUC of the churn-risk model and of the health score, month by month, against chance (0.5)."""
    figure = go.Figure()
    for column, label, colour in (("auc_model", t("Churn-risk model"), PALETTE["nrr"]),
                                  ("auc_health", t("Health score"), PALETTE["grr"])):
        figure.add_scatter(x=backtest["as_of"].to_list(), y=backtest[column].to_list(), name=label,
                           mode="lines+markers", line_color=colour,
                           hovertemplate="%{fullData.name}: AUC %{y:.2f}<extra></extra>")
    figure.add_hline(y=0.5, line_dash="dot", line_color="#90A4AE", annotation_text=t("chance"))
    figure.update_layout(template=TEMPLATE, title=title, xaxis_title=t("Scored on (month start)"),
                         yaxis_title=t("ROC AUC (1 = perfect, 0.5 = chance)"), yaxis_range=[0.4, 1.0],
                         xaxis_hoverformat="%b %Y")
    return figure


@localized
def whitespace_heatmap(matrix: pl.DataFrame, names: dict[str, str], title: str) -> go.Figure:
    """Accounts (rows, by name) × products (columns): 1 where the account owns the product."""
    products = [c for c in matrix.columns if c != "account_id"]
    labels = [f"{names.get(a) or a} ({a})" for a in matrix["account_id"].to_list()]
    figure = go.Figure(go.Heatmap(z=matrix.select(products).to_numpy(), x=products, y=labels,
                                  colorscale=[[0, "#ECEFF1"], [1, SEQUENCE[0]]], showscale=False,
                                  hovertemplate="%{y} · %{x}: %{z}<extra>" + t("1 = owns") + "</extra>"))
    figure.update_layout(template=TEMPLATE, title=title, xaxis_title=t("Product"), yaxis_title=t("Account"),
                         yaxis_autorange="reversed", height=max(360, 18 * matrix.height + 160), hovermode="closest")
    return figure


QUICK_CHART_KINDS = ("bar", "line", "scatter")


@localized
def quick_chart(frame: pl.DataFrame, x: str, y: str, colour: str | None, kind: str) -> go.Figure:
    """A chart of a query result: one trace per colour value, titled and labelled from the columns."""
    figure = go.Figure()
    groups = frame.group_by(colour, maintain_order=True) if colour else [((None,), frame)]
    for (name,), part in groups:
        label = str(name) if name is not None else y
        values = {"x": part[x].to_list(), "y": part[y].to_list(), "name": label}
        if kind == "bar":
            figure.add_bar(**values, hovertemplate=f"{x}: %{{x}}<br>{y}: %{{y:,}}<extra>{label}</extra>")
        else:
            figure.add_scatter(**values, mode="lines+markers" if kind == "line" else "markers",
                               hovertemplate=f"{x}: %{{x}}<br>{y}: %{{y:,}}<extra>{label}</extra>")
    figure.update_layout(template=TEMPLATE, title=f"{y} by {x}" + (f" and {colour}" if colour else ""),
                         xaxis_title=x, yaxis_title=y, hovermode="closest",
                         barmode="group" if kind == "bar" else None)
    return figure


@localized
def contract_timeline(lines: pl.DataFrame, as_of, currency: str, title: str) -> go.Figure:
    """Each contract line as a bar from start to end (open-ended lines run to the as-of day)."""
    symbol = currency_symbol(currency)
    figure = go.Figure()
    ends = [end or as_of for end in lines["end_date"].to_list()]
    starts = lines["start_date"].to_list()
    labels = [t("{product} ({seats} seats)", product=p, seats=int(q) if q == q and q is not None else "—")
              for p, q in zip(lines["product"], lines["quantity"], strict=True)]
    figure.add_bar(
        x=[(e - s).days * 86_400_000 for s, e in zip(starts, ends, strict=True)], base=starts, y=labels,
        orientation="h", marker_color=SEQUENCE[0],
        customdata=[[str(s), str(e), m] for s, e, m in zip(starts, lines["end_date"].to_list(), lines["mrr"],
                                                          strict=True)],
        hovertemplate=(f"%{{y}}<br>%{{customdata[0]}} → %{{customdata[1]}}<br>MRR {symbol}%{{customdata[2]:,.0f}}"
                       "<extra></extra>"))
    figure.update_layout(template=TEMPLATE, title=title, xaxis_type="date", xaxis_title=t("Term"),
                         yaxis_title="", hovermode="closest", height=max(260, 28 * lines.height + 120))
    return figure


def whole_ticks(largest: float, ticks: int = 5) -> dict:
    """An axis of counts ticked at whole numbers 1, 2 or 5 × 10ⁿ apart, about ``ticks`` of them up to ``largest``:
    users and seats are never 2.34."""
    step, factors = 1, itertools.cycle((2, 2.5, 2))  # 1, 2, 5, 10, 20, 50 …
    while step * ticks < largest:
        step = round(step * next(factors))
    return {"tick0": 0, "dtick": step, "tickformat": ",d"}


def _largest(frame: pl.DataFrame, *columns: str) -> float:
    return max((float(frame[c].max() or 0) for c in columns if c in frame.columns), default=0.0)


@localized
def account_history_chart(months: pl.DataFrame, currency: str, title: str) -> go.Figure:
    """ARR by month start with active users against seats on a second axis."""
    symbol = currency_symbol(currency)
    figure = go.Figure()
    figure.add_bar(x=months["month_start"].to_list(), y=months["arr"].to_list(), name=t("ARR"),
                   marker_color=SEQUENCE[0], hovertemplate=f"ARR: {symbol}%{{y:,.0f}}<extra></extra>")
    for column, label, colour in (("active_users_prior_month", t("Active users (prior month)"), PALETTE["nrr"]),
                                  ("seats", t("Seats"), PALETTE["contraction"])):
        figure.add_scatter(x=months["month_start"].to_list(), y=months[column].to_list(), name=label, yaxis="y2",
                           mode="lines+markers", line_color=colour,
                           hovertemplate=f"{label}: %{{y:,.0f}}<extra></extra>")
    figure.update_layout(template=TEMPLATE, title=title, xaxis_title=t("Month"),
                         yaxis={"title": t("ARR ({currency})", currency=currency), "tickprefix": symbol,
                                "tickformat": "~s"},
                         yaxis2={"title": t("Users / seats"), "overlaying": "y", "side": "right",
                                 "rangemode": "tozero", **whole_ticks(_largest(months, "active_users_prior_month",
                                                                                "seats"))},
                         xaxis_hoverformat="%B %Y")
    return figure


@localized
def usage_by_feature_chart(usage: pl.DataFrame, title: str) -> go.Figure:
    """Monthly events stacked by feature."""
    figure = go.Figure()
    for (feature,), part in usage.sort("month_start").group_by("feature", maintain_order=True):
        figure.add_scatter(x=part["month_start"].to_list(), y=part["events"].to_list(), name=str(feature),
                           stackgroup="usage", mode="lines",
                           hovertemplate=f"{feature}: %{{y:,.0f}} events<extra></extra>")
    figure.update_layout(template=TEMPLATE, title=title, xaxis_title=t("Month"), yaxis_title=t("Events per month"),
                         xaxis_hoverformat="%B %Y")
    return figure
