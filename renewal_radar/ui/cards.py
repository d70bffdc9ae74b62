"""KPI cards: a page names a registered figure (:mod:`renewal_radar.figures.kpis`) and gives its value; the
label, the format of its kind and the help come from the registry, in the reader's language."""

from __future__ import annotations

from renewal_radar import figures
from renewal_radar.figures import formatted, help_of

__all__ = ["formatted", "help_of", "metric"]


def metric(container, name: str, value, currency: str | None = None, *, delta: str | None = None,
           delta_color: str = "off", label_values: dict | None = None, help_values: dict | None = None,
           extra_help: str | None = None) -> None:
    """One KPI card of figure ``name`` in ``container`` (a column): the registry's label (with
    ``label_values``), the value formatted by the figure's kind (money in ``currency``), the registry's help
    (with ``help_values``) and, after it, what only this page can say (``extra_help``)."""
    entry = figures.figure(name)
    container.metric(figures.figure_label(name, **(label_values or {})), formatted(entry.kind, value, currency),
                     delta=delta, delta_color=delta_color, delta_arrow="off" if delta_color == "off" else "auto",
                     help=help_of(name, help_values, extra_help))
