"""What a business review states about one account and a period, against the period before it (same length):
adoption, features, usage, support and surveys, the contract and the renewal, what changed since the last review.
Pure functions of the Account page's view (``account.AccountView``), already in the currency shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from renewal_radar import account, dates
from renewal_radar.i18n import date as format_date
from renewal_radar.i18n import money, number, t


def previous_period(start: dt.date, end: dt.date) -> dt.date:
    """The first day of the period before [start, end), of the same length (in months when both are month
    starts, else in days)."""
    if start.day == 1 and end.day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month
        return dates.add_months(start, -months)
    return start - (end - start)


def feature_words(code: str) -> str:
    """A feature as a person writes it: ``report_builder`` reads "Report builder"."""
    text = str(code).replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Facts:
    """The figures of one review; money in the view's currency."""

    name: str
    start: dt.date
    end: dt.date
    before_start: dt.date
    adoption: pl.DataFrame        # usage month, active users, seats over both periods
    features: pl.DataFrame        # feature (in words), events_before, events_now
    tickets: dict
    tickets_before: dict
    nps: float | None
    nps_before: float | None
    csat: float | None
    last_review: dt.date | None
    months: pl.DataFrame
    lines: pl.DataFrame
    renewal: dict | None
    risk: dict | None
    open_escalations: pl.DataFrame

    def _count(self, usage_month: dt.date | None, column: str) -> int:
        """Active users or seats of one usage month of the adoption table (0 when it has none)."""
        found = self.adoption.filter(pl.col("month_start") == usage_month) if usage_month else self.adoption.head(0)
        return int((found.row(0, named=True) if found.height else {}).get(column) or 0)

    @property
    def last_usage_month(self) -> dt.date:
        """The last month of the period with usage known."""
        now = self.adoption.filter(pl.col("month_start") >= self.start).drop_nulls("active_users")
        return now["month_start"].max() if now.height else dates.add_months(dates.month_floor(self.end), -1)

    @property
    def _before_month(self) -> dt.date | None:
        before = self.adoption.filter(pl.col("month_start") < self.start).drop_nulls("active_users")
        return before["month_start"].max() if before.height else None

    @property
    def active_users(self) -> int:
        return self._count(self.last_usage_month, "active_users")

    @property
    def seats(self) -> int:
        return self._count(self.last_usage_month, "seats")

    @property
    def active_users_before(self) -> int:
        return self._count(self._before_month, "active_users")

    @property
    def seats_before(self) -> int:
        return self._count(self._before_month, "seats")

    @property
    def events(self) -> float:
        return float(self.features["events_now"].sum())

    @property
    def events_before(self) -> float:
        return float(self.features["events_before"].sum())

    @property
    def features_used(self) -> int:
        return int((self.features["events_now"] > 0).sum())

    @property
    def features_used_before(self) -> int:
        return int((self.features["events_before"] > 0).sum())

    @property
    def arr(self) -> float | None:
        return self.months["arr"][-1] if self.months.height else None

    @property
    def term_months(self) -> int | None:
        return (self.renewal or {}).get("bill_period_months")

    def since_table(self, currency: str) -> tuple[list[str], list[list[str]]]:
        """ARR, seats, active users and features on the month start at the last review (or the start of the
        period) and on the period's end, with the change between."""
        then = self.last_review or self.start
        before_rows = self.months.filter(pl.col("month_start") <= then)
        after_rows = self.months.filter(pl.col("month_start") <= self.end)
        before = before_rows.row(-1, named=True) if before_rows.height else {}
        after = after_rows.row(-1, named=True) if after_rows.height else {}

        def row(label: str, column: str, shown) -> list[str]:
            old, new = before.get(column), after.get(column)
            change = "—" if old is None or new is None else (("+" if new >= old else "−") + shown(abs(new - old)))
            return [label, shown(old) if old is not None else "—", shown(new) if new is not None else "—", change]

        header = [t("Figure"), format_date(before["month_start"]) if before else "—",
                  format_date(after["month_start"]) if after else "—", t("Change")]
        return header, [row(t("Annual value"), "arr", lambda v: money(v, currency)),
                        row(t("Seats"), "seats", number), row(t("Active users"), "active_users_prior_month", number),
                        row(t("Features in use"), "features_prior_month", number)]

    def contract_table(self, currency: str) -> tuple[list[str], list[list[str]]]:
        """The contract lines running at the end of the period: product, quantity, dates, annual value."""
        last_day = self.end - dt.timedelta(days=1)
        running = self.lines.filter((pl.col("start_date") <= last_day)
                                    & (pl.col("end_date").is_null() | (pl.col("end_date") > last_day))
                                    & (pl.col("mrr") > 0))
        rows = [[row.get("product") or "—", number(row.get("quantity")) if row.get("quantity") else "—",
                 format_date(row["start_date"]),
                 format_date(row["end_date"] - dt.timedelta(days=1)) if row.get("end_date") else "—",
                 money(12 * row["mrr"], currency)] for row in running.iter_rows(named=True)]
        return [t("Product"), t("Quantity"), t("From"), t("To"), t("Annual value")], rows


