"""The business review of one account: the deck a CSM walks the customer through, and the CSM's own preparation
sheet (``internal``).

The customer's deck covers the period asked for against the period before it (same length): adoption, features
used, usage, support and survey outcomes, what changed since the last review, the renewal's date and terms as
facts, and recommendations phrased for the customer. It never shows an internal judgement: no health score,
churn risk, renewal probability, CRM stage or category, driver or "watch" note — those are the preparation
sheet's. Both read the Account page's view, converted once into the currency asked for, as a reader does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from renewal_radar import account, dates, figures, pack_charts, settings
from renewal_radar import money as money_mod
from renewal_radar.i18n import date as format_date
from renewal_radar.i18n import money, number, percent, t
from renewal_radar.pack_render import Deck, Slide, Tile
from renewal_radar.review_facts import Facts, collect


def last_quarter(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete calendar quarter before ``as_of``: [start, end)."""
    end = dates.quarter_floor(as_of)
    return dates.add_months(end, -3), end


def span(start: dt.date, end: dt.date) -> str:
    """A period [start, end) as its first and last day."""
    return f"{format_date(start)} – {format_date(end - dt.timedelta(days=1))}"


@dataclass(frozen=True)
class Review:
    """The facts of a review and the currency they are in."""

    facts: Facts
    currency: str


def _review(con, account_id: str, start: dt.date, end: dt.date, as_of: dt.date, currency: str | None) -> Review:
    shown = money_mod.converter(con, currency)
    view = shown.result(account.view(con, account_id, as_of))
    if view is None:
        raise ValueError(f"unknown account {account_id!r}")
    if not shown.is_identity:  # the drivers' words were written in the reporting currency: word them again
        view = account.worded(con, view, shown.currency)
    return Review(collect(view, start, end, as_of), shown.currency)


def build(con, account_id: str, start: dt.date, end: dt.date, as_of: dt.date, currency: str | None = None) -> Deck:
    """The customer's business review of [start, end) against the period before, money in ``currency``."""
    review = _review(con, account_id, start, end, as_of, currency)
    facts = review.facts
    deck = Deck(t("Business review: {name}", name=facts.name),
                t("{period}, compared with {before}", period=span(facts.start, facts.end),
                  before=span(facts.before_start, facts.start)), settings.get("company_name"))
    deck.slides = [_adoption(facts), _features(facts), _outcomes(facts), _since_last_review(facts, review.currency),
                   _renewal_terms(facts, review.currency), _next_steps(facts)]
    return deck


# ---------------------------------------------------------------- the customer's slides


def _change(now: float | None, before: float | None, digits: int = 0) -> str:
    """"up 12 % on the period before" / "down 3 %" / "new" / "no change"."""
    if now is None or before is None:
        return ""
    if not before:
        return t("new this period") if now else t("no change")
    change = now / before - 1
    if abs(change) < 0.005:
        return t("no change on the period before")
    text = percent(abs(change), digits)
    return t("up {pct} on the period before", pct=text) if change > 0 else \
        t("down {pct} on the period before", pct=text)


def _adoption(facts: Facts) -> Slide:
    users, seats, users_before = facts.active_users, facts.seats, facts.active_users_before
    if seats:
        headline = t("{users} of your {seats} seats were active in {month}", users=number(users),
                     seats=number(seats), month=pack_charts.month_label(facts.last_usage_month))
    else:
        headline = t("{users} people used the product in {month}", users=number(users),
                     month=pack_charts.month_label(facts.last_usage_month))
    tiles = [Tile(t("Active users"), number(users), _change(users, users_before)),
             Tile(t("Seats"), number(seats) if seats else "—", ""),
             Tile(t("Seats in use"), percent(users / seats, 0) if seats else "—",
                  t("{pct} the period before", pct=percent(users_before / facts.seats_before, 0))
                  if facts.seats_before else ""),
             Tile(t("Events"), number(facts.events), _change(facts.events, facts.events_before))]
    chart = pack_charts.png(pack_charts.adoption_chart(facts.adoption, t("Active users and seats by month")))
    return Slide(headline, span(facts.before_start, facts.end), tiles, chart)


