"""The packs' charts: plotly figures sized to a 16:9 slide and rendered to PNG by kaleido (which drives the
system's Chromium, started once per process). Titles, axes and legends in words, in the reader's language."""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
import warnings

import plotly.graph_objects as go
import polars as pl

from renewal_radar import charts
from renewal_radar.i18n import t
from renewal_radar.pack_render import CHART_SIZE_PX

SYSTEM_CHROMIUM = "/usr/bin/chromium"
SLIDE_FONT = {"family": "'Noto Sans', 'Noto Sans CJK KR', 'Noto Sans CJK JP', 'Noto Sans CJK TC', sans-serif",
              "size": 16}


@functools.cache
def _chart_server() -> None:
    """Start kaleido's browser once per process: starting Chromium for every pack cost about 3 s of the 5."""
    import kaleido

    if not os.environ.get("BROWSER_PATH"):
        os.environ["BROWSER_PATH"] = shutil.which("chromium") or SYSTEM_CHROMIUM
    kaleido.start_sync_server(silence_warnings=True)


def png(figure: go.Figure) -> bytes:
    """The figure as a PNG of the slide's content width, its fonts large enough to read on a projector."""
    _chart_server()
    figure.update_layout(font=SLIDE_FONT, margin={"l": 80, "r": 30, "t": 70, "b": 60},
                         legend={"orientation": "h", "y": -0.18, "x": 0}, hovermode=False)
    width, height = CHART_SIZE_PX
    with warnings.catch_warnings():  # plotly passes its browser options, which a running server does not need
        warnings.filterwarnings("ignore", message="The kopts argument is ignored")
        return figure.to_image(format="png", width=width, height=height, scale=2)


def month_label(day: dt.date) -> str:
    """A month as the reader's language writes it (Jul 2026, 2026년 7월, 2026年7月)."""
    from renewal_radar.i18n import month

    return month(day)


@charts.localized
def adoption_chart(months: pl.DataFrame, title: str) -> go.Figure:
    """Active users against seats, month by month, over the two periods compared."""
    labels = [month_label(day) for day in months["month_start"]]
    figure = go.Figure()
    figure.add_bar(x=labels, y=months["active_users"].to_list(), name=t("Active users"),
                   marker_color=charts.SEQUENCE[0], text=months["active_users"].to_list(), textposition="outside")
    figure.add_scatter(x=labels, y=months["seats"].to_list(), name=t("Seats"), mode="lines+markers",
                       line={"color": charts.PALETTE["contraction"], "width": 3})
    figure.update_layout(template=charts.TEMPLATE, title=title, xaxis_title=t("Month"),
                         yaxis={"title": t("Users and seats"), "rangemode": "tozero", "tickformat": ",d"})
    return figure


@charts.localized
def features_chart(features: pl.DataFrame, before_label: str, now_label: str, title: str) -> go.Figure:
    """Events by feature, the period before beside this one, most used on top."""
    ordered = features.sort("events_now")
    figure = go.Figure()
    figure.add_bar(y=ordered["feature"].to_list(), x=ordered["events_before"].to_list(), orientation="h",
                   name=before_label, marker_color="#B0BEC5")
    figure.add_bar(y=ordered["feature"].to_list(), x=ordered["events_now"].to_list(), orientation="h",
                   name=now_label, marker_color=charts.SEQUENCE[0])
    figure.update_layout(template=charts.TEMPLATE, title=title, barmode="group",
                         xaxis={"title": t("Events"), "tickformat": ",d"}, yaxis={"title": None, "automargin": True})
    return figure


@charts.localized
def forecast_against_plan_chart(values: list[tuple[str, float]], currency: str, title: str) -> go.Figure:
    """Floor, forecast, best case, ARR due and the plan as bars, each labelled with its amount."""
    from renewal_radar.i18n import money

    symbol = charts.currency_symbol(currency)
    colours = [charts.PALETTE["contraction"], charts.SEQUENCE[0], charts.PALETTE["nrr"], "#90A4AE",
               charts.PALETTE["net"]]
    amounts = [money(value, currency, compact=True) for _, value in values]
    figure = go.Figure(go.Bar(x=[label for label, _ in values], y=[value for _, value in values],
                              marker_color=colours[:len(values)], text=amounts, textposition="outside"))
    figure.update_layout(template=charts.TEMPLATE, title=title, showlegend=False, xaxis_title=None,
                         yaxis={"title": t("ARR ({currency})", currency=currency), "tickprefix": symbol,
                                "tickformat": "~s", "rangemode": "tozero"})
    return figure
