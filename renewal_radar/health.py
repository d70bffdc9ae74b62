"""Health scores that explain themselves (shared/spec/metrics.md "Health score and churn risk").

The score is ``Σ w_i·s_i / Σ w_i`` over the components that have data; each
component maps one point-in-time signal to 0–100 with the thresholds of the
versioned settings file ``health.toml``. Components whose source table is
missing drop out, and the page says which.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from renewal_radar import db, settings, sql
from renewal_radar.i18n import N_, t

SETTINGS_PATH = Path(__file__).resolve().parent / "health.toml"
# The export each component's signal comes from (None: always available from subscriptions).
SOURCES = {"usage_trend": "usage", "license_utilisation": "usage", "feature_breadth": "usage", "nps": "surveys",
           "support_load": "tickets", "csm_touch": "activities", "days_to_renewal": None}
SOURCE_FILES = {"usage": ("usage_events", "usage_daily"), "surveys": ("surveys",), "tickets": ("tickets",),
                "activities": ("activities",)}  # any one of them feeds the component


@dataclass(frozen=True)
class Component:
    """One health component: a signal, its weight and the thresholds that map it to 0–100."""

    name: str
    label: str
    help: str
    weight: float
    zero_at: float
    full_at: float


@dataclass(frozen=True)
class HealthSettings:
    """The contents of health.toml."""

    version: int
    red_below: float
    green_from: float
    components: tuple[Component, ...]


@functools.cache
def load_settings(path: Path = SETTINGS_PATH) -> HealthSettings:
    """Read the health settings file."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    components = tuple(Component(name, c["label"], c["help"], float(c["weight"]), float(c["zero_at"]),
                                 float(c["full_at"])) for name, c in raw["components"].items())
    return HealthSettings(int(raw["version"]), float(raw["bands"]["red_below"]), float(raw["bands"]["green_from"]),
                          components)


def source_rows(con) -> dict[str, int]:
    """Rows each signal source holds; zero means the export is missing."""
    stored = "signal_sources" in db.table_names(con)
    row = sql.run(con, "lookups/feature_tables" if stored else "lookups/feature_tables_live").row(0, named=True)
    return {"usage": row["usage_rows"], "surveys": row["survey_rows"], "tickets": row["ticket_rows"],
            "activities": row["activity_rows"], "feature_count": row["feature_count"]}


def available_components(sources: dict[str, int]) -> dict[str, bool]:
    """Whether each component has a source table with data."""
    return {name: source is None or sources.get(source, 0) > 0 for name, source in SOURCES.items()}


def signals(features: pl.DataFrame, sources: dict[str, int]) -> pl.DataFrame:
    """The raw signal of each component from the point-in-time features (null where there is none)."""
    has = available_components(sources)
    last = pl.col("events_last_month").fill_null(0)
    prior = pl.col("events_prior_two_months").fill_null(0) / 2
    trend = pl.when(prior > 0).then(last / prior).when(last > 0).then(1.0).otherwise(0.0)
    csat_as_nps = (pl.col("latest_csat") - 1) / 4 * 10
    features_total = max(int(sources.get("feature_count") or 0), 1)
    # an account never touched counts as touched long ago, once activities are exported at all
    touch = pl.col("days_since_touch").fill_null(10_000)
    values = {
        "usage_trend": trend,
        "license_utilisation": pl.col("active_users_last_month").fill_null(0) / pl.col("seats"),
        "feature_breadth": pl.col("features_last_month").fill_null(0) / features_total,
        "nps": pl.coalesce(pl.col("latest_nps"), csat_as_nps),
        "support_load": (pl.col("open_high_priority") + pl.col("escalations_90d")).cast(pl.Float64),
        "csm_touch": touch.cast(pl.Float64),
        "days_to_renewal": pl.col("days_to_renewal").cast(pl.Float64),
    }
    return features.with_columns(
        (expr if has[name] else pl.lit(None, pl.Float64)).cast(pl.Float64).alias(f"signal_{name}")
        for name, expr in values.items())


def component_score(signal: pl.Expr, component: Component) -> pl.Expr:
    """0 at zero_at, 100 at full_at, linear between, clipped; null stays null."""
    span = component.full_at - component.zero_at
    return ((signal - component.zero_at) / span).clip(0.0, 1.0) * 100