def _features(facts: Facts) -> Slide:
    used, used_before = facts.features_used, facts.features_used_before
    top = facts.features.sort("events_now", descending=True)
    headline = (t("{n} features in use, led by {feature}", n=used, feature=top["feature"][0]) if used
                else t("No feature was used this period"))
    tiles = [Tile(t("Features in use"), number(used), t("{n} the period before", n=number(used_before)))]
    added = facts.features.filter((pl.col("events_now") > 0) & (pl.col("events_before") == 0))["feature"].to_list()
    if added:
        tiles.append(Tile(t("New this period"), ", ".join(added[:3]), ""))
    chart = pack_charts.png(pack_charts.features_chart(
        facts.features, span(facts.before_start, facts.start), span(facts.start, facts.end),
        t("Events by feature"))) if facts.features.height else None
    return Slide(headline, span(facts.start, facts.end), tiles, chart)


def _outcomes(facts: Facts) -> Slide:
    now, before = facts.tickets, facts.tickets_before
    hours = now["median_hours_to_solve"]
    tiles = [Tile(t("Support requests"), number(now["tickets"]), t("{n} the period before",
                                                                    n=number(before["tickets"]))),
             Tile(t("Solved"), number(now["tickets"] - now["open"]), ""),
             Tile(t("Median time to solve"), t("{h} h", h=number(hours, 1)) if hours is not None else "—",
                  t("{h} h the period before", h=number(before["median_hours_to_solve"], 1))
                  if before["median_hours_to_solve"] is not None else "")]
    if facts.nps is not None:
        tiles.append(Tile(t("NPS responses, average"), number(facts.nps, 1),
                          t("{score} the period before", score=number(facts.nps_before, 1))
                          if facts.nps_before is not None else ""))
    elif facts.csat is not None:
        tiles.append(Tile(t("Satisfied with support"), percent(facts.csat, 0), ""))
    headline = (t("{n} support requests solved, in a median of {h} hours", n=number(now["tickets"] - now["open"]),
                  h=number(hours, 1)) if now["tickets"] and hours is not None
                else t("No support request this period"))
    return Slide(headline, span(facts.start, facts.end), tiles)


def _since_last_review(facts: Facts, currency: str) -> Slide:
    since = facts.last_review
    headline = (t("Since our last review on {day}", day=format_date(since)) if since
                else t("Where we started: the period before"))
    return Slide(headline, t("On the month start before and at the end of the period."), [], None,
                 facts.since_table(currency))


def _renewal_terms(facts: Facts, currency: str) -> Slide:
    renewal = facts.renewal
    if not renewal:
        return Slide(t("Your subscription"), "", [], None, facts.contract_table(currency))
    term = facts.term_months
    tiles = [Tile(t("Renewal date"), format_date(renewal["renewal_date"]), ""),
             Tile(t("Annual value"), money(renewal["due_arr"], currency), ""),
             Tile(t("Term"), t("{n} months", n=term) if term else "—", "")]
    if renewal.get("decision_date"):
        tiles.append(Tile(t("Notice date"), format_date(renewal["decision_date"]), ""))
    headline = t("Your subscription renews on {day}", day=format_date(renewal["renewal_date"]))
    return Slide(headline, t("The terms as they stand in the contract."), tiles, None,
                 facts.contract_table(currency))


def _next_steps(facts: Facts) -> Slide:
    steps = []
    if facts.seats and facts.active_users / facts.seats < 0.6:
        steps.append(t("Bring the {n} seats not yet in use to work: we propose onboarding sessions for the teams "
                       "not active yet.", n=number(facts.seats - facts.active_users)))
    if facts.seats and facts.active_users / facts.seats >= 0.85:
        steps.append(t("Plan for growth: {pct} of your seats are in use; let us size the next term for the "
                       "users you are adding.", pct=percent(facts.active_users / facts.seats, 0)))
    dropped = facts.features.filter((pl.col("events_now") == 0) & (pl.col("events_before") > 0))["feature"]
    if dropped.len():
        steps.append(t("Put {features} back to work: used the period before, not this one.",
                       features=", ".join(dropped.head(3).to_list())))
    if facts.tickets["open"]:
        steps.append(t("Close the {n} open support requests together.", n=number(facts.tickets["open"])))
    if facts.nps is not None and facts.nps < 7:
        steps.append(t("Tell us what would make the product a 9 or 10 for your team: we will act on it."))
    if facts.renewal:
        steps.append(t("Prepare the renewal of {day} together, with the goals for the next term.",
                       day=format_date(facts.renewal["renewal_date"])))
    steps.append(t("Agree the goals for the next period and who should be trained."))
    return Slide(t("Recommendations and next steps"), "", [], None, None, steps)


