"""Validation exactly as shared/spec/data-model.md says.

Errors refuse the import; warnings are imported and listed. Every message
names the file, the row as the user's spreadsheet counts it, the column and
the value, and suggests a fix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from renewal_radar import settings
from renewal_radar.ingest import wording as W
from renewal_radar.ingest.readers import ROW_COLUMN
from renewal_radar.ingest.schema import TABLES, Column

DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d", "%Y.%m.%d", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M %p", "%m/%d/%Y",
    "%d.%m.%Y",
)
TRUE_WORDS = ("true", "t", "yes", "y", "1", "x", "won", "closed")
FALSE_WORDS = ("false", "f", "no", "n", "0", "open", "lost")
# Dates that record something that happened; start/end/close dates may lie ahead.
EVENT_DATES = {
    "accounts": "created_date", "subscriptions": "booked_date", "usage_events": "event_time",
    "usage_daily": "date", "tickets": "created_at", "surveys": "responded_at", "activities": "occurred_at",
}


@dataclass(frozen=True)
class Message:
    """One validation finding."""

    level: str  # "error" | "warning"
    file: str
    row: int | None
    column: str | None
    value: str | None
    problem: str
    fix: str = ""

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        if self.value is not None:
            where.append(f"value {self.value!r}")
        text = f"{self.level.upper()}: {', '.join(where)}: {self.problem}"
        return f"{text}. Fix: {self.fix}" if self.fix else text

    def as_dict(self) -> dict:
        """Plain form for storage in the database and display in tables."""
        return {"level": self.level, "file": self.file, "row": self.row, "column": self.column,
                "value": self.value, "problem": self.problem, "fix": self.fix}


def row_messages(level: str, file: str, bad: pl.DataFrame, column: str | None, problem: str,
                 fix: str, value_column: str | None = None) -> list[Message]:
    """One message per offending row (up to the setting's limit), then a count of the rest."""
    limit = settings.get("max_messages_per_check")
    value_column = value_column or column
    messages = []
    for record in bad.head(limit).iter_rows(named=True):
        value = record.get(value_column) if value_column else None
        messages.append(Message(level, file, record[ROW_COLUMN], column,
                                None if value is None else str(value), problem, fix))
    if bad.height > limit:
        messages.append(Message(level, file, None, column, None, W.MORE_ROWS.format(n=f"{bad.height - limit:,}"),
                                fix))
    return messages


# ---------------------------------------------------------------- parsing


def parse_column(frame: pl.DataFrame, column: Column) -> pl.Series:
    """The column converted to its type; unparseable values become null."""
    series = frame[column.name]
    if series.dtype == pl.String:
        return _parse_text(series.str.strip_chars(), column.kind)
    return _cast_native(series, column.kind)


def _parse_text(text: pl.Series, kind: str) -> pl.Series:
    text = pl.Series(text.name, text).replace("", None)
    if kind == "str":
        return text
    if kind in ("date", "datetime"):
        parsed = _parse_datetimes(text)
        return parsed.dt.date() if kind == "date" else parsed
    if kind in ("float", "int"):
        number = _parse_numbers(text)
        if kind == "int":
            whole = number.round(0)
            return pl.Series(text.name, pl.select(pl.when(number == whole).then(whole)).to_series()).cast(pl.Int64)
        return number
    if kind == "bool":
        lowered = text.str.to_lowercase()
        return pl.select(
            pl.when(lowered.is_in(TRUE_WORDS)).then(True).when(lowered.is_in(FALSE_WORDS)).then(False)
        ).to_series().alias(text.name)
    raise ValueError(f"unknown column kind {kind}")


def _parse_datetimes(text: pl.Series) -> pl.Series:
    # ISO forms with a T or a zone are normalised first; the zone is dropped
    # because every figure is by calendar day.
    cleaned = (text.str.replace(r"^(\d{4}-\d\d-\d\d)[Tt]", "${1} ")
               .str.replace(r"(Z|[+-]\d\d:?\d\d| UTC)$", "").str.strip_chars())
    parsed = None
    for fmt in DATETIME_FORMATS:
        attempt = cleaned.str.strptime(pl.Datetime("us"), fmt, strict=False)
        parsed = attempt if parsed is None else parsed.fill_null(attempt)
        if parsed.null_count() == cleaned.null_count():
            break
    return parsed.alias(text.name)


def _parse_numbers(text: pl.Series) -> pl.Series:
    # Thousands separators, currency signs and codes, percent signs and accounting brackets are what
    # spreadsheets and CRM reports add; none changes the number. A multi-currency Salesforce org writes
    # "USD 120,000.00" or "JPY 1,200,000"; Japanese, Korean and Chinese sheets write 1,200円, 1,200원, NT$1,200.
    cleaned = (text.str.strip_chars()
               .str.replace(r"^[A-Z]{3}\s+|\s+[A-Z]{3}$|^[A-Z]{1,2}\$", "")
               # a backslash is ¥ in Shift_JIS and ₩ in CP949 (byte 0x5C: Japanese and Korean Windows show it so)
               .str.replace_all(r"[\s$€£¥￥₩,%円원元\\]", "").str.replace(r"^\((.*)\)$", "-${1}"))
    return cleaned.cast(pl.Float64, strict=False).alias(text.name)


def _cast_native(series: pl.Series, kind: str) -> pl.Series:
    if kind == "str":
        return series.cast(pl.String)
    if kind == "date":
        return series.cast(pl.Date, strict=False)
    if kind == "datetime":
        return series.cast(pl.Datetime("us"), strict=False)
    if kind == "float":
        return series.cast(pl.Float64, strict=False)
    if kind == "int":
        return series.cast(pl.Int64, strict=False)
    return series.cast(pl.Boolean, strict=False)


KIND_HELP = W.KIND_HELP


def cast_table(table_name: str, file: str, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[Message]]:
    """Convert every known column to its type, reporting each value that does not parse."""
    table = TABLES[table_name]
    messages: list[Message] = []
    converted = []
    for column in table.columns:
        if column.name not in frame.columns:
            continue
        parsed = parse_column(frame, column)
        converted.append(parsed)
        original = frame[column.name]
        present = original.is_not_null()
        if original.dtype == pl.String:
            present = present & (original.str.strip_chars() != "")
        if column.required:
            messages += row_messages("error", file, frame.filter(~present), column.name,
                                     W.REQUIRED_EMPTY.format(column=column.name), W.FILL_IN.format(column=column.name))
        if column.kind == "str":
            continue
        failed = frame.filter(present & parsed.is_null())
        if failed.height:
            messages += row_messages("error", file, failed, column.name,
                                     W.NOT_VALID.format(kind=column.kind), KIND_HELP[column.kind])
    extras = [c for c in frame.columns if table.column(c) is None and c != ROW_COLUMN]
    kept = [frame[c].cast(pl.String) for c in extras] if table.keeps_extra_columns else []
    typed = pl.DataFrame([frame[ROW_COLUMN], *converted, *kept])
    typed, found = currency_from_amounts(table_name, file, frame, typed)
    return typed, messages + found


# Amounts that name their currency: a multi-currency Salesforce org writes "USD 120,000.00" or "JPY 1,200,000",
# spreadsheets 1,200円, 1,200원, NT$1,200. "$" and "¥" alone are left out: they name several currencies.
AMOUNT_CODE = r"^([A-Z]{3})\s+[-(\d]|[\d)]\s+([A-Z]{3})$"
AMOUNT_SIGNS = {"円": "JPY", "원": "KRW", "₩": "KRW", "NT$": "TWD", "€": "EUR", "£": "GBP"}
MONEY_COLUMNS = {"subscriptions": ("mrr", "arr"), "renewal_opportunities": ("amount",)}


def amount_currency(text: pl.Series) -> pl.Series:
    """The currency an amount's text names (``USD 120,000.00`` → USD, ``1,200円`` → JPY), else null."""
    stripped = text.cast(pl.String).str.strip_chars()
    code = pl.coalesce(stripped.str.extract(AMOUNT_CODE, 1), stripped.str.extract(AMOUNT_CODE, 2)).alias("code")
    found = pl.select(code).to_series()
    for sign, currency in AMOUNT_SIGNS.items():
        found = found.fill_null(pl.select(pl.when(stripped.str.contains(sign, literal=True)).then(pl.lit(currency)))
                                .to_series())
    return found.alias(text.name)


def currency_from_amounts(table_name: str, file: str, raw: pl.DataFrame, typed: pl.DataFrame
                          ) -> tuple[pl.DataFrame, list[Message]]:
    """Take a row's currency from its amount when the amount names one: an empty currency cell (or a file
    without the column) is filled; a currency cell that says otherwise is an error naming both."""
    amounts = [c for c in MONEY_COLUMNS.get(table_name, ()) if c in raw.columns and raw[c].dtype == pl.String]
    if not amounts:
        return typed, []
    named = pl.coalesce(*(amount_currency(raw[c]) for c in amounts)) if len(amounts) > 1 else amount_currency(
        raw[amounts[0]])
    if named.null_count() == len(named):
        return typed, []
    given = typed["currency"].str.strip_chars().str.to_uppercase() if "currency" in typed.columns else \
        pl.Series("currency", [None] * typed.height, dtype=pl.String)
    clash = raw.with_columns(named.alias("_named"), given.alias("_given")).filter(
        pl.col("_named").is_not_null() & pl.col("_given").is_not_null() & (pl.col("_named") != pl.col("_given")))
    messages = row_messages("error", file, clash, "currency", W.CURRENCY_CLASH, W.MAKE_CURRENCIES_AGREE,
                            value_column=amounts[0])
    return typed.with_columns(given.fill_null(named).alias("currency")), messages


# ---------------------------------------------------------------- checks on one table


def check_table(table_name: str, file: str, frame: pl.DataFrame) -> list[Message]:
    """Row rules of one typed table: negative mrr, end before start, duplicate keys."""
    messages: list[Message] = []
    table = TABLES[table_name]
    if table_name == "subscriptions":
        negative = frame.filter(pl.col("mrr") < 0)
        messages += row_messages("error", file, negative, "mrr", W.NEGATIVE_MRR, W.MRR_NOT_NEGATIVE)
        if "end_date" in frame.columns:
            backwards = frame.filter(pl.col("end_date") < pl.col("start_date"))
            messages += row_messages("error", file, backwards, "end_date", W.END_BEFORE_START, W.SWAP_DATES)
        messages += _current_period_warnings(file, frame)
    if table_name == "targets":
        messages += _target_errors(file, frame)
    for key in (table.key,) if table.key else ():
        # report the repeats, not the first occurrence the user wants to keep
        dupes = frame.filter(pl.col(key).is_not_null() & ~pl.col(key).is_first_distinct())
        messages += row_messages("error", file, dupes, key, W.DUPLICATE_KEY.format(key=key), W.KEY_ONCE.format(key=key))
    return messages


def _target_errors(file: str, frame: pl.DataFrame) -> list[Message]:
    """A plan row names a fiscal quarter (2027-Q1), a GRR between 0 and 1 or a renewed ARR, and is not repeated."""
    quarter_form = r"^\s*(?:FY)?\d{4}\s*-?\s*Q[1-4]\s*$"
    text = pl.col("quarter").cast(pl.String)
    messages = row_messages("error", file, frame.filter(text.is_not_null() & ~text.str.contains(f"(?i){quarter_form}")),
                            "quarter", W.NOT_A_QUARTER, W.WRITE_QUARTER)
    columns = set(frame.columns)
    grr = pl.col("target_grr") if "target_grr" in columns else pl.lit(None, pl.Float64)
    arr = pl.col("target_renewed_arr") if "target_renewed_arr" in columns else pl.lit(None, pl.Float64)
    messages += row_messages("error", file, frame.filter(~grr.is_between(0, 1)), "target_grr", W.TARGET_GRR_RANGE,
                             W.GRR_AS_SHARE)
    messages += row_messages("error", file, frame.filter(grr.is_null() & arr.is_null()), "target_grr", W.NO_TARGET,
                             W.GIVE_TARGET)
    keys = [pl.col(c) for c in ("quarter", "segment", "team") if c in columns]
    repeated = frame.filter(~pl.struct(keys).is_first_distinct())
    return messages + row_messages("error", file, repeated, "quarter", W.DUPLICATE_TARGET, W.TARGET_ONCE)


def _current_period_warnings(file: str, frame: pl.DataFrame) -> list[Message]:
    """A current-period export (Stripe's) is read as one line per billing period at today's price: say so once;
    and name each subscription whose payment is past due or unpaid (revenue at risk)."""
    if "current_period_end" not in frame.columns or frame["current_period_end"].is_null().all():
        return []
    messages = [Message("warning", file, None, "current_period_end", None, W.CURRENT_PERIOD_EXPORT,
                        W.EXPORT_HISTORY)]
    if "status" in frame.columns:
        at_risk = frame.filter(pl.col("status").str.to_lowercase().str.strip_chars().is_in(["past_due", "unpaid"]))
        messages += row_messages("warning", file, at_risk, "status", W.PAYMENT_AT_RISK, W.CHASE_PAYMENT)
    return messages


def blank_row_mask(frame: pl.DataFrame) -> pl.Series:
    """True for rows whose every cell is empty."""
    cells = [c for c in frame.columns if c != ROW_COLUMN]
    if not cells:
        return pl.Series([False] * frame.height)
    empty = [(pl.col(c).is_null() | (pl.col(c).cast(pl.String).str.strip_chars() == "")) for c in cells]
    return frame.select(pl.all_horizontal(empty)).to_series()


# ---------------------------------------------------------------- checks across tables


def cross_table_warnings(tables: dict[str, pl.DataFrame], files: dict[str, str],
                         today: dt.date) -> list[Message]:
    """Warnings that need several tables or whole-table context."""
    messages: list[Message] = []
    accounts = tables.get("accounts")
    if accounts is not None:
        known = accounts.select("account_id")
        for name, frame in tables.items():
            if name in ("accounts", "fx_rates") or "account_id" not in frame.columns:
                continue
            orphans = frame.join(known, on="account_id", how="anti").filter(pl.col("account_id").is_not_null())
            messages += row_messages("warning", files[name], orphans, "account_id", W.ORPHAN, W.ADD_ACCOUNT)
    subscriptions = tables.get("subscriptions")
    if subscriptions is not None:
        messages += _overlap_warnings(subscriptions, files["subscriptions"])
        messages += _arr_like_warnings(subscriptions, files["subscriptions"])
    for name, column in EVENT_DATES.items():
        frame = tables.get(name)
        if frame is None or column not in frame.columns:
            continue
        day = pl.col(column).cast(pl.Date) if frame.schema[column] != pl.Date else pl.col(column)
        future = frame.filter(day > today)
        messages += row_messages("warning", files[name], future, column, W.FUTURE_DATE.format(today=today),
                                 W.CHECK_DATE)
    return messages


def _product_lines(subscriptions: pl.DataFrame) -> pl.DataFrame:
    product = pl.col("product").fill_null("") if "product" in subscriptions.columns else pl.lit("")
    end = pl.col("end_date") if "end_date" in subscriptions.columns else pl.lit(None, pl.Date)
    return (subscriptions.filter(pl.col("mrr") > 0)
            .with_columns(product.alias("_product"), end.alias("_end"))
            .sort("account_id", "_product", "start_date", ROW_COLUMN))


def _overlap_warnings(subscriptions: pl.DataFrame, file: str) -> list[Message]:
    lines = _product_lines(subscriptions)
    running_end = (pl.col("_end").fill_null(dt.date.max).cum_max().shift(1)
                   .over(["account_id", "_product"], order_by=["start_date", ROW_COLUMN]))
    overlapping = lines.with_columns(running_end.alias("_prev_end")).filter(
        pl.col("_prev_end").is_not_null() & (pl.col("start_date") < pl.col("_prev_end")))
    return row_messages("warning", file, overlapping, "start_date", W.OVERLAP, W.CHECK_DUPLICATE)


def _arr_like_warnings(subscriptions: pl.DataFrame, file: str) -> list[Message]:
    ratio = settings.get("arr_like_ratio")
    lines = _product_lines(subscriptions).with_columns(
        pl.col("mrr").shift(1).over(["account_id", "_product"], order_by=["start_date", ROW_COLUMN]).alias("_prev"))
    jump = pl.col("mrr") / pl.col("_prev")
    suspicious = lines.filter(jump.is_between(ratio * 0.9, ratio * 1.1))
    return row_messages("warning", file, suspicious, "mrr", W.LOOKS_LIKE_ARR.format(ratio=f"{ratio:.0f}"),
                        W.MONTHLY_IN_MRR)
