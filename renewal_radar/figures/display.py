"""A registered figure as a person reads it, wherever it is shown (a KPI card, the review pack, the command
line's readable output, a download's header): its label, its value formatted by its kind, its help."""

from __future__ import annotations

import datetime as dt

import polars as pl

from renewal_radar import i18n
from renewal_radar.figures.columns import coded, label, value_words
from renewal_radar.figures.kpis import figure
from renewal_radar.i18n import t


def figure_label(name: str, **values) -> str:
    """The figure's label in the reader's language (``values`` fill its placeholders)."""
    return t(figure(name).label, **values) if values else t(figure(name).label)


def help_of(name: str, values: dict | None = None, extra: str | None = None) -> str:
    """The figure's help in the reader's language (its parts joined by a blank line), then ``extra``."""
    parts = [t(part, **values) if values else t(part) for part in figure(name).help or ()]
    return "\n\n".join([*parts, *([extra] if extra else [])])


def formatted(kind: str, value, currency: str | None = None, small_too: bool = False) -> str:
    """A value as its kind reads: money compact in the currency (below 10,000 too with ``small_too``, beside
    compact figures), a percentage, a whole count or score, a date; a dash for no value; text as given."""
    if value is None:
        return "—"
    if kind == "money":
        return i18n.money(value, currency or "USD", compact=True, small_too=small_too)
    if kind == "percent":
        return i18n.percent(value)
    if kind in ("count", "score"):
        return i18n.number(value)
    if kind == "date":
        return i18n.date(value)
    if kind == "datetime" and isinstance(value, dt.datetime):
        return f"{i18n.date(value.date())} {value:%H:%M}"
    return str(value)


def shown(name: str, value, currency: str | None = None) -> str:
    """A registered figure's value formatted by its kind."""
    return formatted(figure(name).kind, value, currency)


def labelled(frame: pl.DataFrame) -> pl.DataFrame:
    """A table as a person downloads it: each column under its label and coded values in words, in the reader's
    language (a label two columns share keeps the column's name beside it)."""
    words = [pl.col(name).replace(found).alias(name) for name, dtype in frame.schema.items()
             if dtype == pl.String and (found := value_words(name))]
    frame = frame.with_columns(words) if words else frame
    labels = {name: label(name) for name in frame.columns}
    taken = [text for text in labels.values()]
    return frame.rename({name: text if taken.count(text) == 1 else f"{text} ({name})" for name, text in labels.items()})


__all__ = ["coded", "figure_label", "formatted", "help_of", "labelled", "shown"]
