"""The business-review pack: one account and a period, as a PDF and a PowerPoint a CSM can present.

Highlights (value delivered), charts, renewal and expansion talking points, risks and asks are
computed from the same account view as the Account page. Every value that comes from the data is
HTML-escaped before it reaches the PDF's HTML. Charts are rendered to PNG by plotly's kaleido,
which drives the system's Chromium.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import io
import os
import shutil
import warnings
from dataclasses import dataclass, field

import polars as pl

from renewal_radar import account, charts, dates, figures
from renewal_radar import money as money_mod
from renewal_radar.i18n import date as format_date
from renewal_radar.i18n import money, number, percent, t

SYSTEM_CHROMIUM = "/usr/bin/chromium"
FONT_STACK = "'Noto Sans', 'Noto Sans CJK KR', 'Noto Sans CJK JP', 'Noto Sans CJK SC', 'Noto Sans CJK TC', sans-serif"


@dataclass
class Pack:
    """The content of a review pack, independent of its format."""

    account_name: str
    account_id: str
    period_start: dt.date
    period_end: dt.date
    highlights: list[str] = field(default_factory=list)
    renewal_points: list[str] = field(default_factory=list)
    risks_and_asks: list[str] = field(default_factory=list)
    charts: dict[str, bytes] = field(default_factory=dict)  # title -> PNG
    key_figures: list[tuple[str, str]] = field(default_factory=list)  # (label, value) from the figure registry

    @property
    def key_figures_line(self) -> str:
        """The key figures on one line: "ARR $1.2M · Health 72 · …"."""
        return " · ".join(f"{label} {value}" for label, value in self.key_figures)

    @property
    def title(self) -> str:
        """The pack's title line."""
        return t("Business review: {name}", name=self.account_name)

    @property
    def period(self) -> str:
        """The reviewed period, inclusive of its first day and exclusive of its end."""
        return f"{format_date(self.period_start)} – {format_date(self.period_end - dt.timedelta(days=1))}"


def last_quarter(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete calendar quarter before ``as_of``: [start, end)."""
    end = dates.quarter_floor(as_of)
    return dates.add_months(end, -3), end


def _percent_change(now: float, before: float) -> str:
    if not before:
        return t("new this period") if now else t("no change")
    change = now / before - 1
    return t("up {pct}", pct=percent(change, 0)) if change >= 0 else t("down {pct}", pct=percent(-change, 0))


def build(con, account_id: str, start: dt.date, end: dt.date, as_of: dt.date, currency: str | None = None) -> Pack:
    """Compute the pack's content for one account and period [start, end), its money in ``currency`` (None: the
    reporting currency; any currency with rates, converted per metrics.md). The pack reads the Account page's
    view and converts it once, as a reader does."""
    shown = money_mod.converter(con, currency)
    view = shown.result(account.view(con, account_id, as_of))
    if not shown.is_identity:  # the drivers' words were written in the reporting currency: word them again
        view = account.worded(con, view, shown.currency)
    currency = shown.currency
    if view is None:
        raise ValueError(f"unknown account {account_id!r}")
    pack = Pack(view.profile["name"], account_id, start, end)
    pack.key_figures = _key_figures(view, currency)
    _highlights(pack, view, start, end)
    _renewal_points(pack, view, currency)
    _risks_and_asks(pack, view)
    pack.charts = _chart_images(view, currency)
    return pack


def _key_figures(view: account.AccountView, currency: str) -> list[tuple[str, str]]:
    """The Account page's cards, labelled and formatted as the figure registry says."""
    latest = view.months.row(-1, named=True) if view.months.height else {}
    scores, renewal = view.risk or {}, view.next_renewal or {}
    values = {"account_arr": latest.get("arr"), "account_health": scores.get("health_score"),
              "account_churn_risk": scores.get("churn_probability"),
              "account_next_renewal": renewal.get("renewal_date")}
    return [(figures.figure_label(name), figures.shown(name, value, currency)) for name, value in values.items()]


