"""Explore: SQL over the same clean tables the dashboards use, in a sandbox that can only read them."""


import polars as pl
import streamlit as st

from renewal_radar import charts, downloads, ui
from renewal_radar.i18n import t
from renewal_radar.readers import explore as reader

ui.page_header(t("Explore"), t("Ask the question nobody built a chart for: SQL (DuckDB dialect) over the loaded "
                               "tables. Read-only: the console cannot touch files, attach databases or change "
                               "settings."))
ui.stop_without_data()

with st.expander(t("Tables and columns"), expanded=False):
    tables = ui.compute(reader.schema)
    ui.dataframe(tables.with_columns(pl.col("columns").list.join(", ")),
                 column_config={"row_count": st.column_config.NumberColumn(t("Rows"), format="localized"),
                                "grain": st.column_config.TextColumn(t("Grain"), width="large")})

starts = reader.starting_queries(ui.current_as_of())
left, right = st.columns([3, 1])
start = left.selectbox(t("Start from a saved query"), ["", *starts], key="explore_start",
                       format_func=lambda name: name or t("(blank)"))
if start and st.session_state.get("_explore_loaded") != start:
    st.session_state["explore_sql"] = starts[start]
    st.session_state["_explore_loaded"] = start
st.session_state.setdefault("explore_sql", "select segment, count(*) as accounts, sum(base_mrr) as base_mrr\n"
                                            "from accounts_dim\ngroup by segment\norder by base_mrr desc")
text = st.text_area(t("SQL"), key="explore_sql", height=220)
right.caption(t("At most {rows:,} rows are shown; a query is stopped after {secs:.0f} s.", rows=reader.ROW_LIMIT,
                secs=reader.TIME_LIMIT_SECONDS))
if st.button(t("Run"), type="primary", key="explore_run"):
    ran = reader.run(text)
    st.session_state["explore_result"] = ran
    ui.record("sql_query", sql=text, rows=ran.total_rows, seconds=round(ran.elapsed_s, 3), error=ran.error)

result = st.session_state.get("explore_result")
if result is None:
    st.stop()
ERRORS = {
    "syntax": t("The SQL could not be read: check the spelling and punctuation where DuckDB points (below)."),
    "unknown_name": t("A table, column or function it names does not exist here: the tables and their columns "
                      "are listed above."),
    "types": t("A value could not be converted or compared: check the types of the columns it uses."),
    "not_allowed": t("The console only reads the loaded tables: it cannot write, read files, attach databases or "
                     "change settings."),
    "too_long": t("Stopped after {secs:.0f} s: the query took too long (add filters or a LIMIT).",
                  secs=reader.TIME_LIMIT_SECONDS),
    "too_big": t("The query needed more memory than the console has: add filters or a LIMIT."),
    "other": t("The query failed."),
}
if result.error:
    st.error(ERRORS.get(result.error_kind, ERRORS["other"]))
    st.code(result.error, language=None)  # DuckDB's own line, as it wrote it
    st.stop()
frame = result.frame
more = t(" (more rows exist; only the first {n:,} are shown)", n=frame.height) if result.truncated else ""
st.caption(t("{n:,} rows in {s:.2f} s", n=frame.height, s=result.elapsed_s) + more)
st.dataframe(frame, hide_index=True, width="stretch", height=360)  # the analyst's own column names

buttons = st.columns([1, 1, 1, 3])
# the files are written on click, not on every run
buttons[0].download_button(t("CSV"), lambda: downloads.spreadsheet_csv(frame), "query.csv", "text/csv",
                           key="explore_csv", on_click="ignore")
buttons[1].download_button(t("XLSX"), lambda: downloads.xlsx_bytes(frame), "query.xlsx", key="explore_xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore")
buttons[2].download_button(t("Parquet"), lambda: downloads.parquet_bytes(frame), "query.parquet",
                           "application/octet-stream", key="explore_parquet", on_click="ignore")

if frame.width >= 2 and frame.height:
    st.subheader(t("Chart the result"))
    numeric = [c for c, dtype in frame.schema.items() if dtype.is_numeric()]
    if numeric:
        cols = st.columns(4)
        x = cols[0].selectbox(t("x"), frame.columns, key="chart_x")
        y = cols[1].selectbox(t("y"), numeric, index=min(len(numeric) - 1, 0), key="chart_y")
        colour = cols[2].selectbox(t("Colour"), [None, *frame.columns], key="chart_colour",
                                   format_func=lambda c: t("(none)") if c is None else c)
        kind = cols[3].selectbox(t("Chart"), charts.QUICK_CHART_KINDS, key="chart_kind")
        st.plotly_chart(charts.quick_chart(frame, x, y, colour, kind), width="stretch")