def score(frame: pl.DataFrame, settings: HealthSettings | None = None) -> pl.DataFrame:
    """Component scores, the weighted health score and its band, from a frame of ``signal_*`` columns."""
    settings = settings or load_settings()
    scored = frame.with_columns(component_score(pl.col(f"signal_{c.name}"), c).alias(f"score_{c.name}")
                                for c in settings.components)
    weighted = [pl.col(f"score_{c.name}") * c.weight for c in settings.components]
    weights = [pl.when(pl.col(f"score_{c.name}").is_not_null()).then(c.weight).otherwise(0.0)
               for c in settings.components]
    total_weight = pl.sum_horizontal(weights)
    health = pl.when(total_weight > 0).then(pl.sum_horizontal(weighted) / total_weight)
    scored = scored.with_columns(health.alias("health_score"))
    return scored.with_columns(band(pl.col("health_score"), settings).alias("band"))


def band(health: pl.Expr, settings: HealthSettings) -> pl.Expr:
    """red below red_below, green from green_from, yellow between."""
    return (pl.when(health < settings.red_below).then(pl.lit("red"))
            .when(health >= settings.green_from).then(pl.lit("green"))
            .when(health.is_not_null()).then(pl.lit("yellow")))


def health_on(con, as_of: dt.date) -> pl.DataFrame:
    """Health of every account active at the start of ``as_of``, from data before it."""
    sources = source_rows(con)
    return score(signals(sql.run(con, "reports/account_features_on", as_of=as_of), sources))


def health_history(con, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Health of every account at each month start in [start, end]."""
    sources = source_rows(con)
    return score(signals(sql.run(con, "reports/account_features_history", start=start, end=end), sources))


def explain_change(before: dict, after: dict, settings: HealthSettings | None = None) -> pl.DataFrame:
    """Which components moved an account's score between two days, and by how many points.

    Each component contributes ``w_i·s_i / Σ w`` points (Σ over components with data on that day);
    the rows add up to the change of the health score.
    """
    settings = settings or load_settings()

    def contributions(row: dict) -> dict[str, float]:
        present = [c for c in settings.components if row.get(f"score_{c.name}") is not None]
        total = sum(c.weight for c in present)
        return {c.name: c.weight * row[f"score_{c.name}"] / total for c in present} if total else {}

    first, second = contributions(before), contributions(after)
    rows = [{"component": t(c.label), "score_before": before.get(f"score_{c.name}"),
             "score_after": after.get(f"score_{c.name}"),
             "points": second.get(c.name, 0.0) - first.get(c.name, 0.0)} for c in settings.components]
    return pl.DataFrame(rows, schema={"component": pl.String, "score_before": pl.Float64, "score_after": pl.Float64,
                                      "points": pl.Float64}).sort(pl.col("points").abs(), descending=True)


# the shipped health.toml's labels and help texts, so the catalogues translate them (an edited label that has no
# translation shows as written)
DEFAULT_WORDS = (
    N_("Usage trend"), N_("Events in the last complete month against the monthly average of the two months before."),
    N_("Licence utilisation"), N_("Active users in the last complete month divided by seats."),
    N_("Feature breadth"), N_("Share of the product's features used in the last complete month."),
    N_("Latest NPS / CSAT"),
    N_("Latest NPS (0-10) before the day; CSAT (1-5) is scaled to 0-10 when there is no NPS."),
    N_("Support load"), N_("Open high-priority tickets plus escalations in the last 90 days."),
    N_("CSM touch"), N_("Days since the last CSM touch or business review."),
    N_("Days to renewal"), N_("Days until the next known renewal; a renewal close at hand leaves less time to act."),
)


def trend_arrow(change: pl.Expr) -> pl.Expr:
    """↑ / ↓ when health moved at least the ``health_trend_points`` setting in a month, → otherwise."""
    points = settings.get("health_trend_points")
    return (pl.when(change >= points).then(pl.lit("↑")).when(change <= -points).then(pl.lit("↓"))
            .when(change.is_not_null()).then(pl.lit("→")).otherwise(pl.lit("")))
