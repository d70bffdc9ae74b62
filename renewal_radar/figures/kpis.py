"""The figures the KPI cards show (:func:`renewal_radar.ui.metric`): each once, with its label, kind, help in plain
words and the section of shared/spec/metrics.md it follows. A page names the figure and gives its value; the
card's label, format and help come from here, so the same figure reads the same on every page."""

from __future__ import annotations

from renewal_radar.figures.base import Figure
from renewal_radar.figures.definitions import PLAIN
from renewal_radar.i18n import N_

TIME_AND_MONEY, WINDOW, RENEWALS = "Time and money", "Window metrics between D0 and D1", "Renewals"
FORECAST, HEALTH, QUARTER, WHY = ("Renewal forecast as of D, horizon H", "Health score and churn risk",
                                  "Quarter forecast (fiscal quarters)", "Why customers leave")
DATA = "data-model.md"
ECONOMICS = "Renewal economics"


def _f(label: str, kind: str, help: str | tuple[str, ...], spec: str) -> Figure:
    return Figure(label, kind, help if isinstance(help, tuple) else (help,), spec)


FIGURES: dict[str, Figure] = {
    # the Overview
    "arr_now": _f(N_("ARR now"), "money", (PLAIN["arr"], PLAIN["mrr"]), TIME_AND_MONEY),
    "arr_year_ago": _f(N_("ARR a year ago"), "money", (PLAIN["arr"],), TIME_AND_MONEY),
    "grr_12m": _f(N_("GRR (12 months)"), "percent", (PLAIN["grr"], PLAIN["start_set"], PLAIN["trailing"]), WINDOW),
    "nrr_12m": _f(N_("NRR (12 months)"), "percent", (PLAIN["nrr"], PLAIN["start_set"], PLAIN["trailing"]), WINDOW),
    "logo_churn_12m": _f(N_("Logo churn (12 months)"), "percent",
                         (PLAIN["logo_churn_rate"], PLAIN["n_churned"], PLAIN["start_set"]), WINDOW),
    "due_90_arr": _f(N_("Due in 90 days"), "money", (PLAIN["renewal_event"], PLAIN["due"]), RENEWALS),
    "customers_now": _f(N_("Paying customers"), "count", (PLAIN["active"],), TIME_AND_MONEY),
    # the fiscal quarter (Overview and Forecast)
    "quarter_due_arr": _f(N_("{quarter}: ARR due"), "money", N_(
        "Every renewal due in the quarter, from lines known on the as-of day. Renewed + churned + still open = "
        "ARR due."), QUARTER),
    "quarter_renewed_arr_gross": _f(N_("Renewed (gross)"), "money", N_(
        "The quarter's renewals already booked: gross counts at most the ARR due, net includes expansion at "
        "renewal."), QUARTER),
    "quarter_churned_arr": _f(N_("Churned"), "money", N_(
        "ARR due on renewals whose grace period ended without a renewal."), QUARTER),
    "quarter_contracted_arr": _f(N_("Contracted"), "money", N_("ARR lost on renewals that renewed smaller."),
                                 QUARTER),
    "quarter_open_arr": _f(N_("Still open"), "money", N_(
        "ARR due on renewals not yet decided: ahead of the as-of day or in their grace period."), QUARTER),
    "quarter_open_forecast_arr": _f(N_("Open: weighted forecast"), "money", N_(
        "Σ probability × ARR due over the open renewals, priced by the method in use."), QUARTER),
    "quarter_floor_arr": _f(N_("Floor"), "money", N_(
        "Renewed gross plus the open ARR due called Closed Won or Commit."), QUARTER),
    "quarter_best_case_arr": _f(N_("Best case"), "money", N_(
        "Renewed gross plus the open ARR due not called Omitted or Closed Lost, nor set to cancel."), QUARTER),
    "quarter_projected_grr": _f(N_("Projected GRR on renewals"), "percent", N_(
        "(renewed gross + open weighted forecast × (1 − expected contraction share)) / ARR due."), QUARTER),
    "quarter_projected_nrr": _f(N_("Projected NRR on renewals"), "percent", N_(
        "As the GRR, with renewed net and the expected expansion share added."), QUARTER),
    "quarter_gap_to_plan_arr": _f(N_("Against plan"), "money", N_(
        "Projected renewed ARR (gross) minus the plan's renewed ARR (targets.csv; a target GRR counts as GRR × "
        "ARR due). A dash without a plan for this quarter."), QUARTER),
    # the rolling-horizon forecast
    "horizon_due_arr": _f(N_("ARR due"), "money", N_(
        "Σ 12 × due MRR of the renewals due in the horizon, from lines known on the as-of day."), FORECAST),
    "floor_arr": _f(N_("Floor"), "money", N_(
        "ARR due on renewals already booked, or called Closed Won or Commit in the CRM, counted in full. The floor "
        "can sit above the weighted forecast, which counts a Commit at 90 %."), FORECAST),
    "weighted_forecast_arr": _f(N_("Weighted forecast"), "money", N_(
        "Each renewal's probability of renewing times its ARR due, added up. It never exceeds the best case."),
        FORECAST),
    "best_case_arr": _f(N_("Best case"), "money", N_(
        "All ARR due except renewals the CRM calls Omitted or Closed Lost; a renewal without a CRM call counts. "
        "Floor ≤ best case ≤ ARR due."), FORECAST),
    "projected_gross_renewal_rate": _f(N_("Projected gross renewal"), "percent", N_(
        "(weighted forecast − expected contraction) / ARR due; contraction at the trailing-12-month share of "
        "renewed renewals."), FORECAST),
    "projected_net_renewal_rate": _f(N_("Projected net renewal"), "percent", N_(
        "Adds expected expansion at the trailing-12-month share."), FORECAST),
    "forecast_then_arr": _f(N_("Forecast then"), "money", N_(
        "The weighted forecast of the snapshot's renewal period as the snapshot saved it."), FORECAST),
    "forecast_now_arr": _f(N_("Forecast now"), "money", N_(
        "The weighted forecast of the same period as of the as-of day; the change is below it."), FORECAST),
    "renewals_changed": _f(N_("Renewals that changed"), "count", N_(
        "Renewals of the period whose date, ARR due or probability moved since the snapshot, or that were added "
        "or dropped."), FORECAST),
    "method_error": _f(N_("{method}"), "percent", N_(
        "Mean absolute percentage error of this method's forecast at {days} days over the month starts before "
        "the as-of day whose outcomes are known."), FORECAST),
    "forecast_error": _f(N_("Forecast error"), "percent", N_(
        "Mean over the past year of |weighted forecast − gross renewed ARR| / gross renewed ARR. The command "
        "line's backtest reports the same figure as abs_pct_error."), FORECAST),
    "naive_forecast_error": _f(N_("Naive forecast's error"), "percent", N_(
        "The same error for ARR due × the trailing-12-month gross renewal rate."), FORECAST),
    "forecast_bias": _f(N_("Bias of the weighted forecast"), "percent", N_(
        "Mean of (weighted forecast − actual) / actual: above zero means it ran high."), FORECAST),
    # the calendar
    "due_within_arr": _f(N_("Due in {d} days"), "money", N_(
        "ARR due on the renewals of the next {d} days (renewal date before the as-of day + {d} days), from the "
        "contract lines known on the as-of day."), RENEWALS),
    "notice_overdue": _f(N_("Notice deadline passed"), "count", N_(
        "Renewals in the next 120 days whose decision date (renewal date − notice days) is before the as-of day "
        "and that are not booked yet: the customer may already be unable to cancel, or may have cancelled."),
        RENEWALS),
    "expected_renewal_loss_90": _f(N_("Expected renewal loss (90 days)"), "money", N_(
        "Σ (1 − probability of renewing) × ARR due over the renewals due in 90 days. Not the At-risk page's "
        "expected churned ARR, which covers every active account's churn risk."), FORECAST),
    # at risk
    "expected_churn_arr_90": _f(N_("Expected churned ARR (90 days)"), "money", N_(
        "Σ churn probability × ARR over the active accounts shown: the ARR expected to leave within 90 days if "
        "nothing changes. Not the calendar's expected renewal loss, which covers only renewals due."), HEALTH),
    "red_accounts": _f(N_("Red accounts"), "count", N_("Health below {n:.0f}."), HEALTH),
    "yellow_accounts": _f(N_("Yellow accounts"), "count", N_(
        "Health from the red line up to the green line: worth a look before it slips."), HEALTH),
    "green_accounts": _f(N_("Green accounts"), "count", N_(
        "Health at or above the green line; the churn risk beside it says whether the model agrees."), HEALTH),
    # one account
    "account_arr": _f(N_("ARR"), "money", (PLAIN["arr"],), TIME_AND_MONEY),
    "account_health": _f(N_("Health"), "score", N_(
        "The account's health score (0–100) on the as-of day, with its band below; the At-risk page shows what "
        "moved it."), HEALTH),
    "account_churn_risk": _f(N_("Churn risk (90 days)"), "percent", N_(
        "The chance the account stops paying within 90 days, from the churn-risk model."), HEALTH),
    "account_next_renewal": _f(N_("Next renewal"), "date", N_(
        "The account's next renewal date, with its ARR due below."), RENEWALS),
    "account_chance_to_renew": _f(N_("Chance to renew"), "percent", (N_(
        "The one chance to renew the forecast uses for the next renewal, with where it comes from: booked, the "
        "CRM's call, the renewal model or the trailing rate. The model's own figure, the CRM's call and the "
        "group's base rate are named beside it."), N_(
        "Churn risk answers another question: whether the account still pays in 90 days, whatever renews.")),
        FORECAST),
    # expansion
    "accounts_with_signal": _f(N_("Accounts with a signal"), "count", N_(
        "Accounts with at least one expansion signal: seats nearly full, usage growing, an add-on or a product "
        "their segment owns."), TIME_AND_MONEY),
    "potential_arr": _f(N_("Potential ARR"), "money", N_(
        "Seats: {seat:.0%} of ARR; growth: {growth:.0%} of ARR; add-on and whitespace: the median ARR of that "
        "product among the segment's accounts that own it."), TIME_AND_MONEY),
    "expansion_signals": _f(N_("Signals"), "count", N_("Expansion signals in all, by kind below."),
                            TIME_AND_MONEY),
    # why customers leave
    "churned_arr": _f(N_("Churned ARR"), "money", N_(
        "ARR due on renewals that did not renew within the grace period, in the quarters chosen."), WHY),
    "contracted_arr": _f(N_("Contracted ARR"), "money", N_(
        "ARR due minus ARR renewed, on renewals that renewed for less."), WHY),
    "no_reason_share": _f(N_("No reason recorded"), "percent", N_(
        "A data-quality figure to act on: the share of churned ARR whose renewal has no loss reason in the CRM and "
        "no cancellation reason in the billing export."), WHY),
    "addressable_share": _f(N_("Addressable"), "percent", N_(
        "Share of churned + contracted ARR whose reason the team could act on (reasons.toml)."), WHY),
    "involuntary_share": _f(N_("Involuntary"), "percent", N_(
        "Share of churned + contracted ARR lost to failed payments: nobody decided to leave."), WHY),
    # renewal economics (Overview, Forecast, Why)
    "committed_arr": _f(N_("Committed ARR"), "money", N_(
        "ARR now, plus the lines signed that start after the as-of day, less the active lines whose cancellation is "
        "already announced (cancel at period end, or a renewal called Closed Lost in the CRM)."), ECONOMICS),
    "signed_not_live_arr": _f(N_("Signed, not yet live"), "money", N_(
        "12 × MRR of the lines known by the as-of day (booked, else started) that start after it."), ECONOMICS),
    "announced_cancellations_arr": _f(N_("Announced cancellations"), "money", N_(
        "12 × MRR of the active lines that end after the as-of day and will not renew: set to cancel at period end, "
        "or their renewal called Closed Lost."), ECONOMICS),
    "quarter_forecast_arr": _f(N_("Forecast (weighted)"), "money", N_(
        "Renewed so far (gross) plus Σ probability × ARR due over the open renewals: on the same basis as the floor "
        "and the best case, so floor ≤ forecast ≤ best case ≤ ARR due."), QUARTER),
    "price_uplift": _f(N_("Price uplift at renewal"), "percent", N_(
        "Σ price effect / ARR due on the products kept, over the renewals renewed so far: what changed in unit "
        "price, apart from seats and products added or dropped."), ECONOMICS),
    "price_arr": _f(N_("Price effect"), "money", N_(
        "Σ (unit price after − unit price before) × quantity after, over the products on both sides of a "
        "renewal."), ECONOMICS),
    "volume_arr": _f(N_("Seats and volume effect"), "money", N_(
        "Σ (quantity after − quantity before) × unit price before, over the products on both sides."), ECONOMICS),
    "mix_arr": _f(N_("Products added or dropped"), "money", N_(
        "ARR of the products added at renewal less that of the products dropped."), ECONOMICS),
    "plan_gap_arr": _f(N_("Gap to plan (forecast)"), "money", N_(
        "Planned renewed ARR less the weighted forecast; the saves below, largest expected loss first, close it."),
                       ECONOMICS),
    "planned_renewed_arr": _f(N_("Plan: renewed ARR"), "money", N_(
        "The quarter's planned renewed ARR (targets.csv), or its target GRR × ARR due."), QUARTER),
    # the digest
    "digest_alerts": _f(N_("{kind}"), "count", N_(
        "Alerts of this kind between the since day and the as-of day (off: the kind is switched off in "
        "alerts.toml)."), RENEWALS),
    # the data
    "data_as_of": _f(N_("Data as of"), "date", N_(
        "Outcomes after this day are unknown, not negative (data-model.md)."), DATA),
    "imported_at": _f(N_("Imported"), "datetime", N_("When the live data was imported."), DATA),
    "tables_loaded": _f(N_("Tables loaded"), "text", N_(
        "Input tables with a file in the last import, of every table the data model knows."), DATA),
    "import_warnings": _f(N_("Warnings in the last import"), "count", N_(
        "Rows or files the last import loaded with a warning, listed below."), DATA),
}


def figure(name: str) -> Figure:
    """The KPI figure's entry; a name not in the registry is an error (every card is registered)."""
    return FIGURES[name]
