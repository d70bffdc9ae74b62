"""Every column a table, download or pack shows: its label in words and how its values read, and the coded
values shown in words. :func:`renewal_radar.ui.dataframe` looks each column up here; a page only overrides what is
special to it (a progress bar, a link)."""

from __future__ import annotations

from renewal_radar.figures.base import Figure, _c
from renewal_radar.i18n import N_, t

COLUMNS: dict[str, Figure] = {
    # accounts
    "account_id": _c(N_("Account id")), "name": _c(N_("Account")), "segment": _c(N_("Segment")),
    "region": _c(N_("Region")), "csm_owner": _c(N_("CSM")), "owner": _c(N_("Owner")), "currency": _c(N_("Currency")),
    "first_start": _c(N_("Customer since"), "date"), "products": _c(N_("Products")), "product": _c(N_("Product")),
    "bill_period_months": _c(N_("Billing period (months)"), "count"), "group": _c(N_("Group")),
    # money
    "arr": _c(N_("ARR"), "money"), "mrr": _c(N_("MRR"), "money"),
    "mrr_local": _c(N_("MRR (contract currency)"), "number"),
    "amount": _c(N_("Amount"), "money"), "due_arr": _c(N_("ARR due"), "money"),
    "expected_churn_arr": _c(N_("Expected churned ARR (90 days)"), "money"),
    "expected_loss_arr": _c(N_("Expected renewal loss"), "money"), "potential_arr": _c(N_("Potential ARR"), "money"),
    "arr_at_stake": _c(N_("ARR at stake"), "money"), "actual_arr": _c(N_("Renewed ARR (actual)"), "money"),
    "forecast_arr": _c(N_("Forecast ARR"), "money"), "naive_arr": _c(N_("Naive forecast ARR"), "money"),
    "prev_mrr": _c(N_("MRR before"), "money"), "cur_mrr": _c(N_("MRR after"), "money"),
    "mrr_start": _c(N_("MRR at the start"), "money"), "mrr_end": _c(N_("MRR at the end"), "money"),
    "change": _c(N_("Change"), "money"), "fx": _c(N_("Exchange-rate effect"), "money"),
    "starting_mrr": _c(N_("Starting MRR"), "money"), "ending_mrr": _c(N_("Ending MRR"), "money"),
    "new_mrr": _c(N_("New"), "money"), "reactivation_mrr": _c(N_("Reactivation"), "money"),
    "expansion_mrr": _c(N_("Expansion"), "money"), "contraction_mrr": _c(N_("Contraction"), "money"),
    "churned_mrr": _c(N_("Churn"), "money"), "fx_mrr": _c(N_("Exchange rates (fx)"), "money"),
    "base_mrr": _c(N_("Starting MRR of the cohort"), "money"), "mrr_k": _c(N_("MRR at period"), "money"),
    # rates and probabilities
    "probability": _c(N_("Renewal probability"), "percent"), "crm_probability": _c(N_("CRM probability"), "percent"),
    "model_probability": _c(N_("Model probability"), "percent"), "churn_probability": _c(N_("Churn risk (90 days)"),
                                                                                       "percent"),
    "churn_rate": _c(N_("Churned within 90 days"), "percent"), "predicted_rate": _c(N_("Mean churn risk predicted"),
                                                                                     "percent"),
    "actual_rate": _c(N_("Renewed (actual)"), "percent"),
    "predicted_renewal_rate": _c(N_("Predicted renewal rate"), "percent"),
    "actual_renewal_rate": _c(N_("Actual renewal rate"), "percent"), "base_rate": _c(N_("Churn base rate"), "percent"),
    "top_decile_precision": _c(N_("Churned among the riskiest tenth"), "percent"),
    "churned_arr_flagged_share": _c(N_("Churned ARR flagged red or high-risk"), "percent"),
    "auc_model": _c(N_("ROC AUC of the risk model"), "number"), "auc_health": _c(N_("ROC AUC of health"), "number"),
    "forecast_error": _c(N_("Forecast error"), "percent"), "naive_error": _c(N_("Naive forecast error"), "percent"),
    "bias": _c(N_("Bias"), "percent"), "from_p": _c(N_("Lowest probability"), "percent"),
    "to_p": _c(N_("Highest probability"), "percent"), "weight": _c(N_("Weight"), "number"),
    # health
    "health_score": _c(N_("Health"), "score"), "band": _c(N_("Health band")), "trend": _c(N_("Trend")),
    "score": _c(N_("Score"), "number"), "score_before": _c(N_("Score before"), "score"),
    "score_after": _c(N_("Score after"), "score"), "points": _c(N_("Points"), "number"),
    "component": _c(N_("Component")), "signal": _c(N_("Signal")), "zero at": _c(N_("Zero at"), "number"),
    "full at": _c(N_("Full at"), "number"), "top_drivers": _c(N_("Top drivers")),
    "disagreement": _c(N_("Where health and risk disagree")),
    "score_usage_trend": _c(N_("Usage trend"), "score"), "score_license_utilisation": _c(N_("Seats in use"),
                                                                                          "score"),
    "score_feature_breadth": _c(N_("Feature breadth"), "score"), "score_nps": _c(N_("NPS and CSAT"), "score"),
    "score_support_load": _c(N_("Support load"), "score"), "score_csm_touch": _c(N_("CSM touch"), "score"),
    "score_days_to_renewal": _c(N_("Time to renewal"), "score"),
    "accounts": _c(N_("Accounts"), "count"), "churned": _c(N_("Churned"), "count"),
    "red_accounts": _c(N_("Red accounts"), "count"), "red_churned": _c(N_("Red accounts that churned"), "count"),
    # renewals and the forecast
    "renewal_date": _c(N_("Renewal date"), "date"), "decision_date": _c(N_("Decision by"), "date"),
    "notice_days": _c(N_("Notice (days)"), "count"), "notice_overdue": _c(N_("Decision overdue"), "flag"),
    "cancels_at_period_end": _c(N_("Cancels at period end"), "flag", N_(
        "The subscription is set to cancel when its current period ends: the customer has said it will not "
        "renew, so its probability is 0.")),
    "payment_at_risk": _c(N_("Payment past due"), "flag", N_(
        "The billing system says the payment is past due or unpaid: revenue at risk.")),
    "days_left": _c(N_("Days left"), "count"), "stage": _c(N_("CRM stage")), "category": _c(N_("Forecast category")),
    "crm_category": _c(N_("CRM forecast category")), "source": _c(N_("Source")), "outcome": _c(N_("Outcome")),
    "movement": _c(N_("Movement")), "n_due": _c(N_("Renewals due"), "count"), "renewals": _c(N_("Renewals"), "count"),
    "decile": _c(N_("Decile"), "count"), "next_renewal": _c(N_("Next renewal"), "date"),
    "as_of": _c(N_("As of"), "date"), "month": _c(N_("Month"), "date"), "snapshot_day": _c(N_("Snapshot day"), "date"),
    "status": _c(N_("Status")),
    # the command line's figures (cli.md keys), read under these labels in its readable output
    "start": _c(N_("Start"), "date"), "end": _c(N_("End"), "date"), "quarter": _c(N_("Fiscal quarter")),
    "n_start": _c(N_("Customers at the start"), "count"), "n_churned": _c(N_("Customers who churned"), "count"),
    "logo_churn_rate": _c(N_("Logo churn rate"), "percent"), "start_mrr": _c(N_("Starting MRR"), "money"),
    "grr": _c(N_("Gross revenue retention"), "percent"), "nrr": _c(N_("Net revenue retention"), "percent"),
    "horizon_days": _c(N_("Horizon (days)"), "count"), "forecast_gross_arr": _c(N_("Weighted forecast"), "money"),
    "floor_arr": _c(N_("Floor"), "money"), "best_case_arr": _c(N_("Best case"), "money"),
    "method": _c(N_("Forecast method")), "method_errors": _c(N_("Each method's error")),
    "renewed_due_arr": _c(N_("Renewed (ARR due)"), "money"), "churned_due_arr": _c(N_("Churned"), "money"),
    "renewed_arr_net": _c(N_("Renewed ARR (net)"), "money"),
    "projected_renewed_arr_gross": _c(N_("Projected renewed ARR"), "money"),
    "actual_renewed_arr_gross": _c(N_("Renewed ARR (actual)"), "money"),
    "abs_pct_error": _c(N_("Forecast error"), "percent"), "naive_forecast_arr": _c(N_("Naive forecast ARR"), "money"),
    "naive_abs_pct_error": _c(N_("Naive forecast error"), "percent"),
    # why customers leave
    "reason": _c(N_("Reason")), "reason_label": _c(N_("Reason")),
    "label": _c(N_("Reason")),
    "addressable": _c(N_("Addressable"), "flag", N_(
        "Whether the team could have acted on it (an acquisition or a bankruptcy is not addressable); "
        "reasons.toml says which reason is which.")),
    "voluntary": _c(N_("Voluntary"), "flag", N_(
        "Unticked for involuntary churn, such as a failed payment: nobody decided to leave.")),
    "reason_source": _c(N_("Reason from")), "reason_text": _c(N_("Reason as exported")),
    "churned_arr": _c(N_("Churned ARR"), "money"), "contracted_arr": _c(N_("Contracted ARR"), "money"),
    "lost_arr": _c(N_("Lost ARR (churned + contracted)"), "money"), "renewed_arr": _c(N_("Renewed ARR"), "money"),
    "opportunity_id": _c(N_("Opportunity")),
    # where one account sits among the drivers' deciles (the Account page)
    "decile_churn_rate": _c(N_("Churn in its decile"), "percent"),
    "lowest_rate": _c(N_("Lowest decile churn"), "percent"), "highest_rate": _c(N_("Highest decile churn"), "percent"),
    "account_value": _c(N_("This account"), "number"), "decile_group": _c(N_("Decile (1 = lowest values)"), "count"),
    # what moved since a snapshot: a renewal then and now
    "due_arr_before": _c(N_("ARR due then"), "money"), "due_arr_after": _c(N_("ARR due now"), "money"),
    "forecast_arr_delta": _c(N_("Change in forecast"), "money"),
    "probability_before": _c(N_("Probability then"), "percent"), "probability_after": _c(N_("Probability now"),
                                                                                          "percent"),
    # the CRM's calls against what renewed (call_accuracy)
    "called_arr": _c(N_("ARR called"), "money"),
    "commit_renewed_share": _c(N_("Called Commit: renewed"), "percent"),
    "best_case_renewed_share": _c(N_("Called Best Case: renewed"), "percent"),
    "pipeline_renewed_share": _c(N_("Called Pipeline: renewed"), "percent"),
    "called_forecast_arr": _c(N_("Called forecast"), "money"), "model_forecast_arr": _c(N_("Model's forecast"),
                                                                                          "money"),
    "called_error": _c(N_("Error of the calls"), "percent", N_(
        "|Σ CRM probability × ARR due − gross renewed ARR| / gross renewed ARR, over the calls of every backtest "
        "day.")),
    "model_error": _c(N_("Error of the model"), "percent", N_("The same error for the model's probabilities of "
                                                              "the same renewals.")),
    # the fiscal quarter (metrics.md "Quarter forecast")
    "team": _c(N_("Team")), "manager": _c(N_("Manager")),
    "renewed_arr_gross": _c(N_("Renewed ARR (gross)"), "money"), "open_due_arr": _c(N_("Open ARR due"), "money"),
    "open_forecast_arr": _c(N_("Open: weighted forecast"), "money"),
    "projected_gross_arr": _c(N_("Projected renewed ARR"), "money"),
    "projected_grr": _c(N_("Projected GRR on renewals"), "percent"), "target_grr": _c(N_("Plan: GRR"), "percent"),
    "target_renewed_arr": _c(N_("Plan: renewed ARR"), "money"),
    "gap_to_plan_arr": _c(N_("Against plan"), "money", N_("Projected renewed ARR minus the plan's (a plan GRR counts "
                                                         "as GRR × ARR due).")),
    "metric": _c(N_("Metric")), "spread": _c(N_("Spread (highest − lowest group)"), "percent"),
    "rank": _c(N_("Rank"), "count"), "low": _c(N_("From"), "number"), "high": _c(N_("To"), "number"),
    "lower": _c(N_("Lower bound (95 %)"), "percent"), "upper": _c(N_("Upper bound (95 %)"), "percent"),
    "value": _c(N_("Value"), "number"),
    "alpha": _c(N_("α"), "number"), "beta": _c(N_("β"), "number"),
    "periods_observed": _c(N_("Periods observed"), "count"),
    "backtest_error": _c(N_("Backtest error (points)"), "percent"),
    "residual_value": _c(N_("Expected residual value"), "money", N_(
        "The revenue of the renewals still to come, at today's MRR, weighted by the chance of each and "
        "discounted at the annual discount rate (shifted-beta-geometric model).")),
    "expected_lifetime_months": _c(N_("Expected remaining lifetime (months)"), "number"),
    "next_renewal_probability": _c(N_("Chance of the next renewal"), "percent"),
    "mean_next_renewal_probability": _c(N_("Mean chance of the next renewal"), "percent"),
    "mean_expected_lifetime_months": _c(N_("Mean expected remaining lifetime (months)"), "number"),
    "renewals_so_far": _c(N_("Renewals so far"), "count"),
    # expansion
    "signals": _c(N_("Signals")), "n_signals": _c(N_("Signals"), "count"), "kind": _c(N_("Kind")),
    # contract lines, tickets, surveys, activities
    "line_id": _c(N_("Line")), "subscription_id": _c(N_("Subscription")), "start_date": _c(N_("Start"), "date"),
    "end_date": _c(N_("End"), "date"), "quantity": _c(N_("Quantity"), "number"),
    "ticket_id": _c(N_("Ticket")), "created_at": _c(N_("Opened"), "datetime"),
    "solved_at": _c(N_("Solved"), "datetime"), "priority": _c(N_("Priority")),
    "is_escalated": _c(N_("Escalated"), "flag"), "satisfaction": _c(N_("Satisfaction")),
    "hours_to_solve": _c(N_("Hours to solve"), "number"), "responded_at": _c(N_("Answered"), "datetime"),
    "respondent": _c(N_("Respondent")), "comment": _c(N_("Comment")), "occurred_at": _c(N_("When"), "datetime"),
    "subject": _c(N_("Subject")),
    # data, audit, page times
    "table_name": _c(N_("Table")), "loaded": _c(N_("Loaded"), "flag"), "file": _c(N_("File")),
    "files": _c(N_("Files")), "preset": _c(N_("Preset")), "row_count": _c(N_("Rows"), "count"),
    "first_date": _c(N_("First date"), "date"), "last_date": _c(N_("Last date"), "date"),
    "imported_at": _c(N_("Imported"), "datetime"), "n_warnings": _c(N_("Warnings"), "count"),
    "at": _c(N_("When"), "datetime"), "email": _c(N_("Email")), "role": _c(N_("Role")), "action": _c(N_("Action")),
    "detail": _c(N_("Detail")), "page": _c(N_("Page")), "runs": _c(N_("Runs"), "count"),
    "p50_seconds": _c(N_("p50 (s)"), "number"), "p95_seconds": _c(N_("p95 (s)"), "number"),
    "p50_cpu_seconds": _c(N_("p50 CPU (s)"), "number"), "p95_cpu_seconds": _c(N_("p95 CPU (s)"), "number"),
    "open": _c(N_("Open"), "link"),
}


