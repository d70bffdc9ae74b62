"""Cohort retention and survival for analysts and leaders: are newer customers retaining better?"""

import polars as pl
import streamlit as st

from renewal_radar import charts, retention_charts, settings, ui
from renewal_radar.figures import help_text
from renewal_radar.i18n import t
from renewal_radar.readers import cohorts as reader

ui.page_header(t("Cohorts and survival"), t("Customers grouped by the month or quarter they first paid: how many "
                                            "stay, how much revenue each cohort keeps, and how long customers last."))
ui.stop_without_data()

as_of, filters = ui.current_as_of(), ui.current_filters()
MEASURES = {"logo_retention": t("Logo retention"), "net_mrr_retention": t("Net MRR retention"),
            "gross_mrr_retention": t("Gross MRR retention")}

left, right = st.columns(2)
GRAINS = {"month": t("Month"), "quarter": t("Quarter")}
grain = left.radio(t("Cohort by"), list(GRAINS), horizontal=True, key="cohort_grain", format_func=GRAINS.get)
measure = right.radio(t("Measure"), list(MEASURES), horizontal=True, key="cohort_measure", format_func=MEASURES.get)

by = st.session_state.get("survival_by")
if by is not None:  # kept while the Survival tab is closed (Streamlit forgets a widget it does not draw)
    st.session_state["survival_by"] = by
with st.spinner(t("Building the cohort triangle…")):
    page = ui.compute(reader.read, as_of, grain, by, filters)
triangle = page.triangle
if triangle.is_empty():
    st.info(t("No account started by {day} among the filtered accounts.", day=as_of))
    st.stop()
labels, currency = page.labels, page.currency
st.plotly_chart(charts.cohort_heatmap(triangle, measure, labels, currency,
                                      t("{measure} by cohort", measure=MEASURES[measure])), width="stretch")
st.caption(t("Period k is read on the cohort's first day plus k months (or quarters); period 0 is 100% by "
             "definition; empty cells lie after the as-of day. Gross MRR retention caps each account at its "
             "starting MRR; net lets expansion count."))

st.subheader(t("Who is behind a cell"))
cohort_starts = triangle.filter(pl.col("k") == 0).sort("cohort")["cohort"].to_list()
pick, period = st.columns(2)
label_of = dict(zip(cohort_starts, labels, strict=True))
newest_first = cohort_starts[::-1]
year_back = min(len(newest_first) - 1, 12 if grain == "month" else 4)  # a cohort old enough to have a story
chosen = pick.selectbox(t("Cohort"), newest_first, index=year_back, key="drill_cohort",
                        format_func=label_of.get)
last_k = int(triangle.filter(pl.col("cohort") == chosen)["k"].max())
k = period.number_input(t("Period"), min_value=0, max_value=last_k, value=min(last_k, 12 // (1 if grain == "month"
                        else 3)), key="drill_k")
members = ui.compute(reader.members, as_of, grain, chosen, int(k), filters)
counts = members.group_by("status").len().sort("status")
st.caption(" · ".join(t("{label}: {value}", label=ui.coded("status", row["status"]), value=f"{row['len']:,}")
                     for row in counts.iter_rows(named=True)))
ui.table_with_download(members.with_columns(ui.account_url()).select("open", *members.columns), "cohort_accounts",
                       "cohort_accounts", {"open": ui.account_link_column()}, height=300)

st.subheader(t("Compare"))


def by_cohort() -> None:
    """The last twelve cohorts' curves beside the size-weighted average."""
    recent = cohort_starts[-12:]
    lines = triangle.filter(pl.col("cohort").is_in(recent)).with_columns(
        pl.col("cohort").replace_strict(label_of, return_dtype=pl.String).alias("name"))
    average = page.average.with_columns(pl.lit(t("Weighted average, all cohorts")).alias("name"))
    curves = pl.concat([lines.select("name", "k", measure), average.select("name", "k", measure)])
    st.plotly_chart(charts.retention_curves(curves, measure, "name", t("{measure}: the last 12 cohorts and the "
                                                                      "size-weighted average",
                                                                      measure=MEASURES[measure])), width="stretch")


def by_attribute() -> None:
    """The curves of the accounts grouped by an attribute picked here."""
    attribute = st.selectbox(t("Attribute"), ui.compute(reader.attributes), key="cohort_attribute")
    grouped = ui.compute(reader.by_attribute, as_of, grain, attribute, filters)
    st.plotly_chart(charts.retention_curves(grouped, measure, "group", t("{measure} by {attribute}, weighted by "
                                                                         "cohort size", measure=MEASURES[measure],
                                                                         attribute=attribute)), width="stretch")


ui.lazy_tabs({t("By cohort"): by_cohort, t("By account attribute"): by_attribute}, "cohort_compare")

st.subheader(t("How long customers last"))


