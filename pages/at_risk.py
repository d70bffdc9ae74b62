"""At-risk accounts for CSMs and their leaders: health that explains itself, churn risk, and its track record."""

import polars as pl
import streamlit as st

from renewal_radar import charts, health, i18n, ui
from renewal_radar.i18n import t
from renewal_radar.readers import at_risk as at_risk_reader
from renewal_radar.readers import common as common_reader


def show_track_record(band_rates: pl.DataFrame) -> None:
    """The score's and the risk's backtest over the whole book (not shown to people who see one book)."""
    st.subheader(t("How well has this score predicted churn here?"))
    st.caption(t("As of each month start of the past year, the model was fitted only on what was known then and "
                 "scored the accounts active that day; the outcome is whether each was still paying 90 days later."))
    if band_rates.height:
        st.markdown(t("**Churn within 90 days by health band**, over the accounts scored on each month start of "
                      "the past year: does red churn more than green here?"))
        ui.dataframe(band_rates)
    backtest = ui.compute(at_risk_reader.track_record)
    if backtest.is_empty():
        st.info(t("Not enough history with churn to backtest yet."))
    else:
        st.plotly_chart(charts.backtest_auc_chart(backtest, t("ROC AUC by month")), width="stretch")
        ui.dataframe(backtest)  # labels and percentages from the column registry


ui.page_header(t("At-risk accounts"), t("Which customers need help now: health score with its components, the "
                                        "chance each account stops paying within 90 days, and why. Use the CSM "
                                        "owner filter to see your own book."))
ui.stop_without_data()

as_of, filters = ui.current_as_of(), ui.current_filters()
ui.warn_if_scores_stale()
with st.spinner(t("Scoring accounts…")):
    data = ui.compute(at_risk_reader.read, as_of, filters)
accounts, currency = data.accounts, data.currency
if data.missing_components:
    st.warning(t("Left out of the health score for lack of data: {parts}.", parts="; ".join(data.missing_components)))
if accounts.is_empty():
    st.info(t("No account is active on {day} among the filtered accounts.", day=as_of))
    st.stop()

count = data.band_counts
with ui.card_row() as cards:
    cards.metric("expected_churn_arr_90", data.expected_churn_arr, currency)
    cards.metric("red_accounts", count.get("red", 0), help_values={"n": data.red_below})
    cards.metric("yellow_accounts", count.get("yellow", 0))
    cards.metric("green_accounts", count.get("green", 0))
ui.ninety_days_caption(data.ninety_days, currency, "at_risk")

# the answer first: the account and what the list is ordered by (expected churned ARR), then why
SHOWN = ("open", "name", "expected_churn_arr", "band", "churn_probability", "health_score", "arr", "trend",
         "top_drivers", "disagreement", "csm_owner", "segment", "next_renewal", "account_id")


def worded(rows: pl.DataFrame) -> pl.DataFrame:
    """The table's rows with their drivers and disagreements in words: only the rows shown or downloaded."""
    return at_risk_reader.words(rows, data.word_sources).with_columns(ui.account_url()).select(SHOWN)


# the largest expected churned ARR first, a page at a time: 40,000 accounts' drivers are worded only when shown
table = worded(ui.table_page(accounts, "at_risk_page"))
LANGUAGE = i18n.current_language()  # a download is written after the run, in the language the page was read in


def worded_book() -> pl.DataFrame:
    """Every page of the table, worded for a download."""
    with i18n.language(LANGUAGE):
        return worded(accounts)


ui.table_with_download(table, "at_risk_accounts", "at_risk_accounts", whole=worded_book,
                       column_config={
    "health_score": st.column_config.ProgressColumn(t("Health"), min_value=0, max_value=100, format="%.0f"),
    "top_drivers": st.column_config.TextColumn(t("Top drivers"), width="large"), "open": ui.account_link_column(),
    "disagreement": st.column_config.TextColumn(t("Where health and risk disagree"), width="large"),
}, height=420)
ui.open_account_picker(table, "at_risk_open")

ui.chart_opening_accounts(charts.health_scatter(ui.charted_accounts(accounts, "expected_churn_arr"), currency,
                                                t("Health against ARR (bubble size: ARR)")),
                          "at_risk_scatter", id_index=3)

st.subheader(t("Why did this score change?"))
pick, first, second = st.columns([2, 1, 1])
explained = table.select("account_id", "name")  # the accounts of the table page shown
account = pick.selectbox(t("Account"), explained["account_id"].to_list(), key="explain_account",
                         format_func=dict(zip(explained["account_id"], explained["name"], strict=True)).get)
month_starts = ui.compute(common_reader.month_starts, as_of)
before = first.selectbox(t("From"), month_starts[1:], key="explain_from", format_func=lambda d: f"{d:%b %Y}")
after = second.selectbox(t("To"), month_starts, key="explain_to", format_func=lambda d: f"{d:%b %Y}")
change = ui.compute(at_risk_reader.health_change, account, before, after)
if change.is_empty():
    st.info(t("The account was not active on both days."))
else:
    st.caption(t("Points each component added to (or took from) the score; they sum to the change."))
    ui.dataframe(change, column_config={"points": st.column_config.NumberColumn(t("Points"), format="%+.1f")})

if ui.person().book_only:
    st.caption(t("How well the score predicted churn is measured over the whole book; leaders and analysts see it "
                 "here."))
else:
    show_track_record(data.band_rates)
with st.expander(t("How the score and the risk are made")):
    settings = health.load_settings()
    st.markdown(t("Health (settings version {v}) is the weighted average of the components with data; red below "
                  "{red:.0f}, green from {green:.0f}.", v=settings.version, red=settings.red_below,
                  green=settings.green_from))
    ui.dataframe(pl.DataFrame([{"component": t(c.label), "weight": c.weight, "zero at": c.zero_at,
                                "full at": c.full_at, "signal": t(c.help)} for c in settings.components]))
    st.markdown(t("Churn risk is a logistic regression on the same signals and account size, fitted on the month "
                  "starts whose 90-day outcome was known on the as-of day. Drivers are the signals that raise an "
                  "account's log-odds the most."))
