"""Why customers leave: each churned or contracted renewal's reason, as the exports say it (metrics.md).

A renewal's reason comes from what was exported about it, in this order: the loss reason of its renewal
opportunity (Salesforce ``Loss_Reason__c``, HubSpot ``closed_lost_reason``), then the cancellation fields of
the subscription lines ending on its day (Stripe ``cancellation_details``: a failed or disputed payment, the
customer's feedback code, their comment). The text is mapped to the editable taxonomy in ``reasons.toml``;
a renewal with nothing exported is "no reason recorded", never a guess. The scoring stage stores the rows
(``renewal_reasons``) so the page, the command line and the pack read the same ones.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from renewal_radar import cohorts, crm_types, db, figures, sql
from renewal_radar.filters import ALL, Filters
from renewal_radar.i18n import N_, t

TAXONOMY_PATH = Path(__file__).with_name("reasons.toml")
NO_REASON = "no_reason"
OTHER = "other"
# the default labels, marked for the catalogues (an edited taxonomy's new labels show as written)
DEFAULT_LABELS = (N_("Payment failed"), N_("Acquired or merged"), N_("Went out of business"),
                  N_("Switched to a competitor"), N_("Price or budget"), N_("Low adoption"), N_("Missing features"),
                  N_("Too complex"), N_("Product quality"), N_("Customer service"), N_("Champion left"),
                  N_("Cancelled without feedback"), N_("Other"), N_("No reason recorded"))
STRIPE_INVOLUNTARY = ("payment_failed", "payment_disputed")


@dataclass(frozen=True)
class Reason:
    """One reason of the taxonomy."""

    key: str
    label: str
    addressable: bool | None
    voluntary: bool | None
    stripe: tuple[str, ...]
    words: tuple[str, ...]
    patterns: tuple[re.Pattern, ...]

    def matches(self, text: str) -> bool:
        """Whether a reason text says this reason (a word in any language, any case, or a pattern)."""
        folded = text.casefold()
        return any(word in folded for word in self.words) or any(p.search(text) for p in self.patterns)


NO_REASON_ROW = Reason(NO_REASON, "No reason recorded", None, None, (), (), ())


def load_taxonomy(path: Path = TAXONOMY_PATH) -> tuple[Reason, ...]:
    """The reasons of ``reasons.toml``, in matching order; a broken file says which reason is wrong."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    reasons = []
    for index, entry in enumerate(data.get("reason", []), start=1):
        if not entry.get("key") or not entry.get("label"):
            raise ValueError(f"{path.name}: reason {index} needs a key and a label")
        words = tuple(w.casefold() for language in (entry.get("words") or {}).values() for w in language)
        try:
            patterns = tuple(re.compile(p, re.IGNORECASE) for p in entry.get("patterns", []))
        except re.error as exc:
            raise ValueError(f"{path.name}: reason {entry['key']!r} has a pattern that is not valid: {exc}") from exc
        reasons.append(Reason(entry["key"], entry["label"], entry.get("addressable"), entry.get("voluntary"),
                              tuple(entry.get("stripe", [])), words, patterns))
    return tuple(reasons)


def classify(texts: list[str | None], taxonomy: tuple[Reason, ...], codes: tuple[str | None, ...] = ()) -> Reason:
    """The reason of one renewal: a Stripe code first (``codes``, most specific first), else the first reason
    whose words a text contains; a text nobody knows is "other"; nothing at all is "no reason recorded"."""
    by_code = {code: reason for reason in taxonomy for code in reason.stripe}
    for code in codes:
        if code and code.strip().casefold() in by_code:
            return by_code[code.strip().casefold()]
    written = [text for text in texts if text and text.strip()]
    for reason in taxonomy:
        if any(reason.matches(text) for text in written):
            return reason
    if written or any(codes):
        return next((r for r in taxonomy if r.key == OTHER), Reason(OTHER, "Other", None, True, (), (), ()))
    return NO_REASON_ROW


