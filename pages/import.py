"""Import from the browser: upload this week's exports, check them, load them, roll back if needed."""

import polars as pl
import streamlit as st

from renewal_radar import audit, imports, ui
from renewal_radar.i18n import t
from renewal_radar.ingest.presets import PRESETS
from renewal_radar.ingest.schema import TABLES
from renewal_radar.ingest.wording import messages_in_language
from renewal_radar.readers import imports as reader

ui.page_header(t("Import"), t("Load new export files without a terminal. Each file is checked first: errors block "
                              "the load and name the file, row, column and value; the live data only changes when "
                              "everything loads, and the previous data is kept for rollback."))



def show_what_it_reads() -> None:
    """Before the first file: the tables read with their columns, the presets known, templates, the guide."""
    st.subheader(t("What the import reads"))
    st.markdown(t("One file per table, named after it (CSV, TSV, XLSX or Parquet; any common encoding). Only "
                  "`subscriptions` is required; each other table adds pages and figures."))
    ui.dataframe(pl.DataFrame(imports.tables_read()).rename(
        {"file": t("File"), "grain": t("One row is"), "required": t("Required columns"),
         "optional": t("Other columns")}))
    st.markdown(t("Vendor exports are recognised by their headers: {presets}. Headers nobody knows can be mapped "
                  "to our columns here, and the mapping is remembered.",
                  presets=", ".join(t(preset.label) for preset in PRESETS.values())))
    st.download_button(t("Download example files (ZIP)"), imports.templates_zip,
                       "renewal_radar_example_exports.zip", "application/zip", key="import_templates",
                       on_click="ignore", help=t("A small made-up company's exports, one file per table, in the "
                                                 "columns and formats the import reads."))
    with st.expander(t("The full guide to the files (data/README.md)")):
        st.markdown(imports.guide_text())


UPLOAD_KINDS = ["csv", "tsv", "txt", "xlsx", "parquet"]
ui.uploader_words(UPLOAD_KINDS)
uploads = st.file_uploader(t("Export files (one file per table, named after it: subscriptions.csv, accounts.xlsx, "
                             "usage_events.parquet, …)"), accept_multiple_files=True,
                           type=UPLOAD_KINDS, key="import_files")
if uploads:
    signature = tuple((f.name, f.size) for f in uploads)
    if st.session_state.get("_import_signature") != signature:
        try:
            st.session_state["_import_folder"] = imports.save_uploads([(f.name, f.getvalue()) for f in uploads])
            st.session_state["_import_signature"] = signature
            st.session_state.pop("_import_report", None)
        except imports.UploadError as exc:
            st.error(str(exc))
            st.stop()

folder = st.session_state.get("_import_folder") if uploads else None
if folder is None:
    show_what_it_reads()
if folder is not None:
    st.subheader(t("Files"))
    file_presets, column_maps = {}, {}
    for info in imports.describe_folder(folder, st.session_state.get("_import_presets", {})):
        name = info["file"]
        with st.container(border=True):
            cols = st.columns([2, 2, 3])
            cols[0].markdown(f"**{name}**")
            if info["table"] is None:
                cols[1].warning(t("matches no table: it will be skipped"))
                continue
            cols[1].markdown(t("table: `{table}`", table=info["table"]))
            choices = ["auto", *PRESETS]
            chosen = cols[2].selectbox(t("Preset"), choices, key=f"preset_{name}",
                                       format_func=lambda p: t("auto-detect") if p == "auto" else t(PRESETS[p].label),
                                       help=t("Detected: {preset}", preset=info.get("preset")))
            if chosen != "auto":
                file_presets[name] = chosen
            if info.get("error"):
                st.error(info["error"])
            if info.get("missing"):
                st.warning(t("Required columns not found: {cols}. Map them below.", cols=", ".join(info["missing"])))
            if info.get("unmatched"):
                columns = [c.name for c in TABLES[info["table"]].columns]
                st.caption(t("Headers no preset knows: map them to our columns, or ignore them. Mappings are "
                             "remembered for next time."))
                mapping = {}
                grid = st.columns(3)
                for index, header in enumerate(info["unmatched"][:30]):
                    # the likeliest columns first; a remembered choice, else a missing column's best match, chosen
                    likely = info["suggested"].get(header, [])
                    targets = ["(ignore)", *likely, *[c for c in columns if c not in likely]]
                    default = info["remembered"].get(header) or info["preselected"].get(header) or "(ignore)"
                    target = grid[index % 3].selectbox(header, targets, index=targets.index(default),
                                                       key=f"map_{name}_{header}")
                    if target != "(ignore)":
                        mapping[header] = target
                if mapping:
                    column_maps[name] = mapping

    as_of = st.date_input(t("Data as of (leave empty to use the latest date in the files)"), value=None,
                          key="import_as_of")
    check, load = st.columns([1, 1])
    if check.button(t("Check files"), key="import_check"):
        with st.spinner(t("Validating…")):
            st.session_state["_import_report"] = imports.validate(folder, file_presets, column_maps)
    report = st.session_state.get("_import_report")
    if report is not None:
        st.subheader(t("Validation report"))
        ui.dataframe(pl.DataFrame([{"file": f.file, "table": f.table, "preset": f.preset, "rows": f.rows,
                                    "blank_rows_dropped": f.blank_rows_dropped} for f in report.files]))
        if report.errors:
            st.error(t("{n:,} errors: fix them in the files and upload again. Nothing was loaded.",
                       n=len(report.errors)))
            ui.dataframe(messages_in_language(pl.DataFrame([m.as_dict() for m in report.errors])))
        else:
            st.success(t("No errors. {n:,} warnings (they are loaded and listed on the Data page).",
                         n=len(report.warnings)))
            if report.warnings:
                ui.dataframe(messages_in_language(pl.DataFrame([m.as_dict() for m in report.warnings])))
            if load.button(t("Load into Renewal Radar"), type="primary", key="import_load"):
                bar = st.progress(0.0, text=t("Starting…"))
                stopwatch = audit.Stopwatch()
                result = imports.load(folder, file_presets, column_maps, as_of,
                                      lambda fraction, text: bar.progress(min(fraction, 1.0), text=text))
                ui.record("import", files=sorted(p.name for p in folder.iterdir()), loaded=result.loaded,
                          as_of=result.as_of, seconds=round(stopwatch.elapsed()[0], 1),
                          errors=len(result.report.errors))
                if result.loaded:
                    st.session_state.pop("_import_report", None)
                    st.session_state["_import_done"] = t("Loaded, as of {day}. Every page now shows the new data.",
                                                         day=result.as_of)
                    st.rerun()
                st.error(t("The load was refused; the live data is unchanged."))

if st.session_state.get("_import_done"):
    st.success(st.session_state.pop("_import_done"))

st.subheader(t("Import history"))
if ui.has_data():
    ui.dataframe(ui.compute(reader.history))
if imports.can_roll_back():
    sure = st.checkbox(t("I want to go back to the data before the last import"), key="rollback_sure")
    if st.button(t("Roll back the last import"), disabled=not sure, key="rollback"):
        imports.rollback()
        ui.record("rollback")
        st.session_state["_import_done"] = t("Rolled back: the previous data is live again.")
        st.rerun()
