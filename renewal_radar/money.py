"""The currency a reader picks to see money in, and money converted into it (metrics.md "Time and money").

Every figure is computed and stored once per import in the import's reporting currency R: ``fx_monthly`` holds
units of R per unit of each currency x and month m, and an amount is a sum of local amounts × rate_R(x, m) at
the month its definition names (the day's month for MRR on a day, D0's month for window metrics, m0's month for
movements, the cohort's first month for cohorts, the renewal day's month for due ARR). For another currency C
that has rates, rate_C(x, m) = rate_R(x, m) / rate_R(C, m) for every x and every month (``fx_monthly`` fills a
missing month the same way for all currencies), so an amount taken at month m's rates is in C exactly when it
is divided by rate_R(C, m): nothing has to be recomputed. The one exception is the fx movement, which is what
is left between the ending MRR (m1's rates) and the starting MRR plus the movements (m0's rates); it is
worked out again in C (:meth:`Converter.movements`).

Everything below the readers works in the reporting currency; a reader is given the currency its page shows
(``ui.compute`` passes the one picked in the sidebar) and converts its result once, where it returns it:
:meth:`Converter.result` reads what a result declares as its money (:class:`Money`: which columns or keys, at
which day's month) and converts that. A figure summed over rows of several months is a property of the result,
derived from its converted rows, so it is in the currency shown too. The command line passes no currency, so its
output stays in the reporting currency (cli.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import polars as pl

from renewal_radar import dates, metrics, sql

MOVEMENT_PARTS = ("new_mrr", "reactivation_mrr", "expansion_mrr", "contraction_mrr", "churned_mrr")


@dataclass(frozen=True)
class Money:
    """Where a result's field holds money: its money ``columns`` (of a frame, or keys of a dict; none for a number)
    and ``at``, the day whose month's rates they were taken at: a column (or key) of the value itself, else a
    field of the result. ``kind`` "movements" or "movement_accounts" converts monthly movements, whose fx
    movement is worked out again (:meth:`Converter.movements`)."""

    columns: tuple[str, ...] = ()
    at: str = ""
    kind: str = "amounts"


def offered(con) -> list[str]:
    """The currencies money can be shown in: the reporting currency first, then every currency with rates."""
    base = metrics.reporting_currency(con)
    rated = sql.run(con, "lookups/fx_currencies")["currency"].to_list()
    return [base, *sorted(c for c in rated if c != base)]


@dataclass(frozen=True)
class Converter:
    """Turns amounts in the reporting currency ``base`` into ``currency`` at the rates of the month each belongs to.

    ``factors`` has one row per month: units of ``currency`` per unit of ``base`` (1 / rate_base(currency, m)).
    A day before the first month takes the first month's factor and a day after the last takes the last's, as
    ``fx_month`` does for the stored figures.
    """

    base: str
    currency: str
    factors: pl.DataFrame

    @property
    def is_identity(self) -> bool:
        """True when nothing changes (the reporting currency itself)."""
        return self.currency == self.base

    def factor(self, day: dt.date) -> float:
        """Units of ``currency`` per unit of ``base`` at the rates of ``day``'s month."""
        if self.is_identity:
            return 1.0
        month = self._clamped(dates.month_floor(day))
        return float(self.factors.filter(pl.col("month") == month)["factor"][0])

    def amount(self, value: float | None, day: dt.date) -> float | None:
        """One amount taken at ``day``'s month's rates, in ``currency``."""
        return None if value is None else value * self.factor(day)

    def frame(self, frame: pl.DataFrame, columns: tuple[str, ...] | list[str], day: str | dt.date) -> pl.DataFrame:
        """``frame`` with its money ``columns`` converted at the month of ``day`` (a date or a date column)."""
        present = [c for c in columns if c in frame.columns]
        if self.is_identity or not present or frame.is_empty():
            return frame
        if isinstance(day, dt.date):
            factor = pl.lit(self.factor(day))
            return frame.with_columns(pl.col(c) * factor for c in present)
        keyed = frame.with_columns(self._month_of(pl.col(day)).alias("_fx_month"))
        joined = keyed.join(self.factors.rename({"month": "_fx_month", "factor": "_fx_factor"}), on="_fx_month",
                            how="left", maintain_order="left")
        return joined.with_columns(pl.col(c) * pl.col("_fx_factor") for c in present).drop("_fx_month", "_fx_factor")

    def record(self, row: dict | None, columns: tuple[str, ...], day: dt.date | None) -> dict | None:
        """A one-row dict with its money ``columns`` converted at ``day``'s month."""
        if row is None or self.is_identity or day is None:
            return row
        factor = self.factor(day)
        return {k: (v * factor if k in columns and v is not None else v) for k, v in row.items()}

    def result(self, found):
        """A reader's result with the money it declares (its class's ``MONEY``: field → :class:`Money`) in
        ``currency``, and its ``currency`` field, if it has one, naming it; a field holding a result that declares
        money of its own is converted by its declaration."""
        if self.is_identity or found is None:
            return found
        changes = {name: self._field(found, getattr(found, name), where) for name, where in found.MONEY.items()}
        if "currency" in {field.name for field in dataclasses.fields(found)}:  # a result that names its currency
            changes["currency"] = self.currency
        return dataclasses.replace(found, **changes)

    def _field(self, found, value, where: Money):
        if value is None:
            return None
        if hasattr(value, "MONEY"):
            return self.result(value)
        if where.kind == "movements":
            return self.movements(value)
        if where.kind == "movement_accounts":
            return self.movement_accounts(value)
        own = value.columns if isinstance(value, pl.DataFrame) else value if isinstance(value, dict) else ()
        day = where.at if where.at in own else getattr(found, where.at)
        if isinstance(value, pl.DataFrame):
            return self.frame(value, where.columns, day)
        if isinstance(value, dict):
            return self.record(value, where.columns, value[day] if isinstance(day, str) else day)
        return self.amount(value, day)

    def movements(self, table: pl.DataFrame) -> pl.DataFrame:
        """Monthly movements (starting, the five movements, fx, ending) in ``currency``.

        Starting and the movements are at m0's rates, ending at m1's; the fx movement is what is left, so the
        identity ending = starting + movements + fx holds in ``currency`` too (metrics.md).
        """
        if self.is_identity or table.is_empty():
            return table
        at_start = self.frame(table, ("starting_mrr", *MOVEMENT_PARTS), "month")
        ending = self.frame(table.select(pl.col("month").dt.offset_by("1mo").alias("next_month"), "ending_mrr"),
                            ("ending_mrr",), "next_month")["ending_mrr"]
        net = (pl.col("new_mrr") + pl.col("reactivation_mrr") + pl.col("expansion_mrr")
               - pl.col("contraction_mrr") - pl.col("churned_mrr"))
        return at_start.with_columns(ending.alias("ending_mrr")).with_columns(
            (pl.col("ending_mrr") - pl.col("starting_mrr") - net).alias("fx_mrr"))

    def movement_accounts(self, accounts: pl.DataFrame) -> pl.DataFrame:
        """One month's accounts behind the movements in ``currency``: prev, cur and amount at m0's rates, the
        actual ending at m1's, fx the difference."""
        if self.is_identity or accounts.is_empty():
            return accounts
        at_start = self.frame(accounts, ("prev_mrr", "cur_mrr", "amount"), "month_start")
        with_next = at_start.with_columns(pl.col("month_start").dt.offset_by("1mo").alias("_next"))
        return self.frame(with_next, ("cur_mrr_actual",), "_next").drop("_next").with_columns(
            (pl.col("cur_mrr_actual") - pl.col("cur_mrr")).alias("fx"))

    def _clamped(self, month: dt.date) -> dt.date:
        first, last = self.factors["month"].min(), self.factors["month"].max()
        return min(max(month, first), last)

    def _month_of(self, day: pl.Expr) -> pl.Expr:
        first, last = self.factors["month"].min(), self.factors["month"].max()
        return day.cast(pl.Date).dt.truncate("1mo").clip(pl.lit(first), pl.lit(last))


def converter(con, currency: str | None = None) -> Converter:
    """The converter from the import's reporting currency into ``currency`` (None: the reporting currency
    itself). A currency without rates is refused with a message naming the ones there are."""
    base = metrics.reporting_currency(con)
    target = currency or base
    if target == base:
        return Converter(base, base, pl.DataFrame(schema={"month": pl.Date, "factor": pl.Float64}))
    factors = sql.run(con, "lookups/fx_factors", currency=target)  # empty for a currency without rates
    if factors.is_empty():
        raise ValueError(f"no exchange rates for {target!r}; money can be shown in {', '.join(offered(con))}")
    return Converter(base, target, factors)