_CATEGORIES = {"Pipeline": N_("Pipeline"), "Best Case": N_("Best Case"), "Commit": N_("Commit"),
               "Closed": N_("Closed"), "Closed Won": N_("Closed Won"), "Closed Lost": N_("Closed Lost"),
               "Omitted": N_("Omitted"), "booked": N_("Booked"), "Cancels at period end": N_("Cancels at period end")}
# coded values a table shows in words (data values such as names and segments stay as they are)
# renewal economics (metrics.md "Renewal economics")
COLUMNS |= {
    "renewed_arr": _c(N_("Renewed ARR"), "money"), "price_arr": _c(N_("Price effect"), "money"),
    "volume_arr": _c(N_("Seats and volume effect"), "money"), "mix_arr": _c(N_("Products added or dropped"), "money"),
    "kept_due_arr": _c(N_("ARR due on products kept"), "money"), "price_uplift": _c(N_("Price uplift"), "percent"),
    "n_renewed": _c(N_("Renewed"), "count"), "n_events": _c(N_("Renewal events"), "count"),
    "last_renewal_date": _c(N_("Last renewal date"), "date"), "cumulative_arr": _c(N_("Running sum"), "money"),
    "in_shortest_set": _c(N_("Closes the gap"), "flag"), "what_if": _c(N_("What if"), "text"),
    "line_reason": _c(N_("Why"), "text"), "line_kind": _c(N_("Kind"), "text"),
    "renewal_at_risk": _c(N_("Renewal at risk"), "flag"),
}

