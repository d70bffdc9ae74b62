"""Tables that read like a product (labels and formats from the figure registry), their downloads, paging and
the links that open an account."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

from renewal_radar import downloads, figures, i18n, settings
from renewal_radar.i18n import t
from renewal_radar.ui.data import shown_currency


def dataframe(frame: pl.DataFrame, column_config: dict | None = None, height: int | None = None) -> None:
    """A sortable table whose columns read like a product: labels and formats from the figure registry, empty
    text cells blank, scores whole, percentages with one decimal, money in whole units of the reporting currency.

    A page's ``column_config`` entry for a column is either a registry name (the column is shown as that figure
    reads: ``{"churn_rate": "decile_churn_rate"}``) or a Streamlit column config for what only the page knows (a
    progress bar, a link, a width), which wins for its column."""
    explicit = column_config or {}
    aliases = {name: entry for name, entry in explicit.items() if isinstance(entry, str)}
    explicit = {name: entry for name, entry in explicit.items() if not isinstance(entry, str)}
    shown, configs = _readable(frame, explicit, aliases)
    shown, explicit = _percent_columns(shown, explicit)
    money = [n for n, dtype in shown.schema.items()
             if dtype.is_float() and figures.column(aliases.get(n, n)).kind == "money"]
    shown = shown.with_columns(pl.col(money).round(0)) if money else shown  # whole units, pages' columns too
    st.dataframe(shown, hide_index=True, width="stretch", column_config=_pinned(configs | explicit, shown),
                 **({"height": min(height, _rows_height(shown.height))} if height else {}))


ROW_PX, HEADER_PX = 35, 38  # Streamlit's grid: a row and the header row


def _rows_height(rows: int) -> int:
    """The height that shows ``rows`` rows and no blank ones below them (a page's height is a cap, not a pad)."""
    return HEADER_PX + ROW_PX * max(rows, 1) + 2


PINNED = ("open", "name")  # a wide table of accounts keeps its link and the account's name in view when scrolled
WIDE_TABLE_COLUMNS = 6


def _pinned(configs: dict, frame: pl.DataFrame) -> dict:
    """The column configs with the account's link and name pinned, in a table wide enough to scroll."""
    if frame.width <= WIDE_TABLE_COLUMNS or "name" not in frame.columns:
        return configs
    return {name: {**config, "pinned": True} if name in PINNED and isinstance(config, dict) else config
            for name, config in configs.items()}


def _percent_columns(frame: pl.DataFrame, explicit: dict) -> tuple[pl.DataFrame, dict]:
    """A page's percent columns (fractions) shown with one decimal, like the registry's."""
    scaled = {name for name, config in explicit.items() if isinstance(config, dict)
              and (config.get("type_config") or {}).get("format") == "percent" and name in frame.columns}
    if not scaled:
        return frame, explicit
    fixed = {name: {**config, "type_config": {**config["type_config"], "format": "%.1f%%"}} if name in scaled
             else config for name, config in explicit.items()}
    return frame.with_columns(pl.col(name) * 100 for name in scaled), fixed


def _readable(frame: pl.DataFrame, explicit: dict, aliases: dict) -> tuple[pl.DataFrame, dict]:
    """The frame as shown (values scaled and rounded per kind) and a column config per column, each read from
    the registry under its own name or the name the page gave it (``aliases``)."""
    currency = shown_currency()
    changes, configs = [], {}
    nulls = frame.null_count().row(0, named=True) if frame.height else {}
    for name, dtype in frame.schema.items():
        if name in explicit:
            continue
        registered = aliases.get(name, name)
        entry = figures.column(registered)
        if nulls.get(name) and (dtype.is_numeric() or dtype == pl.Date):
            change, config = _column_with_gaps(name, dtype, entry.kind, figures.label(registered), currency,
                                               frame[name] if dtype == pl.Date else None)
        else:
            change, config = _column_view(name, dtype, entry.kind, figures.label(registered), currency,
                                          registered)
        if change is not None:
            changes.append(change)
        configs[name] = config
    return (frame.with_columns(changes) if changes else frame), configs


def _column_with_gaps(name: str, dtype, kind: str, label: str, currency: str, dates: pl.Series | None = None):
    """A number or date column with empty cells, as text: the grid would print "None" in them; a dash instead.
    Dates are written as the reader's language writes them, like the table's other date columns."""
    col = pl.col(name)
    if dtype == pl.Date:
        days = dates.drop_nulls().unique()
        text = col.replace_strict(days, [i18n.date(day) for day in days], default=None, return_dtype=pl.String)
    elif kind == "percent":
        text = pl.format("{}%", (col * 100).round(1))
    elif kind in ("money", "score", "count") or dtype.is_integer():
        text = col.round(0).cast(pl.Int64).cast(pl.String)
    else:
        text = col.round(1).cast(pl.String)  # hours, months: one decimal at most
    if kind == "money":
        label = _money_label(label, currency)
    return text.fill_null("—"), st.column_config.TextColumn(label, alignment="right")


def _column_view(name: str, dtype, kind: str, label: str, currency: str, registered: str | None = None):
    """(expression changing the values or None, column config) for one column."""
    col = pl.col(name)
    numeric = dtype.is_numeric()
    if kind == "money" and numeric:
        return _no_negative_zero(col.round(0)), money_column(label, currency)
    if kind == "percent" and numeric:
        return _no_negative_zero((col * 100).round(1)), st.column_config.NumberColumn(label, format="%.1f%%")
    if kind == "score" and numeric:
        return col.round(0), st.column_config.NumberColumn(label, format="%d")
    if kind in ("number", "count") and numeric:
        # a measure such as hours or months shows one decimal at most (20.1, not 20.067)
        return (col.round(1) if dtype.is_float() else None), st.column_config.NumberColumn(label, format="localized")
    if dtype == pl.Date:
        return None, st.column_config.DateColumn(label, format="localized")
    if isinstance(dtype, pl.Datetime):
        return None, st.column_config.DatetimeColumn(label, format="localized")
    if dtype == pl.Boolean:
        return None, st.column_config.CheckboxColumn(label, help=figures.column_help(registered or name))
    if dtype == pl.String:
        words = figures.value_words(registered or name)
        shown = col.replace(words) if words else col
        return shown.fill_null(""), st.column_config.TextColumn(label)  # an empty cell, never "None"
    if dtype.is_float():  # a measure nobody registered: two decimals at most
        return col.round(2), st.column_config.NumberColumn(label, format="localized")
    return None, st.column_config.Column(label)


def _no_negative_zero(rounded: pl.Expr) -> pl.Expr:
    """A value that rounds to nothing from below reads "0.0%" or "$0", never "-0.0%" or "-$0"."""
    return pl.when(rounded == 0).then(0.0).otherwise(rounded).alias(rounded.meta.output_name())


def table_with_download(frame: pl.DataFrame, name: str, key: str, column_config: dict | None = None,
                        height: int | None = None, whole: Callable[[], pl.DataFrame] | None = None) -> None:
    """A sortable table with CSV and XLSX downloads of every row: a page at a time (:func:`table_page`) when the
    frame is longer than a page, or, when the page paged it already, its page with ``whole()`` as the download.

    The files are written when the button is clicked, not on every run: a 50,000-row workbook takes
    seconds to write and most views never download it.
    """
    dataframe(frame if whole else table_page(frame, f"{key}_page"), column_config, height)
    rows = whole or (lambda: frame)  # the download: every page
    buttons = st.container(horizontal=True)  # as wide as their words: "CSVをダウンロード" is never cut
    language = i18n.current_language()  # a file is written after the run, in the language the page was read in
    buttons.download_button(t("Download CSV"), lambda: _labelled_file(downloads.spreadsheet_csv, rows, language),
                            f"{name}.csv", "text/csv", key=f"{key}_csv", on_click="ignore")
    buttons.download_button(t("Download XLSX"), lambda: _labelled_file(downloads.xlsx_bytes, rows, language),
                            f"{name}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            key=f"{key}_xlsx", on_click="ignore")


def _labelled_file(write: Callable[[pl.DataFrame], bytes], rows: Callable[[], pl.DataFrame], language: str) -> bytes:
    """A download of the table's rows under the registry's labels, with coded values in words."""
    with i18n.language(language):
        return write(figures.labelled(rows()))


def table_page(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    """The page of ``frame`` picked above the table (``table_page_rows`` rows each), with which rows of how many
    it shows; the whole frame when it fits on one page. A longer table can be sorted whole by a column picked
    above it (the grid's own header sorts only the page it holds)."""
    size = max(int(settings.get("table_page_rows")), 1)
    pages = max(-(-frame.height // size), 1)
    if pages == 1:
        return frame
    sort_by, direction, page_box = st.columns([3, 1, 1], vertical_alignment="bottom")
    sortable = [name for name, dtype in frame.schema.items() if name != "open" and not dtype.is_nested()]
    by = sort_by.selectbox(t("Sort the whole table by"), [None, *sortable], key=f"{key}_sort",
                           format_func=lambda name: t("the order shown") if name is None else figures.label(name))
    descending = direction.toggle(t("Largest first"), value=True, key=f"{key}_descending", disabled=by is None)
    if by is not None:
        frame = frame.sort(by, descending=descending, nulls_last=True, maintain_order=True)
    page = page_box.number_input(t("Page"), min_value=1, max_value=pages, value=1, step=1, key=key)
    start = (int(page) - 1) * size
    st.caption(t("Rows {first}–{last} of {total}.", first=f"{start + 1:,}", last=f"{min(start + size, frame.height):,}",
                 total=f"{frame.height:,}"))
    return frame.slice(start, size)


def money_column(label: str, currency: str) -> st.column_config.NumberColumn:
    """A table column of money in the reporting currency: whole units, the symbol in the label."""
    return st.column_config.NumberColumn(_money_label(label, currency), format="localized")


def _money_label(label: str, currency: str) -> str:
    return f"{label} ({i18n.currency_symbol(currency).strip()})"


def percent_column(label: str) -> st.column_config.NumberColumn:
    """A table column of fractions shown as percentages."""
    return st.column_config.NumberColumn(label, format="percent")


def account_link_column() -> st.column_config.LinkColumn:
    """A table column that opens the account page for the row's account."""
    return st.column_config.LinkColumn(t("Open"), display_text=t("Open account"))


def account_url(account_id_column: str = "account_id") -> pl.Expr:
    """The account page's address for each row, for :func:`account_link_column`."""
    return pl.format("account?account_id={}", pl.col(account_id_column)).alias("open")


def charted_accounts(frame: pl.DataFrame, largest_by: str) -> pl.DataFrame:
    """The rows a chart of accounts draws: all of them, or the ``chart_points_max`` largest by ``largest_by``
    with a line under the chart saying so (40,000 bubbles are neither readable nor quick to send)."""
    most = max(int(settings.get("chart_points_max")), 1)
    if frame.height <= most:
        return frame
    st.caption(t("The chart draws the {n:,} largest by {what} of {total:,}; the table and its download hold them "
                 "all.", n=most, what=figures.label(largest_by).lower(), total=frame.height))
    return frame.sort(largest_by, descending=True, nulls_last=True).head(most)


def chart_opening_accounts(figure, key: str, id_index: int) -> None:
    """A chart whose points open the Account page when clicked (the account id sits in each point's customdata)."""
    event = st.plotly_chart(figure, width="stretch", on_select="rerun", selection_mode="points", key=key)
    points = (event.selection.points if event and event.selection else None) or []
    st.caption(t("Click a point to open its account."))
    if points and points[0].get("customdata"):
        st.switch_page("pages/account.py", query_params={"account_id": points[0]["customdata"][id_index]})


def open_account_picker(accounts: pl.DataFrame, key: str) -> None:
    """Pick one of the listed accounts (the first page's worth, in the list's order) and go to its page."""
    accounts = accounts.head(max(int(settings.get("table_page_rows")), 1))
    names = dict(zip(accounts["account_id"], accounts["name"], strict=True))
    left, right = st.columns([3, 1])
    chosen = left.selectbox(t("Open an account from this list"), list(names), key=key,
                            format_func=lambda a: f"{names[a]} · {a}")
    if right.button(t("Open account"), key=f"{key}_go") and chosen:
        st.switch_page("pages/account.py", query_params={"account_id": chosen})
