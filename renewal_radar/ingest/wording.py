"""The words of every validation message, written once.

The importer fills these templates in English: that is the command line's output and what the database keeps
(``import_messages``). A page shows a message in the reader's language with :func:`in_language`, which reads
the English back through the same templates and puts the values into the translated one, so the two can never
drift apart. Column names, file names and values inside a message stay as they are: they are what the file
says.
"""

from __future__ import annotations

import functools
import re
import string

import polars as pl

from renewal_radar.i18n import N_, t

MORE_ROWS = N_("{n} more rows with the same problem")
FILE_MATCHES_NO_TABLE = N_("file name matches no table; skipped")
NAME_FILE_AFTER_TABLE = N_("name the file after its table ({tables})")
EXPORT_AGAIN = N_("export the file again as CSV UTF-8, XLSX or Parquet")
COLUMN_MISSING = N_("required column {column} is missing")
ADD_COLUMN = N_("add a {column} column (headers match case-insensitively) or choose a preset")
UNMAPPED_FILE = N_("the file is here, but none of its headers maps to the required column {column}")
MAP_HEADERS = N_("its headers: {headers}; closest known columns: {closest}. Map them on the Import page or with "
                 "--mapping FILE, e.g. {example}")
BLANK_ROW = N_("blank row dropped")
CURRENT_PERIOD_EXPORT = N_("one row per subscription with its current period: read as one line per billing period "
                           "from the first paid day to the current period's end, at the current price")
EXPORT_HISTORY = N_("earlier plan changes are not in this export; export invoice lines for the real history")
PAYMENT_AT_RISK = N_("payment past due or unpaid: revenue at risk")
CHASE_PAYMENT = N_("it still counts as revenue; follow up on the payment before the renewal")
DERIVED_OPPORTUNITY_KEY = N_("no opportunity ID column: each row's key is made from its account, close date and "
                             "opportunity name")
ADD_OPPORTUNITY_ID = N_("add the Opportunity ID column to the report for keys that survive a renamed opportunity")
NOT_A_FOLDER = N_("is not a folder")
GIVE_FOLDER = N_("give the folder that holds the export files")
UNKNOWN_PRESET = N_("unknown preset")
USE_PRESET = N_("use one of {presets}")
SAME_TABLE_TWICE = N_("holds {table}, as {file} does")
ONE_FILE_PER_TABLE = N_("keep one file per table")
FILE_MISSING = N_("required file is missing from {folder}")
EXPORT_TABLE = N_("export {table} as {table}.csv, .xlsx or .parquet")
NO_RATE = N_("no rate for {currency} to {reporting}; its amounts are taken at 1.0")
ADD_RATES = N_("add monthly rates for {currency} to fx_rates")
REQUIRED_EMPTY = N_("required {column} is empty")
FILL_IN = N_("fill in {column} or delete the row")
NOT_VALID = N_("is not a valid {kind}")
CURRENCY_CLASH = N_("currency differs from the one the amount names")
MAKE_CURRENCIES_AGREE = N_("make the currency cell and the amount's currency code agree")
NEGATIVE_MRR = N_("mrr is negative")
MRR_NOT_NEGATIVE = N_("MRR must be zero or more; record refunds and credits outside this file")
END_BEFORE_START = N_("end_date is before start_date")
SWAP_DATES = N_("swap the dates or correct the end date (it is exclusive)")
TARGET_GRR_RANGE = N_("target_grr is not between 0 and 1")
GRR_AS_SHARE = N_("write the target GRR as a share, e.g. 0.92 for 92 %")
NOT_A_QUARTER = N_("is not a fiscal quarter")
WRITE_QUARTER = N_("write the quarter like 2027-Q1")
NO_TARGET = N_("gives neither target_grr nor target_renewed_arr")
GIVE_TARGET = N_("fill in one of the two targets or delete the row")
DUPLICATE_TARGET = N_("repeats the target of an earlier row for the same quarter, segment and team")
TARGET_ONCE = N_("keep one row per quarter, segment and team")
DUPLICATE_KEY = N_("duplicate {key}: it is already on an earlier row")
KEY_ONCE = N_("each {key} must appear once; remove the repeated row")
ORPHAN = N_("account_id points to no account in accounts")
ADD_ACCOUNT = N_("add the account to accounts or correct the id")
FUTURE_DATE = N_("date is after today ({today})")
CHECK_DATE = N_("check the date; it is loaded as is")
OVERLAP = N_("overlaps an earlier line of the same account and product")
CHECK_DUPLICATE = N_("check for a duplicated line; overlapping lines both count in MRR")
LOOKS_LIKE_ARR = N_("is about {ratio}× the previous line of the same product: it looks like ARR")
MONTHLY_IN_MRR = N_("put monthly amounts in mrr, or name the column arr")
KIND_HELP = {
    "date": N_("write dates as YYYY-MM-DD (or M/D/YYYY)"),
    "datetime": N_("write times as YYYY-MM-DD HH:MM:SS"),
    "float": N_("write a plain number such as 1250.50"),
    "int": N_("write a whole number"),
    "bool": N_("write true or false"),
}

# the kinds "is not a valid {kind}" names, in words
KIND_WORDS = {"date": N_("date"), "datetime": N_("date and time"), "float": N_("number"), "int": N_("whole number"),
              "bool": N_("true/false value")}

TEMPLATES = tuple(value for name, value in globals().items() if name.isupper() and isinstance(value, str)) + tuple(
    KIND_HELP.values())


@functools.cache
def _patterns() -> tuple[tuple[str, re.Pattern], ...]:
    """Each template as a pattern that reads its values back (templates with fewer fixed words last)."""
    compiled = []
    for template in TEMPLATES:
        parts, seen = [], set()
        for literal, field, _, _ in string.Formatter().parse(template):
            parts.append(re.escape(literal))
            if field is not None:
                parts.append(f"(?P={field})" if field in seen else f"(?P<{field}>.+?)")
                seen.add(field)
        compiled.append((template, re.compile("".join(parts), re.DOTALL)))
    return tuple(sorted(compiled, key=lambda item: -len(re.sub(r"\{[^}]*\}", "", item[0]))))


def in_language(text: str | None) -> str | None:
    """A validation message's English words in the current language (unknown text is returned as it is)."""
    if not text:
        return text
    for template, pattern in _patterns():
        found = pattern.fullmatch(text)
        if found:
            values = found.groupdict()
            kind_word = KIND_WORDS.get(values.get("kind"))
            if kind_word:
                values["kind"] = t(kind_word)
            return t(template, **values)
    return text


def messages_in_language(frame: pl.DataFrame) -> pl.DataFrame:
    """A table of validation messages (problem and fix columns) with both in the current language."""
    # a plain loop, not map_elements: polars may call a function on its own threads, where the language the
    # context variable holds is not set
    return frame.with_columns(pl.Series(c, [in_language(v) for v in frame[c]], dtype=pl.String)
                              for c in ("problem", "fix") if c in frame.columns)
