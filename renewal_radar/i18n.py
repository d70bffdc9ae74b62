"""Every user-facing string goes through :func:`t`; numbers, money and dates through the formatters here.

Catalogues are standard gettext files under ``renewal_radar/locales/<lang>/LC_MESSAGES/renewal_radar.po``,
managed with Babel (``make messages`` extracts and updates them; ``make`` compiles the ``.mo`` files). English is
the source language, so an English message is its own translation. When a ``.mo`` file is missing or older than
its ``.po`` (a fresh checkout before ``make``), the ``.po`` is read directly, so a language never silently falls
back to English.

The language of the current run is a context variable: the app sets it per script run from the sidebar, the
digest per recipient, the command line from ``RENEWAL_RADAR_LANG``; domain code (risk drivers, validation
messages, the review pack) just calls :func:`t`.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import gettext
import os
import re
from collections.abc import Iterator
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import lists as babel_lists
from babel import numbers as babel_numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "renewal_radar"
LANGUAGES = {"en": "English", "ko": "한국어", "ja": "日本語", "zh_TW": "繁體中文"}
# the Babel locale whose formats each language uses
FORMAT_LOCALES = {"en": "en_US", "ko": "ko_KR", "ja": "ja_JP", "zh_TW": "zh_Hant_TW"}

_language: contextvars.ContextVar[str | None] = contextvars.ContextVar("renewal_radar_language", default=None)


def default_language() -> str:
    """``RENEWAL_RADAR_LANG`` when it names a supported language, else English."""
    return match_language(os.environ.get("RENEWAL_RADAR_LANG")) or "en"


def match_language(tag: str | None) -> str | None:
    """The supported language closest to a tag such as ``ko-KR``, ``ja``, ``zh-Hant-TW`` or ``zh_TW``; None if none."""
    if not isinstance(tag, str) or not tag:  # Streamlit's AppTest has no browser, so no locale
        return None
    parts = tag.replace("-", "_").split("_")
    base = parts[0].lower()
    if base == "zh":
        # only Traditional Chinese is offered: zh-TW, zh-HK, zh-Hant; Simplified (zh-CN, zh-Hans) is not matched
        rest = {p.lower() for p in parts[1:]}
        return "zh_TW" if rest & {"tw", "hk", "mo", "hant"} else None
    return base if base in LANGUAGES else None


def current_language() -> str:
    """The language of the current run."""
    return _language.get() or default_language()


def set_language(language: str) -> None:
    """Use ``language`` for the rest of the current run (the app calls this at the top of each script run)."""
    _language.set(language if language in LANGUAGES else "en")


@contextlib.contextmanager
def language(code: str) -> Iterator[None]:
    """Temporarily use another language (one digest per recipient, one pack per request)."""
    token = _language.set(code if code in LANGUAGES else "en")
    try:
        yield
    finally:
        _language.reset(token)


def _files(code: str) -> tuple[Path, Path]:
    folder = LOCALE_DIR / code / "LC_MESSAGES"
    return folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"


@functools.cache
def _catalogue(code: str) -> gettext.NullTranslations:
    po, mo = _files(code)
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    if po.exists():  # not compiled yet: compile in memory
        import io

        with po.open("rb") as handle:
            catalog = read_po(handle, locale=code)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=True)  # as `make` compiles: only the header may be fuzzy
        buffer.seek(0)
        return gettext.GNUTranslations(buffer)
    return gettext.NullTranslations()


def N_(message: str) -> str:
    """Mark a message for the catalogue (``make messages``) without translating it now; ``t()`` it where shown."""
    return message


def t(message: str, **values) -> str:
    """The message in the current language, with ``{name}`` placeholders filled in."""
    code = current_language()
    text = message if code == "en" else _catalogue(code).gettext(message)
    return text.format(**values) if values else text


def tn(singular: str, plural: str, count: int, **values) -> str:
    """The singular or plural message for ``count`` (``{count}`` is filled in) in the current language."""
    catalogue = _catalogue(current_language())  # English has no catalogue: gettext's own singular/plural rule
    return catalogue.ngettext(singular, plural, count).format(count=count, **values)


def in_days(days: int) -> str:
    """A number of days from now in words: ``in 3 days``, ``3일 후``, ``3 日後``, ``3 天後``; ``today``."""
    return babel_dates.format_timedelta(dt.timedelta(days=days), granularity="day", threshold=10_000,
                                        add_direction=True, locale=format_locale()) if days else t("today")


def format_locale(code: str | None = None) -> Locale:
    """The Babel locale whose number and date formats the language uses."""
    return _parsed_locale(code or current_language())


# Parsing a locale or a number pattern costs more than formatting with it; a table of 50,000 risk drivers
# formats a hundred thousand amounts, so both are parsed once.
@functools.cache
def _parsed_locale(code: str) -> Locale:
    return Locale.parse(FORMAT_LOCALES[code])


@functools.cache
def _pattern(text: str) -> babel_numbers.NumberPattern:
    return babel_numbers.parse_pattern(text)


# ---------------------------------------------------------------- formats


def currency_symbol(currency: str) -> str:
    """The currency's symbol in the current locale; an unambiguous one where the local symbol is a bare ``$``.

    In Taiwan the local symbol of TWD is ``$``; beside USD that is ambiguous, so TWD shows as ``NT$``.
    """
    return _symbol(currency, current_language())


@functools.cache
def _symbol(currency: str, language: str) -> str:
    locale = format_locale(language)
    try:
        symbol = babel_numbers.get_currency_symbol(currency, locale)
    except UnknownLocaleError:
        return currency
    if symbol == "$" and currency != "USD":
        symbol = babel_numbers.get_currency_symbol(currency, "en")
    if symbol == "US$" and language in ("ko", "ja"):  # no local dollar to confuse it with: plain $
        symbol = "$"
    return symbol


def money(value: float | None, currency: str, compact: bool = False, small_too: bool = False) -> str:
    """Money in the current locale, whole units: ``$1,234,567``, ``₩1,234,000``, ``￥1,234``; compact on KPI cards
    (``$1.2M``, ``₩12.3억``, ``￥123.4万``, ``NT$12.3億``) from 10,000 up, or below too with ``small_too`` (a card
    beside compact ones: ``$2.9K``) where the language has a unit that small; a dash for no value."""
    if value is None:
        return "—"
    locale = format_locale()
    if compact and abs(value) >= 10_000:
        return _compact_money(value, currency, locale)
    if compact and small_too:  # only where the language has a unit this small (en $2.9K, ko $2.9천; not ja, zh)
        text = _compact_money(round(value), currency, locale)
        if _digits(text) != _digits(f"{abs(round(value))}"):
            return text
    whole = round(value)
    parts = _whole_money_parts(currency, str(locale)) if whole >= 0 else None
    if parts is not None:  # the shape Babel gives every whole amount here, filled in without Babel (tables of 40,000)
        prefix, group, suffix = parts
        return prefix + f"{whole:,}".replace(",", group) + suffix
    return _babel_whole_money(whole, currency, locale)


def _compact_money(value: float, currency: str, locale: Locale) -> str:
    # one decimal while the number is short ($1.2M, ₩1.2억), none once it has three digits (￥2097万)
    text = babel_numbers.format_compact_currency(value, currency, locale=locale, fraction_digits=0)
    if sum(c.isdigit() for c in text) <= 2:
        text = babel_numbers.format_compact_currency(value, currency, locale=locale, fraction_digits=1)
    local = babel_numbers.get_currency_symbol(currency, locale)
    symbol = currency_symbol(currency)
    text = text.replace(local, symbol, 1) if local != symbol else text
    return _grouped_compact(text, locale)


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _babel_whole_money(whole: int, currency: str, locale: Locale) -> str:
    pattern = _pattern(_whole(locale.currency_formats["standard"].pattern))
    text = pattern.apply(whole, locale, currency=currency, currency_digits=False)
    local = _local_symbol(currency, str(locale))
    symbol = currency_symbol(currency)
    return text.replace(local, symbol, 1) if local != symbol else text


PROBES = (0, 7, 1_234, 1_234_567, 9_876_543_210)


@functools.cache
def _whole_money_parts(currency: str, locale_code: str) -> tuple[str, str, str] | None:
    """(prefix, group separator, suffix) when Babel writes every non-negative whole amount of ``currency`` in this
    locale as prefix + digits grouped by three + suffix (checked on probes); None otherwise (Babel then writes
    each amount)."""
    locale = Locale.parse(locale_code)
    group = locale.number_symbols["latn"]["group"]
    sample = _babel_whole_money(1_234_567, currency, locale)
    digits = "1,234,567".replace(",", group)
    if sample.count(digits) != 1:
        return None
    prefix, suffix = sample.split(digits)
    if any(prefix + f"{probe:,}".replace(",", group) + suffix != _babel_whole_money(probe, currency, locale)
           for probe in PROBES):
        return None
    return prefix, group, suffix


# Korean groups the digits before 만/억/조 ($2,097만, as Korean finance pages write it); CLDR's compact
# pattern (0000만) does not, and Babel follows it.
GROUPED_COMPACT_LANGUAGES = ("ko",)


def _grouped_compact(text: str, locale: Locale) -> str:
    if locale.language not in GROUPED_COMPACT_LANGUAGES:
        return text
    group = locale.number_symbols["latn"]["group"]
    return re.sub(r"\d{4,}", lambda found: f"{int(found.group(0)):,}".replace(",", group), text, count=1)


@functools.cache
def _local_symbol(currency: str, locale_code: str) -> str:
    return babel_numbers.get_currency_symbol(currency, Locale.parse(locale_code))


def _whole(pattern: str) -> str:
    """A currency pattern without decimals (``¤#,##0.00`` → ``¤#,##0``; negatives keep their form)."""
    return pattern.replace(".00", "").replace(".##", "")


def number(value: float | None, digits: int = 0) -> str:
    """A number with the locale's separators; a dash for no value."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return _pattern(pattern).apply(value, format_locale())


def alternatives(items: list[str]) -> str:
    """``a or b`` as the current language writes it (``a 또는 b``, ``aまたはb``, ``a或b``)."""
    return babel_lists.format_list(list(items), style="or", locale=format_locale())


def percent(value: float | None, digits: int = 1) -> str:
    """A fraction as a percentage with ``digits`` decimals (``87.5%``); a dash for no value."""
    if value is None:
        return "—"
    # rounded to what is shown first, so the few distinct percentages of a large table are formatted once each
    # + 0.0: a value that rounds to zero from below reads "0.0%", never "-0.0%"
    return _percent_text(round(value, digits + 2) + 0.0, digits, current_language())


@functools.lru_cache(maxsize=65_536)
def _percent_text(value: float, digits: int, language: str) -> str:
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return _pattern(pattern).apply(value, format_locale(language))


def date(value: dt.date | None, style: str = "medium") -> str:
    """A date in the locale's style (``Mar 1, 2027``, ``2027. 3. 1.``, ``2027/03/01``, ``2027年3月1日``)."""
    if value is None:
        return "—"
    return babel_dates.format_date(value, style, locale=format_locale())


def month(value: dt.date | None) -> str:
    """A month in the locale's style (``Mar 2027``, ``2027년 3월``, ``2027年3月``)."""
    if value is None:
        return "—"
    return babel_dates.format_skeleton("yMMM", value, locale=format_locale())