def collect(view: account.AccountView, start: dt.date, end: dt.date, as_of: dt.date) -> Facts:
    """The review's facts from the account's view."""
    before_start = previous_period(start, end)
    tickets = view.tickets
    created = pl.col("created_at").dt.date()
    surveys = view.surveys.filter(pl.col("kind") == "NPS")
    responded = pl.col("responded_at").cast(pl.Date)
    reviews = view.activities.filter((pl.col("kind") == "business_review")
                                     & (pl.col("occurred_at").cast(pl.Date) < end))
    open_tickets = tickets.filter(pl.col("solved_at").is_null()
                                  & (pl.col("is_escalated") | pl.col("priority").is_in(["urgent", "high"])))
    return Facts(
        name=view.profile["name"], start=start, end=end, before_start=before_start,
        adoption=_adoption(view.months, before_start, end), features=_features(view.usage_by_feature, before_start,
                                                                                start, end),
        tickets=account.ticket_summary(tickets.filter(created.is_between(start, end, closed="left"))),
        tickets_before=account.ticket_summary(tickets.filter(created.is_between(before_start, start, closed="left"))),
        nps=_mean(surveys.filter(responded.is_between(start, end, closed="left"))["score"]),
        nps_before=_mean(surveys.filter(responded.is_between(before_start, start, closed="left"))["score"]),
        csat=account.ticket_summary(tickets.filter(created.is_between(start, end, closed="left")))["csat_good_share"],
        last_review=reviews["occurred_at"].cast(pl.Date).max() if reviews.height else None,
        months=view.months, lines=view.lines, renewal=view.next_renewal, risk=view.risk,
        open_escalations=open_tickets)


def _mean(values: pl.Series) -> float | None:
    return float(values.mean()) if values.len() else None


def _adoption(months: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Each usage month of [start, end): its active users (read on the next month start) and its seats."""
    usage = months.select(pl.col("month_start").dt.offset_by("-1mo").alias("month_start"),
                          pl.col("active_users_prior_month").alias("active_users"))
    seats = months.select("month_start", "seats")
    frame = seats.join(usage, on="month_start", how="full", coalesce=True)
    return frame.filter(pl.col("month_start").is_between(start, end, closed="left")).sort("month_start").select(
        "month_start", pl.col("active_users").fill_null(0).cast(pl.Int64), pl.col("seats").cast(pl.Int64))


def _features(usage: pl.DataFrame, before_start: dt.date, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Events by feature in the period before and in this one, features in words."""
    month = pl.col("month_start")
    frame = usage.filter(month.is_between(before_start, end, closed="left")).group_by("feature").agg(
        pl.col("events").filter(month < start).sum().alias("events_before"),
        pl.col("events").filter(month >= start).sum().alias("events_now"))
    words = [feature_words(code) for code in frame["feature"]]
    return frame.with_columns(pl.Series("feature", words, dtype=pl.String),
                              pl.col("events_before").cast(pl.Float64), pl.col("events_now").cast(pl.Float64))
