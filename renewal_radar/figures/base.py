"""The shape of a figure and the formulas every module computes figures with (shared/spec/metrics.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

KINDS = ("text", "money", "percent", "score", "number", "count", "date", "datetime", "flag", "link")


@dataclass(frozen=True)
class Figure:
    """One figure or column: how it is named, how its values read, what it means and how it is computed."""

    label: str
    kind: str = "text"
    help: str | tuple[str, ...] | None = None  # msgids shown on hover, joined by a blank line
    spec: str | None = None  # the section of metrics.md it follows
    formula: Callable[..., pl.Expr] | None = None  # the expression over a frame, for figures computed in Python


def _c(label: str, kind: str = "text", help: str | None = None) -> Figure:
    return Figure(label, kind, help)


# ---------------------------------------------------------------- formulas (metrics.md), used by every module


def _column(value: str | pl.Expr) -> pl.Expr:
    return pl.col(value) if isinstance(value, str) else value


ARR_PER_MRR = 12  # ARR = 12 × MRR ("Time and money"), for a single amount as for a column


def arr(mrr: str | pl.Expr = "mrr") -> pl.Expr:
    """ARR = 12 × MRR ("Time and money")."""
    return ARR_PER_MRR * _column(mrr)


def weighted_forecast_arr(probability: str | pl.Expr = "probability", due: str | pl.Expr = "due_arr") -> pl.Expr:
    """A renewal's weighted forecast: probability × ARR due ("Renewal forecast"; summed, Σ p × due ARR)."""
    return _column(probability) * _column(due)


def expected_renewal_loss_arr(probability: str | pl.Expr = "probability",
                              due: str | pl.Expr = "due_arr") -> pl.Expr:
    """A renewal's expected loss: (1 − probability) × ARR due."""
    return (1 - _column(probability)) * _column(due)


def expected_churn_arr(probability: str | pl.Expr = "churn_probability", arr_: str | pl.Expr = "arr") -> pl.Expr:
    """An active account's expected churned ARR within 90 days: churn probability × ARR ("Health score and
    churn risk")."""
    return _column(probability) * _column(arr_)
