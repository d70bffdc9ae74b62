"""Matching a file to a preset: which table a file's name stands for, which preset its headers look like, the
header map, values in our words, and suggestions for the headers no preset knows."""

from __future__ import annotations

import difflib
import functools

import polars as pl

from renewal_radar.ingest.presets import GENERIC, PRESETS, Preset, normalise_header
from renewal_radar.ingest.schema import TABLES


def table_for_file(stem: str, preset: Preset | None = None) -> str | None:
    """The table a file's name stands for, under ``preset`` or, when None, under any preset."""
    key = stem.strip().lower()
    presets = [preset, GENERIC] if preset else list(PRESETS.values())
    return next((p.files[key] for p in presets if key in p.files), None)


# Words orgs put in place of Salesforce's own labels (거래처 for 계정, 영업기회 for 기회, 案件 for 商談, …):
# a renamed header is matched as if it used the standard word, so the suggestion ranks the right column first.
RENAMED_WORDS = {"거래처": "계정", "고객사": "계정", "영업기회": "기회", "영업 기회": "기회", "案件": "商談",
                 "顧客": "取引先", "客戶": "帳戶", "客户": "帳戶", "商機": "機會", "company": "account",
                 "customer": "account", "deal": "opportunity"}
SUGGESTION_CUTOFF = 0.6
# Headers that mean one of our columns though they share no word with it: an MRR model's `monthly_amount`, a
# price list's `price` (suggested, never applied without the person's choice).
MEANINGS = {"subscriptions": {"monthly amount": "mrr", "amount": "mrr", "monthly price": "mrr", "price": "mrr",
                              "monthly fee": "mrr", "fee": "mrr", "monthly revenue": "mrr", "monthly value": "mrr",
                              "recurring amount": "mrr", "plan amount": "mrr", "annual amount": "arr",
                              "yearly amount": "arr", "annual price": "arr"}}


def _standard_words(header: str) -> str:
    key = normalise_header(header)
    for renamed, standard in RENAMED_WORDS.items():
        key = key.replace(renamed, standard)
    return key


@functools.cache
def _known_headers(table: str) -> dict[str, str]:
    """Every header any preset maps to one of the table's columns, from any table (계정 ID means account_id in
    a subscriptions file as in a Salesforce report)."""
    ours = {c.name for c in TABLES[table].columns}
    known = {c.replace("_", " "): c for c in ours} | MEANINGS.get(table, {})
    for preset in PRESETS.values():
        for aliases in preset.columns.values():
            known.update({header: column for header, column in aliases.items() if column in ours})
    return known


def _likeness(key: str, known: str) -> float:
    # a header that is one of the known header's words ("start" in "start date") is as good as a near match
    whole_word = len(key) >= 3 and key in known.split()
    return max(difflib.SequenceMatcher(None, key, known).ratio(), 0.9 if whole_word else 0.0)


def suggest_columns(table: str, header: str) -> list[str]:
    """Our columns a header no preset maps may mean, the likeliest first (a renamed label such as 거래처 ID
    ranks account_id first); empty when nothing is close."""
    key = _standard_words(header)
    scores: dict[str, float] = {}
    for known, column in _known_headers(table).items():
        score = _likeness(key, known)
        scores[column] = max(score, scores.get(column, 0.0))
    ranked = sorted((column for column, score in scores.items() if score >= SUGGESTION_CUTOFF),
                    key=lambda column: (-scores[column], column))
    return ranked


def closest_columns(table: str, headers: list[str]) -> dict[str, str]:
    """For headers no preset maps, the likeliest of our columns (:func:`suggest_columns`)."""
    found = {header: suggest_columns(table, header) for header in headers}
    return {header: columns[0] for header, columns in found.items() if columns}


def header_map(table: str, headers: list[str], preset: Preset) -> dict[str, str]:
    """Map each recognised header to our column; the generic names always work."""
    vendor = preset.columns.get(table, {})
    generic = GENERIC.columns.get(table, {})
    mapping: dict[str, str] = {}
    for header in headers:
        key = normalise_header(header)
        column = vendor.get(key) or generic.get(key)
        if column and column not in mapping.values():
            mapping[header] = column
    return mapping


def detect_preset(table: str, headers: list[str]) -> Preset:
    """The preset whose own aliases recognise the most headers (generic wins ties)."""
    def hits(preset: Preset) -> int:
        return sum(normalise_header(h) in preset.columns.get(table, {}) for h in headers)

    best = GENERIC
    for preset in PRESETS.values():
        if hits(preset) > hits(best):
            best = preset
    return best


def apply_values(table: str, frame: pl.DataFrame, preset: Preset) -> pl.DataFrame:
    """Translate vendor values (``BestCase`` -> ``Best Case``) in text columns."""
    for column, mapping in preset.values.get(table, {}).items():
        if column in frame.columns and frame.schema[column] == pl.String:
            translated = pl.col(column).replace(mapping)
            frame = frame.with_columns(pl.when(translated == "").then(None).otherwise(translated).alias(column))
    return frame