def survival() -> None:
    """Kaplan–Meier survival, split by an attribute picked here, with the numbers at risk."""
    # the pick reruns the page, whose reader call above reads it from the session (the curves are computed there)
    st.selectbox(t("Split survival by"), [None, *ui.compute(reader.attributes)], key="survival_by",
                 format_func=lambda a: t("No split") if a is None else a)
    everyone = t("All accounts")  # the one group when survival is not split
    curves = page.survival.with_columns(pl.col("group").replace("all", everyone))
    st.plotly_chart(charts.survival_chart(curves, t("Kaplan–Meier survival with 95 % bands")), width="stretch")
    medians = [(everyone if group == "all" else group, days) for group, days in page.medians.items()]
    st.caption(" · ".join(t("{group}: median lifetime {days}", group=g,
                            days=ui.day_count(m) if m is not None else t("not reached")) for g, m in medians))
    st.markdown(t("**Accounts at risk** (still customers and observed) at each day since first start:"))
    ui.dataframe(page.numbers_at_risk.with_columns(pl.col("group").replace("all", everyone)))
    st.caption(t("Lifetime runs from the first paid day to the first day without MRR; accounts still paying on the "
                 "as-of day are censored there. Bands: Greenwood variance on the log(−log) scale."))


def projection() -> None:
    """The shifted-beta-geometric projection past the data and the residual value of the active accounts."""
    st.caption(t("The shifted-beta-geometric model (Fader & Hardie, 2007) assumes each customer renews every period "
                 "with its own constant probability, and that customers differ (the probabilities follow a beta "
                 "distribution): the share still renewing falls quickly at first, while the customers who are less "
                 "likely to leave remain. It is fitted per billing period (and segment) on every account's logo "
                 "lifetime counted in renewal periods, and drawn beyond what has been observed. It does not fit "
                 "when renewal odds change for everyone over time (a price change, a new product), when first terms "
                 "are trials, or with too few renewals to learn from; the backtest says how far off it was here."))
    groupings = {"bill_period_months": t("Billing period"), "segment": t("Billing period and segment")}
    grouping = st.radio(t("Fit per"), list(groupings), format_func=groupings.get, horizontal=True, key="projection_by")
    fitted = ui.compute(reader.projection, grouping)
    if fitted.fits.is_empty():
        st.info(t("Not enough renewal history to fit the model yet."))
    else:
        st.plotly_chart(retention_charts.projection_chart(fitted.curves, t(
            "Share still renewing: observed, projected, and the backtest fit made on the earlier periods")),
            width="stretch")
        ui.dataframe(fitted.fits.select("group", "n", "churned", "periods_observed", "backtest_cutoff",
                                        "backtest_error"),
                     {"n": st.column_config.NumberColumn(t("Accounts")),
                      "backtest_cutoff": st.column_config.NumberColumn(t("Backtest fitted on periods up to"))})
        with st.expander(t("About the fit")):
            st.caption(t("Each group's fitted α and β: a customer's chance to leave in a period follows a beta "
                         "distribution with these parameters. Its average, α / (α + β), is the chance to leave in the "
                         "first period; the larger α + β, the more alike the customers (a very large sum means a "
                         "constant renewal rate)."))
            ui.dataframe(fitted.fits.select(
                "group", "alpha", "beta", (pl.col("alpha") / (pl.col("alpha") + pl.col("beta"))).alias("first_churn")),
                {"first_churn": st.column_config.NumberColumn(t("Chance to leave in the first period"),
                                                              format="percent")})
        notes = {"no_fit": t("{group}: too little history (no churn yet, or no renewal) to fit."),
                 "alike": t("{group}: no sign that customers differ here; the projection is a constant renewal rate."),
                 "poor": t("{group}: the backtest missed the later periods by more than five points; read the "
                           "projection with care.")}
        for group, kind in reader.fit_notes(fitted.fits):
            st.warning(notes[kind].format(group=group))
        st.markdown(t("**Expected residual value of the active accounts** (the revenue of their renewals still to come "
                      "within ten years at today's MRR, each weighted by its chance, discounted at {rate:.0%} a year):",
                      rate=settings.get("annual_discount_rate")))
        ui.dataframe(fitted.values, {
            "group": st.column_config.TextColumn(t("Fit used")),
            "expected_lifetime_months": "mean_expected_lifetime_months",
            "next_renewal_probability": "mean_next_renewal_probability"})


def movements() -> None:
    """The MRR movements of the filtered accounts, month by month."""
    rows = page.movements
    st.plotly_chart(charts.movements_chart(rows, currency), width="stretch")
    ui.table_with_download(rows, "mrr_movements", "mrr_movements", height=300)
    st.caption(help_text("movements", "identity"))


# one of the three drawn per visit (issue 36: the page's five charts took 1.1-1.2 s to draw at 2,000 accounts)
ui.lazy_tabs({t("Survival"): survival, t("Projected retention and what the base is worth"): projection,
              t("MRR movements of these accounts"): movements}, "cohort_lasting")