# ---------------------------------------------------------------- the CSM's preparation sheet


def build_internal(con, account_id: str, start: dt.date, end: dt.date, as_of: dt.date,
                   currency: str | None = None) -> Deck:
    """The CSM's preparation sheet for the review of [start, end): scores and drivers, the CRM's call against the
    model, the notice deadline, open escalations, risks and asks. For the CSM only."""
    review = _review(con, account_id, start, end, as_of, currency)
    facts, shown = review.facts, review.currency
    deck = Deck(t("Preparation sheet: {name}", name=facts.name),
                t("For the review of {period} · for the CSM only, not for the customer",
                  period=span(facts.start, facts.end)), settings.get("company_name"), cover=False)
    deck.slides = [_scores_slide(facts, shown), _risks_slide(facts, as_of)]
    return deck


def _scores_slide(facts: Facts, currency: str) -> Slide:
    risk, renewal = facts.risk or {}, facts.renewal or {}
    tiles = [Tile(figures.figure_label("account_health"), figures.shown("account_health", risk.get("health_score")),
                  figures.coded("band", risk.get("band")) or ""),
             Tile(figures.figure_label("account_churn_risk"),
                  figures.shown("account_churn_risk", risk.get("churn_probability")), ""),
             Tile(t("Chance to renew"), percent(renewal.get("probability"), 0) if renewal else "—",
                  figures.coded("source", renewal.get("source")) or ""),
             Tile(figures.figure_label("account_arr"), money(facts.arr, currency), "")]
    call = [t("The CRM's call: {category}, stage {stage}, {p}.",
              category=figures.coded("crm_category", renewal.get("crm_category")) or t("none"),
              stage=renewal.get("stage") or "—", p=percent(renewal.get("crm_probability"), 0)),
            t("The model's figure: {p}.", p=percent(renewal.get("model_probability"), 0))] if renewal else []
    drivers = [t("Drivers: {drivers}.", drivers=risk["top_drivers"])] if risk.get("top_drivers") else []
    return Slide(t("Scores before the meeting"), t("As of the data's day; the customer's deck shows none of this."),
                 tiles, None, None, call + drivers)


def _risks_slide(facts: Facts, as_of: dt.date) -> Slide:
    renewal, lines = facts.renewal or {}, []
    deadline = renewal.get("decision_date")
    if deadline:
        days = (deadline - as_of).days
        lines.append(t("Notice deadline {day}: passed {n} days ago.", day=format_date(deadline), n=-days)
                     if days < 0 else t("Notice deadline {day}: in {n} days.", day=format_date(deadline), n=days))
    escalations = facts.open_escalations
    lines.append(t("Open escalations: {n} ({ids}).", n=escalations.height,
                   ids=", ".join(escalations["ticket_id"].cast(pl.String).head(5).to_list()))
                 if escalations.height else t("No open escalation."))
    risk = facts.risk or {}
    if risk.get("band") == "red":
        lines.append(t("Ask: an executive sponsor meeting to agree a success plan before the renewal."))
    if not facts.last_review:
        lines.append(t("Ask: a quarterly business review cadence with the account's decision makers."))
    if facts.seats and facts.active_users / facts.seats < 0.5:
        lines.append(t("Risk: only {pct} of seats active; expect a seat cut at renewal unless adoption grows.",
                       pct=percent(facts.active_users / facts.seats, 0)))
    lines.append(t("Ask: confirm goals for next quarter and the users who should be trained."))
    return Slide(t("Risks and asks"), "", [], None, None, lines)
