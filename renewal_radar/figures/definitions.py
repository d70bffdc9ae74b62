"""Each definition the help texts quote: from shared/spec/metrics.md, and in plain words for the pages.

The quotes are the reference (and what a reviewer compares with the spec); the pages show the plain words,
which say the same thing without formula notation, in the reader's language.
"""

from __future__ import annotations

from renewal_radar.i18n import N_, t

DEFINITIONS: dict[str, str] = {
    "arr": "ARR = 12 × MRR.",
    "mrr": "MRR(a, d): the sum of `mrr` over account a's lines active on day d whose `mrr > 0`.",
    "active": "An account is **active (a paying customer) on d** when MRR(a, d) > 0.",
    "logo_churn_rate": "logo_churn_rate | n_churned / n_start",
    "n_churned": "n_churned | accounts of S not active on D1",
    "grr": "grr | (start_mrr − churned_mrr − contraction_mrr) / start_mrr",
    "nrr": "nrr | Σ_{a∈S} MRR(a, D1) / start_mrr",
    "start_set": "Start set S = accounts active on D0; `start_mrr = Σ_{a∈S} MRR(a, D0)`.",
    "trailing": "Trailing-12-month GRR/NRR on the overview use D0 = D1 − 12 months.",
    "movements": "For month m with first day m0 and next month's first day m1, per account:\n"
                 "`prev = MRR(a, m0)`, `cur = MRR(a, m1)`.",
    "identity": "Identity (tested): ending = starting + new + reactivation + expansion −\n"
                "contraction − churn, where starting = Σ prev and ending = Σ cur.",
    "renewal_event": "A **renewal event** is a pair (account a, day e) where e is the `end_date`\n"
                     "  of at least one of a's lines with `mrr > 0`.",
    "due": "due ARR = 12 × due_mrr.",
}


PLAIN: dict[str, str] = {
    "arr": N_("Annual recurring revenue: 12 times the monthly recurring revenue (MRR)."),
    "mrr": N_("MRR: what an account pays per month on the day, from its contract lines running that day (free "
              "lines left out)."),
    "active": N_("An account counts as a customer on a day when it pays something that day."),
    "logo_churn_rate": N_("Logo churn: the share of the customers at the start of the window who no longer pay at "
                          "its end."),
    "n_churned": N_("A customer has churned when it pays nothing at the end of the window."),
    "grr": N_("Gross revenue retention: the revenue of the customers at the start of the window that is still "
              "there at its end, after cancellations and downgrades; upgrades do not count."),
    "nrr": N_("Net revenue retention: what the customers at the start of the window pay at its end against what "
              "they paid at its start, upgrades included."),
    "start_set": N_("Only customers paying at the start of the window count; customers won during it are left "
                    "out."),
    "trailing": N_("The window is the twelve months up to the as-of day."),
    "movements": N_("Each month, every account's MRR on the first day is compared with its MRR on the first day of "
                    "the next month and classed as new, reactivation, expansion, contraction or churn; "
                    "exchange-rate moves are shown apart."),
    "identity": N_("The movements add up: starting MRR + new + reactivation + expansion − contraction − churn + "
                   "exchange rates = ending MRR."),
    "renewal_event": N_("A renewal is due when a paid contract line ends."),
    "due": N_("ARR due: 12 times the monthly revenue of the lines ending in the period."),
}


def help_text(*keys: str) -> str:
    """Help text for a figure: its definitions in plain words, in the reader's language."""
    return "\n\n".join(t(PLAIN[key]) for key in keys)
