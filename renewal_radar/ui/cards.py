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


def ninety_days_caption(figures_90: dict, currency: str, page: str) -> None:
    """The line under a 90-day money figure saying what it covers beside the other page's (metrics.md "One
    story per account"): ``page`` is "calendar" (expected renewal loss) or "at_risk" (expected churned ARR)."""
    import streamlit as st

    from renewal_radar.i18n import money, t

    values = {key: money(value, currency) for key, value in figures_90.items() if key.endswith("_arr")}
    shared = t("{n:,} accounts renew whole within 90 days (every line ends by then): for them churn risk is 1 − "
               "their chance to renew, so they count {loss} here as renewal loss and {churn} at risk of churning.",
               n=figures_90["accounts_renewing_whole"], loss=values["loss_renewing_whole_arr"],
               churn=values["churn_renewing_whole_arr"])
    if page == "calendar":
        rest = t("The rest covers only what each page counts: {loss} of renewals of accounts whose other lines run "
                 "on (renewal loss only); the At-risk page's expected churned ARR ({total}) adds {churn} from "
                 "accounts with lines past 90 days (the churn model).", loss=values["loss_lines_running_on_arr"],
                 total=values["expected_churn_arr"], churn=values["churn_lines_running_on_arr"])
    else:
        rest = t("The rest covers only what each page counts: {churn} from accounts with lines past 90 days (the "
                 "churn model); the Calendar's expected renewal loss ({total}) adds {loss} of renewals of accounts "
                 "whose other lines run on.", churn=values["churn_lines_running_on_arr"],
                 total=values["expected_renewal_loss_arr"], loss=values["loss_lines_running_on_arr"])
    st.caption(f"{shared} {rest}")
