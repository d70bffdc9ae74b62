"""Data: what is loaded, how fresh it is, what the last import warned about, and what is missing."""


import polars as pl
import streamlit as st

from renewal_radar import ui
from renewal_radar.i18n import t
from renewal_radar.ingest.wording import messages_in_language
from renewal_radar.readers import data as reader

ui.page_header(t("Data"), t("The tables behind every page: rows, date ranges, freshness, the warnings of the "
                            "last import, and what each missing file would unlock."))
ui.stop_without_data()

data = ui.compute(reader.read)
meta = data.meta

with ui.card_row() as cards:
    cards.metric("data_as_of", meta["as_of"])
    cards.metric("imported_at", meta["imported_at"])
    cards.metric("tables_loaded", f"{int(data.profile['loaded'].sum())} / {data.profile.height}")
    cards.metric("import_warnings", data.warnings.height)
st.caption(t("Source: {source}. Reporting currency: {currency}.", source=meta["source"],
             currency=meta["reporting_currency"]))

st.subheader(t("Tables"))
ui.dataframe(data.profile.select("table_name", "loaded", "file", "preset", "row_count", "first_date", "last_date"),
             {"row_count": st.column_config.NumberColumn(t("Rows"), format="localized")})

if data.missing.height:
    st.subheader(t("Missing files and what they would unlock"))
    for row in data.missing.iter_rows(named=True):
        st.markdown(t("- `{table}` ({table}.csv, .xlsx or .parquet): {unlocks}", table=row["table_name"],
                      unlocks=t(row["unlocks"])))

st.subheader(t("Warnings of the last import"))
if data.warnings.height:
    ui.table_with_download(messages_in_language(data.warnings), "import_warnings", "import_warnings", height=320)
else:
    st.success(t("The last import raised no warnings."))

st.subheader(t("Import history"))
ui.dataframe(data.history)

if not ui.person().is_admin:
    st.stop()

st.subheader(t("Page times"))
days = st.segmented_control(t("Over the last"), [1, 7, 30], default=7, key="page_times_days",
                            format_func=ui.day_count) or 7
times = reader.page_times(days)
if times.is_empty():
    st.info(t("No page has run in that time."))
else:
    st.caption(t("Each script run of a page: wall-clock seconds from the request to the last element, and the CPU "
                 "seconds of the run's own thread (Streamlit's sending of the page comes on top)."))
    seconds = {c: st.column_config.NumberColumn(label, format="%.2f s") for c, label in (
        ("p50_seconds", t("p50 (s)")), ("p95_seconds", t("p95 (s)")), ("p50_cpu_seconds", t("p50 CPU (s)")),
        ("p95_cpu_seconds", t("p95 CPU (s)")))}
    worded = times.with_columns(pl.col("page").replace(ui.page_titles()),
                                pl.col("role").map_elements(ui.role_word, return_dtype=pl.String))
    ui.dataframe(worded, {"page": t("Page"), "role": t("Role"), "runs": t("Runs")} | seconds)

st.subheader(t("Audit log"))
actions = st.multiselect(t("Actions"), reader.AUDIT_ACTIONS, key="audit_actions", placeholder=t("All actions"))
who = st.text_input(t("Email contains"), key="audit_email")
log = reader.audit_log(actions, who)
ui.table_with_download(log, "audit_log", "audit_log", {"detail": st.column_config.TextColumn(t("Detail"),
                                                                                             width="large")},
                       height=360)