REASON_SCHEMA = {"reason": pl.String, "reason_label": pl.String, "addressable": pl.Boolean,
                 "voluntary": pl.Boolean, "reason_source": pl.String, "reason_text": pl.String,
                 "comment": pl.String}


def reason_of(row: dict, taxonomy: tuple[Reason, ...]) -> dict:
    """The mapped reason of one renewal row of ``renewal_reason_sources``, with where it came from."""
    loss, code, feedback, comment = (row["loss_reason"], row["cancellation_reason"], row["cancellation_feedback"],
                                     row["cancellation_comment"])
    if loss:
        reason, source, text = classify([loss], taxonomy), "crm", loss
        comment = row.get("loss_comment") or comment
    elif code or feedback or comment:
        # a failed payment outranks what the customer said: nobody chose to leave
        codes = (code, feedback) if (code or "").casefold() in STRIPE_INVOLUNTARY else (feedback, code)
        reason, source = classify([comment], taxonomy, codes), "cancellation"
        text = " / ".join(part for part in (code, feedback) if part) or None
    else:
        reason, source, text = NO_REASON_ROW, None, None
    return {"reason": reason.key, "reason_label": reason.label, "addressable": reason.addressable,
            "voluntary": reason.voluntary, "reason_source": source, "reason_text": text, "comment": comment}


def renewal_reasons(con, taxonomy: tuple[Reason, ...] | None = None) -> pl.DataFrame:
    """Every churned or contracted renewal of the data's as-of day with its reason (what the scoring stage stores)."""
    taxonomy = load_taxonomy() if taxonomy is None else taxonomy
    sources = _with_lost_arr(sql.run(con, "reports/renewal_reason_sources", **crm_types.params()))
    mapped = pl.DataFrame([reason_of(row, taxonomy) for row in sources.iter_rows(named=True)], schema=REASON_SCHEMA)
    kept = sources.drop("loss_reason", "loss_comment", "cancellation_reason", "cancellation_feedback",
                        "cancellation_comment")
    return pl.concat([kept, mapped], how="horizontal")


def _with_lost_arr(sources: pl.DataFrame) -> pl.DataFrame:
    """Each lost renewal's due, renewed, churned and contracted ARR from its MRR (figures.arr), where the MRR was."""
    churned = pl.col("renewed_mrr") == 0
    money = [figures.arr("due_mrr").alias("due_arr"), figures.arr("renewed_mrr").alias("renewed_arr"),
             pl.when(churned).then(figures.arr("due_mrr")).otherwise(0.0).alias("churned_arr"),
             pl.when(churned).then(0.0).otherwise(figures.arr(pl.col("due_mrr") - pl.col("renewed_mrr")))
             .alias("contracted_arr")]
    at = sources.columns.index("due_mrr")
    rest = [c for c in sources.columns if c not in ("due_mrr", "renewed_mrr")]
    return sources.select(*rest[:at], *money, *rest[at:])


def book_figures(con) -> dict[str, pl.DataFrame]:
    """The stored table of the scoring stage."""
    return {"renewal_reasons": renewal_reasons(con)}


def stored_reasons(con, start: dt.date | None = None, end: dt.date | None = None,
                   filters: Filters = ALL) -> pl.DataFrame:
    """The stored churned and contracted renewals with $start <= e < $end, with their reasons and accounts."""
    if "renewal_reasons" not in db.table_names(con):
        raise ValueError("no reasons stored yet: run `python -m renewal_radar score` once")
    return sql.run(con, "stored/renewal_reasons", start=start or dt.date(1900, 1, 1),
                   end=end or dt.date(9999, 1, 1), **filters.params())


