"""KPI cards: a page names a registered figure (:mod:`renewal_radar.figures.kpis`) and gives its value; the
label, the format of its kind and the help come from the registry, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field

from renewal_radar import figures
from renewal_radar.figures import formatted, help_of

__all__ = ["CardRow", "card_row", "formatted", "help_of", "metric"]


def metric(container, name: str, value, currency: str | None = None, *, delta: str | None = None,
           delta_color: str = "off", label_values: dict | None = None, help_values: dict | None = None,
           extra_help: str | None = None, small_too: bool = False) -> None:
    """One KPI card of figure ``name`` in ``container``: the registry's label (with ``label_values``), the value
    formatted by the figure's kind (money in ``currency``, compact below 10,000 too with ``small_too``), the
    registry's help (with ``help_values``) and, after it, what only this page can say (``extra_help``). The card
    is as wide as its label and value, so neither is ever cut off."""
    entry = figures.figure(name)
    container.metric(figures.figure_label(name, **(label_values or {})),
                     formatted(entry.kind, value, currency, small_too), delta=delta, delta_color=delta_color,
                     delta_arrow="off" if delta_color == "off" else "auto",
                     help=help_of(name, help_values, extra_help), width="content")


@dataclass
class CardRow:
    """A row of KPI cards that wraps onto a second line where the screen is narrow (issue 37: seven cards did not
    fit a laptop), its money in one style: all compact once one figure is (``$2.9K`` beside ``$21.7K``)."""

    cards: list[tuple[str, object, str | None, dict]] = field(default_factory=list)

    def metric(self, name: str, value, currency: str | None = None, **options) -> None:
        """Add a card (the options of :func:`metric`); the row draws when its ``with`` block ends."""
        self.cards.append((name, value, currency, options))

    def __enter__(self) -> CardRow:
        return self

    def __exit__(self, error_type, *_) -> None:
        if error_type is None:
            self.draw()

    def draw(self) -> None:
        """Draw the cards in a wrapping row."""
        import streamlit as st

        small_too = any(figures.figure(name).kind == "money" and value is not None and abs(value) >= 10_000
                        for name, value, _, _ in self.cards)
        row = st.container(horizontal=True, gap="medium")
        for name, value, currency, options in self.cards:
            metric(row, name, value, currency, small_too=small_too, **options)


def card_row() -> CardRow:
    """``with ui.card_row() as cards: cards.metric("arr_now", …)`` — the cards of one row."""
    return CardRow()


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
