"""One account in full, for the CSM preparing a call or a business review."""

import polars as pl
import streamlit as st

from renewal_radar import charts, health, review_pack, ui
from renewal_radar.account import ticket_summary
from renewal_radar.i18n import t
from renewal_radar.readers import account as account_reader
from renewal_radar.readers import packs as packs_reader

ui.page_header(t("Account"), t("Everything about one customer: contract lines, ARR and usage, support, surveys, "
                               "CSM activity, health with what moved it, churn risk and the next renewal."))
ui.stop_without_data()

as_of, filters = ui.current_as_of(), ui.current_filters()
choices = ui.compute(account_reader.choices, filters)
wanted = st.query_params.get("account_id")
known = wanted is not None and choices["account_id"].is_in([wanted]).any()
# the picker lists the accounts matching a search (a book of 50,000 is not sent as one list), the one asked for
# and the one picked first
search = st.text_input(t("Find an account by name or id"), key="account_search")
listed = account_reader.matching(choices, search, [wanted if known else None,
                                                   st.session_state.get("account_pick")])
ids = listed["account_id"].to_list()
names = dict(zip(listed["account_id"], listed["name"], strict=True))
index = ids.index(wanted) if known else 0
if known and st.session_state.get("account_pick") != wanted:
    st.session_state["account_pick"] = wanted  # the address names the account: it wins over the last pick
if wanted and not known:
    ui.require_account(wanted)  # a typed address outside the person's book ends here, before any read
    # never another account in its place: say why this one is not shown, and let the person pick
    st.warning(t("Account {id} is outside the sidebar filters: clear them to open it, or pick another below.",
                 id=wanted) if ui.account_exists(wanted) else
               t("There is no account {id} in the loaded data: pick one below.", id=wanted))
    index = None
account_id = st.selectbox(t("Account"), ids, index=index if ids else None, key="account_pick",
                          format_func=lambda a: f"{names[a]} · {a}",
                          help=t("The first {n:,} accounts matching the search, in name order.",
                                 n=account_reader.PICKER_ROWS))
if account_id is None:
    if not (wanted and wanted not in ids):
        st.info(t("No account matches the sidebar filters."))
    st.stop()
st.query_params["account_id"] = account_id
with st.spinner(t("Loading the account…")):
    page = ui.compute(account_reader.read, account_id, as_of, filters)
view, currency = page.view, page.currency
profile = view.profile

st.subheader(f"{profile['name']}")
facts = {t("Segment"): profile.get("segment"), t("Region"): profile.get("region"),
         t("Country"): profile.get("country"), t("CSM"): profile.get("csm_owner"), t("AM"): profile.get("am_owner"),
         t("Industry"): profile.get("industry"), t("Parent account"): profile.get("parent_account_id"),
         t("Customer since"): ui.day(profile["first_start"]) if profile.get("first_start") else None}
st.caption(" · ".join(t("{label}: {value}", label=k, value=v) for k, v in facts.items() if v not in (None, "(none)")))

now = view.months.tail(1).row(0, named=True) if view.months.height else {}
risk_row, renewal = view.risk or {}, view.next_renewal or {}
with ui.card_row() as cards:
    cards.metric("account_arr", now.get("arr"), currency)
    # one chance to renew leads (metrics.md "One story per account"): the one the forecast uses, with its source
    cards.metric("account_chance_to_renew", renewal.get("probability"),
                 delta=ui.coded("source", renewal.get("source")) if renewal else None)
    cards.metric("account_next_renewal", renewal.get("renewal_date"),
                 delta=ui.money(renewal.get("due_arr"), currency) if renewal else None)
    cards.metric("account_health", risk_row.get("health_score"), delta=ui.coded("band", risk_row.get("band")))
    cards.metric("account_churn_risk", risk_row.get("churn_probability"))
if renewal:
    call = (t("{category} ({p}, stage {stage})", category=ui.coded("crm_category", renewal.get("crm_category")),
              p=ui.percent(renewal.get("crm_probability"), 0), stage=renewal.get("stage") or "—")
            if renewal.get("crm_category") else t("none"))
    base = (page.value or {}).get("next_renewal_probability")
    st.caption(t("Beside the chance to renew: the renewal model's own figure {model}; the CRM's call {call}; the "
                 "base rate of its group (the retention projection's next renewal) {base}.",
                 model=ui.percent(renewal.get("model_probability"), 0), call=call,
                 base=ui.percent(base, 0) if base is not None else "—"))
if risk_row.get("churn_source") == "renewal":
    st.caption(t("Churn risk (90 days) is 1 − the chance to renew: every line of this account ends within 90 days, "
                 "so it stays only if it renews (the churn model alone would say {model}).",
                 model=ui.percent(risk_row.get("model_churn_probability"), 0)))
elif risk_row:
    st.caption(t("Churn risk (90 days) is the churn model's: this account has lines running past 90 days, so it "
                 "can stay whatever its next renewal does."))
if risk_row.get("top_drivers"):
    st.warning(t("Risk drivers: {drivers}", drivers=risk_row["top_drivers"]))

st.plotly_chart(charts.account_history_chart(view.months, currency, t("ARR, active users and seats by month")),
                width="stretch")
left, right = st.columns(2)
if view.lines.height:
    left.plotly_chart(charts.contract_timeline(view.lines, as_of, currency, t("Contract lines")), width="stretch")
if view.usage_by_feature.height:
    right.plotly_chart(charts.usage_by_feature_chart(view.usage_by_feature, t("Usage by feature")), width="stretch")
