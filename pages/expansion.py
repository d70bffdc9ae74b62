"""Expansion: which accounts are ready to buy more, and what — ranked by the ARR it could add."""

import polars as pl
import streamlit as st

from renewal_radar import charts, ui
from renewal_radar.i18n import t
from renewal_radar.readers import expansion as reader

ui.page_header(t("Expansion"), t("Accounts showing buying signals — seats nearly full, fast usage growth, heavy use "
                                 "of what an add-on sells, products their peers own — ranked by potential ARR."))
ui.stop_without_data()

as_of, filters = ui.current_as_of(), ui.current_filters()
with st.spinner(t("Looking for expansion signals…")):
    data = ui.compute(reader.read, as_of, filters)
currency, ranked = data.currency, data.ranked

with ui.card_row() as cards:
    cards.metric("accounts_with_signal", ranked.height)
    cards.metric("potential_arr", float(ranked["potential_arr"].sum() or 0), currency,
                 help_values={"seat": reader.SEAT_UPLIFT, "growth": reader.GROWTH_UPLIFT})
    kinds = data.signals["kind"].value_counts().sort("kind")
    cards.metric("expansion_signals", data.signals.height,
                 delta=", ".join(f"{ui.coded('kind', k)} {n:,}" for k, n in kinds.iter_rows()))

kind = st.multiselect(t("Signal"), list(reader.KINDS), key="expansion_kinds", placeholder=t("All signals"),
                      format_func=lambda k: ui.coded("kind", k))
shown = reader.ranked_of_kinds(data, kind)
st.caption(t("An account whose renewal is at risk (red, or its next renewal {p} likely or less to renew) is marked "
             "and listed after the others: save the renewal before offering more.",
             p=ui.percent(reader.RISK_PROBABILITY(), 0)))
ui.table_with_download(shown.with_columns(ui.account_url()).select(
    "open", "account_id", "name", "segment", "csm_owner", "potential_arr", "renewal_at_risk", "n_signals",
    "signals"),
    "expansion", "expansion", {"signals": st.column_config.TextColumn(t("Signals"), width="large"),
                               "open": ui.account_link_column()}, height=380)
if shown.height:
    ui.open_account_picker(shown.head(200), "expansion_open")

st.subheader(t("Whitespace: who owns what"))
top = shown.head(40)["account_id"].to_list()
matrix = data.whitespace.filter(pl.col("account_id").is_in(top))
if matrix.height:
    order = {a: i for i, a in enumerate(top)}
    matrix = matrix.sort(pl.col("account_id").replace_strict(order, return_dtype=pl.Int64))
    names = dict(zip(shown["account_id"], shown["name"], strict=False))
    st.plotly_chart(charts.whitespace_heatmap(matrix, names, t("Products owned by the top accounts (blue = owns)")),
                    width="stretch")