VALUES: dict[str, dict[str, str]] = {
    "source": {"model": N_("Model"), "crm": N_("CRM"), "booked": N_("Booked"),
               "cancellation": N_("Cancellation"), "naive": N_("Trailing rate"), "renewed": N_("Renewed"),
               "churned": N_("Churned")},
    "category": _CATEGORIES, "crm_category": _CATEGORIES,
    "band": {"red": N_("Red"), "yellow": N_("Yellow"), "green": N_("Green")},
    "outcome": {"renewed": N_("Renewed"), "churned": N_("Churned"), "contracted": N_("Contracted"),
                "open": N_("Open")},
    "reason_source": {"crm": N_("CRM loss reason"), "cancellation": N_("subscription cancellation")},
    "line_reason": {"booked": N_("Signed, starts later"), "cancel_at_period_end": N_("Cancels at period end"),
               "crm_closed_lost": N_("Renewal Closed Lost in the CRM")},
    "line_kind": {"signed": N_("Signed, not yet live"), "cancelled": N_("Announced cancellation")},
    # an expansion signal's kind, and a CSM activity's
    "kind": {"seats": N_("Seats"), "growth": N_("Usage growth"), "add-on": N_("Add-on"),
             "whitespace": N_("Whitespace"), "onboarding": N_("Onboarding"), "business_review": N_("Business review"),
             "meeting": N_("Meeting"), "call": N_("Call"), "email": N_("Email"), "note": N_("Note")},
    # support tickets (Zendesk's values) and a cohort member's status
    "priority": {"urgent": N_("Urgent"), "high": N_("High"), "normal": N_("Normal"), "low": N_("Low")},
    "satisfaction": {"good": N_("Good"), "bad": N_("Bad"), "offered": N_("Offered"), "unoffered": N_("Not offered")},
    "status": {"new": N_("New"), "open": N_("Open"), "pending": N_("Pending"), "hold": N_("On hold"),
               "solved": N_("Solved"), "closed": N_("Closed"), "retained": N_("Retained"), "expanded": N_("Expanded"),
               "contracted": N_("Contracted"), "churned": N_("Churned"), "active": N_("Active"),
               "canceled": N_("Cancelled"), "trialing": N_("Trialing"), "past_due": N_("Past due")},
}


def value_words(name: str) -> dict[str, str] | None:
    """The column's coded values in the current language, or None when its values are data."""
    words = VALUES.get(name)
    return {code: t(word) for code, word in words.items()} if words else None


def coded(name: str, value: str | None) -> str | None:
    """A coded value of a column (a health band, a forecast category, a source) in words; others as they are."""
    if value is None:
        return None
    return (value_words(name) or {}).get(value, value)


def column(name: str) -> Figure:
    """The column's entry; a cohort's age in days (``90``) reads as such; anything else by its own name."""
    if name in COLUMNS:
        return COLUMNS[name]
    if name.isdigit():
        return Figure(N_("Day {n}"), "number")
    return Figure(name.replace("_", " ").capitalize())


def column_help(name: str) -> str | None:
    """The column's hover help in the current language, if it has one."""
    entry = column(name)
    return t(entry.help) if entry.help else None


def label(name: str) -> str:
    """The column's label in the current language."""
    entry = column(name)
    return t(entry.label, n=name) if name.isdigit() else t(entry.label)