else:
    right.info(t("No usage for this account (usage_events or usage_daily would show it)."))

st.subheader(t("Where this account sits in what drives churn here"))
position = page.drivers
if position.is_empty():
    st.caption(t("No behaviour metric to compare yet (the account is not active on the day, or the book has too "
                 "little churn history)."))
else:
    st.caption(t("The five behaviours whose deciles differ most in churn within 90 days across the book (the "
                 "Why customers leave page), this account's value on the day, and the churn rate of the decile it "
                 "falls in."))
    ui.dataframe(position.select("label", "value", "group", "churn_rate", "lowest_rate", "highest_rate"), {
        "label": "metric", "value": "account_value", "group": "decile_group", "churn_rate": "decile_churn_rate"})
value = page.value
if value:
    st.caption(t("Projected with the {group} retention fit: chance of the next renewal {p}, expected remaining "
                 "lifetime {months:.0f} months, expected residual value {value} (future renewals at today's MRR, "
                 "discounted).", group=value["group"], p=ui.percent(value["next_renewal_probability"]),
                 months=value["expected_lifetime_months"], value=ui.money(value["residual_value"], currency)))

history = view.health_history
if history.height >= 2:
    settings = health.load_settings()
    components = [f"score_{c.name}" for c in settings.components]
    st.plotly_chart(charts.health_history_chart(history, settings.red_below, settings.green_from,
                                                t("Health over time")), width="stretch")
    change = health.explain_change(history.row(-2, named=True), history.row(-1, named=True))
    st.caption(t("What moved the score between {a} and {b}:", a=history["as_of"][-2], b=history["as_of"][-1]))
    ui.dataframe(change, {"points": st.column_config.NumberColumn(t("Points"), format="%+.1f")})
    ui.dataframe(history.select("as_of", "health_score", "band", *components))

tickets, surveys, activities = st.tabs([t("Support tickets"), t("NPS and CSAT"), t("Activity timeline")])
with tickets:
    summary = ticket_summary(view.tickets)
    st.caption(t("{tickets:,} tickets · {high:,} high or urgent · {esc:,} escalated · {open:,} open · median {h} h "
                 "to solve · CSAT good {csat}", tickets=summary["tickets"], high=summary["high_priority"],
                 esc=summary["escalated"], open=summary["open"],
                 h="–" if summary["median_hours_to_solve"] is None else f"{summary['median_hours_to_solve']:.0f}",
                 csat=ui.percent(summary["csat_good_share"])))
    ui.table_with_download(view.tickets, f"tickets_{account_id}", "account_tickets", height=300)
with surveys:
    ui.table_with_download(view.surveys, f"surveys_{account_id}", "account_surveys", height=300)
with activities:
    ui.table_with_download(view.activities, f"activities_{account_id}", "account_activities", height=300)

st.subheader(t("Contract lines"))
ui.table_with_download(view.lines.with_columns(pl.col("mrr").round(2)), f"lines_{account_id}", "account_lines",
                       height=260)

st.subheader(t("Price, seats and products at each renewal"))
history = page.price_history
if history.is_empty():
    st.caption(t("No past renewal renewed yet."))
else:
    st.caption(t("Renewed ARR − ARR due = price + seats and volume + products added or dropped, each renewal at "
                 "its due month's exchange rates."))
    ui.table_with_download(history.select("renewal_date", "due_arr", "renewed_arr", "price_arr", "volume_arr",
                                          "mix_arr"), f"price_history_{account_id}", "account_price_history")

st.subheader(t("Business-review pack"))
st.caption(t("The review to present to the customer — adoption, features, support and surveys, the renewal's terms "
             "and next steps, for a period against the one before — and your own preparation sheet with the scores, "
             "the CRM's call, the notice deadline and open escalations. PDF and PowerPoint."))


@st.fragment
def pack_panel() -> None:
    """The period and the two packs; a fragment, so building one reruns only this part of the page."""
    default_start, default_end = review_pack.last_quarter(as_of)
    first, last = st.columns(2)
    start = first.date_input(t("From"), value=default_start, key="pack_start")
    end = last.date_input(t("Until (exclusive)"), value=default_end, key="pack_end")
    customer, mine, _ = st.columns([1, 1, 2])
    for column, internal, label in ((customer, False, t("For the customer")),
                                    (mine, True, t("For me: preparation sheet"))):
        if column.button(label, type="primary" if not internal else "secondary", key=f"pack_build_{internal}"):
            with st.spinner(t("Building the pack: charts, PDF and PowerPoint…")):
                files = ui.compute(packs_reader.review_pack_files, account_id, start, end, as_of, internal)
            st.session_state["pack"] = (account_id, internal, files)
    built = st.session_state.get("pack")
    if built and built[0] == account_id:
        internal = built[1]
        name = f"{'preparation_sheet' if internal else 'business_review'}_{account_id}"
        st.caption(t("Preparation sheet, for you only.") if internal else t("The customer's review."))
        ui.pack_downloads(built[2], name, "pack", account=account_id)


pack_panel()

st.subheader(t("Expansion signals"))
signals = page.signals
if signals.is_empty():
    st.caption(t("No expansion signal for this account."))
else:
    if signals["renewal_at_risk"].any():
        st.warning(t("This account's renewal is at risk: save the renewal before offering more."))
    ui.dataframe(signals.select("kind", "reason", "potential_arr", "renewal_at_risk"))