def by_period(rows: pl.DataFrame, grain: str = "quarter") -> pl.DataFrame:
    """Churned and contracted ARR by period of e and reason (the ``reasons`` command's CSV)."""
    schema = {"period": pl.String, "reason": pl.String, "addressable": pl.Boolean, "voluntary": pl.Boolean,
              "n": pl.UInt32, "churned_arr": pl.Float64, "contracted_arr": pl.Float64}
    if rows.is_empty():
        return pl.DataFrame(schema=schema)
    truncate = "1mo" if grain == "month" else "1q"
    grouped = (rows.with_columns(pl.col("renewal_date").dt.truncate(truncate).alias("period_start"))
               .group_by("period_start", "reason", "addressable", "voluntary")
               .agg(pl.len().alias("n"), pl.col("churned_arr").sum(), pl.col("contracted_arr").sum())
               .sort("period_start", "churned_arr", "reason", descending=[False, True, False]))
    labels = [cohorts.cohort_label(day, grain) for day in grouped["period_start"]]
    return grouped.with_columns(pl.Series("period", labels, dtype=pl.String)).select(list(schema)).cast(schema)


def _share(rows: pl.DataFrame, condition: pl.Expr, column: str) -> float | None:
    whole = float(rows[column].sum())
    return float(rows.filter(condition)[column].sum()) / whole if whole else None


def summary(rows: pl.DataFrame) -> dict:
    """The headline figures: churned and contracted ARR, the share of churned ARR with no reason recorded, and
    the shares of lost ARR (churned + contracted) that were addressable and involuntary."""
    rows = rows.with_columns((pl.col("churned_arr") + pl.col("contracted_arr")).alias("lost_arr"))
    return {
        "churned_arr": float(rows["churned_arr"].sum()), "contracted_arr": float(rows["contracted_arr"].sum()),
        "n_churned": int((rows["outcome"] == "churned").sum()),
        "no_reason_share": _share(rows, pl.col("reason") == NO_REASON, "churned_arr"),
        "addressable_share": _share(rows, pl.col("addressable").fill_null(False), "lost_arr"),
        # an unknown (no reason) is neither voluntary nor involuntary
        "involuntary_share": _share(rows, pl.col("voluntary").not_().fill_null(False), "lost_arr"),
    }


def by_reason(rows: pl.DataFrame) -> pl.DataFrame:
    """Churned and contracted ARR per reason over the rows, largest loss first, labels translated."""
    if rows.is_empty():
        return pl.DataFrame(schema={"reason": pl.String, "label": pl.String, "addressable": pl.Boolean,
                                    "voluntary": pl.Boolean, "n": pl.UInt32, "churned_arr": pl.Float64,
                                    "contracted_arr": pl.Float64, "lost_arr": pl.Float64})
    grouped = rows.group_by("reason", "reason_label", "addressable", "voluntary").agg(
        pl.len().alias("n"), pl.col("churned_arr").sum(), pl.col("contracted_arr").sum())
    return (grouped.with_columns((pl.col("churned_arr") + pl.col("contracted_arr")).alias("lost_arr"),
                                 _translated("reason_label", grouped).alias("label"))
            .sort("lost_arr", "reason", descending=[True, False])
            .select("reason", "label", "addressable", "voluntary", "n", "churned_arr", "contracted_arr", "lost_arr"))


def by_attribute(rows: pl.DataFrame, attribute: str) -> pl.DataFrame:
    """Lost ARR (churned + contracted) per value of an account attribute (segment, owner) and reason label."""
    if rows.is_empty():
        return pl.DataFrame(schema={attribute: pl.String, "label": pl.String, "lost_arr": pl.Float64})
    return (rows.with_columns(pl.col(attribute).cast(pl.String).fill_null("—"),
                              _translated("reason_label", rows).alias("label"),
                              (pl.col("churned_arr") + pl.col("contracted_arr")).alias("lost_arr"))
            .group_by(attribute, "label").agg(pl.col("lost_arr").sum()).sort(attribute, "lost_arr",
                                                                               descending=[False, True]))


def translated_labels(rows: pl.DataFrame) -> pl.DataFrame:
    """The rows with their reason label in the reader's language."""
    return rows.with_columns(_translated("reason_label", rows))


def _translated(column: str, frame: pl.DataFrame) -> pl.Expr:
    # the words are looked up here, in the caller's thread (where the reader's language is set), not in
    # polars' worker threads
    return pl.col(column).replace({label: t(label) for label in frame[column].unique().drop_nulls().to_list()})