def _highlights(pack: Pack, view: account.AccountView, start: dt.date, end: dt.date) -> None:
    usage = view.usage_by_feature
    in_period = usage.filter(pl.col("month_start").is_between(start, end, closed="left"))
    previous = usage.filter(pl.col("month_start").is_between(dates.add_months(start, -3), start, closed="left"))
    events_now, events_before = float(in_period["events"].sum()), float(previous["events"].sum())
    if usage.height:
        pack.highlights.append(t("Product usage: {events} events this period, {change} on the quarter before.",
                                 events=number(events_now), change=_percent_change(events_now, events_before)))
        by_feature = in_period.group_by("feature").agg(pl.col("events").sum()).sort("events", descending=True)
        pack.highlights.append(t("Adoption: {n} features in use, led by {feature}.", n=by_feature.height,
                                 feature=by_feature["feature"][0]) if by_feature.height
                               else t("Adoption: no feature in use this period."))
    months = view.months.filter(pl.col("month_start").is_between(start, end, closed="both"))
    if months.height and months["seats"].drop_nulls().len():
        latest = months.row(-1, named=True)
        users, seats = latest["active_users_prior_month"] or 0, latest["seats"] or 0
        if seats:
            pack.highlights.append(t("Licence use: {users} active users on {seats} seats ({pct}).",
                                     users=number(users), seats=number(seats), pct=percent(users / seats, 0)))
    tickets = view.tickets.filter(pl.col("created_at").is_between(
        dt.datetime.combine(start, dt.time()), dt.datetime.combine(end, dt.time()), closed="left"))
    summary = account.ticket_summary(tickets)
    if summary["tickets"]:
        hours = summary["median_hours_to_solve"]
        pack.highlights.append(t("Support: {tickets} tickets, {resolved} resolved, median {hours} hours to resolve, "
                                 "{escalated} escalated.", tickets=summary["tickets"],
                                 resolved=summary["tickets"] - summary["open"], escalated=summary["escalated"],
                                 hours="—" if hours is None else f"{hours:.0f}"))
    nps = view.surveys.filter(pl.col("kind") == "NPS")
    if nps.height:
        pack.highlights.append(t("Latest NPS response: {score:.0f} ({day}).", score=nps["score"][0],
                                 day=format_date(nps["responded_at"][0])))
    if not pack.highlights:
        pack.highlights.append(t("No usage, support or survey data for this period."))


def _renewal_points(pack: Pack, view: account.AccountView, currency: str) -> None:
    renewal = view.next_renewal
    if renewal:
        pack.renewal_points.append(t(
            "Next renewal on {day}: {arr} ARR, {pct} likely to renew ({source}).",
            day=format_date(renewal["renewal_date"]), arr=money(renewal["due_arr"], currency),
            pct=percent(renewal["probability"], 0), source=figures.coded("source", renewal["source"]) or "—"))
        if renewal.get("decision_date"):
            pack.renewal_points.append(t("Notice deadline: {day}.", day=format_date(renewal["decision_date"])))
    latest = view.months.row(-1, named=True) if view.months.height else {}
    users, seats = latest.get("active_users_prior_month") or 0, latest.get("seats") or 0
    if seats and users / seats >= 0.85:
        pack.renewal_points.append(t("Expansion: {pct} of seats are in use; propose more seats at renewal.",
                                     pct=percent(users / seats, 0)))
    if not pack.renewal_points:
        pack.renewal_points.append(t("No renewal is due in the next year."))


def _risks_and_asks(pack: Pack, view: account.AccountView) -> None:
    risk = view.risk or {}
    if risk.get("top_drivers"):
        pack.risks_and_asks.append(t("Watch: {drivers}.", drivers=risk["top_drivers"]))
    if risk.get("band") == "red":
        pack.risks_and_asks.append(t("Ask: an executive sponsor meeting to agree a success plan before the renewal."))
    if view.activities.filter(pl.col("kind") == "business_review").height == 0:
        pack.risks_and_asks.append(t("Ask: a quarterly business review cadence with the account's decision makers."))
    pack.risks_and_asks.append(t("Ask: confirm goals for next quarter and the users who should be trained."))


