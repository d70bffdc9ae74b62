"""Each figure's definition, quoted from shared/spec/metrics.md, for the pages' help text.

A test checks every quote against the spec, so help text cannot drift from it.
"""

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


def help_text(*keys: str) -> str:
    """Help text for a figure: its definitions, quoted."""
    return "\n\n".join(f"> {DEFINITIONS[key]}".replace("\n", "\n> ") for key in keys) + \
        "\n\n(shared/spec/metrics.md)"
