"""The figure registry: every figure and column the product shows, written once (Superset's SqlMetric, dbt's
semantic layer): its label, its kind (how its values read), its help text, the section of shared/spec/metrics.md
it follows and, where it is a formula over a frame, the formula itself.

- :mod:`.base` — :class:`Figure` and the formulas every module uses instead of retyping them (:func:`arr`,
  :func:`weighted_forecast_arr`, :func:`expected_renewal_loss_arr`, :func:`expected_churn_arr`);
- :mod:`.kpis` — the figures KPI cards show (:func:`renewal_radar.ui.metric` reads them);
- :mod:`.columns` — every column tables, downloads and the pack show, and coded values in words;
- :mod:`.display` — a figure as a person reads it: label, formatted value, help; a table's download headers;
- :mod:`.definitions` — the definitions help texts quote, from metrics.md and in plain words.

Labels and help are English msgids, translated where they are shown.
"""

from renewal_radar.figures.base import (
    ARR_PER_MRR,
    KINDS,
    Figure,
    arr,
    expected_churn_arr,
    expected_renewal_loss_arr,
    weighted_forecast_arr,
)
from renewal_radar.figures.columns import COLUMNS, VALUES, coded, column, column_help, label, value_words
from renewal_radar.figures.definitions import DEFINITIONS, PLAIN, help_text
from renewal_radar.figures.display import figure_label, formatted, help_of, labelled, shown
from renewal_radar.figures.kpis import FIGURES, figure

__all__ = ["ARR_PER_MRR", "COLUMNS", "DEFINITIONS", "FIGURES", "KINDS", "PLAIN", "VALUES", "Figure", "arr", "coded",
           "column", "column_help", "expected_churn_arr", "expected_renewal_loss_arr", "figure", "figure_label",
           "formatted", "help_of", "help_text", "label", "labelled", "shown", "value_words", "weighted_forecast_arr"]