@functools.cache
def _chart_server() -> None:
    """Start kaleido's browser once per process: starting Chromium for every pack cost about 3 s of the 5."""
    import kaleido

    if not os.environ.get("BROWSER_PATH"):
        os.environ["BROWSER_PATH"] = shutil.which("chromium") or SYSTEM_CHROMIUM
    kaleido.start_sync_server(silence_warnings=True)


def _chart_images(view: account.AccountView, currency: str) -> dict[str, bytes]:
    _chart_server()
    with warnings.catch_warnings():  # plotly passes its browser options, which a running server does not need
        warnings.filterwarnings("ignore", message="The kopts argument is ignored")
        return _render_charts(view, currency)


def _render_charts(view: account.AccountView, currency: str) -> dict[str, bytes]:
    images = {}
    if view.months.height:
        title = t("ARR, active users and seats by month")
        figure = charts.account_history_chart(view.months, currency, title)
        images[title] = figure.to_image(format="png", width=1000, height=450, scale=2)
    if view.usage_by_feature.height:
        title = t("Usage by feature")
        figure = charts.usage_by_feature_chart(view.usage_by_feature, title)
        images[title] = figure.to_image(format="png", width=1000, height=450, scale=2)
    return images


# ---------------------------------------------------------------- formats


def _items(lines: list[str]) -> str:
    return "".join(f"<li>{html.escape(line)}</li>" for line in lines)


def to_pdf(pack: Pack) -> bytes:
    """The pack as a PDF: a title page, highlights, one page per chart, renewal and risks."""
    import base64

    from weasyprint import HTML

    chart_pages = "".join(
        f'<section class="page"><h2>{html.escape(title)}</h2>'
        f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}"></section>'
        for title, png in pack.charts.items())
    document = f"""<html><head><meta charset="utf-8"><style>
        @page {{ size: A4 landscape; margin: 18mm; }}
        body {{ font-family: {FONT_STACK}; color: #263238; }}
        h1 {{ font-size: 30pt; margin-top: 40mm; }} h2 {{ font-size: 20pt; color: #1E88E5; }}
        li {{ font-size: 14pt; margin-bottom: 6pt; }} img {{ width: 100%; }}
        .page {{ page-break-before: always; }}
    </style></head><body>
    <section><h1>{html.escape(pack.title)}</h1><p>{html.escape(pack.period)} · {html.escape(pack.account_id)}</p>
    <p>{html.escape(pack.key_figures_line)}</p></section>
    <section class="page"><h2>{html.escape(t("Highlights"))}</h2><ul>{_items(pack.highlights)}</ul></section>
    {chart_pages}
    <section class="page"><h2>{html.escape(t("Renewal and expansion"))}</h2><ul>{_items(pack.renewal_points)}</ul>
    <h2>{html.escape(t("Risks and asks"))}</h2><ul>{_items(pack.risks_and_asks)}</ul></section>
    </body></html>"""
    return HTML(string=document).write_pdf()


def to_pptx(pack: Pack) -> bytes:
    """The pack as a PowerPoint deck with the same sections as the PDF."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    title = deck.slides.add_slide(deck.slide_layouts[0])
    title.shapes.title.text = pack.title
    title.placeholders[1].text = f"{pack.period} · {pack.account_id}\n{pack.key_figures_line}"
    _bullet_slide(deck, t("Highlights"), pack.highlights)
    for chart_title, png in pack.charts.items():
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        slide.shapes.title.text = chart_title
        slide.shapes.add_picture(io.BytesIO(png), Inches(0.7), Inches(1.5), width=Inches(11.9))
    _bullet_slide(deck, t("Renewal and expansion"), pack.renewal_points)
    _bullet_slide(deck, t("Risks and asks"), pack.risks_and_asks)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def _bullet_slide(deck, heading: str, lines: list[str]) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = heading
    body = slide.placeholders[1].text_frame
    body.text = lines[0] if lines else ""
    for line in lines[1:]:
        body.add_paragraph().text = line
